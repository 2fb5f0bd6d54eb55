"""The embedded search backend: a Whoosh index in a folder (`MADANG_SEARCH_INDEX`).

Fields: `title` (weight 3), `pathtext` (the page path's words, weight 2) and `body` (weight 1), analysed by the
chosen analyzer (see analysis.py); with the hybrid analyzer also `title_ng`/`body_ng` (bigrams, a lower weight);
`words` (spelling-level words: prefix queries, typo tolerance, "did you mean"), `initials` (초성), and for filters
`type`, `path`, `author`, `date`. Scores are BM25F times a small recency factor, so a newer page wins a tie.

Several processes may share the folder: writes take Whoosh's lock, waiting up to `LOCK_TIMEOUT` seconds (a
writer that still cannot get it raises, and the view retries on the next commit or request); readers reopen
when another process has committed. The index's own watermark is a stored document written in the same commit.
"""
from __future__ import annotations

import itertools
import math
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import Analyzer, Token
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import CLEAR

from .analysis import (
    HANGUL_FIRST,
    HANGUL_LAST,
    choseong,
    get_analyzer,
    normalize,
    query_terms,
    strip_josa,
    words,
)
from .backend import Document, Hit, SearchPage, Visible
from .plan import AllOf, AnyOf, Expansion, Group, Phrase, Plan, leaves, to_whoosh
from .query import Clause, Query
from .vector import SegmentCache, Snapshot, bonus_groups, has_phrases

SCHEMA_VERSION = 5  # 5: `revision` became a column (the withheld-revision check reads it for every counted hit)
LOCK_TIMEOUT = 30.0
META_ID = "__madang__/watermark"
META_TYPE = "__meta__"
WEIGHTS = {"title": 3.0, "pathtext": 2.0, "body": 1.0}
NGRAM_WEIGHT = 0.4  # the hybrid analyzer's bigram fields, relative to the morpheme fields
FUZZY_WEIGHT = 0.3
RECENCY = 0.05  # at most +5 % for a page changed today, half that after a year
STORED_TEXT_CHARS = 100_000  # the stored text (snippets) is cut there; the whole text is indexed
MARKED_FIELDS = frozenset(("title", "pathtext", "body", "title_ng", "body_ng", "words"))
MAIN_FIELDS = ("title", "pathtext", "body")
CHOSEONG = frozenset("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
FALLBACK_HITS = 10  # fewer visible hits than this from the analyzer's own fields: the bigram fields are added
BONUS_DEPTH = 200  # the phrase bonus is computed for this many of the best matches
FUZZY_MAX_DF = 2  # a word in more documents than this is taken as spelt right: no typo expansion
FUZZY_TERMS = 30  # at most this many close words for a typo
PREFIX_TERMS = 1000  # at most this many words for a prefix (행* ...) or initial consonants
PHRASE_BATCH = 250  # phrases are checked for this many documents (in rank order) at a time


class MadangAnalyzer(Analyzer):
    """Whoosh's view of one of our analyzers (picklable: the schema is saved in the index)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, tokenize=True, mode="", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pieces = get_analyzer(self.name).terms(value) if tokenize else [(value, 0, len(value))]
        for i, (term, start, end) in enumerate(pieces):
            token.text, token.boost, token.stopped = term, 1.0, False
            if keeporiginal:
                token.original = term
            if positions:
                token.pos = start_pos + i
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class RecentFirst(scoring.BM25F):
    """BM25F, times up to 1 + RECENCY for recent documents: recent pages win ties, relevance still rules."""

    use_final = True

    def final(self, searcher, docnum, score):
        dates = getattr(searcher, "_madang_dates", None)
        if dates is None:
            dates = searcher._madang_dates = searcher.reader().column_reader("date")
            searcher._madang_now = time.time()
        age_days = max(0.0, (searcher._madang_now - (dates[docnum] or 0)) / 86400)
        return score * (1 + RECENCY * 0.5 ** (age_days / 365))


def make_schema(analyzer: str) -> Schema:
    main = MadangAnalyzer("kiwi" if analyzer == "hybrid" else analyzer)
    fields = dict(
        id=ID(unique=True, stored=True), type=ID(stored=True, sortable=True), path=ID(stored=True),
        acl=ID(stored=True, sortable=True), url=STORED, author_name=STORED, author_email=STORED,
        revision=ID(stored=True, sortable=True),
        title=TEXT(main, stored=True), pathtext=TEXT(main), body=TEXT(main, stored=True),
        # scorable: Whoosh then keeps their lengths in a column, which spares a file lookup per posting when writing
        words=KEYWORD(scorable=True), initials=KEYWORD(scorable=True),
        author=KEYWORD(commas=True, lowercase=True, scorable=True),
        date=NUMERIC(int, bits=64, stored=True, sortable=True),  # signed: Whoosh mis-ranges unsigned 64-bit
    )
    if get_analyzer(analyzer).secondary:
        fields.update(title_ng=TEXT(MadangAnalyzer("bigram")), body_ng=TEXT(MadangAnalyzer("bigram")))
    return Schema(**fields)


class WhooshWriter:
    """One write transaction (see SearchBackend.writing)."""

    def __init__(self, backend: WhooshBackend, writer) -> None:
        self.backend, self.writer = backend, writer
        self._mark: str | None = None
        self.dirty = False  # nothing written: the transaction is dropped, not committed (no new generation)

    def watermark(self) -> str:
        if self._mark is None:
            with self.writer.searcher() as searcher:
                stored = searcher.document(id=META_ID)
            self._mark = (stored or {}).get("revision", "")
        return self._mark

    def set_watermark(self, revision: str) -> None:
        self._mark, self.dirty = revision, True
        self.writer.update_document(id=META_ID, type=META_TYPE, revision=revision)

    def index(self, documents: Iterable[Document]) -> None:
        for document in documents:
            self.dirty = True
            self.writer.update_document(**self.backend.fields_of(document))

    def delete(self, ids: Iterable[str]) -> None:
        for doc_id in ids:
            self.dirty = True
            self.writer.delete_by_term("id", doc_id)

    def clear(self) -> None:
        self.writer.delete_by_query(wq.Every())
        self._mark, self.dirty = "", True


class WhooshBackend:
    name = "whoosh"

    def __init__(self, folder: Path | str, analyzer: str = "hybrid") -> None:
        self.folder = Path(folder)
        self.analyzer_name = analyzer
        self.analyzer = get_analyzer(analyzer)
        self.indexname = f"madang{SCHEMA_VERSION}_{analyzer}"
        self._ix = None
        self._open_lock = threading.Lock()
        self._local = threading.local()
        self._segments = SegmentCache(META_TYPE)
        self.last_plan: Plan | None = None  # what the last search ran (the benchmark's reference runs the same)

    # -- the index ------------------------------------------------------------------------------------------------
    @property
    def ix(self):
        if self._ix is None:
            with self._open_lock:
                if self._ix is None:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    if not whoosh_index.exists_in(str(self.folder), indexname=self.indexname):
                        # several processes may start at once on an empty folder: one creates, the others open
                        lock = FileStorage(str(self.folder)).lock("_madang_create")
                        lock.acquire(blocking=True)
                        try:
                            if not whoosh_index.exists_in(str(self.folder), indexname=self.indexname):
                                self._create().close()
                        finally:
                            lock.release()
                    self._ix = whoosh_index.open_dir(str(self.folder), indexname=self.indexname)
        return self._ix

    def _create(self):
        """A new empty index; the files of another schema version or analyzer are removed (best effort: a
        process still reading them keeps its open files)."""
        try:
            return whoosh_index.create_in(str(self.folder), make_schema(self.analyzer_name),
                                          indexname=self.indexname)
        finally:
            for stale in self.folder.iterdir():
                if stale.name.startswith(("madang", "_madang")) and self.indexname not in stale.name \
                        and not stale.name.startswith("_madang_create"):
                    if stale.is_dir():
                        shutil.rmtree(stale, ignore_errors=True)
                    else:
                        stale.unlink(missing_ok=True)

    @contextmanager
    def writing(self) -> Iterator[WhooshWriter]:
        writer = self.ix.writer(timeout=LOCK_TIMEOUT, delay=0.05)
        try:
            transaction = WhooshWriter(self, writer)
            yield transaction
        except BaseException:
            writer.cancel()
            raise
        if transaction.dirty:
            writer.commit()
        else:  # an empty commit would still make a new generation: every searcher would reopen for nothing
            writer.cancel()

    def index(self, documents: Iterable[Document]) -> None:
        with self.writing() as w:
            w.index(documents)

    def delete(self, ids: Iterable[str]) -> None:
        with self.writing() as w:
            w.delete(ids)

    def clear(self) -> None:
        writer = self.ix.writer(timeout=LOCK_TIMEOUT, delay=0.05)
        writer.commit(mergetype=CLEAR)

    def watermark(self) -> str:
        with self._searcher() as searcher:
            stored = searcher.document(id=META_ID)
        return (stored or {}).get("revision", "")

    def count(self) -> int:
        with self._searcher() as searcher:
            return max(0, searcher.doc_count() - (1 if searcher.document(id=META_ID) else 0))

    def fields_of(self, d: Document) -> dict:
        title_words = words(d.title) + words(d.path.replace("/", " "))
        body_words = words(d.text)
        vocabulary = list(dict.fromkeys(title_words + body_words))
        initials = {choseong(w) for w in vocabulary if len(w) >= 2 and _is_hangul(w)}
        values = dict(
            id=d.id, type=d.type, path=d.path, acl=d.acl, url=d.url, author_name=d.author_name,
            author_email=d.author_email, revision=d.revision, title=d.title, pathtext=d.path.replace("/", " "),
            body=d.text, words=" ".join(vocabulary), initials=" ".join(sorted(initials)),
            author=",".join(v for v in (d.author_name, d.author_email) if v),
            date=int((d.date or datetime.now(UTC)).timestamp()),
        )
        if len(d.text) > STORED_TEXT_CHARS:  # index all of it, store the start (snippets)
            values["_stored_body"] = d.text[:STORED_TEXT_CHARS]
        if self.analyzer.secondary:
            values.update(title_ng=d.title, body_ng=d.text)
        return values

    # -- reading --------------------------------------------------------------------------------------------------
    @contextmanager
    def _searcher(self):
        """A searcher per thread, reopened when a writer (any process) has committed since."""
        owner, searcher = getattr(self._local, "searcher", (None, None))
        if owner is not self.ix:
            searcher = None
        if searcher is None:
            searcher = self.ix.searcher(weighting=RecentFirst())
        elif not searcher.up_to_date():
            fresh = searcher.refresh()
            if fresh is not searcher:
                searcher = fresh
        searcher._madang_dates = None
        self._local.searcher = (self.ix, searcher)
        yield searcher

    def close(self) -> None:
        _owner, searcher = getattr(self._local, "searcher", (None, None))
        if searcher is not None:
            searcher.close()
            self._local.searcher = (None, None)

    def forget_postings(self) -> None:
        """Drop the decoded posting lists (the benchmark times a query's first search with this)."""
        self._segments.forget_postings()

    def _snapshot(self, searcher, fresh: bool = True) -> Snapshot:
        """The searcher's arrays (made once per searcher); `fresh`: a new search begins."""
        snapshot = getattr(searcher, "_madang_snapshot", None)
        if snapshot is None:
            snapshot = searcher._madang_snapshot = Snapshot(searcher, self._segments)
            self._segments.forget_except(set(snapshot.segment_ids))
        if fresh:
            snapshot.begin()
        return snapshot

    def search(self, query: Query, visible: Visible, offset: int, limit: int, count_cap: int) -> SearchPage:
        with self._searcher() as searcher:
            if searcher.doc_count_all() == 0:  # an empty index has no columns to read
                return SearchPage([], 0, True, None)
            snapshot = self._snapshot(searcher)
            allowed = self._allowed(searcher, snapshot, query)
            memo: dict[tuple[str, str, str], bool] = {}

            def ok(docnum: int) -> bool:
                """Permission and withheld revisions, asked once per (type, acl, revision) in a search."""
                key = (snapshot.types[docnum], snapshot.acls[docnum], snapshot.revision(docnum))
                found = memo.get(key)
                if found is None:
                    found = memo[key] = visible(*key)
                return found

            plan = self.plan(query, searcher, grams=False)
            if plan is None:
                return SearchPage([], 0, True, None)
            ranked = self._rank(snapshot, plan, allowed, query.sort, ok, offset, limit, count_cap)
            if ranked.visible < FALLBACK_HITS and self.analyzer.secondary:
                # few hits from the precise fields: the bigram fields too (spacing variants, unknown compounds)
                wider = self.plan(query, searcher, grams=True)
                if wider != plan:
                    plan, ranked = wider, self._rank(snapshot, wider, allowed, query.sort, ok, offset, limit,
                                                     count_cap)
            self.last_plan = plan
            hits = [self._hit(searcher, docnum, score, self._matched(snapshot, plan, docnum))
                    for docnum, score in ranked.chosen]
            return SearchPage(hits, ranked.visible, ranked.exact, ranked.next_offset)

    def _allowed(self, searcher, snapshot: Snapshot, query: Query) -> np.ndarray:
        """Live documents (not deleted, not the watermark) that pass the query's filters."""
        allowed = snapshot.live.copy()
        flt = self._filter(query)
        if flt is not None:
            passing = np.zeros(snapshot.n, dtype=bool)
            passing[np.fromiter(searcher.docs_for_query(flt), dtype=np.int64)] = True
            allowed &= passing
        return allowed

    def _rank(self, snapshot: Snapshot, plan: Plan, allowed: np.ndarray, sort: str, ok, offset: int, limit: int,
              count_cap: int) -> _Ranked:
        """The plan's matches in order; then, one by one in that order, phrases checked and the person's
        permission asked: the page of visible hits from `offset`, and the visible count among the first
        `count_cap` (exact when there are no more)."""
        mask, scores = snapshot.evaluate(plan.positive)
        mask &= allowed
        for node in plan.negative:
            excluded, _ = snapshot.evaluate(node)
            if has_phrases(Plan(node)):
                suspects = np.flatnonzero(mask & excluded)
                snapshot.check_phrases(node, suspects)
                for docnum in suspects.tolist():
                    if snapshot.holds(node, docnum):
                        mask[docnum] = False
            else:
                mask &= ~excluded
        candidates = np.flatnonzero(mask)
        dates = snapshot.dates[candidates]
        age_years = np.maximum(0.0, time.time() - dates) / (86400 * 365)
        final = scores[candidates] * (1 + RECENCY * 0.5 ** age_years)
        words = np.zeros(len(candidates), dtype=np.int32)  # how many of the words (relaxed: most first)
        if plan.relaxed:
            for part in plan.positive.parts:
                words += snapshot.evaluate(part)[0][candidates]
        if sort == "date":
            order = np.lexsort((-final, -dates))
        else:
            order = np.lexsort((-final, -words))
            groups = bonus_groups(plan)
            if groups:  # the phrase bonus, for the best BONUS_DEPTH (it only ever adds)
                top = order[:BONUS_DEPTH]
                extra = sum(snapshot.bonus(g, candidates[top]) for g in groups)
                final = final.astype(np.float64)
                final[top] += extra * (1 + RECENCY * 0.5 ** age_years[top])
                order = np.concatenate([top[np.lexsort((-final[top], -words[top]))], order[BONUS_DEPTH:]])
        docnums, finals = candidates[order].tolist(), final[order].tolist()
        check_phrases = has_phrases(Plan(plan.positive))
        ranked = _Ranked(exact=len(docnums) <= count_cap)
        checked_to = 0
        # the first count_cap positions (counted), then from offset on (paged): a page beyond the cap skips ahead
        for position in itertools.chain(range(min(count_cap, offset, len(docnums))), range(offset, len(docnums))):
            docnum = docnums[position]
            counting, paging = position < count_cap, position >= offset and ranked.next_offset is None
            if not counting and not paging:
                break
            if check_phrases:
                if position >= checked_to:  # positions of the next documents in one go
                    checked_to = position + PHRASE_BATCH
                    snapshot.check_phrases(plan.positive, np.asarray(docnums[position:checked_to]))
                if not snapshot.holds(plan.positive, docnum):
                    continue
            if not ok(docnum):
                continue
            ranked.visible += counting
            if paging:
                if len(ranked.chosen) == limit:
                    ranked.next_offset = position
                else:
                    ranked.chosen.append((docnum, finals[position]))
        return ranked

    @staticmethod
    def _matched(snapshot: Snapshot, plan: Plan, docnum: int) -> list[tuple[str, str]]:
        """The plan's terms this document holds, in the fields the snippet marks."""
        found = []
        for leaf in leaves(plan.positive):
            if isinstance(leaf, Group):
                pairs = [(f, t) for f, _w in leaf.fields for t in leaf.terms]
            elif isinstance(leaf, Expansion):
                pairs = [(leaf.field, t) for t in leaf.terms]
            else:
                pairs = [(f, t) for f, _w, terms in leaf.options for t in terms]
            found.extend((f, t) for f, t in pairs if f in MARKED_FIELDS and snapshot.has_term(f, docnum, t))
        return found

    def reference_query(self, plan: Plan):
        """The Whoosh query that matches and scores what `plan` does (the benchmark's raw-Whoosh reference)."""
        return to_whoosh(plan)

    def _hit(self, searcher, docnum: int, score: float | None, terms) -> Hit:
        stored = searcher.stored_fields(docnum)
        date = datetime.fromtimestamp(stored.get("date") or 0, UTC)
        document = Document(id=stored["id"], type=stored["type"], path=stored["path"], acl=stored["acl"],
                            title=stored.get("title", ""), text=stored.get("body", ""), url=stored.get("url", ""),
                            author_name=stored.get("author_name", ""), author_email=stored.get("author_email", ""),
                            date=date, revision=stored.get("revision", ""))
        matched = []
        for field, term in terms:
            text = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            if field == "words":  # a word that matched despite a typo: mark it, not its particle
                matched.append(strip_josa(text))
            else:
                matched.append(text)
        return Hit(document, float(score or 0.0), sorted(set(matched), key=len, reverse=True))

    def suggestions(self, word: str, limit: int = 5) -> list[str]:
        word = strip_josa(normalize(word))
        with self._searcher() as searcher:
            corrector = searcher.corrector("words")
            found = corrector.suggest(word, limit=limit * 3, maxdist=2, prefix=0)
        stripped = list(dict.fromkeys(strip_josa(w) for w in found if w != word))
        return stripped[:limit]

    def has_word(self, word: str) -> bool:
        word = strip_josa(normalize(word))
        with self._searcher() as searcher:
            return searcher.doc_frequency("words", word) > 0

    # -- planning a Query -----------------------------------------------------------------------------------------
    def plan(self, query: Query, searcher, grams: bool) -> Plan | None:
        """The terms to look for. First (`grams` False) the analyzer's own fields, a typo expansion only for
        words the index hardly knows; the bigram fields only for words whose terms the index lacks. Then, when
        that finds too few, the bigram fields for every word (`grams`)."""
        positive = [self._plan_clause(c, query.fuzzy, grams, searcher) for c in query.positive]
        positive = [p for p in positive if p is not None]
        if not positive:
            return None
        if len(positive) == 1:
            node = positive[0]
        elif query.relaxed:  # no document has every word: any word, those with the most words first
            node = AnyOf(tuple(positive), need=1)
        else:
            node = AllOf(tuple(positive))
        negative = [self._plan_clause(c, False, True, searcher) for c in query.negative]
        return Plan(node, tuple(n for n in negative if n is not None), grams,
                    len(positive) > 1 and query.relaxed)

    def _plan_clause(self, clause: Clause, fuzzy: bool, grams: bool, searcher):
        if clause.kind == "word":
            options = [self._plan_word(w, fuzzy, grams, searcher) for w in (clause.text, *clause.alternatives)]
            options = [o for o in options if o is not None]
            return None if not options else options[0] if len(options) == 1 else AnyOf(tuple(options))
        if clause.kind == "phrase":
            terms = self._terms(clause.text)
            options = [(f, WEIGHTS[f], tuple(terms)) for f in ("title", "body")] if terms else []
            if self.analyzer.secondary and (grams or self._missing(terms, searcher)):
                grams_of = tuple(self._terms(clause.text, get_analyzer("bigram")))
                if grams_of:
                    options += [(f, NGRAM_WEIGHT, grams_of) for f in ("title_ng", "body_ng")]
            return Phrase(tuple(options)) if options else None
        if clause.kind == "prefix":
            text = normalize(clause.text)
            parts = [self._expand(searcher, "words", text)]
            if all(ch in CHOSEONG for ch in text):
                parts.append(self._expand(searcher, "initials", text))
            parts = [p for p in parts if p is not None]
            return None if not parts else parts[0] if len(parts) == 1 else AnyOf(tuple(parts))
        if clause.kind == "initials":
            return self._expand(searcher, "initials", clause.text)
        raise ValueError(clause.kind)

    def _expand(self, searcher, field: str, prefix: str) -> Expansion | None:
        terms = self._snapshot(searcher, fresh=False).expand("prefix", field, prefix, PREFIX_TERMS)
        return Expansion(field, terms, 1.0, constant=True) if terms else None

    def _terms(self, text: str, analyzer=None) -> list[str]:
        return list(query_terms((analyzer or self.analyzer).name, text))

    @staticmethod
    def _missing(terms: list[str], searcher) -> bool:
        """A term none of the main fields holds (the analyzer split the word unlike any text)."""
        return not terms or any(all(searcher.doc_frequency(f, t) == 0 for f in MAIN_FIELDS) for t in terms)

    def _plan_word(self, word: str, fuzzy: bool, grams: bool, searcher):
        terms = self._terms(word)
        parts = []
        if terms:
            loose = self.analyzer_name == "bigram"
            if loose:
                terms = list(dict.fromkeys(terms))
            need = math.ceil(len(terms) * 0.6) if loose and len(terms) > 2 else len(terms)
            parts.append(Group(tuple(terms), tuple((f, WEIGHTS[f]) for f in MAIN_FIELDS), need,
                               ("title", "body") if len(terms) > 1 else ()))
        if self.analyzer.secondary and (grams or self._missing(terms, searcher)):
            grams_of = list(dict.fromkeys(self._terms(word, get_analyzer("bigram"))))
            if grams_of:
                need = math.ceil(len(grams_of) * 0.6) if len(grams_of) > 2 else len(grams_of)
                parts.append(Group(tuple(grams_of), (("title_ng", WEIGHTS["title"] * NGRAM_WEIGHT),
                                                     ("body_ng", WEIGHTS["body"] * NGRAM_WEIGHT)), need,
                                   ("title_ng", "body_ng") if len(grams_of) > 1 else ()))
        spelled = strip_josa(normalize(word))
        if fuzzy and _long_enough(spelled) and searcher.doc_frequency("words", spelled) <= FUZZY_MAX_DF:
            # a word the index hardly knows: perhaps a typo (one edit, same first letter)
            near = self._snapshot(searcher, fresh=False).expand("typo", "words", spelled, FUZZY_TERMS)
            if near:
                parts.append(Expansion("words", near, FUZZY_WEIGHT))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def _filter(self, query: Query):
        """The query's filters as a Whoosh query (None without filters)."""
        f = query.filters
        parts = []
        if f.types:
            parts.append(wq.Or([wq.Term("type", t) for t in f.types]))
        if f.path:
            prefix = f.path.strip("/")
            parts.append(wq.Or([wq.Term("path", prefix), wq.Prefix("path", prefix + "/")]))
        if f.author:
            parts.append(wq.Term("author", f.author.strip().lower()))
        if f.date_from or f.date_to:
            start = int(f.date_from.timestamp()) if f.date_from else None
            end = int(f.date_to.timestamp()) - 1 if f.date_to else None
            parts.append(wq.NumericRange("date", start, end))
        return None if not parts else parts[0] if len(parts) == 1 else wq.And(parts)

    def reference_filter(self, query: Query):
        """The filter the raw-Whoosh reference applies: the query's filters, and never the watermark document."""
        flt = self._filter(query)
        meta = wq.Not(wq.Term("type", META_TYPE))
        return meta if flt is None else wq.And([meta, flt])


@dataclass
class _Ranked:
    exact: bool
    visible: int = 0
    chosen: list[tuple[int, float]] = dc_field(default_factory=list)
    next_offset: int | None = None


def _is_hangul(word: str) -> bool:
    return any(HANGUL_FIRST <= ord(ch) <= HANGUL_LAST for ch in word)


def _long_enough(word: str) -> bool:
    """One typo is forgiven in words of 3+ syllables (Korean) or 5+ letters."""
    return len(word) >= (3 if _is_hangul(word) else 5)
