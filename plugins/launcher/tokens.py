"""Codes, tokens, tickets and open sessions: issue, look up by digest, revoke, end."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select, update

from wiki.api import core

from .models import OAuthToken, OpenSession


def digest(value: str) -> str:
    return hashlib.sha256((value or "").encode("utf-8")).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def revoke_client(client_id: str) -> None:
    with core().db.session() as session:
        session.execute(update(OAuthToken).where(OAuthToken.client_id == client_id)
                        .values(access_revoked=True, refresh_revoked=True))


def open_session(username: str, system_id: str, protocol: str, sid: str = "", service: str = "",
                 ticket: str = "") -> None:
    with core().db.session() as session:
        session.add(OpenSession(username=username, system_id=system_id, protocol=protocol, sid=sid, service=service,
                                ticket=ticket, opened=now()))


def end_sessions(username: str, system_id: str | None = None, sid: str | None = None) -> list[OpenSession]:
    """End a person's open sessions (all, one system's, or those one Madang browser session opened: `sid`) and
    revoke their tokens; returns what was ended."""
    with core().db.session() as session:
        query = select(OpenSession).where(OpenSession.username == username, OpenSession.ended.is_(None))
        if system_id:
            query = query.where(OpenSession.system_id == system_id)
        if sid is not None:
            query = query.where(OpenSession.sid == sid)
        rows = list(session.scalars(query))
        for row in rows:
            row.ended = now()
        revoke = update(OAuthToken).where(OAuthToken.username == username)
        if sid is not None:
            revoke = revoke.where(OAuthToken.sid == sid)
        if system_id:
            from . import registry

            system = registry.get(system_id)
            revoke = revoke.where(OAuthToken.client_id == (system.client_id if system else ""))
        session.execute(revoke.values(access_revoked=True, refresh_revoked=True))
        session.flush()
        session.expunge_all()
        return rows


_last_sweep: dict[int, float] = {}


def sweep(every_seconds: float = 60.0) -> None:
    """Delete what can never be used again (expired codes and tickets, dead tokens, long-ended sessions), at most
    once a minute per process, so the tables stay the size of the live ones."""
    import time
    from datetime import timedelta

    from sqlalchemy import delete, or_

    from .models import AuthCode, CasTicket

    db = core().db
    moment = time.monotonic()
    if moment - _last_sweep.get(id(db), -every_seconds) < every_seconds:
        return
    _last_sweep[id(db)] = moment
    hour_ago, day_ago, month_ago = now() - timedelta(hours=1), now() - timedelta(days=1), now() - timedelta(days=30)
    with db.session() as session:
        session.execute(delete(AuthCode).where(AuthCode.expires < hour_ago))
        session.execute(delete(CasTicket).where(CasTicket.expires < hour_ago))
        session.execute(delete(OAuthToken).where(OAuthToken.issued < day_ago, or_(
            OAuthToken.refresh_hash.is_(None), OAuthToken.refresh_revoked.is_(True),
            OAuthToken.refresh_expires < now())))
        session.execute(delete(OpenSession).where(OpenSession.ended < month_ago))
