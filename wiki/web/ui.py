"""Pages for people (HTML): the wiki's screens, Korean first.

Each route only calls the core (`wiki.pages.Wiki`, which checks permissions itself) and renders a template of
the theme. The core's errors reach the app's one error handler, except where a person deserves a friendlier
screen: an anonymous editor is sent to sign in, a missing page offers to create it, a refused save keeps the
text in the form, and an edit conflict shows both versions side by side so nothing typed is ever lost.
"""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup

from .. import diffing, markup
from ..errors import (
    AlreadyExists,
    EditConflict,
    InvalidInput,
    InvalidPath,
    MadangError,
    PageNotFound,
    TooLarge,
    Unauthorized,
    UnsupportedType,
)
from ..pages import PageRecord, Wiki
from ..paths import attachment_from_file, normalize_page_path, page_from_file, title_of
from ..trailers import coauthors_in
from . import i18n, notifications_ui, plugin_routes, rendering, security, theming
from .context import core, signed_out, user
from .files import attachment_response
from .i18n import t
from .pagecache import anonymous_page_cache

bp = Blueprint("ui", __name__)

SEOUL = ZoneInfo("Asia/Seoul")
LIST_LIMIT = 50  # rows a list screen shows at once
HOME_CHANGES, HOME_PAGES = 12, 40
LANG_COOKIE_AGE = timedelta(days=365)


def wiki() -> Wiki:
    return core().wiki


# -- template helpers -----------------------------------------------------------------------------------------
@bp.app_context_processor
def _template_context() -> dict:
    """Every template (error pages included) gets the words, the reader, and where the search box goes."""
    return {**i18n.template_globals(), "me": user(), "asset": asset, "search_action": search_action(),
            "page_url": rendering.page_url, "plugin_nav": plugin_nav(), "plugin_assets": plugin_assets(),
            "unread_notifications": notifications_ui.unread_count}


@bp.app_template_filter("when")
def when(value: datetime | None) -> str:
    """Dates are stored in UTC; staff read them in Seoul time, to the minute."""
    return local_time(value).strftime("%Y-%m-%d %H:%M") if value else ""


@bp.app_template_filter("delta")
def delta(value: int) -> str:
    """A size change as people write it: +12, −3 (a true minus sign), 0."""
    return f"+{value:,}" if value > 0 else (f"\u2212{-value:,}" if value < 0 else "0")


@bp.app_template_filter("short")
def short(revision: str | None) -> str:
    return (revision or "")[:8]


@bp.app_template_filter("first_line")
def first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0]


@bp.app_template_filter("coauthors")
def coauthor_names(message: str | None) -> list[str]:
    """The names a commit message credits as co-authors (`Co-authored-by:` trailers)."""
    return [person.name for person in coauthors_in(message)]


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return t("common.bytes", n=f"{size:,}")


def local_time(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(SEOUL)


def asset(name: str) -> str:
    """A static file's address with its theme and modification time, so browsers fetch a changed theme at once."""
    return url_for("static", filename=name, v=theming.asset_version(name))


def search_action() -> str:
    """The search plugin's /search when it is installed and enabled; otherwise the box filters the list of pages."""
    return "/search" if plugin_routes.serves("/search") else url_for("ui.pages")


def plugin_nav() -> list[dict]:
    """Header entries from enabled plugins (hook `madang_nav_items`), once the plugin host is on the core.

    The menu is on every page, error pages included, so a failing plugin loses its entry, not the site."""
    try:
        entries = [{"label": localized(item["label"]), "url": item["url"], "order": item.get("order", 50)}
                   for item in _page_hook("madang_nav_items")]
    except Exception:  # any plugin bug: see the docstring
        current_app.logger.exception("a plugin's madang_nav_items failed")
        return []
    return sorted(entries, key=lambda entry: entry["order"])


def plugin_assets() -> dict[str, list[str]]:
    """Scripts and style sheets enabled plugins add to every page (hook `madang_page_assets`); only site-relative
    URLs, since the content security policy would refuse others anyway. A failing plugin loses its assets only."""
    assets: dict[str, list[str]] = {"script": [], "style": []}
    try:
        for item in _page_hook("madang_page_assets"):
            for kind in ("script", "style"):
                url = item.get(kind)
                local = isinstance(url, str) and url.startswith("/") and not url.startswith("//")
                if local and url not in assets[kind]:
                    assets[kind].append(url)
    except Exception:  # any plugin bug: see the docstring
        current_app.logger.exception("a plugin's madang_page_assets failed")
        return {"script": [], "style": []}
    return assets


def _page_hook(name: str) -> list[dict]:
    """Every enabled plugin's answer to a per-page hook, flattened (nothing before the plugin host is on)."""
    host = getattr(core(), "plugins", None)
    if host is None:
        return []
    return [item for result in host.hook(name)(user=user()) for item in (result or [])]


def localized(label: str | dict) -> str:
    """A plugin's text may be one string or {"ko": ..., "en": ...}."""
    if isinstance(label, dict):
        text = label.get(i18n.current_language()) or label.get(i18n.DEFAULT_LANGUAGE)
        return str(text or next(iter(label.values()), ""))
    return str(label)


def can(action: str, path: str) -> bool:
    return core().acl.can(user(), action, path)


def edit_offer(path: str) -> str | None:
    """What the page's edit button does: 'edit', 'login' (an anonymous reader may gain the right), or nothing."""
    if can("edit", path):
        return "edit"
    if user() is None and can("read", path):
        return "login"
    return None


def crumbs(path: str) -> list[dict]:
    """The page's parents, each linking to the list of pages under it (a parent need not be a page)."""
    parts = path.split("/")
    return [{"name": part, "prefix": "/".join(parts[: i + 1]) + "/"} for i, part in enumerate(parts[:-1])]


def safe_next(value: str | None) -> str:
    """Only a path on this site, so the sign-in form cannot be used to send people elsewhere."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


def canonical(path: str) -> str:
    return normalize_page_path(path)


def current_or_none(path: str) -> PageRecord | None:
    try:
        return wiki().get(user(), path)
    except PageNotFound:
        return None


@bp.errorhandler(Unauthorized)
def _sign_in_first(exc: Unauthorized):
    """An anonymous person who tries to change something is asked to sign in, then brought back."""
    if request.method == "GET":
        target = request.full_path.rstrip("?")
    else:
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        target = (referrer.path + (f"?{referrer.query}" if referrer.query else "")) if same_site else "/"
    flash(t("login.required"), "info")
    return redirect(url_for("ui.login", next=safe_next(target)))


# -- home and lists -------------------------------------------------------------------------------------------
def change_view(item: dict) -> dict:
    """A commit of the site-wide list as the screens show it: the pages it touched and their attachments."""
    targets = []
    for file_path in item["paths"]:
        page = page_from_file(file_path)
        owner = attachment_from_file(file_path)
        if page:
            targets.append({"page": page, "attachment": None})
        elif owner:
            targets.append({"page": owner[0], "attachment": owner[1]})
    return {"row": item["row"], "targets": targets}


@bp.get("/")
def index():
    who = user()
    changes = wiki().changes(who, limit=HOME_CHANGES)
    pages = wiki().list_pages(who, limit=HOME_PAGES)
    return render_template("home.html", changes=[change_view(i) for i in changes.items], pages=pages.items,
                           more_pages=pages.next is not None)


@bp.get("/changes")
def changes():
    cursor = request.args.get("cursor") or None
    page = wiki().changes(user(), limit=LIST_LIMIT, cursor=cursor)
    views = [change_view(i) for i in page.items]
    days = [(day, list(group)) for day, group in
            itertools.groupby(views, key=lambda v: local_time(v["row"].date).strftime("%Y-%m-%d"))]
    return render_template("changes.html", days=days, next=page.next, cursor=cursor)


@bp.get("/pages")
def pages():
    prefix = (request.args.get("prefix") or request.args.get("q") or "").strip()
    cursor = request.args.get("cursor") or None
    page = wiki().list_pages(user(), prefix, limit=LIST_LIMIT, cursor=cursor)
    return render_template("pages.html", items=page.items, next=page.next, prefix=prefix, cursor=cursor)


@bp.get("/wiki/")
def wiki_root():
    return redirect(url_for("ui.pages"))


@bp.get("/new")
def new_page():
    """The 'new page' box: a name in, the editor (or the page, when it exists) out."""
    raw = (request.args.get("path") or "").strip()
    if not raw:
        return render_template("new.html", value="", error=None)
    try:
        path = normalize_page_path(raw)
    except InvalidPath as exc:
        return render_template("new.html", value=raw, error=exc.message), 400
    target = "ui.view" if wiki().exists(path) else "ui.edit"
    return redirect(url_for(target, path=path))


# -- reading a page -------------------------------------------------------------------------------------------
@bp.get("/wiki/<path:path>")
@anonymous_page_cache
def view(path: str):
    good = canonical(path)
    if good != path:
        query = request.query_string.decode("utf-8", "replace")
        return redirect(url_for("ui.view", path=good) + (f"?{query}" if query else ""), 301)
    rev = request.args.get("rev") or None
    if rev:
        record, current = old_revision(path, rev), current_or_none(path)
        is_current = current is not None and current.blob == record.blob and current.path == record.path
        return render_template("page.html", **page_context(path, record, None if is_current else rev))
    try:
        record = wiki().get(user(), path)
    except PageNotFound:
        return missing(path)
    return render_template("page.html", **page_context(path, record, None))


def old_revision(path: str, rev: str) -> PageRecord:
    """The page as it was at rev, also from before a move (the core finds the name it had then)."""
    return wiki().get(user(), path, rev)


def page_context(path: str, record: PageRecord, rev: str | None) -> dict:
    """What the page screen shows; `path` is the name asked for (today's), `record.path` the name it had then."""
    rendered = rendering.render(record.markdown, record.path, record.blob)
    hide_h1 = bool(rendered.toc) and rendered.toc[0]["level"] == 1 and record.markdown.lstrip().startswith("# ")
    toc = rendered.toc[1:] if hide_h1 else rendered.toc
    old = rev is not None
    return {"path": path, "record": record, "html": Markup(rendered.html), "toc": toc, "hide_h1": hide_h1,
            "rev": rev, "crumbs": crumbs(path), "edit": edit_offer(path), "can_edit": can("edit", path),
            "backlinks": [] if old else wiki().backlinks(user(), path),
            "attachments": [] if old else wiki().attachments(user(), path)}


def missing(path: str):
    """'This page does not exist — create it', or the way to its history when it was deleted."""
    try:
        last = wiki().history(user(), path, limit=1).items[0]
    except PageNotFound:
        last = None
    return render_template("missing.html", path=path, title=title_of(path), crumbs=crumbs(path),
                           edit=edit_offer(path), last=last), 404


@bp.get("/wiki/<path:path>/history")
def history(path: str):
    path = canonical(path)
    cursor = request.args.get("cursor") or None
    page = wiki().history(user(), path, limit=LIST_LIMIT, cursor=cursor)
    return render_template("history.html", path=path, title=title_of(path), rows=page.items, next=page.next,
                           cursor=cursor, can_edit=can("edit", path), crumbs=crumbs(path))


@bp.get("/wiki/<path:path>/diff")
def diff(path: str):
    path = canonical(path)
    result = wiki().diff(user(), path, request.args.get("from") or None, request.args.get("to") or None)
    inline = request.args.get("view") == "inline"
    old, new = result["old"], result["new"]
    body = diffing.inline_html(old, new) if inline else diffing.side_by_side_html(old, new)
    return render_template("diff.html", path=path, title=title_of(path), inline=inline, same=old == new,
                           diff=Markup(body), crumbs=crumbs(path), **diff_sides(path, result["from"], result["to"]))


def diff_sides(path: str, rev_from: str | None, rev_to: str) -> dict:
    """Both sides' history rows and the previous and next diffs, from the per-page history index."""
    row_from = wiki().revision_info(user(), path, rev_from) if rev_from else None
    row_to = wiki().revision_info(user(), path, rev_to)
    older = wiki().neighbours(user(), row_from)[0] if row_from else None
    newer = wiki().neighbours(user(), row_to)[1] if row_to else None
    return {"rev_from": rev_from, "rev_to": rev_to, "row_from": row_from, "row_to": row_to,
            "prev": (older.revision, rev_from) if older and rev_from else None,
            "next": (rev_to, newer.revision) if newer else None}


@bp.get("/wiki/<path:path>/blame")
def blame(path: str):
    path = canonical(path)
    rev = request.args.get("rev") or None
    name = old_revision(path, rev).path if rev else path
    lines = wiki().blame(user(), name, rev)
    groups = [list(group) for _rev, group in itertools.groupby(lines, key=lambda line: line["revision"])]
    return render_template("blame.html", path=path, title=title_of(path), groups=groups, rev=rev,
                           crumbs=crumbs(path))


# -- editing --------------------------------------------------------------------------------------------------
@bp.route("/wiki/<path:path>/edit", methods=["GET", "POST"])
def edit(path: str):
    path = canonical(path)
    wiki().require(user(), "edit", path)
    if request.method == "POST":
        return save(path)
    record = current_or_none(path)
    if record is None:
        return render_template("edit.html", **editor_context(path, f"# {title_of(path)}\n\n", head_or_empty()))
    return render_template("edit.html", **editor_context(path, record.markdown, record.revision, record.blob))


def head_or_empty() -> str:
    """A new page is saved against the head the editor saw, so a page created meanwhile is a conflict."""
    return core().store.head() or ""


def editor_context(path: str, text: str, base: str, blob: str | None = None, **extra: object) -> dict:
    is_new = extra.pop("is_new", None)
    if is_new is None:
        is_new = not wiki().exists(path)
    preview = rendering.render(text, path, blob).html if text.strip() else ""
    return {"path": path, "title": title_of(path), "markdown": text, "base_revision": base, "is_new": is_new,
            "preview": Markup(preview), "message": "", "error": None, "crumbs": crumbs(path), **extra}


def save(path: str):
    form = request.form
    text, message, base = form.get("markdown", ""), form.get("message") or None, form.get("base_revision") or ""
    if not text.strip():
        return render_template("edit.html", **editor_context(path, text, base, message=message or "",
                                                             error=t("edit.empty"))), 400
    try:
        result = wiki().save(user(), path, text, message, base or None)
    except EditConflict as conflict:
        return conflict_screen(path, conflict, message or ""), 409
    except MadangError as exc:
        # 422: a plugin's guard refused the text (madang_before_commit, e.g. personal data): the editor keeps it
        if not isinstance(exc, (InvalidInput, TooLarge)) and exc.status != 422:
            raise
        return render_template("edit.html", **editor_context(path, text, base, message=message or "",
                                                             error=exc.message)), exc.status
    if not result.changed:
        flash(t("flash.unchanged"), "info")
    elif result.created:
        flash(t("flash.created"), "success")
    else:
        flash(t("flash.merged") if result.merged else t("flash.saved"), "success")
    return redirect(url_for("ui.view", path=result.path), 303)


def conflict_screen(path: str, conflict: EditConflict, message: str) -> str:
    """Theirs and yours side by side; yours stays editable and is saved against theirs the next time."""
    return render_template("conflict.html", path=path, title=title_of(path), theirs=conflict.theirs,
                           yours=conflict.yours, base_revision=conflict.theirs_revision, message=message,
                           diff=Markup(diffing.side_by_side_html(conflict.theirs, conflict.yours)),
                           current=current_or_none(path), crumbs=crumbs(path))


@bp.route("/wiki/<path:path>/move", methods=["GET", "POST"])
def move(path: str):
    path = canonical(path)
    wiki().require(user(), "edit", path)
    record = wiki().get(user(), path)
    if request.method == "GET":
        return render_template("move.html", record=record, to=path, message="", error=None)
    to, message = request.form.get("to", ""), request.form.get("message") or None
    try:
        wiki().move(user(), path, to, message)
    except (InvalidPath, InvalidInput, AlreadyExists) as exc:
        error = t("move.exists") if isinstance(exc, AlreadyExists) else exc.message
        return render_template("move.html", record=record, to=to, message=message or "",
                               error=error), exc.status
    target = normalize_page_path(to)
    flash(t("flash.moved", path=target), "success")
    return redirect(url_for("ui.view", path=target), 303)


@bp.route("/wiki/<path:path>/delete", methods=["GET", "POST"])
def delete(path: str):
    path = canonical(path)
    wiki().require(user(), "edit", path)
    record = wiki().get(user(), path)
    if request.method == "GET":
        return render_template("delete.html", record=record)
    wiki().delete(user(), path, request.form.get("message") or None)
    flash(t("flash.deleted"), "success")
    return redirect(url_for("ui.view", path=path), 303)


@bp.route("/wiki/<path:path>/revert", methods=["GET", "POST"])
def revert(path: str):
    """GET asks for confirmation and shows what would change; POST makes the new commit."""
    path = canonical(path)
    wiki().require(user(), "edit", path)
    rev = (request.values.get("rev") or request.values.get("revision") or "").strip()
    if not rev:
        raise InvalidInput("Say which revision to go back to (?rev=).")
    if request.method == "POST":
        result = wiki().revert(user(), path, rev, request.form.get("message") or None)
        flash(t("flash.reverted") if result.changed else t("flash.unchanged"), "success")
        return redirect(url_for("ui.view", path=path), 303)
    target = old_revision(path, rev)
    current = current_or_none(path)
    now_text = current.markdown if current else ""
    return render_template("revert.html", path=path, title=title_of(path), target=target, rev=rev,
                           same=now_text == target.markdown, crumbs=crumbs(path),
                           diff=Markup(diffing.side_by_side_html(now_text, target.markdown)))


# -- attachments ----------------------------------------------------------------------------------------------
@bp.get("/wiki/<path:path>/attachments/<name>")
def attachment(path: str, name: str) -> Response:
    data, kind = wiki().get_attachment(user(), path, name, request.args.get("rev") or None)
    return attachment_response(data, kind, name)


@bp.post("/wiki/<path:path>/attachments")
@bp.post("/wiki/<path:path>/attachments/<name>")
def attachment_form(path: str, name: str | None = None):
    """The page's attachments form: upload one or more files, or (with _action=delete) remove one."""
    path = canonical(path)
    if name and request.form.get("_action") == "delete":
        wiki().delete_attachment(user(), path, name)
        flash(t("flash.attachment_deleted", name=name), "success")
    else:
        upload_files(path, name)
    return redirect(url_for("ui.view", path=path) + "#attachments", 303)


def upload_files(path: str, name: str | None) -> None:
    files = [f for f in request.files.getlist("file") if f and f.filename]
    if not files:
        flash(t("flash.no_file"), "error")
        return
    chosen = name or (request.form.get("name") or "").strip()
    for storage in files:
        filename = chosen if chosen and len(files) == 1 else storage.filename.replace("\\", "/").rsplit("/")[-1]
        try:
            wiki().put_attachment(user(), path, filename, storage.read(), storage.mimetype)
        except (InvalidInput, InvalidPath, TooLarge, UnsupportedType) as exc:
            flash(t("flash.upload_failed", name=filename, reason=exc.message), "error")
            continue
        flash(t("flash.uploaded", name=filename), "success")


# -- signing in, language, theme ------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login():
    """Local or directory account (wiki/signin.py: throttle, local first, then LDAP); the reason on failure."""
    from .accounts_ui import language_after_sign_in, sign_in_failure

    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if user() is not None:
            return redirect(target)
        return render_template("login.html", next=target, username="", error=None)
    username = request.form.get("username", "")
    try:
        principal = core().signin.sign_in(username, request.form.get("password", ""), request.remote_addr or "")
    except MadangError as exc:
        return sign_in_failure(exc, target, username)
    found = core().accounts.get_by_id(principal.user_id)
    if found is None:
        return render_template("login.html", next=target, username=username, error=t("login.failed")), 401
    lang = language_after_sign_in(principal, session.get("lang"))
    security.sign_in(principal, found[1])
    if lang:
        session["lang"] = lang
    flash(t("flash.signed_in", name=principal.name), "success")
    return redirect(target, 303)


@bp.post("/logout")
def logout():
    who = user()
    if who is not None:
        core().audit.record("sign_out", who.username, who.username, request.remote_addr or "")
    if who is not None:
        signed_out(who, everywhere=False)  # before the session is cleared: plugins may tell which browser it was
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(t("flash.signed_out"), "info")
    return redirect(url_for("ui.index"), 303)


@bp.get("/language/<lang>")
def language(lang: str):
    """Switch the interface language; kept in the session and, for the next visit, a cookie."""
    if lang not in i18n.LANGUAGES:
        abort(404)
    session["lang"] = lang
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(i18n.COOKIE, lang, max_age=int(LANG_COOKIE_AGE.total_seconds()), samesite="Lax",
                        httponly=True, secure=core().config.secure_cookies)
    return response


@lru_cache(maxsize=1)
def _pygments_css() -> str:
    return markup.pygments_css()


@bp.get("/theme/pygments.css")
def pygments_css() -> Response:
    """Code highlighting colours, from the same Pygments that marks up the code blocks."""
    response = Response(_pygments_css(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
