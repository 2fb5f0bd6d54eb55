"""The client's half of the protocol, pure (no sockets): what coedit.js does in the browser, in Python for the
tests and the benchmark.

A client keeps `confirmed` (the server's text at `version`), at most one edit in flight (sent, not yet
acknowledged) with `expected` (what `confirmed` plus that edit looks like here), and `local` (the editor's text:
`expected` plus newer typing). Versions are applied strictly in order, whether they arrive as `edited` events
or as the acknowledgement of one's own edit (carrying its effective patch), so reordering in transit is harmless.
"""
from __future__ import annotations

import uuid

from .merge import engine, exact_engine, merge3


class Resync(Exception):
    """A version did not apply exactly to the confirmed text: the client must join again."""


class Doc:
    def __init__(self, text: str, version: int) -> None:
        self.dmp, self.exact = engine(), exact_engine()
        self.confirmed = self.local = text
        self.version = version
        self.inflight: dict | None = None  # {id, version, patch, expected}
        self.waiting: dict[int, tuple[str, str | None]] = {}  # versions that arrived ahead of their turn

    # -- local typing ---------------------------------------------------------------------------------------------
    def edit(self, new_text: str) -> None:
        self.local = new_text

    def outgoing(self) -> dict | None:
        """The next `edit` to send (None while one is in flight or nothing changed)."""
        if self.inflight is not None or self.local == self.confirmed:
            return None
        patch = self.dmp.patch_toText(self.dmp.patch_make(self.confirmed, self.local))
        self.inflight = {"id": uuid.uuid4().hex, "version": self.version, "patch": patch, "expected": self.local}
        return {"version": self.version, "patch": patch, "id": self.inflight["id"]}

    def rejected(self) -> None:
        """The server refused the edit in flight (`too_large`, `patch_failed`): it is dropped, newer typing kept."""
        if self.inflight is not None:
            self.local = merge3(self.inflight["expected"], self.confirmed, self.local)
            self.inflight = None

    # -- from the server ------------------------------------------------------------------------------------------
    def receive(self, version: int, patch: str, edit_id: str | None = None) -> None:
        """A version (an `edited` event, a `missed` entry, or one's own acknowledgement)."""
        if version > self.version:
            self.waiting[version] = (patch, edit_id)
        while self.version + 1 in self.waiting:
            self._step(*self.waiting.pop(self.version + 1))

    def _step(self, patch_text: str, edit_id: str | None) -> None:
        patches = self.dmp.patch_fromText(patch_text)
        confirmed, results = self.exact.patch_apply(patches, self.confirmed)
        if not all(results):
            raise Resync("a version did not apply to the confirmed text")
        if self.inflight is not None and edit_id == self.inflight["id"]:
            self.local = merge3(self.inflight["expected"], confirmed, self.local)  # keep what was typed since
            self.inflight = None
        else:  # another person's version: one's pending typing is rebased onto it, as the server will do
            self.local = merge3(self.confirmed, confirmed, self.local)
            if self.inflight is not None:
                self.inflight["expected"] = merge3(self.confirmed, confirmed, self.inflight["expected"])
        self.confirmed = confirmed
        self.version += 1

    def rejoin(self, text: str, version: int, missed: list[dict] | None, applied: list[str] = ()) -> dict | None:
        """After a reconnect (`join` with `since` and `ids`): catch up through `missed` when the server still had
        it, else start from the server's text with one's unsent typing rebased onto it (`applied` says whether
        the in-flight edit is in that text already). Answers the in-flight edit to re-send when the server has
        not applied it (the server would also answer a second application of the same id with the first)."""
        if missed is not None:
            for entry in missed:
                self.receive(entry["version"], entry["patch"], entry.get("id"))
            if self.version == version and self.inflight is not None:
                return {k: self.inflight[k] for k in ("version", "patch", "id")}
            return None
        done = self.inflight is not None and self.inflight["id"] in applied
        base = self.inflight["expected"] if done else self.confirmed
        self.local = merge3(base, text, self.local)
        self.confirmed, self.version, self.waiting, self.inflight = text, version, {}, None
        return None
