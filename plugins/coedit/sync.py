"""The shared text of one page as a server-ordered stream of diff-match-patch patches (pure: no Flask, no I/O).

Every accepted edit makes a new version. A client's patch is made against the text of the version it last knew;
that text is rebuilt from the versions kept (each keeps its diff in a compact form), the patch is applied to it
exactly, and when newer versions exist the result is rebased onto the current text by a three-way merge
(merge.py), which never drops a keystroke. What is broadcast is the *effective* patch, made from the text before
to the text after, so every client that applies the versions in order holds exactly the server's text.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from .merge import edits, engine, exact_engine, merge3

HISTORY = 1000  # versions kept for rebasing stale patches and for catching up after a reconnect
REMEMBERED_IDS = 5000  # client edit ids remembered per page, so a re-sent edit is answered, not applied twice


class SyncError(Exception):
    """An edit that is refused; `code` is the error code of the acknowledgement."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message}


@dataclass
class Version:
    """One step of the stream: the effective patch from the text at `number - 1` to the text at `number`."""

    number: int
    patch: str
    by: str  # user name ("" for a change that came from outside the session: a commit)
    edit_id: str | None
    compact: list = field(repr=False, default_factory=list)  # the diff, equal runs as lengths: to rebuild older text

    def to_dict(self) -> dict:
        return {"version": self.number, "patch": self.patch, "by": self.by, "id": self.edit_id}


def compact(diffs: list) -> list:
    return [(op, len(text) if op == 0 else text) for op, text in diffs]


def undo(compacted: list, new: str) -> str:
    """The text before a version, from the text after it."""
    parts, at = [], 0
    for op, value in compacted:
        if op == 0:
            parts.append(new[at:at + value])
            at += value
        elif op == -1:
            parts.append(value)
        else:
            at += len(value)
    return "".join(parts)


class SharedText:
    """The live text, its version and the recent versions."""

    def __init__(self, text: str, version: int = 0) -> None:
        self.text, self.version = text, version
        self.history: list[Version] = []
        self.seen: OrderedDict[tuple[str, str], Version] = OrderedDict()
        self.dmp, self.exact = engine(), exact_engine()

    def since(self, version: int) -> list[Version] | None:
        """The versions after `version`, or None when some of them are no longer kept."""
        if version == self.version:
            return []
        if version > self.version or not self.history or self.history[0].number > version + 1:
            return None
        return [v for v in self.history if v.number > version]

    def duplicate(self, username: str, edit_id: str | None) -> Version | None:
        return self.seen.get((username, edit_id)) if edit_id else None

    def apply(self, username: str, edit_id: str | None, version: object, patch_text: object,
              max_bytes: int) -> Version:
        """Apply a client's patch made against `version`; answers the new Version (or the first one, for a
        re-sent edit id). Raises SyncError, leaving the text as it was."""
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise SyncError("invalid_input", "'version' must be the number of a version you received.")
        if not isinstance(patch_text, str):
            raise SyncError("invalid_input", "'patch' must be diff-match-patch patch text.")
        if edit_id is not None and (not isinstance(edit_id, str) or not 0 < len(edit_id) <= 100):
            raise SyncError("invalid_input", "'id' must be a short text that names the edit.")
        known = self.duplicate(username, edit_id)
        if known is not None:
            return known
        if len(patch_text) > 3 * max_bytes + 1024:
            raise SyncError("too_large", f"The change is larger than the page size limit ({max_bytes // 1024} KiB).")
        if version > self.version:
            raise SyncError("invalid_input", f"Version {version} does not exist yet (the page is at {self.version}).")
        between = self.since(version)
        if between is None:
            raise SyncError("stale_version", f"Version {version} is too old to rebase onto; join the page again.")
        try:
            patches = self.dmp.patch_fromText(patch_text)
        except (ValueError, IndexError) as exc:
            raise SyncError("invalid_input", "'patch' is not diff-match-patch patch text.") from exc
        base = self.text
        for step in reversed(between):
            base = undo(step.compact, base)
        mine, results = self.exact.patch_apply(patches, base)
        if not all(results):
            raise SyncError("patch_failed", f"The change does not fit the text of version {version}; "
                                            "join the page again to get the latest text.")
        new_text = merge3(base, self.text, mine) if between else mine
        return self._commit(new_text, username, edit_id, max_bytes)

    def replace(self, new_text: str, by: str, max_bytes: int | None = None) -> Version | None:
        """A new text from outside the stream (a merged commit, a restored draft): a version, or None when the
        text is unchanged."""
        if new_text == self.text:
            return None
        return self._commit(new_text, by, None, max_bytes)

    def _commit(self, new_text: str, username: str, edit_id: str | None, max_bytes: int | None) -> Version:
        if max_bytes is not None and len(new_text) > max_bytes // 4 and len(new_text.encode("utf-8")) > max_bytes:
            raise SyncError("too_large", f"The page would be larger than {max_bytes // 1024} KiB.")
        diffs = self.dmp.diff_main(self.text, new_text)
        self.dmp.diff_cleanupEfficiency(diffs)
        patch = self.dmp.patch_toText(self.dmp.patch_make(self.text, diffs))
        step = Version(self.version + 1, patch, username, edit_id, compact(diffs))
        self.text, self.version = new_text, step.number
        self.history.append(step)
        if len(self.history) > HISTORY:
            del self.history[: len(self.history) - HISTORY]
        if edit_id:
            self.seen[(username, edit_id)] = step
            while len(self.seen) > REMEMBERED_IDS:
                self.seen.popitem(last=False)
        return step


def merge_into(base: str, theirs: str, live: str) -> tuple[str, int]:
    """A commit made outside the session (base → theirs) merged into the live text (base → live). Answers the
    merged text and the number of places both changed (where both texts were kept, the commit's first)."""
    dmp = engine()
    theirs_edits = [(s, e) for s, e, _ in edits(dmp.diff_main(base, theirs, False))]
    live_edits = [(s, e) for s, e, _ in edits(dmp.diff_main(base, live, False))]
    overlaps = sum(1 for s1, e1 in theirs_edits for s2, e2 in live_edits if s1 <= e2 and s2 <= e1)
    return merge3(base, live, theirs), overlaps
