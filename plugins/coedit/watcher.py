"""One background thread per process: merges commits made outside the sessions (woken at once by the
after-commit hook, and every second for commits of other processes), re-checks who may still be in a page when
the repository (and so the permission rules) moved, and writes drafts a moment after the typing pauses."""
from __future__ import annotations

import logging
import threading

from wiki.api import can, core, plugin_settings

from . import NAME, sessions

log = logging.getLogger("madang.coedit")
WAKE = threading.Event()
_started = threading.Lock()
_running = False


def start(app) -> None:
    global _running
    with _started:
        if _running:
            return
        _running = True
    threading.Thread(target=_loop, args=(app,), name="coedit-watcher", daemon=True).start()


def _loop(app) -> None:
    last_head = None
    while True:
        WAKE.wait(1.0)
        WAKE.clear()
        try:
            with app.app_context():
                if core().config.redis_url:
                    from .shared import heartbeat

                    heartbeat(core().config.redis_url)  # this process's participants count as present
                head = core().store.head()
                moved, last_head = head != last_head, head
                delay = float(plugin_settings(NAME).get("draft_seconds", 2))
                for session in list(sessions.SESSIONS.values()):
                    if moved:
                        sessions.catch_up(session)
                        recheck(session)
                    sessions.flush_draft(session, delay=delay)
                sessions.end_idle_sessions()
        except Exception:  # noqa: BLE001 - the watcher must survive a bad moment (a locked database, a git hiccup)
            log.exception("coedit: the watcher failed; retrying")


def recheck(session: sessions.PageSession) -> None:
    """People whose permission was taken away leave the page (a watcher whom the site no longer allows too)."""
    watchers = bool(plugin_settings(NAME).get("allow_watchers", False))
    for sid, participant in list(session.participants.items()):
        who = participant.who
        if not can("read", session.path, who) or not (can("edit", session.path, who) or watchers):
            sessions.emit(session, "left", {"path": session.path, "reason": "forbidden",
                                            "message": "You may no longer edit this page."}, to=sid)
            sessions.remove_participant(session.path, sid)
        elif not participant.readonly and not can("edit", session.path, who):
            participant.readonly = True
            sessions.emit(session, "presence", {"path": session.path, "participants": session.people()})
