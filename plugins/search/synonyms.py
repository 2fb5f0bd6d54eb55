"""Synonyms that administrators keep in the content repository (`site/search/synonyms.txt` by default).

One group a line, words separated by commas; `#` starts a comment:

    # 휴가
    연가, 연차
    전자결재, e-결재, 전자 결재

A query word found in a group also finds the group's other words (each analysed like a typed word, so a
multi-word entry is matched as its words). The file is read again only when its blob changes (one cached lookup a
query otherwise), so an edit takes effect on the next search, in every process, without re-indexing.
"""
from __future__ import annotations

import threading

from .analysis import normalize, strip_josa

DEFAULT_FILE = "site/search/synonyms.txt"
MAX_GROUPS = 5000


def parse(text: str) -> dict[str, tuple[str, ...]]:
    """word → the other words of its groups (normalised)."""
    table: dict[str, list[str]] = {}
    for line in text.splitlines()[:MAX_GROUPS]:
        line = line.split("#", 1)[0]
        group = list(dict.fromkeys(normalize(w).strip() for w in line.split(",") if w.strip()))
        if len(group) < 2:
            continue
        for word in group:
            others = table.setdefault(word, [])
            others.extend(w for w in group if w != word and w not in others)
    return {word: tuple(others) for word, others in table.items()}


class Synonyms:
    def __init__(self, store, file_path: str = DEFAULT_FILE) -> None:
        self.store, self.file_path = store, file_path
        self._cache: tuple[str | None, dict[str, tuple[str, ...]]] = ("unread", {})
        self._lock = threading.Lock()

    def table(self) -> dict[str, tuple[str, ...]]:
        if self.store is None:
            return {}
        blob = self.store.blob_id(None, self.file_path)
        if blob != self._cache[0]:
            with self._lock:
                text = self.store.read_blob(blob).decode("utf-8", "replace") if blob else ""
                self._cache = (blob, parse(text))
        return self._cache[1]

    def of(self, word: str) -> tuple[str, ...]:
        table = self.table()
        if not table:
            return ()
        key = normalize(word)
        return table.get(key) or table.get(strip_josa(key)) or ()
