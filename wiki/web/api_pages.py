"""API.md 'Pages': JSON routes over the wiki core."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..errors import InvalidInput
from ..pages import PageRecord
from ..trailers import coauthors_in
from . import rendering
from .context import core, json_body, limit_arg, text_field, user
from .files import attachment_response

bp = Blueprint("api_pages", __name__, url_prefix="/api/v1")


def iso(value) -> str:
    return value.isoformat()


def page_json(record: PageRecord, with_html: bool = False) -> dict:
    body = {"path": record.path, "title": record.title, "markdown": record.markdown,
            "revision": record.revision, "author": {"name": record.author.name, "email": record.author.email},
            "date": iso(record.date)}
    if with_html:
        rendered = rendering.render(record.markdown, record.path, record.blob)
        body["html"] = rendered.html
        body["toc"] = rendered.toc
    return body


def revision_json(row) -> dict:
    return {"revision": row.revision, "path": row.path, "author": {"name": row.author_name,
            "email": row.author_email}, "date": iso(row.date), "message": row.message, "status": row.status,
            "other_path": row.other_path, "size": row.size, "size_delta": row.size_delta,
            "coauthors": [{"name": a.name, "email": a.email} for a in coauthors_in(row.message)]}


@bp.get("/pages/<path:path>")
def get_page(path: str):
    render = request.args.get("render", "")
    if render not in ("", "html"):
        raise InvalidInput("'render' may only be 'html'.")
    record = core().wiki.get(user(), path, request.args.get("rev") or None)
    return jsonify(page_json(record, with_html=render == "html"))


@bp.put("/pages/<path:path>")
def put_page(path: str):
    data = json_body()
    if "markdown" not in data:
        raise InvalidInput("'markdown' is required.")
    result = core().wiki.save(user(), path, data["markdown"], text_field(data, "message", limit=500),
                              text_field(data, "base_revision", limit=64))
    body = {"path": result.path, "revision": result.revision, "merged": result.merged}
    return jsonify(body), 201 if result.created else 200


@bp.delete("/pages/<path:path>")
def delete_page(path: str):
    data = json_body()
    revision = core().wiki.delete(user(), path, text_field(data, "message", limit=500))
    return jsonify({"revision": revision})


@bp.post("/pages/<path:path>/move")
def move_page(path: str):
    data = json_body()
    to = text_field(data, "to", required=True, limit=2000)
    revision = core().wiki.move(user(), path, to, text_field(data, "message", limit=500))
    from ..paths import normalize_page_path

    return jsonify({"path": normalize_page_path(to), "revision": revision})


@bp.get("/pages/<path:path>/history")
def page_history(path: str):
    page = core().wiki.history(user(), path, limit_arg(), request.args.get("cursor"))
    return jsonify({"items": [revision_json(r) for r in page.items], "next": page.next})


@bp.get("/pages/<path:path>/diff")
def page_diff(path: str):
    result = core().wiki.diff(user(), path, request.args.get("from") or None, request.args.get("to") or None)
    parts = core().wiki.diff_html(result["old"], result["new"])
    return jsonify({"from": result["from"], "to": result["to"], "ops": [list(op) for op in parts["ops"]],
                    "html": parts["side_by_side"], "inline_html": parts["inline"]})


@bp.post("/pages/<path:path>/revert")
def revert_page(path: str):
    data = json_body()
    revision = text_field(data, "revision", required=True, limit=64)
    result = core().wiki.revert(user(), path, revision, text_field(data, "message", limit=500))
    return jsonify({"revision": result.revision, "changed": result.changed})


@bp.get("/pages/<path:path>/blame")
def page_blame(path: str):
    lines = core().wiki.blame(user(), path, request.args.get("rev") or None)
    for line in lines:
        line["date"] = iso(line["date"])
    return jsonify({"lines": lines})


@bp.get("/pages/<path:path>/backlinks")
def page_backlinks(path: str):
    return jsonify({"items": core().wiki.backlinks(user(), path)})


@bp.get("/pages")
def list_pages():
    page = core().wiki.list_pages(user(), request.args.get("prefix", ""), limit_arg(), request.args.get("cursor"))
    return jsonify({"items": [{"path": p.path, "title": p.title, "revision": p.revision, "date": iso(p.date)}
                              for p in page.items], "next": page.next})


@bp.get("/changes")
def changes():
    page = core().wiki.changes(user(), limit_arg(), request.args.get("cursor"))
    items = [{"revision": i["row"].revision, "paths": i["paths"],
              "author": {"name": i["row"].author_name, "email": i["row"].author_email},
              "date": iso(i["row"].date), "message": i["row"].message} for i in page.items]
    return jsonify({"items": items, "next": page.next})


@bp.get("/pages/<path:path>/attachments")
def list_attachments(path: str):
    return jsonify({"items": core().wiki.attachments(user(), path)})


@bp.put("/pages/<path:path>/attachments/<name>")
def put_attachment(path: str, name: str):
    data = request.get_data(cache=False)
    revision, size = core().wiki.put_attachment(user(), path, name, data, request.content_type)
    from ..paths import normalize_attachment_name

    return jsonify({"name": normalize_attachment_name(name), "size": size, "revision": revision}), 201


@bp.get("/pages/<path:path>/attachments/<name>")
def get_attachment(path: str, name: str) -> Response:
    data, kind = core().wiki.get_attachment(user(), path, name, request.args.get("rev") or None)
    return attachment_response(data, kind, name)


@bp.delete("/pages/<path:path>/attachments/<name>")
def delete_attachment(path: str, name: str):
    return jsonify({"revision": core().wiki.delete_attachment(user(), path, name)})


@bp.post("/render")
def render_preview():
    """Live preview for the editor: the same renderer and sanitiser as a saved page."""
    data = json_body()
    markdown = text_field(data, "markdown", required=True, limit=core().config.max_page_bytes)
    path = text_field(data, "path", limit=2000) or "preview"
    rendered = rendering.render(markdown, path)
    return jsonify({"html": rendered.html, "toc": rendered.toc})
