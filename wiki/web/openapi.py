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
               other_path={"type": ["string", "null"]}, size=INT, size_delta=INT,
               coauthors={"type": "array", "items": PERSON})
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
                                            obj(["items"], items={"type": "array", "items": obj(
                                                None, name=S, title={}, description={}, version=S, builtin=BOOL,
                                                origin=S, enabled=BOOL, broken={"type": ["string", "null"]},
                                                settings=obj(), settings_schema=obj())},
                                                load_errors={"type": "array", "items": obj(None, source=S,
                                                                                           message=S)}))},
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
            "type": "array", "items": obj(None, number=INT, text=S, revision=REV, author=PERSON, date=DATE,
                                          coauthors={"type": "array", "items": PERSON})}),
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
    paths.update(accounts_paths())
    paths.update(console_paths())
    paths.update(plugin_paths())
    return {"openapi": "3.1.0",
            "info": {"title": "Madang HTTP API", "version": "1",
                     "description": "Git-backed wiki and portal. Errors: {error, message}."},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{}, {"bearer": []}], "paths": paths}


def accounts_paths() -> dict:
    """Accounts, tokens, preferences, org chart, people, and the admins' users, groups, org chart and audit."""
    strings = {"type": "array", "items": S}
    account = obj(["username", "name", "email", "role", "groups", "active"], username=S, name=S, email=S,
                  department=S, department_id=S, title=S, phone=S, groups=strings,
                  role={"enum": ["admin", "editor", "reader"]}, source={"enum": ["local", "ldap"]}, active=BOOL,
                  created=DATE, last_sign_in={"type": ["string", "null"], "format": "date-time"})
    token = obj(["id", "name", "created", "expires", "active"], id=INT, name=S, created=DATE, expires=DATE,
                last_used={"type": ["string", "null"], "format": "date-time"},
                revoked={"type": ["string", "null"], "format": "date-time"}, active=BOOL)
    preferences = obj(None, language={"enum": ["", "ko", "en"]}, timezone=S, editor_preview=BOOL)
    person = obj(["username", "name"], username=S, name=S, title=S, email=S, phone=S, department=S,
                 department_id=S, department_path=strings, groups=strings, role=S)
    department = obj(["id", "name"], id=S, name=S, parent={"type": ["string", "null"]})
    chart_person = obj(["username"], username=S, name=S, title=S, department=S, phone=S, email=S)
    group = obj(["name"], name=S, title=S, description=S, local=BOOL, members=INT)
    user_param = [{"name": "username", "in": "path", "required": True, "schema": S}]
    group_param = [{"name": "name", "in": "path", "required": True, "schema": S}]
    token_param = [{"name": "token_id", "in": "path", "required": True, "schema": INT}]
    limit = [PAGING[0]]
    return {
        "/api/v1/me": {"get": op("The caller, with role and directory attributes", 200, obj(
            None, username=S, name=S, email=S, department=S, groups=strings, is_admin=BOOL, role=S, title=S,
            phone=S, source=S), errors=(401,))},
        "/api/v1/me/tokens": {
            "get": op("The caller's API tokens (never their values), newest first", 200,
                      obj(["items"], items={"type": "array", "items": token}), errors=(401,)),
            "post": op("Create a named API token; its value is in this answer only", 201,
                       obj(["id", "token", "expires"], id=INT, name=S, token=S, expires=DATE),
                       obj(["name"], name=S, days={"type": "integer", "minimum": 1, "maximum": 366}),
                       errors=(400, 401))},
        "/api/v1/me/tokens/{token_id}": {"delete": op("Revoke one of the caller's tokens", 200, obj(revoked=BOOL),
                                                      params=token_param, errors=(401, 404))},
        "/api/v1/me/preferences": {
            "get": op("The caller's preferences", 200, preferences, errors=(401,)),
            "put": op("Change the caller's preferences (any of the fields)", 200, preferences, preferences,
                      errors=(400, 401))},
        "/api/v1/me/notifications": {"get": op(
            "The caller's notifications, newest first (mentions, replies, messages); `before` pages back with an id",
            200, obj(["items", "unread", "next"], unread=INT, next={"type": ["string", "null"]}, items={
                "type": "array", "items": obj(None, id=INT, kind=S, source=S, title=S, body=S, url=S, actor=S,
                                              created=DATE, read=BOOL)}),
            params=[{"name": "unread", "in": "query", "schema": S}, {"name": "before", "in": "query", "schema": S},
                    {"name": "limit", "in": "query", "schema": INT}], errors=(400, 401))},
        "/api/v1/me/notifications/read": {"post": op(
            "Mark the caller's notifications read: the given ids, or all when `ids` is left out", 200,
            obj(["marked", "unread"], marked=INT, unread=INT),
            obj(None, ids={"type": "array", "items": INT}), errors=(400, 401))},
        "/api/v1/orgchart": {"get": op(
            "The org chart (signed-in staff): departments (a tree by parent) and people; source is 'directory' "
            "(LDAP) or 'repository' (site/orgchart.json)", 200,
            obj(["source", "departments", "people"], source={"enum": ["directory", "repository"]},
                departments={"type": "array", "items": department},
                people={"type": "array", "items": chart_person}), errors=(401, 503))},
        "/api/v1/people": {"get": op("Find colleagues by name, title, user name or department (signed-in staff)",
                                     200, obj(["items"], items={"type": "array", "items": person}),
                                     params=[{"name": "q", "in": "query", "required": True, "schema": S}, *limit],
                                     errors=(400, 401))},
        "/api/v1/people/{username}": {"get": op(
            "A colleague's profile and their recent edits that the caller may read (signed-in staff)", 200,
            {**person, "properties": {**person["properties"], "recent_edits": {"type": "array", "items": obj(
                None, revision=REV, date=DATE, message=S, paths=strings)}}},
            params=user_param + limit, errors=(401, 404))},
        "/api/v1/admin/users": {
            "get": op("Accounts by user name (admins); q filters", 200, listing(account),
                      params=[{"name": "q", "in": "query", "schema": S}, *PAGING]),
            "post": op("Create a local account (admins)", 201, obj(None, username=S, name=S, email=S,
                                                                    department=S, groups=strings, role=S),
                       obj(["username", "password", "name", "email"], username=S, password=S, name=S, email=S,
                           department=S, groups=strings, role={"enum": ["admin", "editor", "reader"]},
                           is_admin=BOOL), errors=(400, 401, 403, 409))},
        "/api/v1/admin/users/{username}": {
            "get": op("One account (admins)", 200, account, params=user_param),
            "patch": op("Change an account's groups, role, active state, name, e-mail or department (admins); "
                        "role, groups and active end the person's sessions", 200, account,
                        obj(None, groups=strings, role={"enum": ["admin", "editor", "reader"]}, active=BOOL,
                            name=S, email=S, department=S), params=user_param)},
        "/api/v1/admin/groups": {
            "get": op("Local groups and the groups accounts have, with member counts (admins)", 200,
                      obj(["items"], items={"type": "array", "items": group})),
            "post": op("Create a local group (admins)", 201, group, obj(["name"], name=S, title=S, description=S),
                       errors=(400, 401, 403, 409))},
        "/api/v1/admin/groups/{name}": {"delete": op("Delete a local group and its memberships (admins)", 200,
                                                     obj(members_removed=INT), params=group_param)},
        "/api/v1/admin/orgchart": {"put": op(
            "Replace site/orgchart.json: a commit authored by the admin; 400 says what is wrong", 200,
            obj(["revision"], revision=REV, changed=BOOL),
            obj(["departments", "people"], departments={"type": "array", "items": department},
                people={"type": "array", "items": chart_person}, message=S))},
        "/api/v1/admin/audit": {"get": op(
            "The audit log, newest first (admins): sign-ins, failures, tokens, rule, org chart, user, group and "
            "plugin changes", 200, listing(obj(None, id=INT, at=DATE, actor=S, action=S, target=S, address=S,
                                               detail=obj())),
            params=[{"name": "action", "in": "query", "schema": S}, {"name": "actor", "in": "query", "schema": S},
                    *PAGING])},
    }


@bp.get("/api/openapi.json")
def openapi_document():
    return jsonify(build())


def console_paths() -> dict:
    """The admin console's API: the theme and the site's health (wiki/web/theming.py, admin_ui.py)."""
    return {
        "/api/v1/admin/theme": {
            "get": op("The chosen theme and the installed ones (admins)", 200, obj(
                ["theme", "items"], theme=S, items={"type": "array", "items": obj(None, name=S, title={},
                                                                                    description={})})),
            "put": op("Choose the theme: a commit to site/theme.json (admins)", 200,
                      obj(["revision"], revision=REV), obj(["theme"], theme=S))},
        "/api/v1/admin/health": {"get": op(
            "Versions, the content repository, the views' watermarks and the plugins' state (admins)", 200,
            obj(["versions", "repository", "views", "plugins"], versions=obj(), repository=obj(
                None, path=S, branch=S, head={"type": ["string", "null"]}, commits=INT, size_bytes=INT),
                database=obj(), realtime=obj(), theme=S,
                views={"type": "array", "items": obj(None, name=S, plugin={"type": ["string", "null"]},
                                                     watermark=S, head=S, behind=INT, state=S, active=BOOL,
                                                     failure={"type": ["string", "null"]})},
                plugins=obj()))},
    }


def plugin_paths() -> dict:
    """The `/api/` routes of enabled plugins, as they describe them (hook `madang_openapi_paths`)."""
    from .context import core

    paths: dict = {}
    for result in core().plugins.hook("madang_openapi_paths")():
        if isinstance(result, dict):
            paths.update(result)
    return paths
