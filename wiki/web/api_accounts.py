"""API for accounts: the caller's tokens and preferences, the org chart and people (signed-in staff), and the
admins' users, groups, org chart and audit log. Described in openapi.py."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from .. import people
from ..errors import InvalidInput, NotFound, Unauthorized
from ..preferences import Preferences
from .admin_accounts import create_group, delete_group, save_orgchart, update_user
from .api_auth import require_admin
from .context import core, json_body, limit_arg, text_field, user

bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1")


def require_user():
    who = user()
    if who is None:
        raise Unauthorized("Sign in to see this.")
    return who


# -- the caller -----------------------------------------------------------------------------------------------
@bp.get("/me/tokens")
def my_tokens():
    who = require_user()
    return jsonify({"items": [info.to_json() for info in core().accounts.tokens(who.user_id)]})


@bp.post("/me/tokens")
def create_my_token():
    who = require_user()
    data = json_body()
    name = (text_field(data, "name", required=True, limit=200) or "").strip() or "token"
    days = data.get("days", core().config.token_days)
    if not isinstance(days, int) or isinstance(days, bool):
        raise InvalidInput("'days' must be a whole number.")
    token, info = core().accounts.create_token(who, days, name=name)
    core().audit.record("token_created", who.username, name, request.remote_addr or "",
                        expires=info.expires_at.isoformat(), via="api")
    return jsonify({"id": info.id, "name": info.name, "token": token, "expires": info.expires_at.isoformat()}), 201


@bp.delete("/me/tokens/<int:token_id>")
def revoke_my_token(token_id: int):
    who = require_user()
    info = core().accounts.revoke_token_id(who.user_id, token_id)
    core().audit.record("token_revoked", who.username, info.name, request.remote_addr or "", id=info.id, via="api")
    return jsonify({"revoked": True})


@bp.get("/me/preferences")
def my_preferences():
    who = require_user()
    return jsonify(Preferences(core().db).get(who.user_id).to_json())


@bp.put("/me/preferences")
def put_my_preferences():
    who = require_user()
    data = json_body()
    unknown = set(data) - {"language", "timezone", "editor_preview"}
    if unknown:
        raise InvalidInput(f"Unknown preference: {sorted(unknown)[0]!r}.")
    saved = Preferences(core().db).update(who.user_id, **data)
    return jsonify(saved.to_json())


# -- org chart and people (signed-in staff) -------------------------------------------------------------------
@bp.get("/orgchart")
def orgchart():
    require_user()
    source = core().orgchart
    chart = source.chart()
    return jsonify({"source": source.source,
                    "departments": [{"id": d.id, "name": d.name, "parent": d.parent} for d in chart.departments],
                    "people": [{"username": p.username, "name": p.name, "title": p.title,
                                "department": p.department, "phone": p.phone, "email": p.email}
                               for p in chart.people]})


@bp.get("/people")
def search_people():
    require_user()
    query = (request.args.get("q") or "").strip()
    if not query:
        raise InvalidInput("Say whom to look for: ?q= a name, title or department.")
    if len(query) > 200:
        raise InvalidInput("'q' is longer than 200 characters.")
    found = people.search(core().orgchart.chart(), core().accounts, query, limit_arg())
    return jsonify({"items": [p.to_json() for p in found]})


@bp.get("/people/<username>")
def person(username: str):
    who = require_user()
    found = people.profile(core().orgchart.chart(), core().accounts, username)
    if found is None:
        raise NotFound(f"There is no one called '{username[:64]}'.")
    edits = people.recent_edits(core().db, core().acl, who, found.email, limit=limit_arg())
    return jsonify({**found.to_json(with_role=who.is_admin or who.username == found.username),
                    "recent_edits": [{"revision": e.revision, "date": e.date.isoformat(), "message": e.message,
                                      "paths": e.paths} for e in edits]})


# -- admins ---------------------------------------------------------------------------------------------------
@bp.get("/admin/users")
def list_users():
    require_admin()
    items, after = core().accounts.list_accounts((request.args.get("q") or "")[:200], limit=limit_arg(),
                                                 after=request.args.get("cursor") or None)
    return jsonify({"items": [a.to_json() for a in items], "next": after})


@bp.get("/admin/users/<username>")
def get_user(username: str):
    require_admin()
    info = core().accounts.account(username)
    if info is None:
        raise NotFound(f"There is no account '{username[:64]}'.")
    return jsonify(info.to_json())


@bp.patch("/admin/users/<username>")
def patch_user(username: str):
    who = require_admin()
    data = json_body()
    allowed = {"groups", "role", "active", "name", "email", "department"}
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(f"'{sorted(unknown)[0]}' cannot be changed here; use: {', '.join(sorted(allowed))}.")
    info = update_user(who, username, **{key: data[key] for key in allowed if key in data and data[key] is not None})
    return jsonify(info.to_json())


@bp.get("/admin/groups")
def list_groups():
    require_admin()
    return jsonify({"items": [{"name": g.name, "title": g.title, "description": g.description, "local": g.local,
                               "members": g.members} for g in core().accounts.groups()]})


@bp.post("/admin/groups")
def post_group():
    who = require_admin()
    data = json_body()
    group = create_group(who, text_field(data, "name", required=True, limit=64),
                         text_field(data, "title", limit=200) or "", text_field(data, "description", limit=2000) or "")
    return jsonify({"name": group.name, "title": group.title, "description": group.description, "local": True,
                    "members": 0}), 201


@bp.delete("/admin/groups/<name>")
def remove_group(name: str):
    who = require_admin()
    return jsonify({"members_removed": delete_group(who, name)})


@bp.put("/admin/orgchart")
def put_orgchart():
    who = require_admin()
    data = json_body()
    if not isinstance(data.get("departments"), list):
        raise InvalidInput("The org chart needs 'departments' (a list) and 'people' (a list).")
    result = save_orgchart(who, {"departments": data.get("departments"), "people": data.get("people")},
                           text_field(data, "message", limit=500))
    return jsonify({"revision": result.revision, "changed": result.changed})


@bp.get("/admin/audit")
def audit_log():
    require_admin()
    limit = limit_arg()
    cursor = request.args.get("cursor") or None
    before = None
    if cursor is not None:
        if not cursor.isdigit():
            raise InvalidInput("The cursor is not valid; start again without it.")
        before = int(cursor)
    entries = core().audit.entries(limit=limit + 1, before=before,
                                   action=(request.args.get("action") or "")[:64] or None,
                                   actor=(request.args.get("actor") or "")[:64] or None)
    more = len(entries) > limit
    entries = entries[:limit]
    return jsonify({"items": [{"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                               "target": e.target, "address": e.address, "detail": e.detail or {}}
                              for e in entries],
                    "next": str(entries[-1].id) if more else None})
