"""Progress lines for long work: a redrawn bar on a terminal, a line every 10 % (or 30 s) in a log file."""
from __future__ import annotations

import sys
import time


class Bar:
    def __init__(self, label: str, total: int, stream=None) -> None:
        self.label, self.total = label, max(total, 1)
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.last_line = -1.0
        self.last_step = -1
        self.done = 0
        self.extra = ""

    def update(self, done: int, extra: str = "") -> None:
        self.done, self.extra = min(done, self.total), extra
        elapsed = time.perf_counter() - self.started
        step = int(10 * self.done / self.total)
        if self.tty:
            self.stream.write("\r" + self._line(elapsed) + "\x1b[K")
            self.stream.flush()
        elif step != self.last_step or elapsed - self.last_line >= 30:
            self.stream.write(self._line(elapsed) + "\n")
            self.stream.flush()
            self.last_step, self.last_line = step, elapsed

    def finish(self, extra: str = "") -> float:
        elapsed = time.perf_counter() - self.started
        self.done = self.total
        self.extra = extra or self.extra
        line = self._line(elapsed)
        self.stream.write(("\r" + line + "\x1b[K\n") if self.tty else line + "\n")
        self.stream.flush()
        return elapsed

    def _line(self, elapsed: float) -> str:
        frac = self.done / self.total
        filled = int(24 * frac)
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        bar = "█" * filled + "░" * (24 - filled)
        tail = f" {self.extra}" if self.extra else ""
        return (f"  {self.label} {bar} {self.done:,}/{self.total:,} ({100 * frac:3.0f}%) "
                f"{elapsed:6.1f} s, ~{eta:4.0f} s left{tail}")
