"""A board's post list, pinned first then newest, read by seeking in the index (board, created, id): page 5,000
costs what page 1 costs, because a cursor names the last post shown instead of a count of posts to skip.

The list is two runs: the posts pinned now (few; by their own index) and then every other post. A cursor says
which run it stands in and the (created, id) of the last post shown."""
from __future__ import annotations

import base64
import json
from datetime import datetime

from sqlalchemy import Boolean, Integer, String, and_, bindparam, func, select, text, tuple_

from wiki.api import InvalidInput, core

from .models import Counter, PostRow, TagRow


def encode_cursor(run: str, created: datetime | None, post_id: str) -> str:
    """The next page starts after (created, id) in run 'p' (pinned) or 'n' (the rest; no created: its top)."""
    raw = json.dumps({"r": run, "c": created.isoformat() if created else "", "i": post_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[str, datetime | None, str] | None:
    """(run, created, id) of the last post shown, or None for the first page; a bad cursor is a 400."""
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        run, post_id = data["r"], str(data["i"])
        created = datetime.fromisoformat(data["c"]) if data["c"] or run == "p" else None
        if run not in ("p", "n") or (created is not None and created.tzinfo is None):
            raise ValueError(run)
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("'cursor' is not one this server gave out.", field="cursor") from exc
    return run, created, post_id


COLUMNS = (PostRow.id, PostRow.title, PostRow.author, PostRow.author_name, PostRow.created, PostRow.pinned_until,
           PostRow.has_poll, PostRow.comments, func.coalesce(Counter.reads, 0).label("reads"),
           func.coalesce(Counter.likes, 0).label("likes"))


def _statement(pinned: bool, after: bool):
    """One of the four list statements, written once: a list page is the hottest read of the boards, and
    building and compiling a SELECT on every request cost it more than SQLite's answer (0.05 ms)."""
    where = ("p.pinned_until IS NOT NULL AND p.pinned_until > :at" if pinned
             else "(p.pinned_until IS NULL OR p.pinned_until <= :at)")
    seek = " AND (p.created, p.id) < (:created, :id)" if after else ""  # a row value: SQLite seeks the index
    sql = ("SELECT p.id, p.title, p.author, p.author_name, p.created, p.pinned_until, p.has_poll, p.comments, "
           "coalesce(c.reads, 0) AS reads, coalesce(c.likes, 0) AS likes "
           f"FROM {PostRow.__tablename__} p LEFT OUTER JOIN {Counter.__tablename__} c "
           "ON c.board = p.board AND c.post = p.id "
           f"WHERE p.board = :board AND {where}{seek} ORDER BY p.created DESC, p.id DESC LIMIT :limit")
    stamp = PostRow.__table__.c.created.type
    statement = text(sql).bindparams(bindparam("at", type_=stamp))
    if after:
        statement = statement.bindparams(bindparam("created", type_=stamp))
    return statement.columns(id=String, title=String, author=String, author_name=String, created=stamp,
                             pinned_until=stamp, has_poll=Boolean, comments=Integer, reads=Integer,
                             likes=Integer)


STATEMENTS = {(pinned, after): _statement(pinned, after) for pinned in (True, False) for after in (True, False)}


def tagged(slug: str, tag: str, limit: int, cursor: tuple[str, datetime | None, str] | None) -> tuple[list, str | None]:
    """A tag's posts, newest first (pinned ones are marked, not lifted), read by seeking in (board, tag, created)."""
    query = (select(*COLUMNS).select_from(TagRow)
             .join(PostRow, and_(PostRow.board == TagRow.board, PostRow.id == TagRow.post))
             .outerjoin(Counter, and_(Counter.board == PostRow.board, Counter.post == PostRow.id))
             .where(TagRow.board == slug, TagRow.tag == tag))
    if cursor is not None and cursor[1] is not None:
        query = query.where(tuple_(TagRow.created, TagRow.post) < (cursor[1], cursor[2]))
    with core().db.session() as session:
        rows = list(session.execute(query.order_by(TagRow.created.desc(), TagRow.post.desc()).limit(limit + 1)))
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor("n", rows[-1].created, rows[-1].id)
    return rows, None


def page(slug: str, at: datetime, limit: int,
         cursor: tuple[str, datetime | None, str] | None) -> tuple[list, str | None]:
    """Up to `limit` rows after the cursor, with their counters (one statement a run, each seeking in its index),
    and the next page's cursor (None: this is the last page)."""
    rows: list = []

    def run(session, pinned: bool, after: tuple[datetime, str] | None, count: int) -> list:
        params = {"board": slug, "at": at, "limit": count}
        if after is not None:
            params.update(created=after[0], id=after[1])
        return list(session.execute(STATEMENTS[(pinned, after is not None)], params))

    with core().db.session() as session:
        if cursor is None or cursor[0] == "p":
            rows = run(session, True, cursor[1:] if cursor else None, limit + 1)
            if len(rows) > limit:
                last = rows[limit - 1]
                return rows[:limit], encode_cursor("p", last.created, last.id)
            cursor = None  # the pinned run is done: the other posts follow from their newest
        pinned_shown = len(rows)
        after = (cursor[1], cursor[2]) if cursor is not None and cursor[1] is not None else None
        rows += run(session, False, after, limit - len(rows) + 1)
    if len(rows) > limit:
        rows = rows[:limit]
        if pinned_shown >= limit:  # the page ended with the last pinned post: the rest starts at its top
            return rows, encode_cursor("n", None, "")
        return rows, encode_cursor("n", rows[-1].created, rows[-1].id)
    return rows, None
