"""Notifications: what a person should see next time they look — a mention in a post, a reply, a message.

Plugins decide who may be told (a mention of someone who may not read the board tells nobody); the core keeps
them, counts the unread ones for the header's badge, and lets each person read and clear only their own. A `key`
makes a notification idempotent: telling someone twice about the same mention stores it once.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .db import Database
from .errors import InvalidInput
from .models import NotificationRow

MAX_TITLE, MAX_BODY, MAX_URL = 300, 1000, 1000


@dataclass(frozen=True)
class Notification:
    id: int
    kind: str
    source: str
    title: str
    body: str
    url: str
    actor: str
    created: datetime
    read: bool

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "source": self.source, "title": self.title, "body": self.body,
                "url": self.url, "actor": self.actor, "created": self.created.isoformat().replace("+00:00", "Z"),
                "read": self.read}


def _of(row: NotificationRow) -> Notification:
    return Notification(row.id, row.kind, row.source, row.title, row.body, row.url, row.actor, row.created,
                        row.read_at is not None)


def _clean(text: object, limit: int, name: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"A notification's '{name}' must be text.")
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()[:limit]


class Notifications:
    def __init__(self, db: Database) -> None:
        self.db = db

    def notify(self, usernames: Iterable[str], kind: str, title: str, url: str = "", body: str = "",
               actor: str = "", source: str = "", key: str | None = None) -> int:
        """Tell each person (the actor never tells themself); returns how many were stored. A local `url` only."""
        if url and (not url.startswith("/") or url.startswith("//")):
            raise InvalidInput("A notification's link must be a path of this site.")
        fields = dict(kind=_clean(kind, 64, "kind"), title=_clean(title, MAX_TITLE, "title"),
                      body=_clean(body, MAX_BODY, "body"), url=url[:MAX_URL], actor=actor[:64], source=source[:64],
                      key=key[:200] if key else None)
        stored = 0
        for username in dict.fromkeys(u for u in usernames if u and u != actor):
            try:
                with self.db.session() as session:
                    session.add(NotificationRow(username=username[:64], created=datetime.now(UTC), **fields))
                stored += 1
            except IntegrityError:  # this key was told to this person already
                continue
        return stored

    def unread_count(self, username: str) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(NotificationRow).where(
                NotificationRow.username == username, NotificationRow.read_at.is_(None))) or 0

    def list(self, username: str, limit: int = 50, before: int | None = None,
             unread_only: bool = False) -> list[Notification]:
        """Newest first; `before` (an id) pages back."""
        query = select(NotificationRow).where(NotificationRow.username == username)
        if before is not None:
            query = query.where(NotificationRow.id < before)
        if unread_only:
            query = query.where(NotificationRow.read_at.is_(None))
        with self.db.session() as session:
            return [_of(row) for row in session.scalars(query.order_by(NotificationRow.id.desc()).limit(limit))]

    def mark_read(self, username: str, ids: Iterable[int] | None = None) -> int:
        """Mark this person's notifications read (all of them when `ids` is None); others' ids are ignored."""
        query = update(NotificationRow).where(NotificationRow.username == username,
                                              NotificationRow.read_at.is_(None))
        if ids is not None:
            query = query.where(NotificationRow.id.in_(list(ids)))
        with self.db.session() as session:
            return session.execute(query.values(read_at=datetime.now(UTC))).rowcount or 0
