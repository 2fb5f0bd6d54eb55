"""Presence from the open sockets of every process: a row per socket in the state database.

A person is `online` while one of their sockets says so, `away` while all of them say away (the page reports it
when its tab is hidden), `offline` with none. Each process refreshes its own rows every HEARTBEAT seconds; rows
older than STALE (a process that died without closing its sockets) count for nothing, and the next heartbeat of
any process sweeps them and tells the person's colleagues they went offline.
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


def start_heartbeat(app, sids, gone) -> None:
    """Once per process: refresh the rows of this process's open sockets (`sids()`: {sid: username}), and
    sweep the rows of processes that died: `gone(username, status they had)` for each person left offline."""
    global _heartbeat_running
    with _heartbeat_started:
        if _heartbeat_running:
            return
        _heartbeat_running = True

    def beat() -> None:
        while True:
            time.sleep(HEARTBEAT)
            try:
                with app.app_context():
                    refresh(sids())
                    for username, before in sweep():
                        gone(username, before)
            except Exception:  # noqa: BLE001 - a missed beat is retried; presence must not kill the process
                log.exception("messenger: presence heartbeat failed")

    threading.Thread(target=beat, name="messenger-presence", daemon=True).start()


def refresh(mine: dict[str, str]) -> None:
    """Keep this process's rows fresh ({sid: username}); rows swept meanwhile (the process stalled past STALE)
    come back as online."""
    if not mine:
        return
    with core().db.writing() as session:
        moment = now()
        session.execute(update(Presence).where(Presence.sid.in_(list(mine))).values(since=moment))
        there = set(session.scalars(select(Presence.sid).where(Presence.sid.in_(list(mine)))))
        for sid in mine.keys() - there:
            session.add(Presence(sid=sid, username=mine[sid], status="online", since=moment))


def sweep() -> list[tuple[str, str]]:
    """Delete the stale rows (sockets of a process that died without closing them); answers (username, the
    status their colleagues last saw) for each person who is offline now. The DELETE decides which process
    answers (rows another process swept first are not there to return), so each person is told once."""
    with core().db.writing() as session:
        stale = list(session.execute(delete(Presence).where(Presence.since < now() - STALE)
                                     .returning(Presence.username, Presence.status)))
    had: dict[str, str] = {}
    for row in stale:
        if row.status == "online" or row.username not in had:
            had[row.username] = row.status
    left = status_of(list(had))
    return [(username, had[username]) for username in had if left[username] == "offline"]


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
