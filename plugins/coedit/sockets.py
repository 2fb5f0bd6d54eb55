"""The Socket.IO namespace /coedit (events: README.md). A socket authenticates as a person (session cookie or
`auth={"token"}`); `join` admits it to a page's session only when that person may edit the page (or watch it,
when the site allows); every other event acts on a page the socket has joined."""
from __future__ import annotations

import logging

from flask import current_app, request
from flask_socketio import join_room

from wiki.api import (
    InvalidPath,
    Principal,
    can,
    core,
    normalize_page_path,
    plugin_settings,
    principal_from_session,
    principal_from_token,
)

from . import NAME, sessions, watcher
from .flood import Bucket
from .sync import SyncError

NAMESPACE = sessions.NAMESPACE
log = logging.getLogger("madang.coedit")
SOCKETS: dict[str, Principal] = {}  # sid -> person, for the sockets of this process
JOINED: dict[str, set[str]] = {}  # sid -> page paths it is in
BUCKETS: dict[str, tuple[Bucket, Bucket]] = {}  # sid -> (edits and joins, cursors)
MAX_PAGES = 20  # pages one socket may be in at once (a browser tab is in one)


def normalize(raw: object) -> str:
    """A page path as the wiki writes it (the core's own rules), refusing what cannot be a page."""
    if not isinstance(raw, str):
        raise SyncError("invalid_path", "'path' must be a page path.")
    try:
        return normalize_page_path(raw)
    except InvalidPath as exc:
        raise SyncError("invalid_path", exc.message) from exc


def not_found(path: str) -> SyncError:
    return SyncError("not_found", f"There is no page '{path}'.")


def _answer(handler):
    """Run a handler for the socket's person; refusals become `{error, message}` acknowledgements."""
    who = SOCKETS.get(request.sid)
    if who is None:
        return {"error": "unauthorized", "message": "Sign in again."}
    try:
        return handler(who, request.sid)
    except SyncError as exc:
        return exc.to_dict()


def _joined(sid: str, data: object) -> tuple[sessions.PageSession, sessions.Participant]:
    path = normalize(data.get("path") if isinstance(data, dict) else None)
    session = sessions.SESSIONS.get(path)
    participant = session.participants.get(sid) if session else None
    if session is None or participant is None:
        raise SyncError("not_joined", f"Join the page '{path}' first.")
    return session, participant


def _may_write(session: sessions.PageSession, participant: sessions.Participant) -> None:
    if participant.readonly or not can("edit", session.path, participant.who):
        raise SyncError("forbidden", "You are watching this page read-only; you may not change it.")


def register(socketio) -> None:
    sessions.set_socketio(socketio)

    @socketio.on("connect", namespace=NAMESPACE)
    def connect(auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        who = principal_from_token(token) if token else principal_from_session()
        if who is None:
            raise ConnectionRefusedError("unauthorized")
        SOCKETS[request.sid] = who
        rate = float(plugin_settings(NAME).get("max_edits_per_second", 30))
        BUCKETS[request.sid] = (Bucket(rate, rate * 2), Bucket(rate, rate * 2))
        watcher.start(current_app._get_current_object())
        return True

    @socketio.on("disconnect", namespace=NAMESPACE)
    def disconnect(*_args):
        sid = request.sid
        for path in JOINED.pop(sid, set()):
            sessions.remove_participant(path, sid)
        SOCKETS.pop(sid, None)
        BUCKETS.pop(sid, None)

    @socketio.on("join", namespace=NAMESPACE)
    def join(data):
        def run(who: Principal, sid: str):
            payload = data if isinstance(data, dict) else {}
            path = normalize(payload.get("path"))
            if not can("read", path, who):
                raise not_found(path)  # the same answer as for a page that does not exist: nothing leaks
            may_edit = can("edit", path, who)
            if not may_edit and not core().wiki.exists(path):
                raise not_found(path)
            if not may_edit and not plugin_settings(NAME).get("allow_watchers", False):
                raise SyncError("forbidden", "You may read this page but not edit it.")
            if path not in JOINED.get(sid, set()) and len(JOINED.get(sid, ())) >= MAX_PAGES:
                raise SyncError("too_many_pages", f"One connection may edit at most {MAX_PAGES} pages at once; "
                                                  "leave one first.")
            if not BUCKETS[sid][0].take():
                raise SyncError("rate_limited", "Too many requests at once; slow down a little.")
            with sessions.REGISTRY:
                session = sessions.open_session(path)
                with session.lock:
                    if session.participants.pop(sid, None):  # joining again (a resync): one entry per socket
                        session.exited(sid)
                    me = sessions.add_participant(session, sid, who, readonly=not may_edit)
                    join_room(session.room)
                    JOINED.setdefault(sid, set()).add(path)
                    answer = {"path": path, "text": session.shared.text, "version": session.shared.version,
                              "session": session.epoch, "revision": session.base_revision,
                              "participants": session.people(), "readonly": not may_edit, "you": me.to_dict()}
                    if payload.get("session") == session.epoch and isinstance(payload.get("since"), int):
                        missed = session.shared.since(payload["since"])
                        answer["missed"] = [v.to_dict() for v in missed] if missed is not None else None
                    ids = payload.get("ids")
                    if isinstance(ids, list):
                        answer["applied"] = [i for i in ids[:100] if isinstance(i, str)
                                             and session.shared.duplicate(who.username, i)]
                    if may_edit and session.offer is not None:
                        answer["draft"] = sessions.public_offer(session.offer)
                    sessions.emit(session, "presence", {"path": path, "participants": session.people(),
                                                        "joined": me.to_dict()}, skip_sid=sid)
            return answer
        return _answer(run)

    @socketio.on("leave", namespace=NAMESPACE)
    def leave(data):
        def run(who: Principal, sid: str):
            session, _me = _joined(sid, data)
            JOINED.get(sid, set()).discard(session.path)
            sessions.remove_participant(session.path, sid)
            return {"path": session.path}
        return _answer(run)

    @socketio.on("edit", namespace=NAMESPACE)
    def edit(data):
        def run(who: Principal, sid: str):
            session, me = _joined(sid, data)
            _may_write(session, me)
            if not BUCKETS[sid][0].take():
                raise SyncError("rate_limited", "Too many edits at once; slow down a little.")
            step = sessions.apply_edit(session, me, data, core().config.max_page_bytes)
            return {"path": session.path, **step.to_dict()}
        return _answer(run)

    @socketio.on("save", namespace=NAMESPACE)
    def save(data):
        def run(who: Principal, sid: str):
            session, me = _joined(sid, data)
            _may_write(session, me)
            try:
                return sessions.save(session, who, data.get("message"))
            except SyncError:
                raise
            except Exception as exc:  # a MadangError from the write door (a plugin refused it, too large ...)
                to_dict = getattr(exc, "to_dict", None)
                if to_dict is None:
                    raise
                return to_dict()
        return _answer(run)

    @socketio.on("cursor", namespace=NAMESPACE)
    def cursor(data):
        def run(who: Principal, sid: str):
            session, me = _joined(sid, data)
            anchor, head, version = data.get("anchor"), data.get("head", data.get("anchor")), data.get("version")
            if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10**8
                       for v in (anchor, head, version)):
                raise SyncError("invalid_input", "'anchor', 'head' and 'version' must be whole numbers.")
            if BUCKETS[sid][1].take():  # a flood of cursor moves is dropped quietly
                sessions.emit(session, "cursor", {"path": session.path, **me.to_dict(), "anchor": anchor,
                                                  "head": head, "version": version}, skip_sid=sid)
            return {"ok": True}
        return _answer(run)

    @socketio.on("draft", namespace=NAMESPACE)
    def draft(data):
        """`{path, id, restore: true|false}`: bring an unsaved draft back into the page, or throw it away."""
        def run(who: Principal, sid: str):
            session, me = _joined(sid, data)
            _may_write(session, me)
            if data.get("restore") is True:
                return sessions.restore_draft(session, who, data.get("id"))
            if data.get("restore") is False:
                return sessions.discard_draft(session, who, data.get("id"))
            raise SyncError("invalid_input", "'restore' must be true or false.")
        return _answer(run)
