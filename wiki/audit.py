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
        with self.db.session() as session:
            session.add(AuditEntry(at=datetime.now(timezone.utc), actor=actor[:64], action=action[:64],
                                   target=target[:1000], address=address[:64], detail=clean))

    def entries(self, limit: int = 50, before: int | None = None, action: str | None = None) -> list[AuditEntry]:
        query = select(AuditEntry)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        if action:
            query = query.where(AuditEntry.action == action)
        with self.db.session() as session:
            return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))
