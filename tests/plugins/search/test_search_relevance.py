"""The Korean relevance set (relevance/: 48 documents, 73 queries with judgements) must stay as good as measured.

Thresholds are a little under what the default analyzer measured (see plugins/search/README.md); not timed.
"""
from __future__ import annotations

from plugins.search.analysis import DEFAULT_ANALYZER
from plugins.search.evaluate import load, run_backend, score

RECALL_AT_10, MRR = 0.95, 0.95


def test_the_relevance_set_is_big_enough():
    documents, queries = load()
    assert len(documents) >= 40 and len(queries) >= 40
    known = {d.path for d in documents}
    assert all(set(relevant) <= known for _q, relevant in queries)


def test_recall_and_mrr_stay_above_the_measured_thresholds(tmp_path):
    documents, queries = load()
    ranked, _seconds, _timings = run_backend(DEFAULT_ANALYZER, documents, [q for q, _ in queries], tmp_path)
    scores = score(ranked, queries)
    assert scores.recall >= RECALL_AT_10, scores.misses
    assert scores.mrr >= MRR, scores.misses
