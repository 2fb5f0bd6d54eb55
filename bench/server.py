"""Start and stop a gunicorn server for one measurement (loopback only, a free port, our own process only)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .load import HOST, Client

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS, THREADS = 2, 8
READY_ENV = "MADANG_BENCH_READY_DIR"


def mark_ready() -> None:
    """Called by a worker once its app is built (bench/wsgi.py, bench/hello.py)."""
    folder = os.environ.get(READY_ENV)
    if folder:
        Path(folder, str(os.getpid())).touch()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Redis:
    """A real redis-server on a loopback port, without persistence, started and stopped by this object (the
    Socket.IO message queue of the multi-process benchmarks)."""

    def __init__(self, folder: Path) -> None:
        import shutil

        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", HOST, "--save", "",
                                         "--appendonly", "no", "--dir", str(folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start within 15 s")

    def cpu_seconds(self) -> float:
        return _cpu_of(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Server:
    """`gunicorn -w 2 --threads 8 <app>` on 127.0.0.1:<free port>, started and stopped by this object."""

    def __init__(self, app: str, env: dict[str, str] | None = None, log: Path | None = None,
                 workers: int = WORKERS, threads: int = THREADS) -> None:
        self.app, self.env, self.log = app, env or {}, log
        self.workers, self.threads = workers, threads
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        return [str(GUNICORN), "-w", str(self.workers), "--threads", str(self.threads), "-b", f"{HOST}:{self.port}",
                "--log-level", "warning", "--timeout", "120", self.app]

    def start(self, ready_path: str = "/", timeout: float = 900.0) -> Server:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 (closed in stop)
        self._out = out
        self._ready = tempfile.TemporaryDirectory(prefix="madang-bench-ready-")
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env, READY_ENV: self._ready.name}
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=out, stderr=out,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            if len(os.listdir(self._ready.name)) >= self.workers:
                try:
                    client = Client(self.port)
                    status, _, _ = client.call("GET", ready_path)
                    client.close()
                    if status < 500:
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group we started (start_new_session)
                self.proc.wait()
        self.proc = None
        self._ready.cleanup()
        if self._out is not subprocess.DEVNULL:
            self._out.close()

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server: master, workers and their children (git cat-file, ...)."""
        if self.proc is None:
            return 0.0
        return sum(_cpu_of(pid) for pid in _tree(self.proc.pid))

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                todo += [int(x) for x in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return pids


def _cpu_of(pid: int) -> float:
    """utime + stime + reaped children's of one process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / TICK


def machine_busy(seconds: float = 0.0) -> tuple[float, float]:
    """(busy CPU-seconds, wall seconds) of the whole machine from /proc/stat; with `seconds`, over that window."""
    def sample() -> tuple[float, float]:
        parts = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        values = [int(x) for x in parts[:8]]
        idle = values[3] + values[4]
        return (sum(values) - idle) / TICK, time.monotonic()
    if not seconds:
        return sample()
    busy0, t0 = sample()
    time.sleep(seconds)
    busy1, t1 = sample()
    return busy1 - busy0, t1 - t0


def wait_for_quiet(max_wait: float, threshold: float = 0.3) -> float:
    """Wait (at most max_wait seconds) until other processes use less than `threshold` cores; the last reading."""
    deadline = time.monotonic() + max_wait
    while True:
        busy, wall = machine_busy(1.0)
        cores = busy / wall
        if cores < threshold or time.monotonic() >= deadline:
            return cores
