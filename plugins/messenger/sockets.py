"""The Socket.IO namespace /messenger (events: README.md). Every socket joins the room `user:<name>` of the
person it authenticated as; every event goes to the rooms of a conversation's current members, so one who
leaves stops receiving at once, in every process (the Redis message queue carries emits between processes)."""
from __future__ import annotations

import logging
import threading

from flask import current_app, request
from flask_socketio import join_room

from wiki.api import InvalidInput, MadangError, person, principal_from_session, principal_from_token

from . import flood, presence, service

NAMESPACE = "/messenger"
log = logging.getLogger("madang.messenger")
SOCKETS: dict[str, str] = {}  # sid -> user name, for the sockets of this process
_socketio = None  # the app's SocketIO, set by register()


def room(username: str) -> str:
    return f"user:{username}"


def to_members(event: str, data: dict, usernames: list[str], skip: str | None = None) -> None:
    """Emit to every open socket of these people, whichever process holds it: one emit to all their rooms (the
    packet is encoded once, and with Redis published once)."""
    if _socketio is None:
        return
    rooms = [room(u) for u in dict.fromkeys(usernames) if u != skip]
    if rooms:
        _socketio.emit(event, data, to=rooms, namespace=NAMESPACE)


def _me() -> str | None:
    return SOCKETS.get(request.sid)


def _answer(handler, data: object = None, shape: str = "", flood_checked: bool = False):
    """Run an event handler for the socket's person with its data (which must be an object: `shape` says which);
    every refusal becomes an `{error, message}` acknowledgement and the connection stays as it was."""
    me = _me()
    if me is None:
        return {"error": "unauthorized", "message": "Sign in again."}
    try:
        if not flood_checked:
            flood.check_event(me)
        if shape and not isinstance(data, dict):
            raise InvalidInput(f"The event's data must be an object like {shape}.")
        return handler(me)
    except MadangError as exc:
        return exc.to_dict()
    except Exception:  # noqa: BLE001 - a bug answers this event, never the connection or other people
        log.exception("messenger: an event failed")
        return {"error": "server_error", "message": "The server could not handle this event; it was logged."}


def _int(data: object, key: str) -> object:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _conversation(data: dict) -> int:
    value = _int(data, "conversation")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput("'conversation' must be a conversation id (a whole number).")
    return value


def _announce_presence(username: str, before: str, after: str) -> None:
    if before != after:
        to_members("presence", {"username": username, "status": after}, service.contacts(username) or [username])


OFFLINE_GRACE = 3.0  # seconds: going from one page to the next closes a socket and opens another
_leaving: dict[str, tuple[threading.Timer, str]] = {}  # username -> pending "offline", what colleagues saw
_leaving_lock = threading.Lock()


def _offline_later(app, username: str, before: str) -> None:
    """The last socket closed: say "offline" only if no socket of the person came back within the grace (the
    panel on every page reconnects at each page change; colleagues should not see them blink)."""

    def fire() -> None:
        with _leaving_lock:
            if _leaving.get(username, (None,))[0] is not timer:
                return
            del _leaving[username]
        try:
            with app.app_context():
                _announce_presence(username, before, presence.status_of([username])[username])
        except Exception:  # noqa: BLE001 - a lost presence event must not kill the timer thread's process
            log.exception("messenger: offline announcement failed")

    timer = threading.Timer(OFFLINE_GRACE, fire)
    timer.daemon = True
    with _leaving_lock:
        old = _leaving.pop(username, None)
        _leaving[username] = (timer, before)
    if old is not None:
        old[0].cancel()
    timer.start()


def _came_back(username: str) -> str | None:
    """Cancel a pending "offline"; the status colleagues still see when there was one (they never saw the
    person leave), else None."""
    with _leaving_lock:
        pending = _leaving.pop(username, None)
    if pending is None:
        return None
    pending[0].cancel()
    return pending[1]


def register(socketio) -> None:
    global _socketio
    _socketio = socketio

    @socketio.on("connect", namespace=NAMESPACE)
    def connect(auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        who = principal_from_token(token) if token else principal_from_session()
        if who is None:
            raise ConnectionRefusedError("unauthorized")
        SOCKETS[request.sid] = who.username
        presence.start_heartbeat(current_app._get_current_object(), lambda: dict(SOCKETS),
                                 lambda username, before: _announce_presence(username, before, "offline"))
        join_room(room(who.username))
        before, after = presence.connected(request.sid, who.username)
        _announce_presence(who.username, _came_back(who.username) or before, after)
        return True

    @socketio.on("disconnect", namespace=NAMESPACE)
    def disconnect(*_args):
        username = SOCKETS.pop(request.sid, None)
        if username:
            before, after = presence.disconnected(request.sid, username)
            if after == "offline" and before != "offline":
                _offline_later(current_app._get_current_object(), username, before)
            else:
                _announce_presence(username, before, after)

    @socketio.on("send", namespace=NAMESPACE)
    def send(data=None):
        def run(me):
            message, created, members = service.send(me, _conversation(data), data.get("client_id"),
                                                     data.get("text"))
            if created:  # committed: now the members (and the sender's other tabs) hear of it
                to_members("message", message, members)
            return message
        # sends have their own, stricter limit (service.send, also for REST)
        return _answer(run, data, "{conversation, client_id, text}", flood_checked=True)

    @socketio.on("join", namespace=NAMESPACE)
    def join(data=None):
        """Open a conversation: refused unless a member. Answers it with its newest messages."""
        def run(me):
            conversation = _conversation(data)
            found = service.get_conversation(me, conversation)
            join_room(f"conversation:{conversation}")
            return {"conversation": found, "messages": service.messages(me, conversation, before="latest")}
        return _answer(run, data, "{conversation}")

    @socketio.on("typing", namespace=NAMESPACE)
    def typing(data=None):
        def run(me):
            conversation = _conversation(data)
            if not service.is_member(conversation, me):
                return {"error": "not_found", "message": "No such conversation, or you are not a member of it."}
            found = person(me)
            to_members("typing", {"conversation": conversation, "username": me,
                                  "name": found["name"] if found else me,
                                  "typing": bool(data.get("typing", True))},
                       service.members(conversation), skip=me)
            return {"ok": True}
        return _answer(run, data, "{conversation, typing}")

    @socketio.on("read", namespace=NAMESPACE)
    def read(data=None):
        def run(me):
            conversation = _conversation(data)
            last, members = service.mark_read(me, conversation, _int(data, "message"))
            to_members("read", {"conversation": conversation, "username": me, "last_read_id": last}, members)
            to_members("unread", service.unread(me), [me])
            return {"conversation": conversation, "last_read_id": last}
        return _answer(run, data, "{conversation, message?}")

    @socketio.on("edit", namespace=NAMESPACE)
    def edit(data=None):
        def run(me):
            message, members = service.edit(me, _int(data, "id"), data.get("text"))
            to_members("message_updated", message, members)
            return message
        return _answer(run, data, "{id, text}")

    @socketio.on("delete", namespace=NAMESPACE)
    def delete(data=None):
        def run(me):
            message, members = service.delete(me, _int(data, "id"))
            to_members("message_updated", message, members)
            return message
        return _answer(run, data, "{id}")

    @socketio.on("presence", namespace=NAMESPACE)
    def set_presence(data=None):
        def run(me):
            status = data.get("status")
            if status not in presence.STATUSES:
                return {"error": "invalid_input", "message": "'status' must be 'online' or 'away'."}
            _announce_presence(me, *presence.changed(request.sid, me, status))
            return {"username": me, "status": presence.status_of([me])[me]}
        return _answer(run, data, '{status: "online" | "away"}')

    @socketio.on("who", namespace=NAMESPACE)
    def who(data=None):
        def run(me):
            names = data.get("usernames") or []
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                return {"error": "invalid_input", "message": "'usernames' must be a list of user names."}
            return presence.status_of(names[:500])
        return _answer(run, data, "{usernames: [...]}")

    @socketio.on("*", namespace=NAMESPACE)
    def unknown(event, *_data):
        """An event the messenger does not know: say so (a client waiting for its acknowledgement hears it)."""
        name = event if isinstance(event, str) else "?"
        return _answer(lambda me: {"error": "unknown_event",
                                   "message": f"The messenger has no event '{name[:50]}'; see its README."})
