"""The boards' logic, without HTTP: documents in the content repository (through wiki.api), the rest in the state
database. Every read path asks `readable_board` first; a board or post the person may not read is NotFound.

Where the documents live: layout.py. What lists, counts and histories read: the index view (index.py).
"""
from __future__ import annotations

import copy
import json
import re
import secrets
import unicodedata
import weakref
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wiki.api import (
    AlreadyExists,
    Forbidden,
    InvalidInput,
    MadangError,
    NotFound,
    TooLarge,
    Unauthorized,
    UnsupportedType,
    commit_plugin_files,
    core,
    current_user,
    list_plugin_files,
    plugin_settings,
    read_plugin_file,
)

from . import NAME, counters, layout, listing
from .index import parse_doc
from .layout import comment_path, file_path, post_folder, post_path
from .mentions import notify_mentions
from .models import Answer, Ballot, BoardRow, Counter, Like, PostRevision, PostRow, ReadMark, Visit

SLUG_RE = re.compile(r"^[0-9a-z가-힣][0-9a-z가-힣_-]{0,39}$")
ID_RE = layout.COMMENT_ID_RE
ACTIONS = ("read", "post", "comment", "moderate")
RESERVED = {"static", "new", "admin", "feed", "mentions"}  # addresses of the screens under /boards/
DEFAULT_RULES = {"read": ["staff"], "post": ["staff"], "comment": ["staff"], "moderate": []}
PRINCIPAL_RE = re.compile(r"^(anonymous|staff|role:(admin|editor|reader)|group:[^\s,]+|user:[^\s,]+)$")
BLOCKED = {"exe", "bat", "cmd", "com", "scr", "msi", "dll", "js", "vbs", "ps1", "sh", "jar", "html", "htm",
           "svg", "xhtml", "php", "hta", "lnk"}
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
               "webp": "image/webp"}
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "ogv": "video/ogg", "mov": "video/quicktime"}


class AlreadyVoted(MadangError):
    status, code = 409, "already_voted"


class PollClosed(MadangError):
    status, code = 409, "poll_closed"


# -- small helpers ---------------------------------------------------------------------------------------------
def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """Sortable by time, unique across processes: 20261125-180612-123456-a1b2."""
    return now().strftime("%Y%m%d-%H%M%S-%f-") + secrets.token_hex(2)


def parse_time(value: object, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"'{field}' must be a time such as 2026-03-01T09:00:00+09:00.", field=field)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"'{field}' must be a time such as 2026-03-01T09:00:00+09:00.", field=field) from exc
    if parsed.tzinfo is None:
        raise InvalidInput(f"'{field}' needs a UTC offset, e.g. +09:00.", field=field)
    return parsed.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def dump_doc(meta: dict, markdown: str) -> str:
    return "---\n" + json.dumps(meta, ensure_ascii=False, sort_keys=True) + "\n---\n" + markdown


def who_dict(who) -> dict:
    return {"username": who.username, "name": who.name, "email": who.email}


def require_user():
    who = current_user()
    if who is None:
        raise Unauthorized("Sign in first.")
    return who


def settings() -> dict:
    return plugin_settings(NAME)


# -- boards ----------------------------------------------------------------------------------------------------
def catch_up() -> None:
    core().views.catch_up()  # what any process committed is in the tables (one ref read when nothing changed)


def _principals(value: object, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise InvalidInput(f"'{field}' must be a list of principals such as 'staff' or 'group:hr'.", field=field)
    out = [unicodedata.normalize("NFC", p).strip() for p in value]
    bad = [p for p in out if not PRINCIPAL_RE.match(p)]
    if bad:
        raise InvalidInput(f"'{bad[0][:60]}' is not a principal: use anonymous, staff, group:NAME or user:NAME.",
                           field=field)
    return out


def board_document(data: dict, base: dict | None = None) -> dict:
    """Validate an admin's board settings (new, or changes over `base`)."""
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object.")
    doc = dict(base or {"description": "", "order": 100, "archived": False, **DEFAULT_RULES})
    if base is None:
        slug = data.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug) or slug in RESERVED:
            raise InvalidInput("'slug' must be 1-40 lower-case letters, digits, Hangul, '-' or '_' (not static, new, "
                               "admin, feed or mentions).", field="slug")
        doc["slug"] = slug
    if "name" in data or base is None:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise InvalidInput("'name' must be 1-100 characters.", field="name")
        doc["name"] = name.strip()
    if "description" in data:
        text = data["description"] or ""
        if not isinstance(text, str) or len(text) > 1000:
            raise InvalidInput("'description' must be text of at most 1,000 characters.", field="description")
        doc["description"] = text.strip()
    for action in ACTIONS:
        if action in data:
            doc[action] = _principals(data[action], action)
    if "order" in data:
        if not isinstance(data["order"], int) or isinstance(data["order"], bool):
            raise InvalidInput("'order' must be a whole number.", field="order")
        doc["order"] = data["order"]
    if "archived" in data:
        if not isinstance(data["archived"], bool):
            raise InvalidInput("'archived' must be true or false.", field="archived")
        doc["archived"] = data["archived"]
    return doc


def create_board(data: dict) -> dict:
    doc = board_document(data)
    if read_plugin_file(NAME, f"{doc['slug']}/board.json") is not None:
        raise AlreadyExists(f"A board '{doc['slug']}' exists already.")
    result = commit_plugin_files(NAME, {f"{doc['slug']}/board.json": json.dumps(doc, ensure_ascii=False, indent=1)},
                                 f"게시판 만듦: {doc['name']}")
    return {**doc, "revision": result.revision}


def update_board(slug: str, data: dict) -> dict:
    base = get_board(slug)
    if base is None:
        raise NotFound(f"There is no board '{slug}'.")
    doc = board_document(data, base)
    result = commit_plugin_files(NAME, {f"{slug}/board.json": json.dumps(doc, ensure_ascii=False, indent=1)},
                                 f"게시판 설정: {doc['name']}")
    return {**doc, "revision": result.revision}


_BOARDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store -> (head, [board settings, in order])


def _boards() -> list[dict]:
    """Every board's settings in order, read from the index once per head in each process: settings change only
    by commits, so a request that finds the head unchanged needs no query (every boards route starts here)."""
    catch_up()
    store = core().store
    head = store.head()
    cached = _BOARDS.get(store)
    if cached is not None and cached[0] == head and head is not None:
        return cached[1]
    with core().db.session() as session:
        rows = session.scalars(select(BoardRow).order_by(BoardRow.position, BoardRow.slug)).all()
        boards = [json.loads(row.settings) for row in rows]
    _BOARDS[store] = (head, boards)
    return boards


def get_board(slug: str) -> dict | None:
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        return None
    found = next((b for b in _boards() if b.get("slug") == slug), None)
    return copy.deepcopy(found) if found is not None else None


def all_boards() -> list[dict]:
    return copy.deepcopy(_boards())


ASKING = object()  # "the person asking in this request"


def may(board: dict, action: str, who=ASKING) -> bool:
    who = current_user() if who is ASKING else who
    if who is not None and who.is_admin:
        return True
    principals = who.principals if who is not None else {"anonymous"}
    if action != "read":
        if who is None or not may(board, "read", who):
            return False
        if action in ("post", "comment") and board.get("archived"):
            return False
        if action != "moderate" and may(board, "moderate", who):
            return True
    return bool(set(board.get(action) or ()) & principals)


def readable_board(slug: str) -> dict:
    board = get_board(slug)
    if board is None or not may(board, "read"):
        raise NotFound(f"There is no board '{slug}'.")
    return board


def require(board: dict, action: str) -> None:
    require_user()
    if not may(board, action):
        if board.get("archived") and action in ("post", "comment"):
            raise Forbidden("This board is archived: it keeps its posts but takes no new ones.")
        raise Forbidden(f"You may not {action} on this board.")


def readable_boards() -> list[dict]:
    return [b for b in all_boards() if may(b, "read")]


# -- posts -----------------------------------------------------------------------------------------------------
def check_id(value: str) -> str:
    if not isinstance(value, str) or not layout.POST_ID_RE.match(value):
        raise NotFound("There is no such post.")
    return value


def load_post(board: dict, post_id: str, rev: str | None = None) -> tuple[dict, str]:
    data = read_plugin_file(NAME, post_path(board["slug"], check_id(post_id)), rev)
    if data is None:
        raise NotFound("There is no such post.")
    return parse_doc(data)


def _title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("'title' must not be empty.", field="title")
    if len(value) > 200:
        raise TooLarge("'title' is longer than 200 characters.", field="title")
    return value.strip()


def _markdown(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("'markdown' must not be empty.", field="markdown")
    limit = int(settings().get("max_post_chars") or 100_000)
    if len(value) > limit:
        raise TooLarge(f"The text is longer than {limit:,} characters.", field="markdown")
    return value.replace("\r\n", "\n")


def _tags(value: object) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(t, str) and 0 < len(t.strip()) <= 30 for t in value) \
            or len(value) > 10:
        raise InvalidInput("'tags' must be at most 10 words of at most 30 characters.", field="tags")
    return list(dict.fromkeys(t.strip().lstrip("#") for t in value))


def validate_poll(value: object) -> dict | None:
    if value in (None, {}):
        return None
    if not isinstance(value, dict):
        raise InvalidInput("'poll' must be an object {question, choices, multiple, anonymous, closes?}.",
                           field="poll")
    question = value.get("question")
    if not isinstance(question, str) or not question.strip() or len(question) > 300:
        raise InvalidInput("The poll's 'question' must be 1-300 characters.", field="poll.question")
    choices = value.get("choices")
    if not isinstance(choices, list) or not 2 <= len(choices) <= 20 or not all(
            isinstance(c, str) and c.strip() and len(c) <= 200 for c in choices):
        raise InvalidInput("The poll needs 2-20 choices of 1-200 characters.", field="poll.choices")
    for flag in ("multiple", "anonymous"):
        if not isinstance(value.get(flag, False), bool):
            raise InvalidInput(f"The poll's '{flag}' must be true or false.", field=f"poll.{flag}")
    results = value.get("results", "always")
    if results not in ("always", "closed"):
        raise InvalidInput("The poll's 'results' must be 'always' or 'closed'.", field="poll.results")
    closes = parse_time(value.get("closes"), "poll.closes")
    return {"question": question.strip(), "choices": [c.strip() for c in choices],
            "multiple": bool(value.get("multiple", False)), "anonymous": bool(value.get("anonymous", False)),
            "closes": iso(closes), "results": results, "questions": _questions(value.get("questions"))}


def _questions(value: object) -> list[str]:
    """A survey's optional free-text questions (answered beside the choice, each in at most 2,000 characters)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [line for line in value.splitlines() if line.strip()]
    if not isinstance(value, list) or len(value) > 10 or not all(
            isinstance(q, str) and q.strip() and len(q) <= 300 for q in value):
        raise InvalidInput("The poll's 'questions' must be at most 10 questions of 1-300 characters.",
                           field="poll.questions")
    return [q.strip() for q in value]


def _answers(value: object, questions: list[str]) -> list[str]:
    if value in (None, []):
        return []
    if not isinstance(value, list) or len(value) > len(questions) or not all(isinstance(a, str) for a in value):
        raise InvalidInput(f"'answers' must be a list of at most {len(questions)} texts, one a question.",
                           field="answers")
    if any(len(a) > 2000 for a in value):
        raise TooLarge("An answer holds at most 2,000 characters.", field="answers")
    return [a.strip() for a in value]


def check_file(name: str, data: bytes) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name or "/" in name or "\\" in name or name.startswith(".") or len(name) > 150 or any(
            unicodedata.category(ch) == "Cc" for ch in name):
        raise InvalidInput(f"'{name[:60]}' is not a file name.", field="name")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in BLOCKED:
        raise UnsupportedType(f"Files of type .{ext} may not be attached.", field="name")
    limit = int(settings().get("max_attachment_mb") or 20) * 1024 * 1024
    if len(data) > limit:
        raise TooLarge(f"'{name}' is larger than {limit // (1024 * 1024)} MB.", field="name")
    return name


def create_post(board: dict, data: dict, files: dict[str, bytes] | None = None) -> dict:
    require(board, "post")
    who = current_user()
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object.")
    meta = {"title": _title(data.get("title")), "author": who_dict(who), "created": iso(now()),
            "tags": _tags(data.get("tags")), "pinned_until": None, "poll": validate_poll(data.get("poll"))}
    markdown = _markdown(data.get("markdown"))
    pinned = parse_time(data.get("pinned_until"), "pinned_until")
    if pinned is not None:
        if not may(board, "moderate"):
            raise Forbidden("Only the board's moderators may pin a post.")
        meta["pinned_until"] = iso(pinned)
    post_id = new_id()
    changes: dict = {post_path(board["slug"], post_id): dump_doc(meta, markdown)}
    for name, content in (files or {}).items():
        changes[file_path(board["slug"], post_id, check_file(name, content))] = content
    result = commit_plugin_files(NAME, changes, f"게시글: [{board['name']}] {meta['title']}")
    notify_mentions(board, post_id, "", meta["title"], markdown)
    return {"id": post_id, "revision": result.revision}


def may_change(board: dict, meta: dict) -> bool:
    who = current_user()
    return who is not None and ((meta.get("author") or {}).get("username") == who.username
                                and may(board, "read")) or may(board, "moderate")


def update_post(board: dict, post_id: str, data: dict, files: dict[str, bytes] | None = None,
                remove: list[str] | None = None) -> dict:
    require_user()
    meta, markdown = load_post(board, post_id)
    before = markdown
    if not may_change(board, meta):
        raise Forbidden("Only the author or a moderator may edit this post.")
    if board.get("archived") and not may(board, "moderate"):
        raise Forbidden("This board is archived.")
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object.")
    if "title" in data:
        meta["title"] = _title(data["title"])
    if "markdown" in data:
        markdown = _markdown(data["markdown"])
    if "tags" in data:
        meta["tags"] = _tags(data["tags"])
    if "pinned_until" in data:
        if not may(board, "moderate"):
            raise Forbidden("Only the board's moderators may pin a post.")
        meta["pinned_until"] = iso(parse_time(data["pinned_until"], "pinned_until"))
    if "poll" in data:
        if poll_counts(board["slug"], post_id, meta.get("poll"))[1]:
            raise InvalidInput("The poll has votes already and can no longer change.", field="poll")
        meta["poll"] = validate_poll(data["poll"])
    slug = board["slug"]
    changes: dict = {post_path(slug, post_id): dump_doc(meta, markdown)}
    for name, content in (files or {}).items():
        changes[file_path(slug, post_id, check_file(name, content))] = content
    existing = set(attachments(slug, post_id))
    for name in remove or ():
        if name in existing:
            changes[file_path(slug, post_id, name)] = None
    message = str(data.get("message") or "").strip()[:200] or f"게시글 수정: {meta['title']}"
    result = commit_plugin_files(NAME, changes, message)
    notify_mentions(board, post_id, "", meta["title"], markdown, before)
    return {"id": post_id, "revision": result.revision}


def delete_post(board: dict, post_id: str) -> dict:
    require_user()
    meta, _ = load_post(board, post_id)
    if not may_change(board, meta):
        raise Forbidden("Only the author or a moderator may delete this post.")
    slug = board["slug"]
    changes: dict = {post_path(slug, post_id): None}
    for rel in list_plugin_files(NAME, post_folder(slug, post_id)):
        changes[rel] = None
    result = commit_plugin_files(NAME, changes, f"게시글 삭제: {meta.get('title', post_id)}")
    return {"revision": result.revision}


def attachments(slug: str, post_id: str) -> list[str]:
    prefix = f"{post_folder(slug, post_id)}/files/"
    return [rel[len(prefix):] for rel in list_plugin_files(NAME, prefix.rstrip("/"))]


def attachment_kind(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return "image" if ext in IMAGE_TYPES else "video" if ext in VIDEO_TYPES else "file"


def is_pinned(pinned_until: datetime | None, at: datetime | None = None) -> bool:
    return pinned_until is not None and pinned_until > (at or now())


def list_posts(board: dict, cursor: str | None, limit: int, tag: str | None = None) -> tuple[list[dict], str | None]:
    """Pinned (until their time) first, then newest, with comment, read and like counts; and the next page's
    cursor. Reads the index by seeking (listing.py): the cost does not depend on how deep the page is. With a
    `tag`, that tag's posts, newest first."""
    catch_up()
    at, slug = now(), board["slug"]
    if tag:
        rows, following = listing.tagged(slug, tag.strip().lstrip("#")[:64], limit, listing.decode_cursor(cursor))
    else:
        rows, following = listing.page(slug, at, limit, listing.decode_cursor(cursor))
    items = [{"id": r.id, "title": r.title, "author": {"username": r.author, "name": r.author_name},
              "date": iso(r.created), "pinned": is_pinned(r.pinned_until, at),
              "pinned_until": iso(r.pinned_until), "poll": r.has_poll, "comments": r.comments,
              "reads": r.reads, "likes": r.likes} for r in rows]
    return items, following


VISIT_EVERY = timedelta(seconds=60)


def visit(board: dict, always: bool = False) -> datetime | None:
    """Mark the board seen by the person now; returns when they last saw it (None: first visit). The list's
    first page calls it on every view, so it writes at most once a minute a person unless `always`."""
    who = current_user()
    if who is None:
        return None
    previous = None
    try:
        with core().db.session() as session:
            row = session.scalar(select(Visit).where(Visit.board == board["slug"], Visit.username == who.username))
            previous = row.seen if row else None
            if row is None:
                session.add(Visit(board=board["slug"], username=who.username, seen=now()))
            elif always or now() - row.seen > VISIT_EVERY:  # a reload a moment later is the same visit: no write
                row.seen = now()
    except IntegrityError:
        pass  # the same person's other tab recorded the first visit a moment ago
    return previous


def mark_read(slug: str, post_id: str) -> None:
    """Count the person's first read of the post (once per person, whatever the number of tabs or processes)."""
    who = current_user()
    if who is None:
        return

    def work(session) -> None:
        exists = session.scalar(select(ReadMark.id).where(ReadMark.board == slug, ReadMark.post == post_id,
                                                          ReadMark.username == who.username))
        if exists is None:
            session.add(ReadMark(board=slug, post=post_id, username=who.username))
            counters.bump(session, slug, post_id, "reads", 1)

    counters.retrying(work)


def counts_of(slug: str, post_id: str) -> dict:
    who = current_user()
    with core().db.session() as session:
        row = session.get(Counter, (slug, post_id))
        liked = bool(who and session.scalar(select(Like.id).where(
            Like.board == slug, Like.post == post_id, Like.username == who.username)))
    return {"reads": row.reads if row else 0, "likes": row.likes if row else 0, "liked": liked}


def set_like(board: dict, post_id: str, on: bool) -> dict:
    who = require_user()
    load_post(board, post_id)
    slug = board["slug"]

    def work(session) -> None:
        found = session.scalar(select(Like).where(Like.board == slug, Like.post == post_id,
                                                  Like.username == who.username))
        if on and found is None:
            session.add(Like(board=slug, post=post_id, username=who.username))
            counters.bump(session, slug, post_id, "likes", 1)
        elif not on and found is not None:
            session.delete(found)
            counters.bump(session, slug, post_id, "likes", -1)

    counters.retrying(work)
    return counts_of(slug, post_id)


def post_history(board: dict, post_id: str) -> list[dict]:
    """The commits that changed the post, newest first, from the index (one indexed query, no `git log`)."""
    check_id(post_id)
    catch_up()
    with core().db.session() as session:
        rows = session.scalars(select(PostRevision).where(
            PostRevision.board == board["slug"], PostRevision.post == post_id).order_by(
            PostRevision.seq.desc())).all()
        return [{"revision": r.revision, "author": {"name": r.author_name, "email": r.author_email},
                 "date": iso(r.date), "message": r.message, "status": r.status} for r in rows]


# -- comments --------------------------------------------------------------------------------------------------
def list_comments(board: dict, post_id: str) -> list[dict]:
    slug = board["slug"]
    prefix = f"{post_folder(slug, post_id)}/comments/"
    items = []
    for rel in list_plugin_files(NAME, prefix.rstrip("/")):
        if not rel.endswith(".md"):
            continue
        meta, markdown = parse_doc(read_plugin_file(NAME, rel) or b"")
        items.append({"id": rel[len(prefix):-3], "parent": meta.get("parent"), "author": meta.get("author"),
                      "date": meta.get("created"), "edited": meta.get("edited"), "markdown": markdown})
    items.sort(key=lambda c: c["id"])
    return items


def add_comment(board: dict, post_id: str, data: dict) -> dict:
    require(board, "comment")
    meta_post, _ = load_post(board, post_id)
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object.")
    markdown = _comment_text(data.get("markdown"))
    parent = data.get("parent")
    slug = board["slug"]
    if parent not in (None, ""):
        if not isinstance(parent, str) or not ID_RE.match(parent):
            raise InvalidInput("'parent' is not a comment of this post.", field="parent")
        data_parent = read_plugin_file(NAME, comment_path(slug, post_id, parent))
        if data_parent is None:
            raise InvalidInput("'parent' is not a comment of this post.", field="parent")
        if parse_doc(data_parent)[0].get("parent"):
            raise InvalidInput("Replies take one level: answer the comment itself.", field="parent")
    else:
        parent = None
    cid = new_id()
    meta = {"author": who_dict(current_user()), "created": iso(now()), "parent": parent}
    result = commit_plugin_files(NAME, {comment_path(slug, post_id, cid): dump_doc(meta, markdown)},
                                 f"댓글: {meta_post.get('title', post_id)}")
    notify_mentions(board, post_id, cid, str(meta_post.get("title", post_id)), markdown)
    return {"id": cid, "revision": result.revision}


def _comment_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("The comment must not be empty.", field="markdown")
    if len(value) > 10_000:
        raise TooLarge("A comment holds at most 10,000 characters.", field="markdown")
    return value.replace("\r\n", "\n")


def _load_comment(board: dict, post_id: str, cid: str) -> tuple[dict, str]:
    load_post(board, post_id)
    if not isinstance(cid, str) or not ID_RE.match(cid):
        raise NotFound("There is no such comment.")
    data = read_plugin_file(NAME, comment_path(board["slug"], post_id, cid))
    if data is None:
        raise NotFound("There is no such comment.")
    return parse_doc(data)


def update_comment(board: dict, post_id: str, cid: str, data: dict) -> dict:
    require_user()
    meta, before = _load_comment(board, post_id, cid)
    if not may_change(board, meta):
        raise Forbidden("Only the author or a moderator may edit this comment.")
    markdown = _comment_text((data or {}).get("markdown") if isinstance(data, dict) else None)
    meta["edited"] = iso(now())
    result = commit_plugin_files(NAME, {comment_path(board["slug"], post_id, cid): dump_doc(meta, markdown)},
                                 "댓글 수정")
    notify_mentions(board, post_id, cid, str(load_post(board, post_id)[0].get("title", post_id)), markdown, before)
    return {"id": cid, "revision": result.revision}


def delete_comment(board: dict, post_id: str, cid: str) -> dict:
    require_user()
    meta, _ = _load_comment(board, post_id, cid)
    if not may_change(board, meta):
        raise Forbidden("Only the author or a moderator may delete this comment.")
    changes: dict = {comment_path(board["slug"], post_id, cid): None}
    for reply in list_comments(board, post_id):
        if reply["parent"] == cid:
            changes[comment_path(board["slug"], post_id, reply["id"])] = None
    result = commit_plugin_files(NAME, changes, "댓글 삭제")
    return {"revision": result.revision}


# -- polls -----------------------------------------------------------------------------------------------------
def poll_counts(slug: str, post_id: str, poll: dict | None) -> tuple[list[int], int, dict[int, list[str]]]:
    """Votes per choice, ballots, and (for named polls) who chose what."""
    size = len((poll or {}).get("choices") or ())
    counts, voters = [0] * size, {i: [] for i in range(size)}
    with core().db.session() as session:
        ballots = session.execute(select(Ballot.username, Ballot.choices).where(
            Ballot.board == slug, Ballot.post == post_id)).all()
    for username, choices in ballots:
        for part in choices.split(","):
            if part.isdigit() and int(part) < size:
                counts[int(part)] += 1
                voters[int(part)].append(username)
    return counts, len(ballots), voters


def free_text(slug: str, post_id: str, poll: dict, visible: bool, who) -> list[dict]:
    """The free-text questions with their answers when results are visible (names only in named polls), and the
    asking person's own answers always."""
    questions = poll.get("questions") or []
    if not questions:
        return []
    with core().db.session() as session:
        rows = session.execute(select(Answer.question, Answer.username, Answer.text).where(
            Answer.board == slug, Answer.post == post_id).order_by(Answer.id)).all()
    out = []
    for number, text in enumerate(questions):
        mine = next((r.text for r in rows if r.question == number and who and r.username == who.username), None)
        item: dict = {"text": text, "mine": mine, "answers": None}
        if visible:
            item["answers"] = [{"text": r.text, **({} if poll.get("anonymous") else {"username": r.username})}
                               for r in rows if r.question == number]
        out.append(item)
    return out


def poll_closed(poll: dict, at: datetime | None = None) -> bool:
    closes = parse_time(poll.get("closes"), "closes") if poll.get("closes") else None
    return closes is not None and closes <= (at or now())


def poll_view(slug: str, post_id: str, poll: dict | None) -> dict | None:
    if not poll:
        return None
    who = current_user()
    counts, ballots, voters = poll_counts(slug, post_id, poll)
    closed = poll_closed(poll)
    visible = poll.get("results", "always") == "always" or closed
    mine = None
    if who is not None:
        with core().db.session() as session:
            mine = session.scalar(select(Ballot.choices).where(Ballot.board == slug, Ballot.post == post_id,
                                                               Ballot.username == who.username))
    choices = []
    for i, text in enumerate(poll["choices"]):
        item = {"text": text, "votes": counts[i] if visible else None}
        if visible and not poll.get("anonymous"):
            item["voters"] = sorted(voters[i])
        item["percent"] = round(100 * counts[i] / ballots) if visible and ballots else 0
        choices.append(item)
    return {"question": poll["question"], "choices": choices, "closes": poll.get("closes"),
            "questions": free_text(slug, post_id, poll, visible, who),
            "multiple": bool(poll.get("multiple")), "anonymous": bool(poll.get("anonymous")),
            "results": poll.get("results", "always"), "closed": closed, "results_visible": visible,
            "ballots": ballots if visible else None, "voted": mine is not None,
            "my_choices": [int(c) for c in mine.split(",")] if mine else []}


def vote(board: dict, post_id: str, data: dict) -> dict:
    require(board, "read")
    who = current_user()
    meta, _ = load_post(board, post_id)
    poll = meta.get("poll")
    if not poll:
        raise NotFound("This post has no poll.")
    if poll_closed(poll):
        raise PollClosed(f"The poll closed at {poll['closes']}.")
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in choices):
        raise InvalidInput("'choices' must be a list of choice numbers, e.g. [0].", field="choices")
    if len(set(choices)) != len(choices) or any(not 0 <= c < len(poll["choices"]) for c in choices):
        raise InvalidInput(f"Choose among 0-{len(poll['choices']) - 1}, each once.", field="choices")
    if not poll.get("multiple") and len(choices) != 1:
        raise InvalidInput("This poll takes exactly one choice.", field="choices")
    answers = _answers(data.get("answers"), poll.get("questions") or [])
    try:
        with core().db.session() as session:
            session.add(Ballot(board=board["slug"], post=post_id, username=who.username,
                               choices=",".join(str(c) for c in sorted(choices)), date=now()))
            for number, text in enumerate(answers):
                if text:
                    session.add(Answer(board=board["slug"], post=post_id, username=who.username, question=number,
                                       text=text))
    except IntegrityError as exc:
        raise AlreadyVoted("You have voted in this poll already.") from exc
    return poll_view(board["slug"], post_id, poll)


def post_row(slug: str, post_id: str) -> PostRow | None:
    catch_up()
    with core().db.session() as session:
        return session.get(PostRow, (slug, post_id))


def last_visit(board: dict) -> datetime | None:
    """When the person asking last marked the board seen (None: never, or anonymous); changes nothing."""
    who = current_user()
    if who is None:
        return None
    with core().db.session() as session:
        return session.scalar(select(Visit.seen).where(Visit.board == board["slug"], Visit.username == who.username))


def mark_new(items: list[dict], seen: datetime | None) -> None:
    for item in items:
        created = parse_time(item.get("date"), "date") if item.get("date") else None
        item["new"] = bool(seen and created and created > seen)
