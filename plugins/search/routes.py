"""/search (people) and GET /api/v1/search (programs), and the header box pointing at /search."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request, url_for

from wiki.api import InvalidInput, core, current_user, localized, plugin_settings, require_admin, revision_visible

from . import NAME
from .query import Filters, Query, parse
from .service import SearchService
from .synonyms import DEFAULT_FILE
from .view import SearchIndexView
from .whoosh_backend import WhooshBackend

SEOUL = ZoneInfo("Asia/Seoul")
EXTENSION = "madang_search"
API_DEFAULT_LIMIT, API_MAX_LIMIT = 50, 500
bp = Blueprint("search", __name__, template_folder="templates", static_folder="static",
               static_url_path="/search/static")


# -- wiring ---------------------------------------------------------------------------------------------------------
@bp.record_once
def _bind(state) -> None:
    """When the app is made: give the view its index folder and make the search service."""
    madang = state.app.extensions["madang"]
    view = find_view(madang.views.views)
    backend = view.backend if view is not None and view.backend is not None else \
        WhooshBackend(madang.config.search_index)
    try:
        synonyms_file = madang.plugins.settings(NAME).get("synonyms_file") or DEFAULT_FILE
    except Exception:  # noqa: BLE001 (settings unreadable: the default file)
        synonyms_file = DEFAULT_FILE
    state.app.extensions[EXTENSION] = SearchService(backend, madang.store, synonyms_file)
    if view is not None:
        view.plugins = madang.plugins  # plugins' own documents (madang_search_documents)
        if madang.plugins.enabled(NAME):
            view.bind(backend, madang.store)
        else:
            view.backend = backend  # paused: it catches up when the plugin is enabled


def find_view(views) -> SearchIndexView | None:
    for view in views:
        if isinstance(view, SearchIndexView):
            return view
        inner = [v for v in vars(view).values() if isinstance(v, SearchIndexView)] if hasattr(view, "__dict__") else []
        if inner:
            return inner[0]
    return None


def service() -> SearchService:
    return current_app.extensions[EXTENSION]


@bp.app_context_processor
def _search_box() -> dict:
    """The header's search box goes to /search while the plugin is enabled (else the core's page list)."""
    try:
        enabled = core().plugins.enabled(NAME)
    except Exception:  # noqa: BLE001 (error pages must render whatever happens)
        enabled = False
    return {"search_action": url_for("search.search_page") if enabled else url_for("ui.pages")}


# -- the request ----------------------------------------------------------------------------------------------------
def can_read(kind: str, acl: str) -> bool:
    """Pages and attachments follow the page's read permission; a plugin's types are shown when its
    madang_search_can_read says so (and no plugin says no)."""
    if kind in ("page", "attachment"):
        return core().acl.can(current_user(), "read", acl)
    answers = core().plugins.hook("madang_search_can_read")(type=kind, acl=acl, who=current_user())
    return bool(answers) and all(answer is True for answer in answers)


def request_reader() -> Callable[[str, str, str], bool]:
    """can_read with this request's person and permission rules looked up once (the check runs for every
    matching page counted for `total`), and the indexed revision of a page or attachment not withheld by a plugin
    (the personal-data guard): a withheld revision's text is neither shown nor counted."""
    who, acl = current_user(), core().acl

    def check(kind: str, path: str, revision: str = "") -> bool:
        if kind not in ("page", "attachment"):
            return can_read(kind, path)
        return acl.can(who, "read", path) and (not revision or revision_visible(path, revision, who))

    return check


def search_types() -> list[dict]:
    types = []
    for result in core().plugins.hook("madang_search_types")():
        for item in result or ():
            if isinstance(item, dict) and item.get("type"):
                types.append({"type": str(item["type"]), "label": localized(item.get("label", item["type"]))})
    return types


def read_query() -> Query:
    args = request.args
    kinds = tuple(dict.fromkeys(t.strip() for value in args.getlist("type") for t in value.split(",")
                                if t.strip()))
    known = {t["type"] for t in search_types()}
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise InvalidInput(f"Unknown type '{unknown[0]}': use one of {', '.join(sorted(known))}.", field="type")
    path = args.get("path", "").strip().strip("/")
    author = args.get("author", "").strip()
    if len(path) > 1000 or len(author) > 200:
        raise InvalidInput("'path' or 'author' is too long.")
    filters = Filters(types=kinds, path=path, author=author, date_from=day_arg("from"),
                      date_to=day_arg("to", end=True))
    if filters.date_from and filters.date_to and filters.date_from >= filters.date_to:
        raise InvalidInput("'from' must be on or before 'to'.", field="from")
    return parse(args.get("q", ""), filters, args.get("sort", "relevance") or "relevance")


def day_arg(name: str, end: bool = False) -> datetime | None:
    """A day (YYYY-MM-DD, Seoul time) as a UTC instant: its start, or for `to` the start of the next day."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=SEOUL)
    except ValueError as exc:
        raise InvalidInput(f"'{name}' must be a date such as 2026-03-01.", field=name) from exc
    return (day + timedelta(days=1) if end else day).astimezone(UTC)


def limit_arg(default: int, maximum: int) -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidInput("'limit' must be a whole number.", field="limit") from exc
    if not 1 <= value <= maximum:
        raise InvalidInput(f"'limit' must be between 1 and {maximum}.", field="limit")
    return value


def run(limit: int):
    core().views.catch_up(everything=True)  # the latest commit (any process's) is searchable on this request
    return service().search(read_query(), request_reader(), request.args.get("cursor"), limit)


# -- routes ---------------------------------------------------------------------------------------------------------
@bp.get("/api/v1/search")
def api_search():
    found = run(limit_arg(API_DEFAULT_LIMIT, API_MAX_LIMIT))
    hits = []
    for result in found.results:
        doc = result.hit.document
        hits.append({"type": doc.type, "path": doc.path, "title": doc.title, "snippet_html": str(result.snippet_html),
                     "score": round(result.hit.score, 4), "url": doc.url,
                     "author": {"name": doc.author_name, "email": doc.author_email},
                     "date": doc.date.isoformat() if doc.date else None, "revision": doc.revision})
    return {"total": found.total, "total_exact": found.total_exact, "hits": hits, "next": found.next_cursor,
            "suggestion": found.suggestion}


@bp.get("/search")
def search_page():
    args = request.args
    page_size = int(plugin_settings(NAME).get("page_size") or 10)
    context = dict(q=args.get("q", ""), sort=args.get("sort", "relevance"), types=search_types(),
                   chosen_types=[t for value in args.getlist("type") for t in value.split(",") if t],
                   path=args.get("path", ""), author=args.get("author", ""), date_from=args.get("from", ""),
                   date_to=args.get("to", ""), found=None, error=None, cursor=args.get("cursor"))
    status = 200
    if args.get("q", "").strip():
        try:
            context["found"] = run(page_size)
        except InvalidInput as exc:
            context["error"], status = exc.message, 400
    return render_template("search/results.html", **context, next_url=next_url, first_url=next_url(None)), status


def next_url(cursor: str | None) -> str:
    args = request.args.to_dict(flat=False)
    args.pop("cursor", None)
    if cursor:
        args["cursor"] = [cursor]
    return url_for("search.search_page", **args)


def health() -> list[dict]:
    """The admin console's health lines: documents in the index and how far it is behind."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        return []
    head = core().store.head() or ""
    mark = found.backend.watermark()
    behind = bool(head) and mark != head
    return [{"label": {"ko": "검색 색인 문서 수", "en": "Indexed documents"}, "value": f"{found.backend.count():,}",
             "ok": True},
            {"label": {"ko": "검색 색인 기준 커밋", "en": "Search index watermark"},
             "value": (mark[:10] or "—") + (" (뒤처짐 / behind)" if behind else ""), "ok": not behind}]


# -- the synonyms list (admins) -------------------------------------------------------------------------------------
@bp.route("/search/synonyms", methods=["GET", "POST"])
def synonyms_page():
    """Admins edit the synonyms file here; saving is a commit (who, when), effective on the next search."""
    who = require_admin()
    found = service()
    file_path = found.synonyms.file_path
    saved = False
    if request.method == "POST":
        text = request.form.get("synonyms", "").replace("\r\n", "\n")
        if len(text) > 200_000:
            raise InvalidInput("The list is too long (at most 200,000 characters).")
        core().wiki.commit({file_path: text.encode("utf-8")}, who, "검색 동의어 목록 수정")
        saved = True
    blob = core().store.blob_id(None, file_path)
    text = core().store.read_blob(blob).decode("utf-8", "replace") if blob else ""
    groups = len(found.synonyms.table())
    return render_template("search/synonyms.html", text=text, file_path=file_path, saved=saved, groups=groups)
