"""A Python client of /coedit (python-socketio): a `Doc` kept in step with a page over a real socket. Used by
the tests and the benchmark; a script may use it too. Not imported by the plugin itself."""
from __future__ import annotations

import functools
import queue
import threading
import time

import socketio

from .client import Doc, Resync

WAIT = 15.0


class Editor:
    """One person's editor on one page: local typing goes out one edit at a time; versions come in, in order."""

    EVENTS = ("edited", "presence", "cursor", "saved", "draft", "left")

    def __init__(self, url: str, token: str, path: str, connect: bool = True,
                 on_version=None) -> None:
        self.url, self.token, self.path = url, token, path
        self.lock = threading.RLock()
        self.doc: Doc | None = None
        self.session: str | None = None
        self.joined: dict = {}
        self.joining = False
        self.early: list[dict] = []  # `edited` events that arrived while a join was being answered
        self.errors: list[dict] = []
        self.events: dict[str, queue.Queue] = {name: queue.Queue() for name in self.EVENTS}
        self.on_version = on_version  # called (version, text) after each version applied, for measurements
        self.client = socketio.Client(reconnection=False)
        for name in self.EVENTS:
            self.client.on(name, functools.partial(self._event, name), namespace="/coedit")
        if connect:
            self.connect()

    # -- connection ------------------------------------------------------------------------------------------------
    def connect(self) -> dict:
        self.client.connect(self.url, namespaces=["/coedit"], auth={"token": self.token}, transports=["websocket"],
                            wait_timeout=WAIT)
        return self.join()

    def join(self) -> dict:
        with self.lock:
            request = {"path": self.path}
            if self.doc is not None:
                request.update(session=self.session, since=self.doc.version,
                               ids=[self.doc.inflight["id"]] if self.doc.inflight else [])
        with self.lock:
            self.joining, self.early = True, []
        answer = self.call("join", request)
        if "error" in answer:
            with self.lock:
                self.joining = False
            return answer
        with self.lock:
            self.joined = answer
            resend = None
            if self.doc is None or answer["session"] != self.session:
                if self.doc is None:
                    self.doc = Doc(answer["text"], answer["version"])
                else:
                    resend = self.doc.rejoin(answer["text"], answer["version"], None, answer.get("applied", []))
            else:
                resend = self.doc.rejoin(answer["text"], answer["version"], answer.get("missed"),
                                         answer.get("applied", []))
            self.session = answer["session"]
            self.joining = False
            for data in self.early:  # versions made after the join's snapshot, in this session
                if data.get("session") == self.session:
                    self._receive(data)
        if resend is not None:
            self._send(resend)
        self.flush()
        return answer

    def disconnect(self) -> None:
        ws = getattr(self.client.eio, "ws", None)
        if ws is not None:  # the development server never answers the close frame: do not wait for it
            ws.close = functools.partial(ws.close, timeout=0.2)
        self.client.disconnect()

    def call(self, event: str, data: dict) -> dict:
        return self.client.call(event, data, namespace="/coedit", timeout=WAIT)

    # -- typing ----------------------------------------------------------------------------------------------------
    def type(self, change) -> None:
        """`change(text) -> text` on the local text, then send (when nothing is in flight)."""
        with self.lock:
            self.doc.edit(change(self.doc.local))
        self.flush()

    def flush(self) -> None:
        with self.lock:
            outgoing = self.doc.outgoing() if self.doc else None
        if outgoing is not None:
            self._send(outgoing)

    def _send(self, outgoing: dict) -> None:
        self.client.emit("edit", {"path": self.path, **outgoing}, namespace="/coedit", callback=self._acked)

    def _acked(self, answer: dict) -> None:
        with self.lock:
            if "error" in answer:
                self.errors.append(answer)
                if answer["error"] == "stale_version":
                    threading.Thread(target=self.join, daemon=True).start()
                    return
                if answer["error"] == "rate_limited":
                    threading.Timer(0.2, self._resend).start()
                    return
                self.doc.rejected()
            else:
                self._receive(answer)
        self.flush()

    def _resend(self) -> None:
        with self.lock:
            inflight = self.doc.inflight
        if inflight is not None:
            self._send({k: inflight[k] for k in ("version", "patch", "id")})

    def _receive(self, entry: dict) -> None:
        try:
            self.doc.receive(entry["version"], entry["patch"], entry.get("id"))
        except Resync:
            threading.Thread(target=self.join, daemon=True).start()
            return
        if self.on_version is not None:
            self.on_version(self, self.doc.version)

    def _event(self, name: str, data: dict) -> None:
        if name == "edited" and data.get("path") == self.path:
            with self.lock:
                if self.joining:
                    self.early.append(data)
                elif data.get("session") == self.session:
                    self._receive(data)
            self.flush()
        self.events[name].put(data)

    # -- for tests -------------------------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        with self.lock:
            return self.doc.local

    def settled(self) -> bool:
        with self.lock:
            d = self.doc
            return d.inflight is None and not d.waiting and d.local == d.confirmed

    def next(self, event: str, where=lambda data: True, wait: float = WAIT) -> dict:
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no '{event}' event arrived within {wait} s")
            try:
                data = self.events[event].get(timeout=left)
            except queue.Empty:
                continue
            if where(data):
                return data
