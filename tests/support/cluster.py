"""Several Madang processes on one content repository and one state database, joined by a real redis-server
(Flask-SocketIO's message queue): the set-up of the messenger's and co-editing's multi-process tests."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import LiveServer, free_port


class RedisServer:
    """A real redis-server on a loopback port, without persistence."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start within 15 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@contextmanager
def two_processes(folder: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two `python app.py` processes sharing `folder/content_repo` (prepared by the caller), one instance folder
    and a redis-server; the first is started before the second, so it alone creates the database."""
    redis = RedisServer(folder)
    shared = {"MADANG_CONTENT_REPO": str(folder / "content_repo"), "MADANG_INSTANCE_DIR": str(folder / "instance"),
              "MADANG_SEARCH_INDEX": str(folder / "search_index"), "MADANG_REDIS_URL": redis.url}
    servers: list[LiveServer] = []
    try:
        for name in ("one", "two"):
            (folder / name).mkdir()
            servers.append(LiveServer(folder / name, extra_env=shared))
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()
        redis.stop()
