"""Searching for a person: the one place that decides what they may see.

Every hit passes the permission check before it is returned, counted or used for a suggestion. Rules change
without a commit to the pages they govern, so permissions are checked when searching (post-filtering), never
baked into the index: the backend takes the matches in rank order and checks each until it has a page of
visible hits.

`total` counts visible matches only. It is exact up to COUNT_CAP matches (in rank order); beyond that it is the
visible count among those (a lower bound, `total_exact: false`, shown as "200건 이상"), never an extrapolation that
could hint at what the person may not read.
"""
from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, replace

from markupsafe import Markup

from wiki.api import InvalidInput

from .analysis import get_analyzer, normalize, query_terms, strip_josa
from .backend import Hit, SearchBackend
from .query import Query
from .snippets import highlight, needles, snippet, spans
from .synonyms import Synonyms

COUNT_CAP = 200  # matches checked for `total` (each costs a permission and a withheld-revision check)
MAX_OFFSET = 100_000
CORE_TYPES = ("page", "attachment")


@dataclass
class Result:
    hit: Hit
    title_html: Markup
    snippet_html: Markup


@dataclass
class Results:
    query: Query
    results: list[Result]
    total: int
    total_exact: bool
    next_cursor: str | None
    suggestion: str | None = None
    relaxed: bool = False  # no hit had every word: these have the most of them first


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("'cursor' is not one this server gave out; start again without it.") from exc
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput("'cursor' is out of range; start again without it.")
    return offset


class SearchService:
    def __init__(self, backend: SearchBackend, store, synonyms_file: str) -> None:
        self.backend = backend
        self.synonyms = Synonyms(store, synonyms_file)

    def expand(self, query: Query) -> Query:
        """Add the synonyms of each word."""
        clauses = tuple(replace(c, alternatives=self.synonyms.of(c.text)) if c.kind == "word" and not c.negated
                        else c for c in query.clauses)
        return replace(query, clauses=clauses)

    def search(self, query: Query, can_read: Callable[[str, str, str], bool], cursor: str | None = None,
               limit: int = 20, suggest: bool = True) -> Results:
        offset = decode_cursor(cursor)
        query = self.expand(query)
        page = self.backend.search(query, can_read, offset, limit, COUNT_CAP)
        strict_total = page.total
        if page.total == 0 and len([c for c in query.positive if c.kind != "initials"]) > 1:
            query = replace(query, relaxed=True)  # no hit has every word: those with the most of them
            page = self.backend.search(query, can_read, offset, limit, COUNT_CAP)
        analyzed = self._analyzed(query)
        results = []
        for hit in page.hits:
            sets = needles(query, analyzed, hit.matched)
            title = hit.document.title
            results.append(Result(hit, highlight(title, spans(title, *sets)), snippet(hit.document.text, sets)))
        next_cursor = encode_cursor(page.next_offset) if page.next_offset is not None else None
        suggestion = None
        if suggest and strict_total == 0 and offset == 0:
            suggestion = self.suggestion(replace(query, relaxed=False), can_read)
        return Results(query, results, page.total, page.total_exact, next_cursor, suggestion, query.relaxed)

    def _analyzed(self, query: Query) -> list[str]:
        name = get_analyzer(getattr(self.backend, "analyzer_name", "bigram")).name
        terms = []
        for clause in query.positive:
            if clause.kind in ("word", "phrase"):
                for text in (clause.text, *clause.alternatives):
                    terms.extend(query_terms(name, text))
        return terms

    def suggestion(self, query: Query, can_read: Callable[[str, str, str], bool]) -> str | None:
        """"Did you mean": words of the query replaced by close indexed words, offered only when the corrected
        query (strict: no typo tolerance) finds something this person may read, so a suggestion never reveals
        a word that only restricted documents hold."""
        options: list[list[tuple[str, str]]] = []
        for clause in query.positive:
            if clause.kind != "word" or self.backend.has_word(clause.text):
                continue
            close = self.backend.suggestions(clause.text, limit=3)
            if close:
                options.append([(clause.text, word) for word in close])
        if not options:
            return None
        for combination in itertools.islice(itertools.product(*options), 8):
            candidate = query.with_words(dict(combination))
            if normalize(candidate.text()) == normalize(query.text()):
                continue
            page = self.backend.search(candidate, can_read, 0, 1, 200)
            if page.hits:
                return candidate.text()
        return None


def words_of(query: Query) -> list[str]:
    return [strip_josa(normalize(c.text)) for c in query.positive if c.kind == "word"]
