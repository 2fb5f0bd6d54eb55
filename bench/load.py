"""A small closed-loop HTTP/1.1 load generator: one thread, `concurrency` keep-alive connections, a selector.

Each connection sends a request, waits for the whole response, records the latency and sends the next one, so
`concurrency` requests are always in flight. One thread keeps the client to at most one core (the GIL), which
matters when client and server share a 2-core machine; the client's own CPU time is reported alongside.
Every run is bounded by a request count and by time. Loopback only.
"""
from __future__ import annotations

import http.client
import json
import selectors
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    client_cpu: float = 0.0  # client CPU seconds / wall seconds
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        return percentile(self.latencies, p)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of values, in the values' unit; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(p / 100 * len(ordered) + 0.999999)))
    return ordered[rank - 1]


def get_request(path: str, port: int, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "Accept-Encoding: identity", "User-Agent: madang-bench"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Conn:
    __slots__ = ("sock", "buf", "started", "request", "expect", "header_end", "close_after", "status", "chunked")

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=REQUEST_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(None)
        self.reset()
        self.request = b""

    def reset(self) -> None:
        self.buf = bytearray()
        self.expect = -1  # total bytes of the response once the headers are known
        self.header_end = -1
        self.close_after = False
        self.status = 0
        self.chunked = False
        self.started = 0.0

    def feed(self, data: bytes) -> bool:
        """Add received bytes; True when the response is complete."""
        self.buf += data
        if self.header_end < 0:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            self.header_end = end + 4
            head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
            self.status = int(head[0].split(" ", 2)[1])
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding" and "chunked" in value:
                    self.chunked = True
                elif name == "connection" and value == "close":
                    self.close_after = True
            if not self.chunked:
                self.expect = self.header_end + length
        if self.chunked:
            return self.buf.endswith(b"0\r\n\r\n")
        return len(self.buf) >= self.expect


def run_load(port: int, make_request: Callable[[int], bytes], *, concurrency: int, duration: float,
             max_requests: int = 10_000_000, warmup: float = 0.0) -> LoadResult:
    """Closed-loop load for `duration` seconds (after `warmup` seconds whose results are dropped)."""
    if warmup > 0:
        _drive(port, make_request, concurrency, warmup, max_requests)
    return _drive(port, make_request, concurrency, duration, max_requests)


def _drive(port: int, make_request: Callable[[int], bytes], concurrency: int, duration: float,
           max_requests: int) -> LoadResult:
    result = LoadResult()
    selector = selectors.DefaultSelector()
    conns = [_Conn(port) for _ in range(concurrency)]
    issued = 0
    cpu0, t0 = time.process_time(), time.perf_counter()
    deadline = t0 + duration
    last_done = t0

    def send(conn: _Conn, request: bytes | None = None) -> None:
        nonlocal issued
        if request is None:
            request = make_request(issued)
            issued += 1
        conn.reset()
        conn.request = request
        conn.started = time.perf_counter()
        conn.sock.sendall(request)

    def reconnect(conn: _Conn) -> _Conn:
        selector.unregister(conn.sock)
        conn.sock.close()
        fresh = _Conn(port)
        selector.register(fresh.sock, selectors.EVENT_READ, fresh)
        return fresh

    for conn in conns:
        selector.register(conn.sock, selectors.EVENT_READ, conn)
        send(conn)
    in_flight = len(conns)
    try:
        while in_flight:
            now = time.perf_counter()
            if now > deadline + REQUEST_TIMEOUT:
                result.errors += in_flight
                break
            for key, _ in selector.select(timeout=1.0):
                conn: _Conn = key.data
                try:
                    data = conn.sock.recv(1 << 16)
                except ConnectionError:
                    data = b""
                if not data:  # the server closed the connection
                    retry = conn.request if not conn.buf else None
                    if conn.buf:
                        result.errors += 1
                    conn = reconnect(conn)
                    if retry is not None and time.perf_counter() < deadline:
                        send(conn, retry)  # an idle keep-alive connection was closed: send again
                    elif retry is None and time.perf_counter() < deadline and issued < max_requests:
                        send(conn)
                    else:
                        in_flight -= 1
                    continue
                if not conn.feed(data):
                    continue
                done = time.perf_counter()
                last_done = done
                result.requests += 1
                result.latencies.append(done - conn.started)
                result.statuses[conn.status] = result.statuses.get(conn.status, 0) + 1
                if conn.status >= 400:
                    result.errors += 1
                if conn.close_after:
                    conn = reconnect(conn)
                if done < deadline and issued < max_requests:
                    send(conn)
                else:
                    in_flight -= 1
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()
        selector.close()
    result.seconds = last_done - t0
    result.client_cpu = (time.process_time() - cpu0) / max(result.seconds, 1e-9)
    return result


# -- one request at a time, for the slower calls (history, diff, save) -----------------------------------------

class Client:
    """A keep-alive http.client connection with timing; reconnects when the server closes."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)

    def call(self, method: str, path: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        hdrs = {"Accept-Encoding": "identity", **(headers or {})}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                response = self.conn.getresponse()
                payload = response.read()
                elapsed = time.perf_counter() - started
                if response.will_close:
                    self.conn.close()
                return response.status, payload, elapsed
            except (ConnectionError, http.client.RemoteDisconnected, http.client.CannotSendRequest):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict]:
        status, payload, _ = self.call(method, path, body, headers)
        try:
            return status, json.loads(payload)
        except ValueError:
            return status, {"raw": payload[:200].decode("utf-8", "replace")}

    def close(self) -> None:
        self.conn.close()


def timed_series(fn: Callable[[int], float | None], count: int, seconds: float) -> list[float]:
    """Call fn(i) up to `count` times or until `seconds` pass; the latencies it returns (None: skipped)."""
    out: list[float] = []
    deadline = time.perf_counter() + seconds
    for i in range(count):
        if time.perf_counter() > deadline:
            break
        value = fn(i)
        if value is not None:
            out.append(value)
    return out


def timed(call: Callable[[], object], count: int) -> list[float]:
    """Milliseconds each of `count` calls took, one after the other."""
    out = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out
