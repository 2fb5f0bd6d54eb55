"""Per-person flood limits: token buckets, one per person for sends and one for other socket events.

Why a bucket: people send a few messages in a row (a burst) and then pause; a script or a stuck key sends
without pausing. The bucket lets `burst` through at once and then `per_minute` a minute, and says how long to
wait, so the client can show it and retry. Repeats of a stored `client_id` never reach it (they store nothing).

Why the send bucket is a database row: a person's tabs may sit on several processes (or machines), and a limit
each process kept for itself would let them send N times it. The row is read and written inside the send's own
transaction, which holds the write lock already (the conversation's counter comes first): two statements more
per send, exact for any number of processes, and a refused send rolls back with everything else. Other events
(typing, read, who, join) are bounded in each process's memory: they store nothing, so that only protects the
process, and it must cost nothing.
"""
from __future__ import annotations

import math
import threading
import time

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from wiki.api import RateLimited, plugin_settings

from . import NAME
from .models import SendBudget

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


_BUDGET = SendBudget.__table__
_READ = select(_BUDGET.c.tokens, _BUDGET.c.at).where(_BUDGET.c.username == bindparam("who")).with_for_update()
_WRITE = update(_BUDGET).where(_BUDGET.c.username == bindparam("who")).values(tokens=bindparam("left"),
                                                                              at=bindparam("moment"))


def take_send(session: Session, username: str, moment: float | None = None) -> None:
    """Take one send from the person's bucket inside the send's transaction; raise Flooded (and the caller's
    transaction rolls back, storing nothing) when it is empty."""
    burst, per_second = limits()
    moment = time.time() if moment is None else moment
    row = session.execute(_READ, {"who": username}).first()
    tokens = float(burst) if row is None else min(float(burst), row.tokens + max(0.0, moment - row.at) * per_second)
    if tokens < 1.0:
        seconds = max(1, math.ceil((1.0 - tokens) / per_second))
        raise Flooded(f"You are sending messages too fast; wait {seconds} s and send again. "
                      f"(너무 빠르게 보내고 있습니다. {seconds}초 뒤에 다시 보내세요.)", retry_after=seconds)
    if row is None:
        session.execute(insert(_BUDGET).values(username=username, tokens=tokens - 1.0, at=moment))
    else:
        session.execute(_WRITE, {"who": username, "left": tokens - 1.0, "moment": moment})


def check_event(username: str) -> None:
    """Raise Flooded when this person's sockets emit far more events than any page does."""
    wait = BUCKETS.take(f"event:{username}", EVENT_BURST, EVENT_PER_SECOND)
    if wait:
        raise Flooded("Too many events at once; slow down. (요청이 너무 많습니다. 잠시 뒤에 다시 시도하세요.)",
                      retry_after=max(1, math.ceil(wait)))
