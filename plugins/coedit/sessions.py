"""Editing sessions of this process: one per page being edited, holding the shared text, who is there, what
has been saved, and the draft. Every change to a session happens under its lock; the events it causes are
emitted under that lock too (in memory) or right after it (Redis), and clients put versions in order anyway.

With one process the session lives in its memory. With several (`MADANG_REDIS_URL`), `shared.py` keeps the
same state in Redis: the page's lock is then also a Redis lock, the state is loaded when it is taken and written
back when it is released, and the room is common to all processes (the message queue carries the emits).
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

from wiki.api import Principal, core, display_names, page_file_path

from . import drafts
from .sync import SharedText, SyncError, Version, merge_into

PROCESS = uuid.uuid4().hex[:12]
COLOURS = ("#d9480f", "#1971c2", "#2b8a3e", "#9c36b5", "#e67700", "#0c8599", "#c2255c", "#5f3dc4",
           "#087f5b", "#a61e4d", "#364fc7", "#5c940d")
NAMESPACE = "/coedit"
GRACE = 30.0  # seconds a session outlives its last participant: a reconnect in time finds it as it was
log = logging.getLogger("madang.coedit")


@dataclass
class Participant:
    sid: str
    who: Principal
    client: str  # an opaque id for this socket's cursor (never the socket id)
    colour: str
    readonly: bool

    def to_dict(self) -> dict:
        return {"username": self.who.username, "name": self.who.name, "client": self.client,
                "color": self.colour, "readonly": self.readonly}


@dataclass
class PageSession:
    path: str
    shared: SharedText
    base_text: str  # the page's text in git that the live text started from (or last merged with)
    base_revision: str | None
    base_blob: str | None
    lock: threading.RLock = field(default_factory=threading.RLock)
    participants: dict[str, Participant] = field(default_factory=dict)
    contributors: dict[str, tuple[str, str]] = field(default_factory=dict)  # username -> (name, email), unsaved
    epoch: str = field(default_factory=lambda: uuid.uuid4().hex)
    offer: dict | None = None  # an older session's draft, offered back
    dirty_since: float | None = None  # time of the oldest change not yet in the draft
    last_change: float = 0.0
    empty_since: float | None = None  # the last one left then; the session ends GRACE seconds later
    draft_lock: threading.Lock = field(default_factory=threading.Lock)  # draft writes, outside the page's lock
    saves: int = 0  # how many saves so far: a draft snapshot taken before a save is not written after it

    @property
    def room(self) -> str:
        return f"coedit:{PROCESS}:{self.path}"

    def people(self) -> list[dict]:
        """Everyone in the page (in every process, for a shared session)."""
        return [p.to_dict() for p in self.participants.values()]

    def entered(self, participant: Participant) -> None:
        """A participant of this process joined (a shared session records it for the other processes)."""

    def exited(self, sid: str) -> None:
        """A participant of this process left."""

    def changed(self) -> None:
        now = time.time()
        self.last_change = now
        if self.dirty_since is None:
            self.dirty_since = now


SESSIONS: dict[str, PageSession] = {}
REGISTRY = threading.RLock()  # lock order: REGISTRY, then a session's lock
_socketio = None


def set_socketio(socketio) -> None:
    global _socketio
    _socketio = socketio


def emit(session: PageSession, event: str, data: dict, skip_sid: str | None = None, to: str | None = None) -> None:
    """Emit to the page's room now, or — for a shared session, whose lock is a Redis lock — right after the lock
    is released (clients put versions in order themselves, so the lock need not wait for the message queue)."""
    if _socketio is None:
        return
    deferred = getattr(session, "deferred", None)
    if deferred is not None and getattr(session.lock, "depth", 0):
        deferred.append((event, data, to or session.room, skip_sid))
        return
    _socketio.emit(event, data, to=to or session.room, skip_sid=skip_sid, namespace=NAMESPACE)


def send_deferred(items: list) -> None:
    if _socketio is not None:
        for event, data, to, skip_sid in items:
            _socketio.emit(event, data, to=to, skip_sid=skip_sid, namespace=NAMESPACE)


def read_page(path: str) -> tuple[str, str | None, str | None]:
    """(text, revision, blob) of the page at the head now; an absent page is empty text."""
    store = core().store
    head = store.head()
    blob = store.blob_id(head, page_file_path(path)) if head else None
    text = store.read_blob(blob).decode("utf-8", "replace") if blob else ""
    return text, head, blob


def open_session(path: str) -> PageSession:
    """The page's session, started from the page's text now (call with REGISTRY held)."""
    session = SESSIONS.get(path)
    if session is None:
        if core().config.redis_url:
            from .shared import SharedSession

            session = SharedSession.open(path, core().config.redis_url)
        else:
            text, revision, blob = read_page(path)
            session = PageSession(path, SharedText(text), text, revision, blob)
            session.offer = drafts.newest(path, text)
        SESSIONS[path] = session
    return session


def add_participant(session: PageSession, sid: str, who: Principal, readonly: bool) -> Participant:
    """Call with the session's lock held."""
    people = session.people()
    used = {p["color"] for p in people if p["username"] != who.username}
    mine = next((p["color"] for p in people if p["username"] == who.username), None)
    colour = mine or next((c for c in COLOURS if c not in used), COLOURS[len(people) % len(COLOURS)])
    participant = Participant(sid, who, uuid.uuid4().hex[:8], colour, readonly)
    session.participants[sid] = participant
    session.entered(participant)
    session.empty_since = None
    return participant


def remove_participant(path: str, sid: str) -> None:
    """A socket leaves the page; the last one out writes the draft (the session itself ends a little later)."""
    session = SESSIONS.get(path)
    if session is None:
        return
    with session.lock:
        gone = session.participants.pop(sid, None)
        if gone is None:
            return
        session.exited(sid)
        if _socketio is not None:
            _socketio.server.leave_room(sid, session.room, namespace=NAMESPACE)
        remaining = session.people()
        if remaining:
            emit(session, "presence", {"path": path, "participants": remaining, "left": gone.to_dict()})
        if session.participants:
            return
        session.empty_since = time.monotonic()
        if not remaining:
            flush_draft(session, force=True)


def end_idle_sessions(grace: float = GRACE) -> None:
    """Sessions nobody has been in for `grace` seconds end; their unsaved text is in the drafts."""
    now = time.monotonic()
    with REGISTRY:
        for path, session in list(SESSIONS.items()):
            with session.lock:
                if not session.participants and session.empty_since and now - session.empty_since >= grace:
                    if not session.people():
                        flush_draft(session, force=True)
                    del SESSIONS[path]


# -- edits -------------------------------------------------------------------------------------------------------
def apply_edit(session: PageSession, participant: Participant, data: dict, max_bytes: int) -> Version:
    """Apply one `edit` under the session's lock and tell the others; answers the version."""
    with session.lock:
        known = session.shared.duplicate(participant.who.username, data.get("id"))
        if known is not None:
            return known
        step = session.shared.apply(participant.who.username, data.get("id"), data.get("version"),
                                    data.get("patch"), max_bytes)
        session.contributors[participant.who.username] = (participant.who.name, participant.who.email)
        session.changed()
        emit(session, "edited", {"path": session.path, "session": session.epoch, **step.to_dict(),
                                 "name": participant.who.name}, skip_sid=participant.sid)
        return step


def broadcast_step(session: PageSession, step: Version | None, name: str, **extra) -> None:
    """A version made by the server (a merged commit, a restored draft): everyone in the page hears it."""
    if step is not None:
        session.changed()
        emit(session, "edited", {"path": session.path, "session": session.epoch, **step.to_dict(), "name": name,
                                 **extra})


# -- saving: the one write door ------------------------------------------------------------------------------------
def save(session: PageSession, who: Principal, message: object) -> dict:
    """Commit the live text through the wiki's save (author: `who`; `Co-authored-by:` trailers for every other
    person who changed the text since the last save). A commit that came in meanwhile (from outside the
    session) is merged first, so nothing is lost."""
    from wiki.api import Author, EditConflict

    text_message = message.strip() if isinstance(message, str) and message.strip() else f"공동 편집: {session.path}"
    with session.lock:
        catch_up(session)
        others = [Author(name, email) for username, (name, email) in sorted(session.contributors.items())
                  if username != who.username]
        try:
            result = core().wiki.save(who, session.path, session.shared.text, text_message,
                                      base_revision=session.base_revision, coauthors=others)
        except EditConflict:  # a commit this process has not merged yet: merge it, then save on top of it
            catch_up(session, force=True)
            result = core().wiki.save(who, session.path, session.shared.text, text_message,
                                      base_revision=session.base_revision, coauthors=others)
        file = page_file_path(session.path)
        blob = core().store.blob_id(result.revision, file)
        committed = core().store.read_blob(blob).decode("utf-8", "replace") if blob else session.shared.text
        broadcast_step(session, session.shared.replace(committed, who.username), who.name)
        session.base_text, session.base_revision, session.base_blob = committed, result.revision, blob
        session.contributors.clear()
        session.dirty_since = None
        session.saves += 1
        with session.draft_lock:
            drafts.remove(epoch=session.epoch)
        emit(session, "saved", {"path": session.path, "revision": result.revision, "version": session.shared.version,
                                "by": who.username, "name": who.name})
        return {"revision": result.revision, "version": session.shared.version, "merged": result.merged}


def catch_up(session: PageSession, force: bool = False) -> None:
    """Merge a commit to the page made outside the session (API, plain editor, another process) into the live
    text: three-way, from the session's base through the new commit onto the live text; broadcast."""
    store = core().store
    with session.lock:
        head = store.head()
        if head == session.base_revision and not force:
            return
        blob = store.blob_id(head, page_file_path(session.path)) if head else None
        if blob == session.base_blob:
            session.base_revision = head
            return
        theirs = store.read_blob(blob).decode("utf-8", "replace") if blob else ""
        merged, overlaps = merge_into(session.base_text, theirs, session.shared.text)
        author = store.commit_info(head).author
        step = session.shared.replace(merged, "")
        session.base_text, session.base_revision, session.base_blob = theirs, head, blob
        broadcast_step(session, step, author.name, outside={"revision": head, "name": author.name,
                                                             "overlaps": overlaps, "deleted": blob is None})


# -- drafts --------------------------------------------------------------------------------------------------------
def flush_draft(session: PageSession, force: bool = False, delay: float = 2.0) -> None:
    """Write the live text as the session's draft once typing has paused `delay` seconds (or waited 5 × delay).
    The database write happens outside the page's lock, so typing never waits for the disk."""
    with session.lock:
        if session.dirty_since is None:
            return
        now = time.time()
        if not force and now - session.last_change < delay and now - session.dirty_since < 5 * delay:
            return
        text, base, revision = session.shared.text, session.base_text, session.base_revision
        authors, saves = dict(session.contributors), session.saves
        session.dirty_since = None
    with session.draft_lock:
        if saves != session.saves:
            return
        if text == base:
            drafts.remove(epoch=session.epoch)
        else:
            drafts.write(session.path, session.epoch, text, revision, authors)


def restore_draft(session: PageSession, who: Principal, draft_id: object) -> dict:
    with session.lock:
        offer = session.offer
        if offer is None or offer["id"] != draft_id:
            raise SyncError("not_found", "There is no such draft of this page (someone may have restored it).")
        base = b""
        if offer["base_revision"]:
            try:
                base = core().store.read(page_file_path(session.path), offer["base_revision"]) or b""
            except Exception:  # noqa: BLE001 - a base that is gone: merge from nothing
                base = b""
        merged, overlaps = merge_into(base.decode("utf-8", "replace"), offer["text"], session.shared.text)
        step = session.shared.replace(merged, who.username)
        for person in offer["authors"]:
            session.contributors.setdefault(person["username"], (person["name"], person["email"]))
        session.contributors[who.username] = (who.name, who.email)
        session.offer = None
        drafts.remove(draft_id=offer["id"])
        broadcast_step(session, step, who.name, restored=offer["id"])
        emit(session, "draft", {"path": session.path, "id": offer["id"], "restored": True, "name": who.name})
        return {"version": session.shared.version, "overlaps": overlaps}


def discard_draft(session: PageSession, who: Principal, draft_id: object) -> dict:
    with session.lock:
        offer = session.offer
        if offer is None or offer["id"] != draft_id:
            raise SyncError("not_found", "There is no such draft of this page (someone may have restored it).")
        session.offer = None
        drafts.remove(draft_id=offer["id"])
        emit(session, "draft", {"path": session.path, "id": offer["id"], "restored": False, "name": who.name})
        return {"discarded": offer["id"]}


def public_offer(offer: dict | None) -> dict | None:
    if offer is None:
        return None
    names = display_names([a["username"] for a in offer["authors"]])
    return {"id": offer["id"], "text": offer["text"], "updated": offer["updated"],
            "authors": [{"username": u, "name": n} for u, n in names.items()]}
