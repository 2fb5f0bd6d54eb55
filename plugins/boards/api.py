"""GET/POST /api/v1/boards...: the boards' JSON API (the contract in API.md, "Boards")."""
from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Blueprint, Response, request

from wiki.api import InvalidInput, NotFound, core, read_plugin_file, render_markdown, require_admin

from . import NAME
from . import service as s
from .layout import file_path

bp = Blueprint("boards_api", __name__)
API = "/api/v1/boards"


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object (Content-Type: application/json).")
    return data


def limit_arg(default: int = 50) -> int:
    raw = request.args.get("limit", "")
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise InvalidInput("'limit' must be a whole number.", field="limit") from exc
    if not 1 <= value <= 500:
        raise InvalidInput("'limit' must be between 1 and 500.", field="limit")
    return value


def board_out(board: dict, full: bool = False) -> dict:
    out = {"slug": board["slug"], "name": board["name"], "description": board.get("description", ""),
           "order": board.get("order", 100), "archived": bool(board.get("archived"))}
    if full:
        out.update({a: board.get(a, []) for a in s.ACTIONS})
    out["may_post"] = s.may(board, "post")
    return out


def file_url(slug: str, post_id: str, name: str) -> str:
    from urllib.parse import quote

    return f"{API}/{quote(slug)}/posts/{post_id}/attachments/{quote(name, safe='')}"


_RENDERED: OrderedDict = OrderedDict()  # (site, head, slug, post, text) -> html; the newest RENDER_CACHE kept
_RENDERED_LOCK = threading.Lock()
RENDER_CACHE, RENDER_CACHE_MAX_TEXT = 256, 20_000


def render_post(slug: str, post_id: str, markdown: str) -> str:
    """The wiki's renderer, with attachments by bare name and @username linked to the person's profile.
    Rendering is most of a post view, so a text without wiki links (whose red or blue colour depends on who
    reads and on the pages that exist) is rendered once per head and kept."""
    from .mentions import link_mentions, people_named

    text = link_mentions(markdown, people_named(markdown)) if "@" in markdown else markdown
    if "[[" in text or len(text) > RENDER_CACHE_MAX_TEXT:
        return render_markdown(text, f"boards/{slug}", lambda name: file_url(slug, post_id, name))
    key = (id(core()), core().store.head(), slug, post_id, text)
    with _RENDERED_LOCK:
        html = _RENDERED.get(key)
        if html is not None:
            _RENDERED.move_to_end(key)
            return html
    html = render_markdown(text, f"boards/{slug}", lambda name: file_url(slug, post_id, name))
    with _RENDERED_LOCK:
        _RENDERED[key] = html
        while len(_RENDERED) > RENDER_CACHE:
            _RENDERED.popitem(last=False)
    return html


def post_out(board: dict, post_id: str, rev: str | None = None) -> dict:
    slug = board["slug"]
    meta, markdown = s.load_post(board, post_id, rev)
    row = s.post_row(slug, post_id)
    last = {"revision": row.revision, "date": s.iso(row.updated)} if row is not None else {}
    pinned = s.parse_time(meta.get("pinned_until"), "pinned_until")
    files = [{"name": n, "kind": s.attachment_kind(n), "url": file_url(slug, post_id, n)}
             for n in s.attachments(slug, post_id)]
    return {"id": post_id, "board": slug, "title": meta.get("title", ""), "markdown": markdown,
            "html": render_post(slug, post_id, markdown), "author": meta.get("author"), "date": meta.get("created"),
            "updated": last.get("date"), "revision": rev or last.get("revision"), "tags": meta.get("tags", []),
            "pinned": s.is_pinned(pinned), "pinned_until": meta.get("pinned_until"), "attachments": files,
            "poll": s.poll_view(slug, post_id, meta.get("poll")), **s.counts_of(slug, post_id),
            "may_edit": s.may_change(board, meta)}


# -- boards ----------------------------------------------------------------------------------------------------
@bp.post(API)
def create_board():
    require_admin()
    board = s.create_board(body())
    return board_out(board, full=True) | {"revision": board["revision"]}, 201


@bp.get(API)
def list_boards():
    archived = request.args.get("archived") in ("1", "true")
    return {"items": [board_out(b) for b in s.readable_boards() if archived or not b.get("archived")]}


@bp.get(f"{API}/mentions")
def mentions():
    """The caller's mentions, newest first, on boards they may read."""
    from .mentions import mentions_of

    who = s.require_user()
    items, following = mentions_of(who, request.args.get("cursor") or None, limit_arg(20))
    return {"items": items, "next": following}


@bp.get(f"{API}/<slug>")
def get_board(slug: str):
    board = s.readable_board(slug)
    return board_out(board, full=s.may(board, "moderate"))


@bp.put(f"{API}/<slug>")
def update_board(slug: str):
    require_admin()
    board = s.update_board(slug, body())
    return board_out(board, full=True) | {"revision": board["revision"]}


# -- posts -----------------------------------------------------------------------------------------------------
@bp.post(f"{API}/<slug>/posts")
def create_post(slug: str):
    board = s.readable_board(slug)
    return s.create_post(board, body()), 201


@bp.get(f"{API}/<slug>/posts")
def list_posts(slug: str):
    board = s.readable_board(slug)
    items, following = s.list_posts(board, request.args.get("cursor") or None, limit_arg(),
                                    request.args.get("tag") or None)
    s.mark_new(items, s.last_visit(board))
    return {"items": items, "next": following}


@bp.put(f"{API}/<slug>/visit")
def visit(slug: str):
    """Mark the board seen now: later posts are `new` in the list until the next visit."""
    board = s.readable_board(slug)
    s.require_user()
    previous = s.visit(board, always=True)
    return {"previous": s.iso(previous)}


@bp.get(f"{API}/<slug>/posts/<post_id>")
def get_post(slug: str, post_id: str):
    board = s.readable_board(slug)
    rev = request.args.get("rev") or None
    out = post_out(board, post_id, rev)
    if rev is None:
        s.mark_read(slug, post_id)
    return out


@bp.put(f"{API}/<slug>/posts/<post_id>")
def update_post(slug: str, post_id: str):
    return s.update_post(s.readable_board(slug), post_id, body())


@bp.delete(f"{API}/<slug>/posts/<post_id>")
def delete_post(slug: str, post_id: str):
    return s.delete_post(s.readable_board(slug), post_id)


@bp.get(f"{API}/<slug>/posts/<post_id>/history")
def post_history(slug: str, post_id: str):
    board = s.readable_board(slug)
    items = s.post_history(board, post_id)
    if not items:
        raise NotFound("There is no such post.")
    return {"items": items, "next": None}


@bp.get(f"{API}/<slug>/posts/<post_id>/diff")
def post_diff(slug: str, post_id: str):
    from .diff import diff_revisions

    board = s.readable_board(slug)
    return diff_revisions(board, post_id, request.args.get("from") or None, request.args.get("to") or None)


@bp.put(f"{API}/<slug>/posts/<post_id>/likes")
def like(slug: str, post_id: str):
    return s.set_like(s.readable_board(slug), post_id, True)


@bp.delete(f"{API}/<slug>/posts/<post_id>/likes")
def unlike(slug: str, post_id: str):
    return s.set_like(s.readable_board(slug), post_id, False)


@bp.post(f"{API}/<slug>/preview")
def preview(slug: str):
    """The editor's live preview: the renderer a saved post gets (mentions linked, attachments of `post`)."""
    board = s.readable_board(slug)
    s.require_user()
    data = body()
    markdown = data.get("markdown")
    if not isinstance(markdown, str):
        raise InvalidInput("'markdown' must be text.", field="markdown")
    if len(markdown) > int(s.settings().get("max_post_chars") or 100_000):
        raise InvalidInput("The text is too long to preview.", field="markdown")
    post_id = request.args.get("post") or ""
    if post_id:
        s.load_post(board, post_id)
    return {"html": render_post(slug, post_id or "new", markdown)}


# -- attachments -----------------------------------------------------------------------------------------------
@bp.put(f"{API}/<slug>/posts/<post_id>/attachments/<name>")
def put_attachment(slug: str, post_id: str, name: str):
    board = s.readable_board(slug)
    data = request.get_data(cache=False)
    result = s.update_post(board, post_id, {"message": f"첨부: {name}"}, files={name: data})
    return {"name": name, "size": len(data), "revision": result["revision"]}, 201


@bp.delete(f"{API}/<slug>/posts/<post_id>/attachments/<name>")
def delete_attachment(slug: str, post_id: str, name: str):
    board = s.readable_board(slug)
    if name not in s.attachments(slug, post_id):
        raise NotFound("There is no such file.")
    return s.update_post(board, post_id, {"message": f"첨부 삭제: {name}"}, remove=[name])


@bp.get(f"{API}/<slug>/posts/<post_id>/attachments/<name>")
def get_attachment(slug: str, post_id: str, name: str):
    board = s.readable_board(slug)
    s.load_post(board, post_id)
    if "/" in name or name.startswith("."):
        raise NotFound("There is no such file.")
    data = read_plugin_file(NAME, file_path(slug, s.check_id(post_id), name))
    if data is None:
        raise NotFound("There is no such file.")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    mimetype = s.IMAGE_TYPES.get(ext) or s.VIDEO_TYPES.get(ext) or (
        "application/pdf" if ext == "pdf" else "application/octet-stream")
    response = Response(data, mimetype=mimetype)
    from urllib.parse import quote

    inline = mimetype.startswith(("image/", "video/")) or ext == "pdf"
    response.headers["Content-Disposition"] = (f"{'inline' if inline else 'attachment'}; "
                                               f"filename*=UTF-8''{quote(name)}")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


# -- comments --------------------------------------------------------------------------------------------------
def comment_out(slug: str, post_id: str, item: dict) -> dict:
    return {**item, "html": render_post(slug, post_id, item["markdown"])}


@bp.get(f"{API}/<slug>/posts/<post_id>/comments")
def list_comments(slug: str, post_id: str):
    board = s.readable_board(slug)
    s.load_post(board, post_id)
    return {"items": [comment_out(slug, post_id, c) for c in s.list_comments(board, post_id)], "next": None}


@bp.post(f"{API}/<slug>/posts/<post_id>/comments")
def add_comment(slug: str, post_id: str):
    return s.add_comment(s.readable_board(slug), post_id, body()), 201


@bp.put(f"{API}/<slug>/posts/<post_id>/comments/<cid>")
def update_comment(slug: str, post_id: str, cid: str):
    return s.update_comment(s.readable_board(slug), post_id, cid, body())


@bp.delete(f"{API}/<slug>/posts/<post_id>/comments/<cid>")
def delete_comment(slug: str, post_id: str, cid: str):
    return s.delete_comment(s.readable_board(slug), post_id, cid)


# -- polls -----------------------------------------------------------------------------------------------------
@bp.post(f"{API}/<slug>/posts/<post_id>/votes")
def vote(slug: str, post_id: str):
    return s.vote(s.readable_board(slug), post_id, body()), 201


@bp.get(f"{API}/<slug>/posts/<post_id>/votes")
def poll_results(slug: str, post_id: str):
    board = s.readable_board(slug)
    meta, _ = s.load_post(board, post_id)
    if not meta.get("poll"):
        raise NotFound("This post has no poll.")
    return s.poll_view(slug, post_id, meta["poll"])
