"""A token bucket per socket: a flood of edits is answered with `rate_limited`, the page goes on for the rest."""
from __future__ import annotations

import threading
import time


class Bucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, time.monotonic()
        self.lock = threading.Lock()

    def take(self, cost: float = 1.0) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens < cost:
                return False
            self.tokens -= cost
            return True
