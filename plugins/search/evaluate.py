"""Measure the analyzers: relevance (recall@10, MRR) on the Korean relevance set, and speed (indexing, queries).

    .venv/bin/python -m plugins.search.evaluate            # the relevance table and the speed table
    .venv/bin/python -m plugins.search.evaluate --docs 5000

The relevance set lives in tests/plugins/search/relevance/ (documents.tsv, queries.tsv); the speed corpus is made
from its sentences, shuffled with a fixed seed. "raw whoosh" is Whoosh out of the box on the same documents
(StandardAnalyzer, the default query parser over title and body): the baseline the ratios compare against.
"""
from __future__ import annotations

import argparse
import platform
import random
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .backend import Document
from .query import parse
from .service import SearchService
from .whoosh_backend import WhooshBackend

RELEVANCE_DIR = Path(__file__).resolve().parents[2] / "tests" / "plugins" / "search" / "relevance"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Scores:
    recall: float
    mrr: float
    misses: list[str]


def load(folder: Path = RELEVANCE_DIR) -> tuple[list[Document], list[tuple[str, list[str]]]]:
    documents = []
    for i, line in enumerate(_lines(folder / "documents.tsv")):
        path, title, text = line.split("\t")
        documents.append(Document(id=f"pages/{path}.md", type="page", path=path, acl=path, title=title, text=text,
                                  url=f"/wiki/{path}", author_name="평가", author_email="eval@seoul.go.kr",
                                  date=NOW - timedelta(days=3 * i)))
    queries = []
    for line in _lines(folder / "queries.tsv"):
        query, relevant = line.split("\t")
        queries.append((query, [p.strip() for p in relevant.split(",")]))
    return documents, queries


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]


def score(ranked: dict[str, list[str]], queries: list[tuple[str, list[str]]]) -> Scores:
    recalls, ranks, misses = [], [], []
    for query, relevant in queries:
        top = ranked[query][:10]
        recalls.append(len(set(top) & set(relevant)) / len(relevant))
        first = next((i for i, path in enumerate(top, 1) if path in relevant), None)
        ranks.append(1 / first if first else 0.0)
        if first != 1:
            misses.append(f"{query} → {top[:3]}")
    return Scores(statistics.mean(recalls), statistics.mean(ranks), misses)


def run_backend(analyzer: str, documents: list[Document], queries: list[str], folder: Path) -> tuple[dict, float,
                                                                                                       list[float]]:
    backend = WhooshBackend(folder, analyzer)
    service = SearchService(backend, None, "")
    started = time.perf_counter()
    backend.index(documents)
    index_seconds = time.perf_counter() - started
    ranked, timings = {}, []
    for text in queries:
        started = time.perf_counter()
        found = service.search(parse(text), lambda *_: True, None, 10, suggest=False)
        timings.append(time.perf_counter() - started)
        ranked[text] = [result.hit.document.path for result in found.results]
    backend.close()
    return ranked, index_seconds, timings


def run_raw_whoosh(documents: list[Document], queries: list[str], folder: Path) -> tuple[dict, float, list[float]]:
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser

    folder.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(folder), Schema(path=ID(stored=True, unique=True), title=TEXT(stored=True),
                                             body=TEXT(stored=True)))
    started = time.perf_counter()
    writer = ix.writer()
    for d in documents:
        writer.update_document(path=d.path, title=d.title, body=d.text)
    writer.commit()
    index_seconds = time.perf_counter() - started
    ranked, timings = {}, []
    parser = MultifieldParser(["title", "body"], ix.schema)
    with ix.searcher() as searcher:
        for text in queries:
            started = time.perf_counter()
            results = searcher.search(parser.parse(text), limit=10)
            ranked[text] = [hit["path"] for hit in results]
            timings.append(time.perf_counter() - started)
    return ranked, index_seconds, timings


def speed_corpus(documents: list[Document], count: int, seed: int = 7) -> list[Document]:
    """`count` documents of 6–20 sentences each, drawn from the relevance set's sentences."""
    rng = random.Random(seed)
    sentences = [s.strip() + "." for d in documents for s in d.text.split(".") if s.strip()]
    titles = [d.title for d in documents]
    corpus = []
    for i in range(count):
        text = " ".join(rng.choice(sentences) for _ in range(rng.randint(6, 20)))
        path = f"부서{i % 40}/문서{i}"
        corpus.append(Document(id=f"pages/{path}.md", type="page", path=path, acl=path,
                               title=f"{rng.choice(titles)} {i}", text=text, url=f"/wiki/{path}",
                               author_name="평가", author_email="eval@seoul.go.kr",
                               date=NOW - timedelta(hours=i)))
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents in the speed corpus")
    parser.add_argument("--analyzers", default="bigram,kiwi,hybrid")
    args = parser.parse_args()
    documents, queries = load()
    texts = [q for q, _ in queries]
    corpus = speed_corpus(documents, args.docs)
    chars = sum(len(d.title) + len(d.text) for d in corpus)
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}; relevance set: {len(documents)} documents, {len(queries)} queries; "
          f"speed corpus: {len(corpus)} documents, {chars / 1e6:.2f} M characters")
    from .analysis import kiwi

    started = time.perf_counter()
    kiwi().tokenize("모델 적재")
    print(f"Kiwi model load: {time.perf_counter() - started:.2f} s (once per process)")
    rows = []
    work = Path(tempfile.mkdtemp(prefix="madang-search-eval-"))
    try:
        for name in ["raw whoosh", *args.analyzers.split(",")]:
            runner = (lambda docs, qs, f: run_raw_whoosh(docs, qs, f)) if name == "raw whoosh" else \
                (lambda docs, qs, f, n=name: run_backend(n, docs, qs, f))
            ranked, _, _ = runner(documents, texts, work / f"{name}-rel")
            scores = score(ranked, queries)
            _, index_seconds, _ = runner(corpus, texts, work / f"{name}-speed")
            _, _, timings = runner(corpus, texts, work / f"{name}-speed")  # second run: the index exists
            size = sum(p.stat().st_size for p in (work / f"{name}-speed").iterdir())
            rows.append((name, scores, index_seconds, timings, size))
            for miss in scores.misses:
                print(f"  [{name}] not first: {miss}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base_index, base_query = rows[0][2], statistics.mean(rows[0][3])
    print("\n| analyzer | recall@10 | MRR | index docs/s | × raw | query ms (mean / p95) | × raw | index MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, scores, index_seconds, timings, size in rows:
        mean = statistics.mean(timings)
        p95 = sorted(timings)[int(len(timings) * 0.95) - 1]
        print(f"| {name} | {scores.recall:.3f} | {scores.mrr:.3f} | {len(corpus) / index_seconds:,.0f} | "
              f"{index_seconds / base_index:.1f} | {mean * 1000:.1f} / {p95 * 1000:.1f} | {mean / base_query:.1f} | "
              f"{size / 1e6:.1f} |")


if __name__ == "__main__":
    main()
