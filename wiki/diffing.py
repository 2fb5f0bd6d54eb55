"""Text diffs for page history: API ops, inline and side-by-side HTML, line counts.

Built on diff-match-patch. Each public call shares one time budget across all
the diffs it runs, so a huge or pathological page yields a coarser diff
instead of hanging the request.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from html import escape
from itertools import groupby

from diff_match_patch import diff_match_patch

DELETE, EQUAL, INSERT = -1, 0, 1
TIMEOUT = 1.0  # seconds of diffing allowed per public call
MIN_SIMILARITY = 0.3  # below this a deleted and an inserted line are not "changed"
LOOKAHEAD = 2  # inserted lines a deleted line may skip to reach its partner

Diff = list[tuple[int, str]]
LineDiff = list[tuple[int, list[str]]]
Step = tuple[int | None, int | None, Diff | None]

_DMP = diff_match_patch()
_DMP.Diff_Timeout = TIMEOUT  # the library object is stateless between calls
_TAGS = {
    DELETE: ('<del class="diff-del">', "</del>"),
    INSERT: ('<ins class="diff-ins">', "</ins>"),
}


def diff_ops(old: str, new: str) -> list[tuple[int, str]]:
    """Character diff (diff-match-patch) with semantic cleanup, for the API.

    Ops are -1 delete, 0 equal, 1 insert. The input is not normalised, so
    joining the 0 and -1 texts gives ``old`` and the 0 and 1 texts give ``new``.
    """
    return _char_diff(old, new, _deadline())


def inline_html(old: str, new: str) -> str:
    """One column: the new text with deletions and insertions marked up.

    Line endings are normalised first so a CRLF/LF switch is not shown as a
    change on every line.
    """
    diffs = _char_diff(_normalize(old), _normalize(new), _deadline())
    body = "".join(_markup(op, text) for op, text in diffs)
    # Parsers drop one newline right after <pre>; this one keeps the text's own.
    return f'<pre class="diff-inline">\n{body}</pre>'


def side_by_side_html(old: str, new: str, context: int | None = 3) -> str:
    """A ``<table class="diff-sbs">`` of old/new lines aligned by a line diff.

    Paired changed lines get character highlights; unchanged runs longer than
    ``2 * context`` are folded (``context=None`` shows everything).
    """
    deadline = _deadline()
    blocks = list(_blocks(_line_diff(old, new, deadline)))
    body = "".join(_table_rows(blocks, context, deadline))
    return f'<table class="diff-sbs">{body}</table>'


def line_stats(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed) via a line diff, for history summaries."""
    chunks = _line_diff(old, new, _deadline())
    added = sum(len(lines) for op, lines in chunks if op == INSERT)
    removed = sum(len(lines) for op, lines in chunks if op == DELETE)
    return added, removed


# --- diffing ---------------------------------------------------------------


def _deadline() -> float:
    return time.time() + TIMEOUT


def _normalize(text: str) -> str:
    """Unify line endings: browsers submit CRLF, files in git often hold LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _char_diff(old: str, new: str, deadline: float) -> Diff:
    diffs = _DMP.diff_main(old, new, True, deadline)
    _DMP.diff_cleanupSemantic(diffs)
    return [(op, text) for op, text in diffs]


def _as_lines(text: str) -> str:
    """Normalise and end with a newline, so "a" and "a\\n" are the same last line."""
    text = _normalize(text)
    return text if not text or text.endswith("\n") else text + "\n"


def _line_diff(old: str, new: str, deadline: float) -> LineDiff:
    """Diff whole lines by encoding each distinct line as one character."""
    chars1, chars2, table = _DMP.diff_linesToChars(_as_lines(old), _as_lines(new))
    diffs = _DMP.diff_main(chars1, chars2, False, deadline)
    return [(op, _decode_lines(chars, table)) for op, chars in diffs]


def _decode_lines(chars: str, table: list[str]) -> list[str]:
    # Splitting the joined text also copes with the library's bail-out entry
    # that packs the remaining text (many lines) into one table slot.
    return "".join(table[ord(c)] for c in chars).split("\n")[:-1]


def _blocks(chunks: LineDiff) -> Iterator[tuple[bool, list[str], list[str]]]:
    """Yield (unchanged?, old lines, new lines), merging adjacent del/ins runs."""
    for unchanged, group in groupby(chunks, key=lambda chunk: chunk[0] == EQUAL):
        group = list(group)
        olds = [line for op, lines in group if op != INSERT for line in lines]
        news = [line for op, lines in group if op != DELETE for line in lines]
        yield unchanged, olds, news


# --- pairing changed lines ---------------------------------------------------


def _pairing(olds: list[str], news: list[str], deadline: float) -> Iterator[Step]:
    """Yield (old index, new index, char diff) in display order.

    Deleted lines are paired in order with inserted ones, skipping up to
    LOOKAHEAD inserted lines (shown as additions) to reach a similar partner;
    a deleted line without one is shown as a pure deletion.
    """
    j = 0
    for i, line in enumerate(olds):
        match = _find_partner(line, news, j, deadline)
        if match is None:
            yield i, None, None
            continue
        k, diffs = match
        yield from ((None, skipped, None) for skipped in range(j, k))
        yield i, k, diffs
        j = k + 1
    yield from ((None, rest, None) for rest in range(j, len(news)))


def _find_partner(
    line: str, news: list[str], start: int, deadline: float
) -> tuple[int, Diff] | None:
    for k in range(start, min(start + LOOKAHEAD + 1, len(news))):
        if time.time() > deadline:
            return None  # out of budget: plain del/add rows are still correct
        diffs = _similar_diff(line, news[k], deadline)
        if diffs is not None:
            return k, diffs
    return None


def _similar_diff(a: str, b: str, deadline: float) -> Diff | None:
    """The char diff of a and b, or None if they share too little to pair."""
    total = len(a) + len(b)
    if total and 2 * min(len(a), len(b)) < MIN_SIMILARITY * total:
        return None  # lengths alone rule it out; skip the diff
    diffs = _char_diff(a, b, deadline)
    same = sum(len(text) for op, text in diffs if op == EQUAL)
    return diffs if not total or 2 * same >= MIN_SIMILARITY * total else None


# --- HTML ----------------------------------------------------------------------


def _markup(op: int, text: str) -> str:
    if op == EQUAL:
        return escape(text)
    start, end = _TAGS[op]
    return f"{start}{escape(text)}{end}"


def _side(diffs: Diff, op: int) -> str:
    """One side of a changed line: the equal parts plus that side's edits."""
    return "".join(_markup(o, text) for o, text in diffs if o in (EQUAL, op))


def _row(cls: str, old_no: int | None, old: str, new_no: int | None, new: str) -> str:
    return f'<tr class="{cls}">{_cells(old_no, old)}{_cells(new_no, new)}</tr>'


def _cells(number: int | None, content: str) -> str:
    num = "" if number is None else str(number)
    return f'<td class="diff-ln">{num}</td><td class="diff-text">{content}</td>'


def _fold_row(count: int) -> str:
    noun = "line" if count == 1 else "lines"
    return (
        f'<tr class="diff-fold"><td colspan="4">… {count} {noun} unchanged …</td></tr>'
    )


def _table_rows(
    blocks: list[tuple[bool, list[str], list[str]]],
    context: int | None,
    deadline: float,
) -> Iterator[str]:
    o = n = 1
    for index, (unchanged, olds, news) in enumerate(blocks):
        if unchanged:
            at_edges = (index == 0, index == len(blocks) - 1)
            yield from _equal_rows(olds, o, n, context, at_edges)
        else:
            yield from _change_rows(olds, news, o, n, deadline)
        o += len(olds)
        n += len(news)


def _equal_rows(
    lines: list[str], o: int, n: int, context: int | None, at_edges: tuple[bool, bool]
) -> Iterator[str]:
    """Unchanged lines; the middle of a long run is folded.

    Context is only kept next to a change, so a run at the top or bottom of
    the page keeps lines on one side only.
    """
    lead = 0 if context is None or at_edges[0] else context
    trail = 0 if context is None or at_edges[1] else context
    if context is None or len(lines) <= lead + trail:
        yield from _eq_rows(lines, 0, len(lines), o, n)
        return
    yield from _eq_rows(lines, 0, lead, o, n)
    yield _fold_row(len(lines) - lead - trail)
    yield from _eq_rows(lines, len(lines) - trail, len(lines), o, n)


def _eq_rows(lines: list[str], start: int, stop: int, o: int, n: int) -> Iterator[str]:
    for i in range(start, stop):
        text = escape(lines[i])
        yield _row("diff-eq", o + i, text, n + i, text)


def _change_rows(
    olds: list[str], news: list[str], o: int, n: int, deadline: float
) -> Iterator[str]:
    for i, k, diffs in _pairing(olds, news, deadline):
        if i is not None and k is not None and diffs is not None:
            yield _row(
                "diff-chg", o + i, _side(diffs, DELETE), n + k, _side(diffs, INSERT)
            )
        elif i is not None:
            yield _row("diff-del", o + i, escape(olds[i]), None, "")
        elif k is not None:
            yield _row("diff-add", None, "", n + k, escape(news[k]))
