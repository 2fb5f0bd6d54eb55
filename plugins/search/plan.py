"""A query plan: which index terms, in which fields, combined how. Made from a `Query` by the backend (which knows
what the index holds), evaluated with numpy by vector.py, and compiled to the same Whoosh query by `to_whoosh`
(the benchmark's raw-Whoosh reference runs exactly what the plugin ran).

Scores follow Whoosh's: BM25F per (field, term) times the field's weight; a term in several fields counts once,
its best field (DisjunctionMax); all-of and any-of add their parts' scores.
"""
from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq


@dataclass(frozen=True)
class Group:
    """Terms that must occur (all, or `need` of them), each in any of `fields` (weight per field); when
    `bonus`, terms standing side by side in one of `bonus_fields` earn their score again (the phrase bonus)."""
    terms: tuple[str, ...]
    fields: tuple[tuple[str, float], ...]
    need: int
    bonus_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expansion:
    """Any of these terms of one field: a typo's close words, a prefix's words, initial consonants. `constant`:
    every match scores `boost` (prefix queries), else BM25 times `boost`."""
    field: str
    terms: tuple[str, ...]
    boost: float
    constant: bool = False


@dataclass(frozen=True)
class Phrase:
    """The terms side by side in one of the fields (field, weight, terms): the words' terms, or their bigrams."""
    options: tuple[tuple[str, float, tuple[str, ...]], ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple
    need: int = 1


@dataclass(frozen=True)
class AllOf:
    parts: tuple


@dataclass(frozen=True)
class Plan:
    positive: object  # a node
    negative: tuple = ()  # nodes: a document matching any is left out
    grams: bool = False  # the bigram fields were added to every word (second stage)
    relaxed: bool = False  # positive is AnyOf the words: documents with more of them come first


def leaves(node) -> list:
    if isinstance(node, (AnyOf, AllOf)):
        return [leaf for part in node.parts for leaf in leaves(part)]
    return [node]


def to_whoosh(plan: Plan):
    """The Whoosh query matching and scoring what the plan does (the phrase bonus as AndMaybe)."""
    compiled = _node(plan.positive)
    if plan.negative:
        negative = [_node(n) for n in plan.negative]
        compiled = wq.AndNot(compiled, negative[0] if len(negative) == 1 else wq.Or(negative))
    return compiled


def _node(node):
    if isinstance(node, AllOf):
        return wq.And([_node(p) for p in node.parts]) if len(node.parts) > 1 else _node(node.parts[0])
    if isinstance(node, AnyOf):
        if len(node.parts) == 1:
            return _node(node.parts[0])
        return wq.Or([_node(p) for p in node.parts], minmatch=node.need if node.need > 1 else 0)
    if isinstance(node, Group):
        per_term = [wq.DisjunctionMax([wq.Term(f, t, boost=w) for f, w in node.fields]) if len(node.fields) > 1
                    else wq.Term(node.fields[0][0], t, boost=node.fields[0][1]) for t in node.terms]
        if len(per_term) == 1:
            return per_term[0]
        required = wq.And(per_term) if node.need >= len(per_term) else wq.Or(per_term, minmatch=node.need)
        if not node.bonus_fields:
            return required
        weights = dict(node.fields)
        bonus = wq.DisjunctionMax([wq.Phrase(f, list(node.terms), boost=weights[f]) for f in node.bonus_fields])
        return wq.AndMaybe(required, bonus)
    if isinstance(node, Expansion):
        terms = [wq.Term(node.field, t, boost=node.boost) for t in node.terms]
        if node.constant:
            terms = [wq.ConstantScoreQuery(t, node.boost) for t in terms]
        return terms[0] if len(terms) == 1 else wq.Or(terms)
    if isinstance(node, Phrase):
        options = [wq.Phrase(f, list(terms), boost=w) if len(terms) > 1 else wq.Term(f, terms[0], boost=w)
                   for f, w, terms in node.options]
        return options[0] if len(options) == 1 else wq.DisjunctionMax(options)
    raise TypeError(node)
