"""Per-person flood limits: a token bucket per person and kind of action, in this process.

Why a bucket: people send a few messages in a row (a burst) and then pause; a script or a stuck key sends
without pausing. The bucket lets `burst` through at once and then `per_minute` a minute, and says how long to
wait, so the client can show it and retry. Repeats of a stored `client_id` never reach it (they store nothing).

Why in memory: it is checked on every send and must cost nothing next to the commit. With several processes
(sticky sessions: a person's sockets usually sit on one) each process keeps its own buckets, so a person spread
over N processes may send up to N times the limit: still a limit, which is what protects the others.
"""
from __future__ import annotations

import math
import threading
import time

from wiki.api import RateLimited, plugin_settings

from . import NAME

DEFAULTS = {"flood_burst": 20, "flood_per_minute": 60}
EVENT_BURST, EVENT_PER_SECOND = 60, 20  # other socket events (typing, read, who, join): generous, never a person's


class Flooded(RateLimited):
    """Too many actions: 429 with Retry-After over HTTP (the core's answer), `{error: "rate_limited",
    retry_after}` on a socket."""


class Buckets:
    """Token buckets by key; thread-safe (the server handles each socket in its own thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, monotonic time of the last update)

    def take(self, key: str, burst: int, per_second: float) -> float:
        """Take one token: 0.0 when allowed, else the seconds until one is there (nothing is taken then)."""
        moment = time.monotonic()
        with self._lock:
            tokens, last = self._state.get(key, (float(burst), moment))
            tokens = min(float(burst), tokens + (moment - last) * per_second)
            if tokens >= 1.0:
                self._state[key] = (tokens - 1.0, moment)
                return 0.0
            self._state[key] = (tokens, moment)
            if len(self._state) > 100_000:  # forget full buckets of people who went quiet
                self._forget(moment, burst, per_second)
            return (1.0 - tokens) / per_second if per_second > 0 else 3600.0

    def _forget(self, moment: float, burst: int, per_second: float) -> None:
        full = [k for k, (t, last) in self._state.items() if t + (moment - last) * per_second >= burst]
        for key in full:
            del self._state[key]


BUCKETS = Buckets()


def limits() -> tuple[int, float]:
    """(burst, messages per second) from the plugin's settings."""
    settings = {**DEFAULTS, **plugin_settings(NAME)}
    return max(1, int(settings["flood_burst"])), max(1, int(settings["flood_per_minute"])) / 60.0


def check_send(username: str) -> None:
    """Raise Flooded when this person has sent too much just now."""
    burst, per_second = limits()
    wait = BUCKETS.take(f"send:{username}", burst, per_second)
    if wait:
        seconds = max(1, math.ceil(wait))
        raise Flooded(f"You are sending messages too fast; wait {seconds} s and send again. "
                      f"(너무 빠르게 보내고 있습니다. {seconds}초 뒤에 다시 보내세요.)", retry_after=seconds)


def check_event(username: str) -> None:
    """Raise Flooded when this person's sockets emit far more events than any page does."""
    wait = BUCKETS.take(f"event:{username}", EVENT_BURST, EVENT_PER_SECOND)
    if wait:
        raise Flooded("Too many events at once; slow down. (요청이 너무 많습니다. 잠시 뒤에 다시 시도하세요.)",
                      retry_after=max(1, math.ceil(wait)))
