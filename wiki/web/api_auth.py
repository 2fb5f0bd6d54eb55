"""API.md 'Auth' and 'Accounts and permissions': tokens, the caller, local accounts, the rules."""
from __future__ import annotations

import json

from flask import Blueprint, g, jsonify, request

from ..acl import ACL_FILE, validate_rules
from ..errors import Forbidden, InvalidInput, Unauthorized
from ..pages import clean_message
from .context import core, json_body, text_field, user

bp = Blueprint("api_auth", __name__, url_prefix="/api/v1")


def require_admin():
    who = user()
    if who is None:
        raise Unauthorized("Sign in as an administrator.")
    if not who.is_admin:
        raise Forbidden("Only administrators may do this.")
    return who


@bp.post("/auth/token")
def create_token():
    data = json_body()
    username = text_field(data, "username", required=True, limit=200)
    password = text_field(data, "password", required=True, limit=1024)
    address = request.remote_addr or ""
    principal = core().signin.sign_in(username, password, address)
    name = text_field(data, "name", limit=200) or "api"
    token, expires = core().accounts.issue_token(principal, core().config.token_days, name=name)
    core().audit.record("token_created", principal.username, name, address, expires=expires.isoformat(),
                        via="sign_in")
    return jsonify({"token": token, "expires": expires.isoformat()}), 201


@bp.delete("/auth/token")
def revoke_token():
    """Revoke the token this request is authenticated with."""
    if not g.get("via_token"):
        raise Unauthorized("Send the token to revoke as 'Authorization: Bearer <token>'.")
    token = request.headers["Authorization"].partition(" ")[2].strip()
    revoked = core().accounts.revoke_token(token)
    if revoked is not None:
        core().audit.record("token_revoked", user().username, revoked.name, request.remote_addr or "",
                            id=revoked.id)
    return jsonify({"revoked": True})


@bp.get("/me")
def me():
    who = user()
    if who is None:
        raise Unauthorized("You are not signed in.")
    account = core().accounts.account(who.username)
    return jsonify({"username": who.username, "name": who.name, "email": who.email,
                    "department": who.department, "groups": list(who.groups), "is_admin": who.is_admin,
                    "role": who.effective_role, "title": account.title if account else "",
                    "phone": account.phone if account else "", "source": account.source if account else "local"})


@bp.post("/admin/users")
def create_user():
    who = require_admin()
    data = json_body()
    groups = data.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(x, str) for x in groups):
        raise InvalidInput("'groups' must be a list of group names such as [\"hr\"].")
    is_admin = data.get("is_admin", False)
    if not isinstance(is_admin, bool):  # "false" is a non-empty string: never let it make an administrator
        raise InvalidInput("'is_admin' must be true or false.")
    role = data.get("role")
    if role is not None and role not in ("admin", "editor", "reader"):
        raise InvalidInput("'role' must be one of: admin, editor, reader.")
    principal = core().accounts.create(
        text_field(data, "username", required=True, limit=64), text_field(data, "password", required=True),
        text_field(data, "name", required=True, limit=200), text_field(data, "email", required=True, limit=320),
        department=text_field(data, "department", limit=200) or "", groups=groups, is_admin=is_admin, role=role)
    core().audit.record("user_created", who.username, principal.username, request.remote_addr or "",
                        role=principal.effective_role, groups=list(principal.groups))
    return jsonify({"username": principal.username, "name": principal.name, "email": principal.email,
                    "department": principal.department, "groups": list(principal.groups),
                    "role": principal.effective_role}), 201


@bp.get("/admin/acl")
def get_acl():
    require_admin()
    return jsonify(core().acl.document())


@bp.put("/admin/acl")
def put_acl():
    who = require_admin()
    data = json_body()
    result = save_rules(who, data, text_field(data, "message", limit=500))
    return jsonify({"revision": result.revision})


def save_rules(who, data: dict, message: str | None):
    """Validate and commit the rules (API and /admin/acl), and audit the change."""
    document = validate_rules(data)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    result = core().wiki.commit({ACL_FILE: text.encode("utf-8")}, who, clean_message(message, "권한 규칙 변경"))
    if result.changed:
        core().audit.record("acl_changed", who.username, ACL_FILE, request.remote_addr or "",
                            revision=result.revision, rules=len(document["rules"]))
    return result
