"""The shared text of one page as a server-ordered stream of diff-match-patch patches (pure: no Flask, no I/O).

Every accepted edit makes a new version. A client's patch is made against the text of the version it last knew;
when newer versions exist the patch is rebased: its hunks' positions are mapped through the edits in between and
diff-match-patch applies it fuzzily (by context) to the current text. What is broadcast is the *effective* patch,
made from the text before to the text after, so every client that applies the versions in order holds exactly
the server's text.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from diff_match_patch import diff_match_patch

HISTORY = 1000  # versions kept for rebasing stale patches and for catching up after a reconnect
REMEMBERED_IDS = 5000  # client edit ids remembered per page, so a re-sent edit is answered, not applied twice


def engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0.2  # a keystroke's diff is tiny; a whole-page replacement must not stall the page
    return dmp


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
    diffs: list = field(repr=False, default_factory=list)

    def to_dict(self) -> dict:
        return {"version": self.number, "patch": self.patch, "by": self.by, "id": self.edit_id}


def map_position(diffs: list, position: int) -> int:
    """Where `position` of the old text lands in the new one."""
    return engine().diff_xIndex(diffs, position) if diffs else position


class SharedText:
    """The live text, its version and the recent versions."""

    def __init__(self, text: str, version: int = 0) -> None:
        self.text, self.version = text, version
        self.history: list[Version] = []
        self.seen: OrderedDict[tuple[str, str], Version] = OrderedDict()
        self.dmp = engine()

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
        for step in between:  # rebase: move each hunk to where its place is now
            for patch in patches:
                patch.start1 = map_position(step.diffs, patch.start1)
                patch.start2 = map_position(step.diffs, patch.start2)
        new_text, results = self.dmp.patch_apply(patches, self.text)
        if not all(results):
            raise SyncError("patch_failed", "Your change no longer fits the text (someone changed that place); "
                                            "the page was reloaded with the latest text.")
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
        step = Version(self.version + 1, patch, username, edit_id, diffs)
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
    """Three-way merge with diff-match-patch: the change base → theirs applied onto the live text. Answers the
    merged text and how many hunks could not be placed (those keep the live text's version)."""
    dmp = engine()
    patches = dmp.patch_make(base, theirs)
    merged, results = dmp.patch_apply(patches, live)
    return merged, results.count(False)
