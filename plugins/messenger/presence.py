"""Presence from the open sockets of every process: a row per socket in the state database.

A person is `online` while one of their sockets says so, `away` while all of them say away (the page reports it
when its tab is hidden), `offline` with none. Each process refreshes its own rows every HEARTBEAT seconds; rows
older than STALE (a process that died without closing its sockets) count for nothing.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from sqlalchemy import delete, select, update

from wiki.api import core

from .models import Presence
from .service import now

STATUSES = ("online", "away")
HEARTBEAT = 30  # seconds
STALE = timedelta(seconds=HEARTBEAT * 4)
log = logging.getLogger("madang.messenger")
_heartbeat_started = threading.Lock()
_heartbeat_running = False


def start_heartbeat(app, sids) -> None:
    """Once per process: refresh the rows of this process's open sockets (`sids()`), so they stay fresh."""
    global _heartbeat_running
    with _heartbeat_started:
        if _heartbeat_running:
            return
        _heartbeat_running = True

    def beat() -> None:
        while True:
            time.sleep(HEARTBEAT)
            try:
                mine = list(sids())
                if not mine:
                    continue
                with app.app_context(), core().db.writing() as session:
                    session.execute(update(Presence).where(Presence.sid.in_(mine)).values(since=now()))
                    session.execute(delete(Presence).where(Presence.since < now() - 2 * STALE))  # the dead's
            except Exception:  # noqa: BLE001 - a missed beat is retried; presence must not kill the process
                log.exception("messenger: presence heartbeat failed")

    threading.Thread(target=beat, name="messenger-presence", daemon=True).start()


def status_of(usernames: list[str]) -> dict[str, str]:
    found: dict[str, str] = {u: "offline" for u in usernames}
    if not usernames:
        return found
    with core().db.session() as session:
        for username, status in session.execute(select(Presence.username, Presence.status)
                                                .where(Presence.username.in_(usernames),
                                                       Presence.since > now() - STALE)):
            if status == "online" or found[username] == "offline":
                found[username] = status
    return found


def connected(sid: str, username: str) -> tuple[str, str]:
    """Record a new socket; answers (status before, status now)."""
    before = status_of([username])[username]
    with core().db.writing() as session:
        session.merge(Presence(sid=sid, username=username, status="online", since=now()))
    return before, status_of([username])[username]


def changed(sid: str, username: str, status: str) -> tuple[str, str]:
    before = status_of([username])[username]
    with core().db.writing() as session:
        row = session.get(Presence, sid)
        if row is not None:
            row.status, row.since = status, now()
    return before, status_of([username])[username]


def disconnected(sid: str, username: str) -> tuple[str, str]:
    before = status_of([username])[username]
    with core().db.writing() as session:
        session.execute(delete(Presence).where(Presence.sid == sid))
    return before, status_of([username])[username]
