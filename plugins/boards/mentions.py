"""@username in posts and comments: found in the text (outside code), linked to the person's profile when such a
person exists, and listed for the person named (GET /api/v1/boards/mentions)."""
from __future__ import annotations

import logging
import re

log = logging.getLogger("madang.boards")
MENTION_RE = re.compile(r"(?<![\w@./\\\[])@([a-z0-9][a-z0-9._-]{0,63})")
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>!#|~])")
CODE_RE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)


def _outside_code(markdown: str) -> list[tuple[bool, str]]:
    """The text cut into (is_code, piece), so that `@admin` in code is left alone."""
    out, last = [], 0
    for match in CODE_RE.finditer(markdown):
        out += [(False, markdown[last:match.start()]), (True, match.group(0))]
        last = match.end()
    return [*out, (False, markdown[last:])]


def _name(match: re.Match) -> str:
    return match.group(1).rstrip(".-_")


def mentioned(markdown: str) -> list[str]:
    """The user names a text mentions, in order, each once."""
    found: dict[str, None] = {}
    for is_code, piece in _outside_code(markdown or ""):
        if not is_code:
            for match in MENTION_RE.finditer(piece):
                if _name(match):
                    found[_name(match)] = None
    return list(found)


def link_mentions(markdown: str, people: dict[str, str]) -> str:
    """The text with each @username of a known person (`people`: username -> name) as a link to their profile."""
    if not people:
        return markdown

    def replace(match: re.Match) -> str:
        username = _name(match)
        if username not in people:
            return match.group(0)
        tail = match.group(1)[len(username):]
        label = MARKDOWN_PUNCTUATION.sub(r"\\\1", people[username])
        return f"[@{label}](/people/{username}){tail}"

    return "".join(piece if is_code else MENTION_RE.sub(replace, piece) for is_code, piece in _outside_code(markdown))


# -- people, the mention list and notifications (need the running site) -----------------------------------------
def people_named(markdown: str) -> dict[str, str]:
    """username -> name of the people a text mentions who have an account (unknown names stay plain text)."""
    from wiki.api import core

    found = {}
    for username in mentioned(markdown)[:50]:
        who = core().accounts.get(username)
        if who is not None:
            found[username] = who.name or username
    return found


def render_with_mentions(markdown: str) -> str:
    return link_mentions(markdown, people_named(markdown))


def notify_mentions(board: dict, post_id: str, cid: str, title: str, new: str, old: str = "") -> int:
    """Tell the people newly named in a post or comment (not in its previous text, not the author), once each
    (`key`), and only those who may read the board."""
    from wiki.api import core, current_user, notify

    from .service import may

    author = current_user()
    names = [u for u in mentioned(new) if u not in set(mentioned(old)) and (author is None or u != author.username)]
    readers = []
    for username in names[:50]:
        who = core().accounts.get(username)
        if who is not None and may(board, "read", who):
            readers.append(username)
    if not readers:
        return 0
    url = f"/boards/{board['slug']}/{post_id}" + (f"#c-{cid}" if cid else "")
    by = author.name if author is not None else ""
    what = "댓글" if cid else "글"
    try:
        return notify(readers, "mention", f"{by}님이 {what}에서 회원님을 언급했습니다: {title}"[:200], url=url,
                      source="boards", key=f"boards:mention:{board['slug']}:{post_id}:{cid}")
    except Exception:  # noqa: BLE001 (the post is saved; a notification that failed must not turn that into a 500)
        log.exception("could not notify the people mentioned in %s/%s", board["slug"], post_id)
        return 0


def encode_cursor(date, post: str, comment: str) -> str:
    import base64
    import json

    raw = json.dumps([date.isoformat(), post, comment], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None):
    import base64
    import json
    from datetime import datetime

    from wiki.api import InvalidInput

    if not cursor:
        return None
    try:
        date, post, comment = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(date), str(post), str(comment)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("'cursor' is not one this server gave out.", field="cursor") from exc


def mentions_of(who, cursor: str | None, limit: int) -> tuple[list[dict], str | None]:
    """The person's mentions, newest first, on boards they may read now (a board closed to them since is left
    out), with the post's title; and the next page's cursor."""
    from sqlalchemy import and_, select, tuple_

    from wiki.api import core

    from .models import Mention, PostRow
    from .service import all_boards, iso, may

    boards = {b["slug"]: b for b in all_boards()}
    readable = {slug for slug, b in boards.items() if may(b, "read", who)}
    after = decode_cursor(cursor)
    items: list[dict] = []
    order = (Mention.date.desc(), Mention.post.desc(), Mention.comment.desc())
    with core().db.session() as session:
        while len(items) <= limit:
            query = (select(Mention, PostRow.title).outerjoin(PostRow, and_(PostRow.board == Mention.board,
                                                                            PostRow.id == Mention.post))
                     .where(Mention.username == who.username))
            if after is not None:
                query = query.where(tuple_(Mention.date, Mention.post, Mention.comment) < after)
            rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
            for mention, title in rows:
                if mention.board in readable and title is not None:
                    url = f"/boards/{mention.board}/{mention.post}" + (f"#c-{mention.comment}" if mention.comment
                                                                      else "")
                    items.append({"board": mention.board, "board_name": boards[mention.board]["name"],
                                  "post": mention.post, "comment": mention.comment or None, "title": title,
                                  "author": {"username": mention.author, "name": mention.author_name},
                                  "date": iso(mention.date), "url": url, "_key": (mention.date, mention.post,
                                                                                  mention.comment)})
            if len(rows) <= limit:
                break
            last = rows[-1][0]
            after = (last.date, last.post, last.comment)
    following = None
    if len(items) > limit:
        items = items[:limit]
        following = encode_cursor(*items[-1]["_key"])
    for item in items:
        item.pop("_key")
    return items, following
