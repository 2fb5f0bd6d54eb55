"""Evaluating a query plan (plan.py) with numpy over Whoosh's own posting lists and columns.

Why: Whoosh scores match by match in Python (tens of microseconds each, several nested matchers per match), and
with the recency factor it cannot skip blocks, so a word found in most of 20,000 pages took a second. Here each
posting list is decoded block by block into arrays once, and scoring, combining and ordering are array
operations over all documents at once; only the few hundred best documents are looked at one by one (phrase
positions, permissions). The index format, the analysis and the scores (BM25F as Whoosh computes it, the field
weights, the recency factor) are unchanged.

Caches: a segment's columns (lengths, type, acl, revision, date) are read once per segment (segments never change;
deletions are read per searcher); decoded posting lists are kept in a per-process LRU bounded by
`POSTINGS_BUDGET` postings, so words searched often cost nothing to decode again. This relies on Whoosh 2.7's
on-disk format (`W3LeafMatcher`, pinned in requirements.txt); other matchers are read through the public API.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import accumulate, islice
from pickle import loads  # noqa: S403 (Whoosh's own index files, written by this process or its peers)

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.formats import Positions
from whoosh.util.numeric import byte_to_length

from .plan import AllOf, AnyOf, Expansion, Group, Phrase, Plan, leaves

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
POSTINGS_BUDGET = 1_500_000  # decoded postings kept per process (at most about 90 MB with their positions)
_BYTE_LENGTH = np.array([byte_to_length(i) or 0 for i in range(256)], dtype=np.float32)
POSITIONAL = frozenset(("title", "pathtext", "body", "title_ng", "body_ng"))


@dataclass
class Postings:
    ids: np.ndarray  # the segment's docnums, ascending
    weights: np.ndarray
    values: list | None  # the encoded positions of each posting (positional fields), for phrase checks

    @property
    def size(self) -> int:
        return len(self.ids)


class SegmentCache:
    """Per process: each segment's columns as arrays, and decoded posting lists (LRU, shared by threads)."""

    def __init__(self, meta_type: str) -> None:
        self.meta_type = meta_type
        self._columns: dict[str, SegmentColumns] = {}
        self._postings: OrderedDict[tuple, Postings] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def columns(self, reader) -> SegmentColumns:
        key = reader.segment().segment_id()
        found = self._columns.get(key)
        if found is None:
            found = SegmentColumns(reader, self.meta_type)
            with self._lock:
                self._columns[key] = found
        return found

    def forget_except(self, segment_ids: set[str]) -> None:
        """Drop what belongs to segments merged away (called when a new searcher is made)."""
        with self._lock:
            for key in [k for k in self._columns if k not in segment_ids]:
                del self._columns[key]
            for key in [k for k in self._postings if k[0] not in segment_ids]:
                self._held -= self._postings.pop(key).size

    def forget_postings(self) -> None:
        with self._lock:
            self._postings.clear()
            self._held = 0

    def postings(self, reader, segment_id: str, field: str, btext: bytes) -> Postings | None:
        key = (segment_id, field, btext)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        if (field, btext) not in reader:
            return None
        found = _decode(reader.postings(field, btext), field in POSITIONAL)
        with self._lock:
            if key not in self._postings:
                self._postings[key] = found
                self._held += found.size
                while self._held > POSTINGS_BUDGET and len(self._postings) > 1:
                    self._held -= self._postings.popitem(last=False)[1].size
        return found


def _decode(matcher, keep_values: bool) -> Postings:
    """A whole posting list as arrays: block by block for Whoosh 2.7's on-disk lists, else match by match."""
    ids_parts, weight_parts, values = [], [], [] if keep_values else None
    if isinstance(matcher, W3LeafMatcher):
        while True:
            matcher._read_data()
            raw_ids, raw_weights, raw_values = matcher._data
            count = matcher._blocklength
            ids = np.asarray(raw_ids, dtype=np.int64)
            ids_parts.append(ids if matcher._byteids else np.cumsum(ids))
            if raw_weights is None or isinstance(raw_weights, float):
                weight_parts.append(np.full(count, 1.0 if raw_weights is None else raw_weights, dtype=np.float32))
            else:
                weight_parts.append(np.asarray(raw_weights, dtype=np.float32))
            if keep_values:
                values.extend(raw_values)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
    else:
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if keep_values:
                values.append(matcher.value())
            matcher.next()
        ids_parts, weight_parts = [np.asarray(ids, dtype=np.int64)], [np.asarray(weights, dtype=np.float32)]
    return Postings(np.concatenate(ids_parts) if ids_parts else np.zeros(0, np.int64),
                    np.concatenate(weight_parts) if weight_parts else np.zeros(0, np.float32), values)


class SegmentColumns:
    """One segment's per-document values as arrays (read once: a segment never changes)."""

    def __init__(self, reader, meta_type: str) -> None:
        self.count = reader.doc_count_all()
        self._lengths: dict[str, np.ndarray] = {}
        self.types = list(reader.column_reader("type")) if self.count else []
        self.acls = list(reader.column_reader("acl")) if self.count else []
        self.revisions = list(reader.column_reader("revision")) if reader.has_column("revision") else None
        self.dates = np.asarray(list(reader.column_reader("date")) if self.count else [], dtype=np.float64)
        self.meta = np.asarray([t == meta_type for t in self.types], dtype=bool)

    def lengths(self, reader, field: str) -> np.ndarray:
        """The field's length in each document (`reader`: this segment's, open now)."""
        found = self._lengths.get(field)
        if found is None:
            perdoc, name = reader._perdoc, f"_{field}_len"  # Whoosh 2.7: the lengths column read as raw bytes
            if perdoc.has_column(name):
                column = perdoc.column_reader(name, LENGTHS_COLUMN)
                stored = min(self.count, getattr(column, "_count", self.count))  # the column ends at its last value
                raw = column._dbfile.get(column._basepos, stored) if hasattr(column, "_dbfile") else \
                    bytes(column[i] for i in range(stored))
                found = np.zeros(self.count, dtype=np.float32)
                found[:stored] = _BYTE_LENGTH[np.frombuffer(raw, dtype=np.uint8)]
            else:
                found = np.zeros(self.count, dtype=np.float32)
            self._lengths[field] = found
        return found


class Snapshot:
    """One searcher's documents as arrays (global docnums), and the plan evaluation over them."""

    def __init__(self, searcher, cache: SegmentCache) -> None:
        self.searcher, self.cache = searcher, cache
        self.schema = searcher.schema
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.segment_ids = [reader.segment().segment_id() for reader, _ in self.leaves]
        self.columns = [cache.columns(reader) for reader, _ in self.leaves]
        self.offsets = np.asarray([offset for _, offset in self.leaves], dtype=np.int64)
        self.n = searcher.doc_count_all()
        self.types = [t for c in self.columns for t in c.types]
        self.acls = [a for c in self.columns for a in c.acls]
        self.revisions = [r for c in self.columns for r in (c.revisions or [None] * c.count)]
        self.expansions: dict[tuple, tuple[str, ...]] = {}  # words of a prefix or a typo (this searcher's index)
        self.dates = np.concatenate([c.dates for c in self.columns]) if self.columns else np.zeros(0)
        self.live = ~np.concatenate([c.meta for c in self.columns]) if self.columns else np.zeros(0, bool)
        for reader, offset in self.leaves:
            if reader.has_deletions():
                deleted = np.fromiter(reader._perdoc.deleted_docs(), dtype=np.int64)  # Whoosh 2.7
                self.live[deleted + offset] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._terms: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        # keyed by id(leaf of the plan) for speed; the leaf is kept with its mask, so no id is reused this search
        self._masks: dict[int, tuple[object, np.ndarray]] = {}
        self.phrases: dict[tuple[int, int], bool] = {}  # (id(phrase), docnum) → checked (this search)

    def begin(self) -> None:
        """A new search: the arrays of the last one are dropped (the decoded postings stay cached)."""
        self._terms, self._masks, self.phrases = {}, {}, {}

    # -- per document ---------------------------------------------------------------------------------------------
    def revision(self, docnum: int) -> str:
        found = self.revisions[docnum]
        if found is None:  # a segment without the column (written by schema 4)
            leaf = int(np.searchsorted(self.offsets, docnum, side="right")) - 1
            found = self.revisions[docnum] = self.leaves[leaf][0].stored_fields(
                docnum - int(self.offsets[leaf])).get("revision", "")
        return found or ""

    def expand(self, kind: str, field: str, text: str, limit: int) -> tuple[str, ...]:
        """The index's words for a prefix (`kind` "prefix") or within one edit (`kind` "typo"), remembered while
        the index is unchanged (Whoosh's typo automaton takes tens of milliseconds)."""
        key = (kind, field, text)
        found = self.expansions.get(key)
        if found is None:
            reader = self.searcher.reader()
            terms = reader.expand_prefix(field, text) if kind == "prefix" else \
                reader.terms_within(field, text, 1, prefix=1)
            found = tuple(_text(t) for t in islice(terms, limit))
            if len(self.expansions) > 4096:
                self.expansions.clear()
            self.expansions[key] = found
        return found

    def _lookup(self, field: str, text: str, docnums: np.ndarray) -> list:
        """For each document, the encoded positions of the term in the field (None when absent)."""
        found: list = [None] * len(docnums)
        btext = self._bytes(field, text)
        leaf_of = np.searchsorted(self.offsets, docnums, side="right") - 1
        for leaf, ((reader, offset), segment_id) in enumerate(zip(self.leaves, self.segment_ids, strict=True)):
            where = np.flatnonzero(leaf_of == leaf)
            if not len(where):
                continue
            postings = self.cache.postings(reader, segment_id, field, btext)
            if postings is None or postings.values is None or not postings.size:
                continue
            local = docnums[where] - offset
            at = np.minimum(np.searchsorted(postings.ids, local), postings.size - 1)
            hit = postings.ids[at] == local
            for i, j in zip(where[hit].tolist(), at[hit].tolist(), strict=True):
                found[i] = postings.values[j]
        return found

    def adjacent(self, field: str, terms: tuple[str, ...], docnums: np.ndarray) -> np.ndarray:
        """For each document: the terms one after another in the field (a phrase)."""
        result = np.zeros(len(docnums), dtype=bool)
        encoded = [self._lookup(field, t, docnums) for t in terms]
        fmt = self.schema[field].format
        decode = _positions if type(fmt) is Positions else fmt.decode_positions
        for i in range(len(docnums)):
            values = [e[i] for e in encoded]
            if any(v is None for v in values):
                continue
            first, rest = decode(values[0]), [set(decode(v)) for v in values[1:]]
            result[i] = any(all(p + k in rest[k - 1] for k in range(1, len(terms))) for p in first)
        return result

    def check_phrases(self, node, docnums: np.ndarray) -> None:
        """Check the plan's phrases for these documents at once (memo `phrases`, read by `holds`)."""
        for leaf in leaves(node):
            if not isinstance(leaf, Phrase):
                continue
            todo = np.asarray([d for d in docnums.tolist() if (id(leaf), d) not in self.phrases], dtype=np.int64)
            if not len(todo):
                continue
            ok = np.zeros(len(todo), dtype=bool)
            for field, _w, terms in leaf.options:
                present = np.ones(len(todo), dtype=bool)
                for text in terms:
                    docs, _ = self.term(field, text)
                    at = np.minimum(np.searchsorted(docs, todo), max(len(docs) - 1, 0))
                    present &= (docs[at] == todo) if len(docs) else False
                if len(terms) > 1 and present.any():
                    present[present] = self.adjacent(field, terms, todo[present])
                ok |= present
            self.phrases.update(((id(leaf), d), bool(v)) for d, v in zip(todo.tolist(), ok.tolist(), strict=True))

    # -- arrays ---------------------------------------------------------------------------------------------------
    def _bytes(self, field: str, text: str) -> bytes:
        return self.schema[field].to_bytes(text)

    def lengths(self, field: str) -> np.ndarray:
        found = self._lengths.get(field)
        if found is None:
            found = self._lengths[field] = np.concatenate([c.lengths(reader, field) for c, (reader, _o)
                                                           in zip(self.columns, self.leaves, strict=True)]) \
                if self.columns else np.zeros(0, np.float32)
        return found

    def term(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25F scores) of a term in a field, scored as Whoosh's BM25F does."""
        key = (field, text)
        found = self._terms.get(key)
        if found is not None:
            return found
        btext = self._bytes(field, text)
        ids, weights = [], []
        for (reader, offset), segment_id in zip(self.leaves, self.segment_ids, strict=True):
            postings = self.cache.postings(reader, segment_id, field, btext)
            if postings is not None and postings.size:
                ids.append(postings.ids + offset)
                weights.append(postings.weights)
        if not ids:
            found = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        else:
            docs, tf = np.concatenate(ids), np.concatenate(weights)
            idf = math.log(self.n / (self.searcher.doc_frequency(field, btext) + 1)) + 1
            avg = self.searcher.avg_field_length(field) or 1.0
            length = self.lengths(field)[docs]
            found = (docs, (idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / avg))).astype(np.float32))
        self._terms[key] = found
        return found

    def has_term(self, field: str, docnum: int, text: str) -> bool:
        docs, _ = self.term(field, text)
        i = int(np.searchsorted(docs, docnum))
        return i < len(docs) and docs[i] == docnum

    def evaluate(self, node) -> tuple[np.ndarray, np.ndarray]:
        """(matches, scores) over all documents; phrases are matched by their terms here (checked later)."""
        mask, scores = self._evaluate(node)
        if not isinstance(node, (AllOf, AnyOf)):
            self._masks[id(node)] = (node, mask)
        return mask, scores

    def _evaluate(self, node) -> tuple[np.ndarray, np.ndarray]:
        n = self.n
        if isinstance(node, Group):
            present, totals = np.zeros(n, np.int32), np.zeros(n, np.float32)
            for text in node.terms:
                best, where = np.zeros(n, np.float32), np.zeros(n, bool)
                for field, weight in node.fields:
                    docs, scores = self.term(field, text)
                    _max_into(best, docs, scores * weight)
                    where[docs] = True
                present += where
                totals += best
            mask = present >= node.need
            return mask, np.where(mask, totals, 0).astype(np.float32)
        if isinstance(node, Expansion):
            mask, totals = np.zeros(n, bool), np.zeros(n, np.float32)
            for text in node.terms:
                docs, scores = self.term(node.field, text)
                mask[docs] = True
                if node.constant:
                    continue
                totals[docs] += scores * node.boost
            if node.constant:
                totals[mask] = node.boost
            return mask, totals
        if isinstance(node, Phrase):
            mask, best = np.zeros(n, bool), np.zeros(n, np.float32)
            for field, weight, terms in node.options:
                where, total = np.ones(n, bool), np.zeros(n, np.float32)
                for text in terms:
                    docs, scores = self.term(field, text)
                    has = np.zeros(n, bool)
                    has[docs] = True
                    where &= has
                    total[docs] += scores * weight
                mask |= where
                best = np.maximum(best, np.where(where, total, 0))
            return mask, best
        if isinstance(node, (AllOf, AnyOf)):
            parts = [self.evaluate(p) for p in node.parts]
            counts = np.sum([m for m, _ in parts], axis=0, dtype=np.int32)
            need = len(parts) if isinstance(node, AllOf) else node.need
            mask = counts >= need
            totals = np.sum([s for _, s in parts], axis=0, dtype=np.float32)
            return mask, np.where(mask, totals, 0).astype(np.float32)
        raise TypeError(node)

    def holds(self, node, docnum: int) -> bool:
        """Whether the document matches the node with its phrases checked (`check_phrases` first)."""
        if isinstance(node, Phrase):
            key = (id(node), docnum)
            if key not in self.phrases:
                self.check_phrases(node, np.asarray([docnum], dtype=np.int64))
            return self.phrases[key]
        if isinstance(node, (AllOf, AnyOf)):
            need = len(node.parts) if isinstance(node, AllOf) else node.need
            count = 0
            for i, part in enumerate(node.parts):
                count += self.holds(part, docnum)
                if count >= need:
                    return True
                if count + len(node.parts) - i - 1 < need:
                    return False
            return count >= need
        found = self._masks.get(id(node))
        mask = found[1] if found is not None else self.evaluate(node)[0]
        return bool(mask[docnum])

    def bonus(self, group: Group, docnums: np.ndarray) -> np.ndarray:
        """The phrase bonus of a group for these documents: its terms' scores in the best field where they stand
        side by side (what Whoosh's AndMaybe(required, Phrase) adds)."""
        weights = dict(group.fields)
        best = np.zeros(len(docnums), dtype=np.float64)
        for field in group.bonus_fields:
            total = np.zeros(len(docnums), dtype=np.float64)
            present = np.ones(len(docnums), dtype=bool)
            for text in group.terms:
                docs, scores = self.term(field, text)
                if not len(docs):
                    present[:] = False
                    break
                at = np.minimum(np.searchsorted(docs, docnums), len(docs) - 1)
                here = docs[at] == docnums
                present &= here
                total += np.where(here, scores[at], 0.0) * weights[field]
            if present.any():
                side_by_side = np.zeros(len(docnums), dtype=bool)
                side_by_side[present] = self.adjacent(field, group.terms, docnums[present])
                best = np.maximum(best, np.where(side_by_side, total, 0.0))
        return best


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


def _positions(value: bytes) -> list[int]:
    """Whoosh 2.7's `Positions` value: a 4-byte count, then the pickled gaps between positions."""
    return list(accumulate(loads(value[4:])))


def _max_into(target: np.ndarray, docs: np.ndarray, scores: np.ndarray) -> None:
    """target[docs] = max(target[docs], scores); docs are unique within one posting list."""
    target[docs] = np.maximum(target[docs], scores)


def has_phrases(plan: Plan) -> bool:
    return any(isinstance(leaf, Phrase) for node in (plan.positive, *plan.negative) for leaf in leaves(node))


def bonus_groups(plan: Plan) -> list[Group]:
    return [leaf for leaf in leaves(plan.positive)
            if isinstance(leaf, Group) and leaf.bonus_fields and len(leaf.terms) > 1]
