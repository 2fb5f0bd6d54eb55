"""The audit log (state database): sign-ins, failures, tokens, rule changes and admin actions.

Details never hold passwords or tokens: callers pass only names, paths and revisions.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from .db import Database
from .models import AuditEntry

SECRET_WORDS = ("password", "token", "secret")


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, action: str, actor: str = "", target: str = "", address: str = "",
               **detail: object) -> None:
        clean = {k: v for k, v in detail.items() if not any(word in k.lower() for word in SECRET_WORDS)}
        actor, target = _printable(actor), _printable(target)
        with self.db.session() as session:
            session.add(AuditEntry(at=datetime.now(timezone.utc), actor=actor[:64], action=action[:64],
                                   target=target[:1000], address=address[:64], detail=clean))

    def entries(self, limit: int = 50, before: int | None = None, action: str | None = None,
                actor: str | None = None) -> list[AuditEntry]:
        """Newest first; `before` (an entry id) pages, `action` and `actor` filter."""
        query = select(AuditEntry)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        if action:
            query = query.where(AuditEntry.action == action)
        if actor:
            query = query.where(AuditEntry.actor == actor)
        with self.db.session() as session:
            return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def _printable(text: str) -> str:
    """No control characters (a name typed with a line break cannot forge a second line in an export)."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in (text or ""))


def known_actions(db: Database) -> list[str]:
    """Every action the log holds, for the admin page's filter."""
    with db.session() as session:
        return sorted(session.scalars(select(AuditEntry.action).distinct()).all())
