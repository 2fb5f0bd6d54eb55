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

import math
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from whoosh import collectors, scoring
from whoosh import index as whoosh_index
from whoosh import query as wq
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
from .query import Clause, Query

SCHEMA_VERSION = 4
LOCK_TIMEOUT = 30.0
META_ID = "__madang__/watermark"
META_TYPE = "__meta__"
WEIGHTS = {"title": 3.0, "pathtext": 2.0, "body": 1.0}
NGRAM_WEIGHT = 0.4  # the hybrid analyzer's bigram fields, relative to the morpheme fields
FUZZY_WEIGHT = 0.3
RECENCY = 0.05  # at most +5 % for a page changed today, half that after a year
STORED_TEXT_CHARS = 100_000  # the stored text (snippets) is cut there; the whole text is indexed
MARKED_FIELDS = frozenset(("title", "pathtext", "body", "title_ng", "body_ng", "words"))


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
        acl=ID(stored=True, sortable=True), url=STORED, author_name=STORED, author_email=STORED, revision=STORED,
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

    def watermark(self) -> str:
        if self._mark is None:
            with self.writer.searcher() as searcher:
                stored = searcher.document(id=META_ID)
            self._mark = (stored or {}).get("revision", "")
        return self._mark

    def set_watermark(self, revision: str) -> None:
        self._mark = revision
        self.writer.update_document(id=META_ID, type=META_TYPE, revision=revision)

    def index(self, documents: Iterable[Document]) -> None:
        for document in documents:
            self.writer.update_document(**self.backend.fields_of(document))

    def delete(self, ids: Iterable[str]) -> None:
        for doc_id in ids:
            self.writer.delete_by_term("id", doc_id)

    def clear(self) -> None:
        self.writer.delete_by_query(wq.Every())
        self._mark = ""


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
            yield WhooshWriter(self, writer)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

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

    def search(self, query: Query, visible: Visible, offset: int, limit: int, count_cap: int) -> SearchPage:
        with self._searcher() as searcher:
            compiled = self.compile(query)
            if compiled is None or searcher.doc_count_all() == 0:  # an empty index has no columns to read
                return SearchPage([], 0, True, None)
            flt = self._filter(query)
            types = searcher.reader().column_reader("type")
            acls = searcher.reader().column_reader("acl")
            memo: dict[tuple[str, str], bool] = {}

            def ok(docnum: int) -> bool:
                key = (types[docnum], acls[docnum])
                if key not in memo:
                    memo[key] = key[0] != META_TYPE and visible(*key)
                return memo[key]

            # One pass ranks and counts: the ranking visits every match anyway (the recency factor turns off
            # Whoosh's block skipping), so the visible count (up to count_cap matches) is taken on the way.
            # Then, if the ranked window held too few visible hits, over-fetch (×4 a round) without counting.
            sortedby = "date" if query.sort == "date" else None
            fetch = offset + 2 * limit + 10
            counter = None
            while True:
                ranked = searcher.collector(limit=fetch, sortedby=sortedby, reverse=query.sort == "date")
                if counter is None:
                    counter = ranked = _Counting(ranked, ok, count_cap)
                collector = collectors.FilterCollector(ranked, allow=flt)
                searcher.search_with_collector(compiled, collector)
                results = collector.results()
                chosen, next_offset = [], None
                for position in range(offset, results.scored_length()):
                    docnum = results.docnum(position)
                    if not ok(docnum):
                        continue
                    if len(chosen) == limit:
                        next_offset = position
                        break
                    chosen.append(docnum)
                if next_offset is not None or results.scored_length() < fetch:
                    break
                fetch *= 4
            matched = self._matched_terms(searcher, compiled, chosen)
            scores = {results.docnum(i): results.score(i) for i in range(results.scored_length())}
            hits = [self._hit(searcher, docnum, scores.get(docnum), matched.get(docnum, ())) for docnum in chosen]
            return SearchPage(hits, counter.visible, not counter.more, next_offset)

    @staticmethod
    def _matched_terms(searcher, compiled, docnums: list[int]) -> dict[int, list[tuple[str, bytes]]]:
        """The query's index terms each of the shown documents holds (for the snippet's marks): looked up in
        the postings for these few documents, instead of recording terms for every match while ranking."""
        found: dict[int, list[tuple[str, bytes]]] = {d: [] for d in docnums}
        if not docnums:
            return found
        reader = searcher.reader()
        wanted = sorted(docnums)
        for field, text in _expanded_terms(compiled, reader):
            postings = reader.postings(field, text)
            for docnum in wanted:
                if not postings.is_active():
                    break
                if postings.id() < docnum:
                    postings.skip_to(docnum)
                    if not postings.is_active():
                        break
                if postings.id() == docnum:
                    found[docnum].append((field, text))
        return found

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

    # -- compiling a Query ----------------------------------------------------------------------------------------
    def compile(self, query: Query, bonus: bool = True):
        """The Whoosh query; without `bonus` the same matches, unranked (no phrase bonus): for counting."""
        positive = [self._clause(c, query.fuzzy, bonus) for c in query.positive]
        positive = [q for q in positive if q is not None]
        if not positive:
            return None
        if len(positive) == 1:
            compiled = positive[0]
        elif query.relaxed:
            compiled = wq.Or(positive, minmatch=max(1, len(positive) - 1))
        else:
            compiled = wq.And(positive)
        negative = [self._clause(c, False, False) for c in query.negative]
        negative = [q for q in negative if q is not None]
        if negative:
            compiled = wq.AndNot(compiled, negative[0] if len(negative) == 1 else wq.Or(negative))
        return compiled

    def _clause(self, clause: Clause, fuzzy: bool, bonus: bool):
        if clause.kind == "word":
            options = [self._word(w, fuzzy, bonus) for w in (clause.text, *clause.alternatives)]
            options = [q for q in options if q is not None]
            return None if not options else options[0] if len(options) == 1 else wq.Or(options)
        if clause.kind == "phrase":
            return self._phrase(clause.text)
        if clause.kind == "prefix":
            text = normalize(clause.text)
            return wq.Or([wq.Prefix("words", text), wq.Prefix("initials", text)]) \
                if all(ch in "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ" for ch in text) else wq.Prefix("words", text)
        if clause.kind == "initials":
            return wq.Prefix("initials", clause.text)
        raise ValueError(clause.kind)

    def _terms(self, text: str, analyzer=None) -> list[str]:
        return list(query_terms((analyzer or self.analyzer).name, text))

    def _word(self, word: str, fuzzy: bool, bonus: bool):
        terms = self._terms(word)
        options = []
        main = self._match(terms, ("title", "pathtext", "body"), self.analyzer_name == "bigram", bonus)
        if main is not None:
            options.append(main)
        if self.analyzer.secondary:
            grams = self._match(self._terms(word, get_analyzer("bigram")), ("title_ng", "body_ng"), True, bonus,
                                boost=NGRAM_WEIGHT)
            if grams is not None:
                options.append(grams)
        spelled = strip_josa(normalize(word))
        if fuzzy and _long_enough(spelled):
            options.append(wq.FuzzyTerm("words", spelled, boost=FUZZY_WEIGHT, maxdist=1, prefixlength=1))
        if not options:
            return None
        return options[0] if len(options) == 1 else wq.Or(options)

    def _match(self, terms: list[str], fields: tuple[str, ...], loose: bool, bonus: bool, boost: float = 1.0):
        """Every term in one of the fields (cross-field); bigrams (`loose`) need only 60 % of theirs, so that
        통합검색 also finds "통합 검색" (whose 합검 is missing); terms side by side earn a phrase bonus."""
        terms = list(dict.fromkeys(terms)) if loose else terms
        if not terms:
            return None
        per_term = [wq.DisjunctionMax([wq.Term(f, t, boost=WEIGHTS.get(f.removesuffix("_ng"), 1.0) * boost)
                                       for f in fields], tiebreak=0.1) for t in terms]
        if len(per_term) == 1:
            return per_term[0]
        if loose and len(terms) > 2:
            required = wq.Or(per_term, minmatch=math.ceil(len(terms) * 0.6))
        else:
            required = wq.And(per_term)
        if not bonus:
            return required
        bonus = wq.DisjunctionMax([wq.Phrase(f, terms, boost=WEIGHTS.get(f.removesuffix("_ng"), 1.0) * boost)
                                   for f in fields if f != "pathtext"])
        return wq.AndMaybe(required, bonus)

    def _phrase(self, text: str):
        options = []
        terms = self._terms(text)
        fields = ["title", "body"]
        if terms:
            options.extend(wq.Phrase(f, terms, boost=WEIGHTS[f]) if len(terms) > 1 else wq.Term(f, terms[0])
                           for f in fields)
        if self.analyzer.secondary:
            grams = self._terms(text, get_analyzer("bigram"))
            if grams:
                options.extend(wq.Phrase(f, grams, boost=NGRAM_WEIGHT) if len(grams) > 1 else wq.Term(f, grams[0])
                               for f in ("title_ng", "body_ng"))
        return wq.DisjunctionMax(options) if options else None

    def _filter(self, query: Query):
        f = query.filters
        parts = [wq.Not(wq.Term("type", META_TYPE))]
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
        return wq.And(parts)


class _Counting(collectors.WrappingCollector):
    """Counts the visible matches (the first `cap` examined) while the wrapped collector ranks them."""

    def __init__(self, child, ok, cap: int) -> None:
        super().__init__(child)
        self.ok, self.cap = ok, cap
        self.examined = self.visible = 0
        self.more = False  # a match beyond the cap was seen

    def collect(self, sub_docnum):
        if self.examined < self.cap:
            self.examined += 1
            self.visible += self.ok(self.child.offset + sub_docnum)
        else:
            self.more = True
        return self.child.collect(sub_docnum)


def _expanded_terms(compiled, reader) -> set[tuple[str, bytes]]:
    """The index terms of the query's leaves in the marked fields, prefix and typo queries expanded to the words
    they match (Whoosh's own existing_terms(expand=True) drops those: it encodes their bytes again)."""
    schema, found = reader.schema, set()
    for leaf in compiled.leaves():
        for field, text in leaf.expanded_terms(reader, phrases=True):
            if field not in MARKED_FIELDS:
                continue
            if isinstance(text, str):
                try:
                    text = schema[field].to_bytes(text)
                except ValueError:
                    continue
            if (field, text) in reader:
                found.add((field, text))
    return found


def _is_hangul(word: str) -> bool:
    return any(HANGUL_FIRST <= ord(ch) <= HANGUL_LAST for ch in word)


def _long_enough(word: str) -> bool:
    """One typo is forgiven in words of 3+ syllables (Korean) or 5+ letters."""
    return len(word) >= (3 if _is_hangul(word) else 5)
