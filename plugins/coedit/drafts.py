"""Drafts in the state database: written by the session (debounced), offered back by the next session."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import delete, select

from wiki.api import core

from .models import Draft


def write(path: str, epoch: str, text: str, base_revision: str | None, authors: dict[str, tuple[str, str]]) -> None:
    people = [{"username": u, "name": n, "email": e} for u, (n, e) in sorted(authors.items())]
    with core().db.session() as session:
        row = session.scalar(select(Draft).where(Draft.epoch == epoch))
        if row is None:
            row = Draft(path=path, epoch=epoch)
            session.add(row)
        row.text, row.base_revision, row.authors = text, base_revision, json.dumps(people, ensure_ascii=False)
        row.updated_at = datetime.now(UTC)


def remove(epoch: str | None = None, draft_id: int | None = None) -> None:
    with core().db.session() as session:
        if epoch is not None:
            session.execute(delete(Draft).where(Draft.epoch == epoch))
        if draft_id is not None:
            session.execute(delete(Draft).where(Draft.id == draft_id))


def newest(path: str, text_now: str) -> dict | None:
    """The newest draft of the page that differs from its text now; drafts equal to it are dropped."""
    with core().db.session() as session:
        rows = session.scalars(select(Draft).where(Draft.path == path).order_by(Draft.updated_at.desc())).all()
        for row in rows:
            if row.text == text_now:
                session.delete(row)
                continue
            return {"id": row.id, "text": row.text, "base_revision": row.base_revision,
                    "authors": json.loads(row.authors or "[]"), "updated": row.updated_at.isoformat()}
    return None
