"""The search backend's interface: everything the rest of the plugin asks of an engine.

Whoosh (`whoosh_backend.WhooshBackend`) is the embedded default. Another engine (OpenSearch with its Korean
analyzer, for several nodes) implements the same few methods and follows the same watermark; nothing else in the
plugin changes. Documents are replaced by `id`; the watermark (the last commit the index holds) is written in the
same transaction as the documents, so a crash halfway is harmless and an index that lost its files rebuilds.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .query import Query

# (type, acl key, indexed revision) → may the person asking see it (permission, and that revision not withheld);
# the backend asks it for every hit it returns or counts
Visible = Callable[[str, str, str], bool]


@dataclass
class Document:
    id: str  # unique: the repository file (pages/a.md, attachments/a.files/x.pdf) or "<type>:<key>" for plugins
    type: str  # "page", "attachment", or a type a plugin declared (madang_search_types)
    path: str  # what the reader sees and filters by prefix: the page path, or "<page>/<file name>"
    acl: str  # what permission is asked about: the page path for pages and their attachments
    title: str
    text: str
    url: str
    author_name: str = ""
    author_email: str = ""
    date: datetime | None = None
    revision: str = ""


@dataclass
class Hit:
    document: Document  # text is the stored text (for the snippet)
    score: float
    matched: list[str] = field(default_factory=list)  # index terms that matched (the snippet marks them)


@dataclass
class SearchPage:
    hits: list[Hit]
    total: int  # visible matches; a lower bound when total_exact is False
    total_exact: bool
    next_offset: int | None  # position in the engine's ranking where the next page starts


class IndexWriter(Protocol):
    def watermark(self) -> str: ...
    def set_watermark(self, revision: str) -> None: ...
    def index(self, documents: Iterable[Document]) -> None: ...
    def delete(self, ids: Iterable[str]) -> None: ...
    def clear(self) -> None: ...


class SearchBackend(Protocol):
    name: str

    def writing(self) -> AbstractContextManager[IndexWriter]:
        """One write transaction (committed on leaving, dropped on an exception), exclusive across processes."""

    def index(self, documents: Iterable[Document]) -> None:
        """Add or replace documents (one transaction)."""

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id (one transaction)."""

    def clear(self) -> None:
        """Remove everything, the watermark too."""

    def watermark(self) -> str:
        """The last commit the index holds ('' for none)."""

    def search(self, query: Query, visible: Visible, offset: int, limit: int, count_cap: int) -> SearchPage:
        """Up to `limit` visible hits from ranking position `offset`; `total` counts visible matches exactly up
        to `count_cap` matches examined, then is a lower bound."""

    def suggestions(self, word: str, limit: int = 5) -> list[str]:
        """Indexed words close to `word` (one or two edits), best first: candidates for "did you mean"."""

    def has_word(self, word: str) -> bool:
        """Whether the word occurs in any document (visible or not: use only to decide whether to suggest)."""

    def count(self) -> int:
        """Documents in the index."""
