"""Snippets: the stretch of a hit's text with the most of what was searched for, the words marked.

Built from the stored text and the query (its words, their particles stripped, their analysed terms, the index
terms the engine says matched), never from the engine's own highlighter, so any backend gives the same snippets
and no analyzer runs again at query time. Output is HTML: the text escaped, the matches in `<mark>`.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

from .analysis import HANGUL_FIRST, HANGUL_LAST, choseong, normalize, strip_josa
from .query import Query

WINDOW = 160
WORD_CHAR = re.compile(r"\w", re.UNICODE)


def needles(query: Query, analyzed: list[str], matched: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(exact strings, prefixes whose word is marked whole, initial-consonant patterns)."""
    exact: set[str] = set()
    prefixes: set[str] = set()
    initials: set[str] = set()
    for clause in query.positive:
        if clause.kind == "prefix":
            prefixes.add(normalize(clause.text))
        elif clause.kind == "initials":
            initials.add(clause.text)
        else:
            for text in (clause.text, *clause.alternatives):
                for part in normalize(text).split():
                    exact.add(part)
                    exact.add(strip_josa(part))
    for term in (*analyzed, *matched):
        if not term or all(ch in "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ" for ch in term):
            continue
        if term.isascii() and len(term) > 1:
            prefixes.add(term)
        elif _is_hangul(term):
            exact.add(term)
    return sorted(exact, key=len, reverse=True), sorted(prefixes, key=len, reverse=True), sorted(initials)


def spans(text: str, exact: list[str], prefixes: list[str], initials: list[str]) -> list[tuple[int, int]]:
    """Character spans to mark, merged, in order."""
    found: list[tuple[int, int]] = []
    lowered = text.lower()
    if exact:
        pattern = re.compile("|".join(re.escape(n) for n in exact if n))
        found.extend(m.span() for m in pattern.finditer(lowered))
    for prefix in prefixes:
        for m in re.finditer(re.escape(prefix), lowered):
            start, end = m.span()
            if start and WORD_CHAR.match(lowered[start - 1]) and lowered[start - 1].isascii() == prefix.isascii():
                continue  # mark words that start with it
            while end < len(lowered) and WORD_CHAR.match(lowered[end]) and (lowered[end].isascii() or not
                                                                            prefix.isascii()):
                end += 1
            found.append((start, end))
    if initials:
        for m in re.finditer(r"[\uac00-\ud7a3]+", text):
            word = m.group()
            letters = choseong(word)
            for pattern in initials:
                at = letters.find(pattern)
                if at >= 0:
                    found.append((m.start() + at, m.start() + at + len(pattern)))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def best_window(text: str, marks: list[tuple[int, int]], width: int = WINDOW) -> tuple[int, int]:
    if not marks:
        return 0, min(len(text), width)
    best, best_score = marks[0][0], -1
    for i, (start, _end) in enumerate(marks):
        inside = {text[s:e].lower() for s, e in marks[i:] if e <= start + width}
        score = len(inside) * 10 + sum(1 for s, e in marks[i:] if e <= start + width)
        if score > best_score:
            best, best_score = start, score
    start = max(0, best - width // 4)
    # begin at a word boundary
    while start > 0 and not text[start - 1].isspace() and best - start < width // 2:
        start -= 1
    return start, min(len(text), start + width)


def highlight(text: str, marks: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Markup:
    end = len(text) if end is None else end
    out, cursor = [], start
    for s, e in marks:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[cursor:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        cursor = e
    out.append(escape(text[cursor:end]))
    return Markup("").join(out)


def snippet(text: str, needle_sets: tuple[list[str], list[str], list[str]], width: int = WINDOW) -> Markup:
    text = " ".join(text.split())  # one line: blocks and tables become spaces
    marks = spans(text, *needle_sets)
    start, end = best_window(text, marks, width)
    body = highlight(text, marks, start, end)
    return (Markup("…") if start > 0 else Markup("")) + body + (Markup("…") if end < len(text) else Markup(""))


def _is_hangul(word: str) -> bool:
    return any(HANGUL_FIRST <= ord(ch) <= HANGUL_LAST for ch in word)
