"""/api/v1/launcher/... and /api/v1/admin/launcher/...: the launcher's JSON API (API.md, "SSO launcher")."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from wiki.api import InvalidInput, Unauthorized, current_user, require_admin

from . import keys, marks, registry

bp = Blueprint("launcher_api", __name__)


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object (Content-Type: application/json).")
    return data


def signed_in():
    who = current_user()
    if who is None:
        raise Unauthorized("Sign in to see the systems you may use.")
    return who


def item(system, mark) -> dict:
    return {"id": system.id, "name": system.name, "url": system.url, "category": system.category,
            "icon": system.icon, "description": system.description, "protocol": system.protocol,
            "open_url": f"/launcher/open/{system.id}", "favourite": bool(mark and mark.favourite),
            "position": mark.position if mark and mark.favourite else None,
            "last_used": mark.last_used.isoformat() if mark and mark.last_used else None}


def matches(system, q: str) -> bool:
    return all(word in system.search_text for word in q.casefold().split())


@bp.get("/api/v1/launcher/systems")
def systems():
    who = signed_in()
    q = (request.args.get("q") or "").strip()[:100]
    mine = marks.marks_of(who.username)
    return jsonify({"items": [item(s, mine.get(s.id)) for s in registry.visible_to(who.principals)
                              if not q or matches(s, q)]})


@bp.put("/api/v1/launcher/favourites")
def favourites():
    who = signed_in()
    known = {s.id for s in registry.visible_to(who.principals)}
    return jsonify({"ids": marks.set_favourites(who.username, body().get("ids"), known)})


# -- admins ---------------------------------------------------------------------------------------------------------
ADMIN = "/api/v1/admin/launcher/systems"


@bp.get(ADMIN)
def admin_list():
    require_admin()
    return jsonify({"items": [s.to_json() for s in registry.all_systems()]})


@bp.post(ADMIN)
def admin_create():
    who = require_admin()
    return jsonify(registry.create(body(), who)), 201


@bp.put(ADMIN + "/<system_id>")
def admin_update(system_id: str):
    who = require_admin()
    return jsonify(registry.update(system_id, body(), who))


@bp.delete(ADMIN + "/<system_id>")
def admin_delete(system_id: str):
    who = require_admin()
    return jsonify(registry.remove(system_id, who))


@bp.post("/api/v1/admin/launcher/keys")
def admin_rotate():
    require_admin()
    return jsonify({"kid": keys.rotate()}), 201
