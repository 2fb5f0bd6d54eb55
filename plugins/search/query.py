"""What a person types, parsed once into a small, backend-neutral form.

    행정포털 사용법       both words (each may match in the title, the path or the text)
    "통합 검색"           a phrase: the words next to each other
    -초안 / -"옛 절차"    exclusion: no hit may contain it
    행정*                 prefix: any word that starts so
    ㅈㅈㄱㅈ              initial consonants (초성): words whose syllables start with them (전자결재)

Filters (type, path prefix, author, dates) and the sort order come as separate arguments, never inside the text,
so a search for "type:memo" finds the words. Any backend (Whoosh now, OpenSearch later) compiles `Query`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime

from wiki.api import InvalidInput

from .analysis import is_choseong_query

MAX_QUERY_CHARS = 200
MAX_CLAUSES = 12
TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class Clause:
    kind: str  # "word", "phrase", "prefix", "initials"
    text: str
    negated: bool = False
    alternatives: tuple[str, ...] = ()  # synonyms of a word (each analysed like the word)


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    path: str = ""
    author: str = ""
    date_from: datetime | None = None  # inclusive, UTC
    date_to: datetime | None = None  # exclusive, UTC


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    fuzzy: bool = True  # one typo in a long word is forgiven; off when checking a suggestion
    relaxed: bool = False  # any of the words suffices, most words first (asked for when every word finds nothing)

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    def with_words(self, replacements: dict[str, str]) -> Query:
        clauses = tuple(replace(c, text=replacements.get(c.text, c.text), alternatives=())
                        if c.kind == "word" else c for c in self.clauses)
        return replace(self, clauses=clauses, fuzzy=False)

    def text(self) -> str:
        parts = []
        for c in self.clauses:
            body = f'"{c.text}"' if c.kind == "phrase" else (c.text + "*" if c.kind == "prefix" else c.text)
            parts.append(("-" if c.negated else "") + body)
        return " ".join(parts)


def parse(text: str, filters: Filters | None = None, sort: str = "relevance") -> Query:
    """The person's query, or InvalidInput with a sentence saying what to change."""
    if not isinstance(text, str):
        raise InvalidInput("The query must be text.")
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise InvalidInput("Type a word to search for.", field="q")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"The query is too long: at most {MAX_QUERY_CHARS} characters.", field="q")
    if sort not in SORTS:
        raise InvalidInput("'sort' must be 'relevance' or 'date'.", field="sort")
    clauses: list[Clause] = []
    for match in TOKEN_RE.finditer(text):
        minus, quoted, bare = match.group(1), match.group(2), match.group(3)
        if quoted is not None:
            words = quoted.split()
            if not words:
                continue
            kind = "phrase" if len(words) > 1 else "word"
            clauses.append(Clause(kind, " ".join(words), negated=bool(minus)))
            continue
        negated = bare.startswith("-") and len(bare) > 1
        word = bare[1:] if negated else bare
        if word.endswith("*") and len(word.rstrip("*")) >= 1:
            clauses.append(Clause("prefix", word.rstrip("*"), negated))
        elif is_choseong_query(word):
            clauses.append(Clause("initials", word, negated))
        elif word.strip("*-"):
            clauses.append(Clause("word", word.strip("*"), negated))
    if not clauses:
        raise InvalidInput("Type a word to search for.", field="q")
    if len(clauses) > MAX_CLAUSES:
        raise InvalidInput(f"The query has too many words: at most {MAX_CLAUSES}.", field="q")
    if not any(not c.negated for c in clauses):
        raise InvalidInput("Add a word to look for: a query of excluded words only (-word) finds nothing.",
                           field="q")
    return Query(tuple(clauses), filters or Filters(), sort)
