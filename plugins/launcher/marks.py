"""Per person: favourites (and their order) and recent use, in the state database; and the audit of opens."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import select

from wiki.api import InvalidInput, core

from .models import Mark

RECENT = 8


def marks_of(username: str) -> dict[str, Mark]:
    with core().db.session() as session:
        rows = session.scalars(select(Mark).where(Mark.username == username)).all()
        session.expunge_all()
        return {row.system_id: row for row in rows}


def set_favourites(username: str, ids: list[str], known: set[str]) -> list[str]:
    """The person's favourites become exactly `ids`, in that order (unknown or invisible ids refused)."""
    if not isinstance(ids, list) or len(ids) > 500 or not all(isinstance(i, str) for i in ids):
        raise InvalidInput("'ids' must be a list of system ids.", field="ids")
    missing = [i for i in ids if i not in known]
    if missing:
        raise InvalidInput(f"'{missing[0][:40]}' is not a system you may use.", field="ids")
    order = list(dict.fromkeys(ids))
    with core().db.session() as session:
        rows = {r.system_id: r for r in session.scalars(select(Mark).where(Mark.username == username))}
        for row in rows.values():
            row.favourite = False
        for position, system_id in enumerate(order):
            row = rows.get(system_id)
            if row is None:
                row = Mark(username=username, system_id=system_id)
                session.add(row)
            row.favourite, row.position = True, position
    return order


def toggle_favourite(username: str, system_id: str) -> bool:
    with core().db.session() as session:
        row = session.get(Mark, (username, system_id))
        if row is None:
            row = Mark(username=username, system_id=system_id, favourite=False, position=0)
            session.add(row)
        row.favourite = not row.favourite
        if row.favourite:
            last = session.scalar(select(Mark.position).where(Mark.username == username, Mark.favourite.is_(True))
                                  .order_by(Mark.position.desc()).limit(1))
            row.position = (last or 0) + 1
        return row.favourite


def move_favourite(username: str, system_id: str, step: int) -> None:
    """Swap a favourite with its neighbour (step -1: earlier, +1: later)."""
    with core().db.session() as session:
        rows = list(session.scalars(select(Mark).where(Mark.username == username, Mark.favourite.is_(True))
                                    .order_by(Mark.position, Mark.system_id)))
        index = next((i for i, r in enumerate(rows) if r.system_id == system_id), None)
        if index is None:
            return
        other = index + step
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            row.position = position


def opened(username: str, system, how: str) -> None:
    """Remember the use (recently used) and write it to the core's audit log (who opened which system when)."""
    with core().db.session() as session:
        row = session.get(Mark, (username, system.id))
        if row is None:
            row = Mark(username=username, system_id=system.id, favourite=False, position=0)
            session.add(row)
        row.last_used = datetime.now(UTC)
    address = (request.remote_addr or "") if has_request_context() else ""
    core().audit.record("launcher_open", username, system.id, address, system=system.name, protocol=system.protocol,
                        via=how)
