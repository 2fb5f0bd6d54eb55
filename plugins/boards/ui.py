"""/boards...: the screens for people (Korean first), and the Atom feed per board."""
from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, redirect, render_template, request, url_for
from markupsafe import Markup

from wiki.api import Forbidden, MadangError, current_user, require_admin

from . import service as s
from .api import file_url, post_out, render_post

bp = Blueprint("boards", __name__, url_prefix="/boards", template_folder="templates", static_folder="static",
               static_url_path="/static")


def when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


SEOUL = ZoneInfo("Asia/Seoul")


@bp.app_template_filter("boards_time")
def boards_time(value: str | None) -> str:
    moment = when(value)
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M") if moment else ""


def page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


# -- boards ----------------------------------------------------------------------------------------------------
def home(error: str | None = None, status: int = 200, form: dict | None = None):
    """The boards home: the boards one may read (all of them for admins, with their settings forms) and, for a
    signed-in person, the latest posts and comments that mention them."""
    from .mentions import mentions_of

    who = current_user()
    boards = s.all_boards() if who is not None and who.is_admin else s.readable_boards()
    mentions = mentions_of(who, None, 5)[0] if who is not None else []
    return render_template("boards/index.html", boards=boards, error=error, mentions=mentions,
                           form=form or {}), status


@bp.get("")
def index():
    return home()


@bp.post("")
def create_board():
    require_admin()
    form = request.form
    data = {"slug": form.get("slug", "").strip(), "name": form.get("name", ""),
            "description": form.get("description", "")}
    for action in s.ACTIONS:
        if form.get(action, "").strip():
            data[action] = [p.strip() for p in form[action].split(",") if p.strip()]
    try:
        s.create_board(data)
    except MadangError as exc:
        return home(exc.message, exc.status)
    return redirect(url_for("boards.board", slug=data["slug"]), code=303)


def principals_field(value: str) -> list[str]:
    return [p.strip() for p in value.replace("\n", ",").split(",") if p.strip()]


@bp.post("/<slug>/settings")
def board_settings(slug: str):
    """An admin changes a board: the quick order/archive buttons, or the whole settings form (`full`); each
    save is one commit of board.json. A bad value re-shows the home with the message and changes nothing."""
    require_admin()
    form = request.form
    data: dict = {}
    if "archived" in form:
        data["archived"] = form["archived"] == "1"
    order = form.get("order", "").strip()
    if order:
        if not order.lstrip("-").isdigit():
            return home("'순서'는 정수여야 합니다. (The order must be a whole number.)", 400)
        data["order"] = int(order)
    if form.get("full"):
        data["name"] = form.get("name", "")
        data["description"] = form.get("description", "")
        data["archived"] = bool(form.get("archived_box"))
        for action in s.ACTIONS:
            data[action] = principals_field(form.get(action, ""))
    try:
        s.update_board(slug, data)
    except MadangError as exc:
        return home(exc.message, exc.status)
    return redirect(url_for("boards.index") + f"#board-{slug}", code=303)


@bp.get("/<slug>")
def board(slug: str):
    board = s.readable_board(slug)
    size = int(s.settings().get("page_size") or 20)
    cursor = request.args.get("cursor") or None
    page = page_arg() if cursor else 1  # the page number is only shown; the cursor says where the page starts
    tag = request.args.get("tag", "").strip() or None
    posts, following = s.list_posts(board, cursor, size, tag)
    s.mark_new(posts, s.visit(board) if cursor is None and tag is None else s.last_visit(board))
    return render_template("boards/board.html", board=board, posts=posts, page=page, following=following,
                           may_post=s.may(board, "post"), tag=tag)


@bp.get("/<slug>/feed.atom")
def feed(slug: str):
    board = s.readable_board(slug)
    posts, _ = s.list_posts(board, None, 30)
    posts.sort(key=lambda p: p["date"] or "", reverse=True)
    base = request.url_root.rstrip("/")
    updated = posts[0]["date"] if posts else datetime.now(UTC).isoformat()
    parts = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{xml_escape(board['name'])}</title>",
             f"<id>{xml_escape(base + url_for('boards.board', slug=slug))}</id>",
             f'<link href="{xml_escape(base + url_for("boards.board", slug=slug))}"/>',
             f'<link rel="self" href="{xml_escape(base + url_for("boards.feed", slug=slug))}"/>',
             f"<updated>{updated}</updated>"]
    for item in posts:
        meta, markdown = s.load_post(board, item["id"])
        link = base + url_for("boards.post", slug=slug, post_id=item["id"])
        parts += ["<entry>", f"<title>{xml_escape(item['title'])}</title>", f"<id>{xml_escape(link)}</id>",
                  f'<link href="{xml_escape(link)}"/>', f"<updated>{item['date']}</updated>",
                  f"<author><name>{xml_escape(item['author'].get('name') or '')}</name></author>",
                  f'<content type="html">{xml_escape(render_post(slug, item["id"], markdown))}</content>',
                  "</entry>"]
    parts.append("</feed>")
    return Response("\n".join(parts), mimetype="application/atom+xml")


# -- posts -----------------------------------------------------------------------------------------------------
def form_post() -> tuple[dict, dict[str, bytes]]:
    form = request.form
    data: dict = {"title": form.get("title", ""), "markdown": form.get("markdown", ""),
                  "tags": form.get("tags", "")}
    if form.get("pinned_until", "").strip():
        data["pinned_until"] = form["pinned_until"].strip() + ("" if "+" in form["pinned_until"] else "+09:00")
    if form.get("poll_question", "").strip():
        closes = form.get("poll_closes", "").strip()
        data["poll"] = {"question": form["poll_question"],
                        "choices": [c.strip() for c in form.get("poll_choices", "").splitlines() if c.strip()],
                        "multiple": bool(form.get("poll_multiple")), "anonymous": bool(form.get("poll_anonymous")),
                        "results": "closed" if form.get("poll_after_close") else "always",
                        "questions": form.get("poll_texts", ""),
                        "closes": (closes + ("" if "+" in closes else "+09:00")) if closes else None}
    files = {f.filename: f.read() for f in request.files.getlist("files") if f and f.filename}
    return data, files


@bp.route("/<slug>/new", methods=["GET", "POST"])
def new_post(slug: str):
    board = s.readable_board(slug)
    s.require(board, "post")
    error, data = None, {}
    if request.method == "POST":
        data, files = form_post()
        try:
            created = s.create_post(board, data, files)
            return redirect(url_for("boards.post", slug=slug, post_id=created["id"]), code=303)
        except MadangError as exc:
            error = exc.message
    return render_template("boards/edit.html", board=board, post=None, data=data, error=error,
                           moderator=s.may(board, "moderate")), (400 if error else 200)


@bp.get("/<slug>/<post_id>")
def post(slug: str, post_id: str):
    board = s.readable_board(slug)
    item = post_out(board, post_id)
    s.mark_read(slug, post_id)
    comments = s.list_comments(board, post_id)
    for comment in comments:
        comment["html"] = render_post(slug, post_id, comment["markdown"])
        comment["may_edit"] = s.may_change(board, comment)
    return render_template("boards/post.html", board=board, post=item, comments=comments,
                           may_comment=s.may(board, "comment"))


@bp.route("/<slug>/<post_id>/edit", methods=["GET", "POST"])
def edit_post(slug: str, post_id: str):
    board = s.readable_board(slug)
    item = post_out(board, post_id)
    if not item["may_edit"]:
        raise Forbidden("Only the author or a moderator may edit this post.")
    error = None
    data = {"title": item["title"], "markdown": item["markdown"], "tags": ", ".join(item["tags"])}
    if request.method == "POST":
        data, files = form_post()
        data.pop("poll", None)
        data["message"] = request.form.get("message", "")
        try:
            s.update_post(board, post_id, data, files, remove=request.form.getlist("remove"))
            return redirect(url_for("boards.post", slug=slug, post_id=post_id), code=303)
        except MadangError as exc:
            error = exc.message
    return render_template("boards/edit.html", board=board, post=item, data=data, error=error,
                           moderator=s.may(board, "moderate"), preview=Markup(item["html"])), (400 if error else 200)


@bp.post("/<slug>/<post_id>/delete")
def delete_post(slug: str, post_id: str):
    s.delete_post(s.readable_board(slug), post_id)
    return redirect(url_for("boards.board", slug=slug), code=303)


@bp.get("/<slug>/<post_id>/history")
def history(slug: str, post_id: str):
    board = s.readable_board(slug)
    meta, _ = s.load_post(board, post_id)
    return render_template("boards/history.html", board=board, post_id=post_id, title=meta.get("title", ""),
                           items=s.post_history(board, post_id), diff=None)


@bp.get("/<slug>/<post_id>/diff")
def diff(slug: str, post_id: str):
    from .diff import diff_revisions

    board = s.readable_board(slug)
    meta, _ = s.load_post(board, post_id)
    found = diff_revisions(board, post_id, request.args.get("from") or None, request.args.get("to") or None)
    return render_template("boards/history.html", board=board, post_id=post_id, title=meta.get("title", ""),
                           items=s.post_history(board, post_id), diff=found)


@bp.post("/<slug>/<post_id>/like")
def like(slug: str, post_id: str):
    s.set_like(s.readable_board(slug), post_id, request.form.get("on", "1") == "1")
    return redirect(url_for("boards.post", slug=slug, post_id=post_id), code=303)


@bp.post("/<slug>/<post_id>/vote")
def vote(slug: str, post_id: str):
    board = s.readable_board(slug)
    choices = [int(c) for c in request.form.getlist("choice") if c.isdigit()]
    s.vote(board, post_id, {"choices": choices, "answers": request.form.getlist("answer")})
    return redirect(url_for("boards.post", slug=slug, post_id=post_id) + "#poll", code=303)


@bp.post("/<slug>/<post_id>/comments")
def comment(slug: str, post_id: str):
    board = s.readable_board(slug)
    created = s.add_comment(board, post_id, {"markdown": request.form.get("markdown", ""),
                                             "parent": request.form.get("parent") or None})
    return redirect(url_for("boards.post", slug=slug, post_id=post_id) + f"#c-{created['id']}", code=303)


@bp.post("/<slug>/<post_id>/comments/<cid>")
def edit_comment(slug: str, post_id: str, cid: str):
    board = s.readable_board(slug)
    if request.form.get("delete"):
        s.delete_comment(board, post_id, cid)
    else:
        s.update_comment(board, post_id, cid, {"markdown": request.form.get("markdown", "")})
    return redirect(url_for("boards.post", slug=slug, post_id=post_id) + "#comments", code=303)


__all__ = ["bp", "file_url"]
