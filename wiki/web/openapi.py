"""GET /api/openapi.json: an OpenAPI 3.1 description of every API route (a test checks none is missing)."""
from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)

S = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
PERSON = {"type": "object", "properties": {"name": S, "email": S}}
REV = {"type": "string", "pattern": "^[0-9a-f]{40}$"}
DATE = {"type": "string", "format": "date-time"}


def obj(required: list[str] | None = None, **props) -> dict:
    schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


def listing(item: dict) -> dict:
    return obj(["items"], items={"type": "array", "items": item}, next={"type": ["string", "null"]})


ERROR = obj(["error", "message"], error=S, message=S)
PAGE = obj(["path", "title", "markdown", "revision", "author", "date"], path=S, title=S, markdown=S,
           revision=REV, author=PERSON, date=DATE, html=S)
REVISION = obj(None, revision=REV, path=S, author=PERSON, date=DATE, message=S, status=S,
               other_path={"type": ["string", "null"]}, size=INT, size_delta=INT)
PATH_PARAM = {"name": "path", "in": "path", "required": True, "schema": S,
              "description": "Page path: '/'-separated Unicode segments, e.g. 행정포털/사용법"}
NAME_PARAM = {"name": "name", "in": "path", "required": True, "schema": S}
PAGING = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
          {"name": "cursor", "in": "query", "schema": S}]


def op(summary: str, ok: int = 200, response: dict | None = None, body: dict | None = None,
       params: list | None = None, errors: tuple = (400, 401, 403, 404), raw_response: str | None = None) -> dict:
    responses: dict = {}
    if raw_response:
        responses[str(ok)] = {"description": "the file", "content": {raw_response: {"schema": S}}}
    else:
        responses[str(ok)] = {"description": "OK", "content": {"application/json": {"schema": response or obj()}}}
    for code in errors:
        responses[str(code)] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    spec = {"summary": summary, "parameters": params or [], "responses": responses}
    if body is not None:
        spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return spec


def build() -> dict:
    p = [PATH_PARAM]
    paths = {
        "/api/v1/auth/token": {
            "post": op("Exchange a user name and password for an API token", 201,
                       obj(["token", "expires"], token=S, expires=DATE),
                       obj(["username", "password"], username=S, password=S, name=S)),
            "delete": op("Revoke the token that authenticates this request", 200, obj(revoked=BOOL))},
        "/api/v1/me": {"get": op("The caller", 200, obj(None, username=S, name=S, email=S, department=S,
                                                          groups={"type": "array", "items": S}))},
        "/api/v1/admin/users": {"post": op("Create a local account (admins)", 201, obj(), obj(
            ["username", "password", "name", "email"], username=S, password=S, name=S, email=S, department=S,
            groups={"type": "array", "items": S}), errors=(400, 401, 403, 409))},
        "/api/v1/admin/acl": {
            "get": op("The permission rules (admins)", 200, obj()),
            "put": op("Replace the permission rules: a commit (admins)", 200, obj(["revision"], revision=REV),
                      obj(["default"], default=obj(), rules={"type": "array", "items": obj()}))},
        "/api/v1/admin/plugins": {"get": op("Installed plugins with their state and settings (admins)", 200,
                                            listing(obj(None, name=S, title={}, version=S, enabled=BOOL,
                                                        settings=obj(), settings_schema=obj())))},
        "/api/v1/admin/plugins/{name}": {"put": op(
            "Enable or disable a plugin, or change its settings: a commit to site/plugins.json (admins)", 200,
            obj(["revision"], revision=REV), obj(None, enabled=BOOL, settings=obj()),
            params=[{"name": "name", "in": "path", "required": True, "schema": S}])},
        "/api/v1/pages": {"get": op("List pages", 200, listing(obj(None, path=S, title=S, revision=REV,
                                                                     date=DATE)),
                                    params=[{"name": "prefix", "in": "query", "schema": S}, *PAGING])},
        "/api/v1/pages/{path}": {
            "get": op("Read a page", 200, PAGE, params=p + [
                {"name": "rev", "in": "query", "schema": S},
                {"name": "render", "in": "query", "schema": {"enum": ["html"]}}]),
            "put": op("Create (201) or update (200) a page; 409 edit_conflict with base/theirs/yours", 200,
                      obj(["path", "revision", "merged"], path=S, revision=REV, merged=BOOL),
                      obj(["markdown"], markdown=S, message=S, base_revision=S), params=p,
                      errors=(400, 401, 403, 404, 409, 413)),
            "delete": op("Delete a page (history stays)", 200, obj(["revision"], revision=REV),
                         obj(None, message=S), params=p)},
        "/api/v1/pages/{path}/move": {"post": op("Rename or move a page; history follows it", 200,
                                                 obj(["path", "revision"], path=S, revision=REV),
                                                 obj(["to"], to=S, message=S), params=p,
                                                 errors=(400, 401, 403, 404, 409))},
        "/api/v1/pages/{path}/history": {"get": op("A page's history, newest first", 200, listing(REVISION),
                                                   params=p + PAGING)},
        "/api/v1/pages/{path}/diff": {"get": op("Compare two revisions", 200, obj(
            ["from", "to", "ops", "html"], **{"from": {"type": ["string", "null"]}}, to=REV,
            ops={"type": "array", "items": {"type": "array", "prefixItems": [INT, S]}}, html=S,
            inline_html=S), params=p + [{"name": "from", "in": "query", "schema": S},
                                        {"name": "to", "in": "query", "schema": S}])},
        "/api/v1/pages/{path}/revert": {"post": op("Revert to a revision (a new commit)", 200,
                                                   obj(["revision"], revision=REV, changed=BOOL),
                                                   obj(["revision"], revision=S, message=S), params=p)},
        "/api/v1/pages/{path}/blame": {"get": op("Who last changed each line", 200, obj(["lines"], lines={
            "type": "array", "items": obj(None, number=INT, text=S, revision=REV, author=PERSON, date=DATE)}),
            params=p + [{"name": "rev", "in": "query", "schema": S}])},
        "/api/v1/pages/{path}/backlinks": {"get": op("Pages that link here", 200,
                                                     obj(["items"], items={"type": "array", "items": S}),
                                                     params=p)},
        "/api/v1/pages/{path}/attachments": {"get": op("A page's attachments", 200, obj(["items"], items={
            "type": "array", "items": obj(None, name=S, size=INT, type=S)}), params=p)},
        "/api/v1/pages/{path}/attachments/{name}": {
            "put": {**op("Upload an attachment (raw body, Content-Type)", 201,
                         obj(["name", "size", "revision"], name=S, size=INT, revision=REV),
                         params=[PATH_PARAM, NAME_PARAM], errors=(400, 401, 403, 404, 413, 415)),
                    "requestBody": {"required": True, "content": {"*/*": {"schema": {"type": "string",
                                                                                     "format": "binary"}}}}},
            "get": op("Download an attachment", 200, params=[PATH_PARAM, NAME_PARAM], raw_response="*/*"),
            "delete": op("Delete an attachment", 200, obj(["revision"], revision=REV),
                         params=[PATH_PARAM, NAME_PARAM])},
        "/api/v1/changes": {"get": op("Site-wide changes, newest first", 200, listing(obj(
            None, revision=REV, paths={"type": "array", "items": S}, author=PERSON, date=DATE, message=S)),
            params=PAGING)},
        "/api/v1/render": {"post": op("Render Markdown as the page view would (editor preview)", 200,
                                      obj(["html"], html=S, toc={"type": "array", "items": obj()}),
                                      obj(["markdown"], markdown=S, path=S))},
        "/api/openapi.json": {"get": op("This document", 200, obj(), errors=())},
    }
    return {"openapi": "3.1.0",
            "info": {"title": "Madang HTTP API", "version": "1",
                     "description": "Git-backed wiki and portal. Errors: {error, message}."},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{}, {"bearer": []}], "paths": paths}


@bp.get("/api/openapi.json")
def openapi_document():
    return jsonify(build())
