"""A character-level three-way merge on diff-match-patch diffs, which never fails and never drops a keystroke.

`merge3(base, theirs, mine)`: the changes base → mine, carried onto theirs. Positions are mapped through the
diff base → theirs: what mine inserts lands where its place is in theirs (after theirs' own insertion at the same
spot); what mine deletes is deleted only where theirs still has it (theirs' insertions inside the range stay).
Both the server (rebasing a stale edit) and the clients (rebasing their pending typing) use it, so a client's
prediction is what the server will decide. coedit.js has the same function.
"""
from __future__ import annotations

from diff_match_patch import diff_match_patch


def engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0.2  # a keystroke's diff is tiny; a whole-page replacement must not stall the page
    return dmp


def exact_engine() -> diff_match_patch:
    """For patches applied to the very text they were made against: the place may move a little (a browser
    counts UTF-16 units, Python code points), but every character of a hunk must match."""
    dmp = engine()
    dmp.Match_Threshold = 0.1
    dmp.Match_Distance = 100_000  # the place is known; only the emoji before it may shift it
    dmp.Patch_DeleteThreshold = 0.0
    return dmp


Segment = tuple[int, int, int, bool]  # (start in base, start in theirs, length, kept by theirs)


def segments(diffs: list) -> tuple[list[Segment], int]:
    found: list[Segment] = []
    b = s = 0
    for op, text in diffs:
        n = len(text)
        if op == 0:
            found.append((b, s, n, True))
            b, s = b + n, s + n
        elif op == -1:
            found.append((b, s, n, False))
            b += n
        else:
            s += n
    return found, s


def edits(diffs: list) -> list[tuple[int, int, str]]:
    """The diff as `(start, end, inserted)` changes of the old text, adjacent ones joined."""
    out: list[list] = []
    b = 0
    for op, text in diffs:
        if op == 0:
            b += len(text)
            continue
        start, end, inserted = (b, b + len(text), "") if op == -1 else (b, b, text)
        if out and out[-1][1] == start:
            out[-1][1], out[-1][2] = end, out[-1][2] + inserted
        else:
            out.append([start, end, inserted])
        if op == -1:
            b += len(text)
    return [tuple(e) for e in out]


def _position(found: list[Segment], total: int, b: int) -> int:
    for b0, s0, n, kept in found:
        if b < b0 + n:
            return s0 + (b - b0) if kept else s0
    return total


def merge3(base: str, theirs: str, mine: str) -> str:
    if mine == base or theirs == base:
        return theirs if mine == base else mine
    dmp = engine()
    found, total = segments(dmp.diff_main(base, theirs, False))
    ops: list[tuple[int, int, int, str]] = []
    for start, end, inserted in edits(dmp.diff_main(base, mine, False)):
        for b0, s0, n, kept in found:  # delete what theirs still has of mine's deleted range
            lo, hi = max(start, b0), min(end, b0 + n)
            if kept and lo < hi:
                ops.append((s0 + lo - b0, s0 + hi - b0, len(ops), ""))
        if inserted:
            ops.append((_position(found, total, start), -1, len(ops), inserted))
    text = theirs
    # right to left; at one place a deletion before an insertion, and mine's insertions in their own order
    for start, end, _order, inserted in sorted(ops, reverse=True):
        text = text[:start] + inserted + text[start:] if end < 0 else text[:start] + text[end:]
    return text
