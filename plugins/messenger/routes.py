"""The messenger's REST routes (/api/v1/messenger/...) and its page (/messenger)."""
from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from wiki.api import InvalidInput, Unauthorized, current_user

from . import presence, service
from .sockets import to_members

bp = Blueprint("messenger", __name__, template_folder="templates", static_folder="static",
               static_url_path="/messenger/static")
API = "/api/v1/messenger"


def _me() -> str:
    who = current_user()
    if who is None:
        raise Unauthorized("Sign in to use the messenger.")
    return who.username


def _body() -> dict:
    data = request.get_json(silent=True)
    if data is None and request.get_data():
        raise InvalidInput("The body must be a JSON object.")
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return data or {}


def _tell_members(conversation: dict, event: str = "conversation") -> None:
    to_members(event, {"id": conversation["id"]}, [m["username"] for m in conversation["members"]])


@bp.get("/messenger")
def page():
    if current_user() is None:
        return redirect(url_for("ui.login", next="/messenger"))
    vendored = Path(bp.static_folder or "") / "vendor" / "socket.io.min.js"
    return render_template("messenger/messenger.html", has_socketio_client=vendored.exists())


@bp.post(f"{API}/conversations")
def create():
    me, body = _me(), _body()
    conversation, created = service.create_conversation(me, body.get("members"), body.get("title"),
                                                        body.get("department"))
    _tell_members(conversation)
    return jsonify(conversation), 201 if created else 200


@bp.get(f"{API}/conversations")
def conversations():
    me = _me()
    items = service.list_conversations(me)
    return jsonify({"items": items, "unread_total": sum(c["unread"] for c in items), "next": None})


@bp.get(f"{API}/conversations/<int:conversation_id>")
def conversation(conversation_id: int):
    return jsonify(service.get_conversation(_me(), conversation_id))


@bp.patch(f"{API}/conversations/<int:conversation_id>")
def rename(conversation_id: int):
    found = service.rename(_me(), conversation_id, _body().get("title"))
    _tell_members(found)
    return jsonify(found)


@bp.post(f"{API}/conversations/<int:conversation_id>/members")
def add_members(conversation_id: int):
    body = _body()
    found = service.add_members(_me(), conversation_id, body.get("members"), body.get("department"))
    _tell_members(found)
    return jsonify(found)


@bp.post(f"{API}/conversations/<int:conversation_id>/leave")
def leave(conversation_id: int):
    me = _me()
    remaining = service.leave(me, conversation_id)
    to_members("conversation", {"id": conversation_id}, remaining)
    to_members("left", {"id": conversation_id}, [me])
    return jsonify({"left": conversation_id})


@bp.get(f"{API}/conversations/<int:conversation_id>/messages")
def messages(conversation_id: int):
    args = request.args
    return jsonify(service.messages(_me(), conversation_id, after=args.get("after", args.get("cursor")),
                                    before=args.get("before"), limit=args.get("limit"),
                                    changed_after=args.get("changed_after")))


@bp.post(f"{API}/conversations/<int:conversation_id>/messages")
def send(conversation_id: int):
    body = _body()
    message, created, members = service.send(_me(), conversation_id, body.get("client_id"), body.get("text"))
    if created:
        to_members("message", message, members)
    return jsonify(message), 201 if created else 200


@bp.post(f"{API}/conversations/<int:conversation_id>/files")
def share_file(conversation_id: int):
    """Multipart: `file`, and optionally `client_id` (a retry with it stores nothing new) and `text` (a caption)."""
    me = _me()
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Send the file as the multipart field 'file'.")
    client_id = request.form.get("client_id") or uuid.uuid4().hex
    message, created, members = service.share_file(me, conversation_id, client_id, upload.filename,
                                                   upload.read(), request.form.get("text"))
    if created:
        to_members("message", message, members)
    return jsonify(message), 201 if created else 200


@bp.get(f"{API}/files/<int:file_id>")
def fetch_file(file_id: int):
    """The bytes, to members only: images (checked by their first bytes) inline, everything else a download."""
    name, content_type, data = service.get_file(_me(), file_id, preview=request.args.get("preview") is not None)
    inline = content_type.startswith("image/") and request.args.get("download") is None
    disposition = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}"
    return Response(data, content_type=content_type, headers={
        "Content-Disposition": disposition, "Cache-Control": "private, max-age=3600",
        "Content-Security-Policy": "default-src 'none'; sandbox", "X-Content-Type-Options": "nosniff"})


@bp.post(f"{API}/conversations/<int:conversation_id>/read")
def read(conversation_id: int):
    me = _me()
    last, members = service.mark_read(me, conversation_id, _body().get("message"))
    to_members("read", {"conversation": conversation_id, "username": me, "last_read_id": last}, members)
    return jsonify({"conversation": conversation_id, "last_read_id": last})


@bp.patch(f"{API}/messages/<int:message_id>")
def edit(message_id: int):
    message, members = service.edit(_me(), message_id, _body().get("text"))
    to_members("message_updated", message, members)
    return jsonify(message)


@bp.delete(f"{API}/messages/<int:message_id>")
def delete(message_id: int):
    message, members = service.delete(_me(), message_id)
    to_members("message_updated", message, members)
    return jsonify(message)


@bp.get(f"{API}/unread")
def unread():
    return jsonify(service.unread(_me()))


@bp.get(f"{API}/panel")
def panel():
    """What the compact panel of every page starts with: who, the unread counts, and the form token its REST
    fallback sends (same-origin only: no other site can read this answer)."""
    from flask_wtf.csrf import generate_csrf

    me = _me()
    return jsonify({"me": me, "csrf": generate_csrf(), "unread": service.unread(me)})


@bp.get(f"{API}/search")
def search():
    args = request.args
    return jsonify({"items": service.search(_me(), args.get("q"), args.get("conversation"), args.get("limit")),
                    "next": None})


@bp.get(f"{API}/presence")
def who():
    _me()
    names = [n for n in (request.args.get("users") or "").split(",") if n.strip()][:500]
    return jsonify(presence.status_of([n.strip() for n in names]))
