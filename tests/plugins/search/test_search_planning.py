"""Query planning: typo expansion only for words the index hardly knows, bigram fields as a fallback, the count
capped with the permission check inside the ranking, and the numpy evaluation agreeing with Whoosh's."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugins.search.backend import Document
from plugins.search.plan import to_whoosh
from plugins.search.query import parse
from plugins.search.whoosh_backend import WhooshBackend

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def page(path: str, title: str, text: str, days: int = 0) -> Document:
    return Document(id=f"pages/{path}.md", type="page", path=path, acl=path, title=title, text=text,
                    url=f"/wiki/{path}", date=NOW - timedelta(days=days))


def found(backend: WhooshBackend, q: str, visible=lambda *_: True, offset: int = 0, limit: int = 10,
          cap: int = 1000) -> tuple[list[str], int, bool, int | None]:
    result = backend.search(parse(q), visible, offset, limit, cap)
    return [hit.document.path for hit in result.hits], result.total, result.total_exact, result.next_offset


def test_a_known_word_is_not_read_as_a_typo_an_unknown_one_is(tmp_path):
    backend = WhooshBackend(tmp_path, "hybrid")
    backend.index([*(page(f"회의/기록{i}", "회의록 정리", f"{i}월 회의록을 정리했습니다.", days=i) for i in range(3)),
                   page("회의/일정", "회의 일정", "다음 회의를 화요일에 엽니다."),
                   page("결재/안내", "전자결재 안내", "전자결재로 올립니다.")])
    records = ["회의/기록0", "회의/기록1", "회의/기록2"]
    assert found(backend, "회의록")[0] == records  # 회의를 is one edit away, but 회의록 is in three pages
    assert found(backend, "전자결제")[0] == ["결재/안내"]  # nowhere in the index: one typo forgiven
    assert found(backend, "회이록")[0] == records  # one edit from 회의록, two from 회의를
    backend.close()


def test_bigram_fields_come_in_only_when_the_precise_ones_find_too_few(tmp_path):
    backend = WhooshBackend(tmp_path, "hybrid")
    backend.index([page("문서/작성", "공문서 작성법", "공문서는 이렇게 작성합니다."),
                   page("통합/검색", "통합 검색", "통합 검색 화면입니다.")])
    assert found(backend, "공문작성")[0] == ["문서/작성"]  # Kiwi reads 공문 + 작성: the bigrams find 공문서 작성
    assert backend.last_plan.grams is True
    assert found(backend, "통합검색")[0] == ["통합/검색"]
    backend.close()


def test_the_count_stops_at_the_cap_and_counts_only_visible_documents(tmp_path):
    backend = WhooshBackend(tmp_path, "bigram")  # no model: quick to index
    backend.index(page(f"공지/{i:04d}", f"공지 {i}", f"주간 점검 공지 {i}번", days=i) for i in range(1200))
    visible = lambda kind, acl, revision: int(acl.rsplit("/", 1)[1]) % 2 == 0  # noqa: E731 (odd pages hidden)
    paths, total, exact, next_offset = found(backend, "점검", visible, cap=1000)
    assert total == 500 and exact is False  # the visible ones among the first 1,000 matches: a lower bound
    assert len(paths) == 10 and all(int(p[-4:]) % 2 == 0 for p in paths)
    assert paths[0] == "공지/0000"  # same score: the newest first
    seen = list(paths)
    while next_offset is not None and len(seen) < 40:
        more, _total, _exact, next_offset = found(backend, "점검", visible, offset=next_offset)
        seen.extend(more)
    assert seen == [f"공지/{i:04d}" for i in range(0, 80, 2)]  # pages follow on without gaps or repeats
    deep = found(backend, "점검", visible, offset=1100, limit=5, cap=1000)  # a page beyond the counted ones
    assert deep[0] == [f"공지/{i:04d}" for i in range(1100, 1110, 2)] and deep[1:3] == (500, False)
    assert found(backend, "\"주간 점검 공지 7번\"", visible)[1] == 0  # hidden before it is counted
    assert found(backend, "\"주간 점검 공지 8번\"", visible)[:3] == (["공지/0008"], 1, True)
    backend.close()


def test_the_arrays_rank_as_whoosh_does_on_the_same_plan(tmp_path):
    backend = WhooshBackend(tmp_path, "hybrid")
    backend.index([page("가/하나", "예산 편성", "예산 편성 일정과 예산 집행 계획", days=1),
                   page("가/둘", "집행 점검", "예산 집행을 점검합니다. 예산 집행 결과 보고", days=2),
                   page("가/셋", "보고서", "예산 보고서를 냅니다", days=3),
                   page("가/넷", "일정", "편성 일정만 적었습니다", days=4)])
    for q in ("예산", "예산 집행", "\"예산 집행\"", "편성 -보고서"):
        ours = found(backend, q)[0]
        with backend._searcher() as searcher:
            plan = backend.plan(parse(q), searcher, grams=False)
            theirs = [searcher.stored_fields(hit.docnum)["path"] for hit in
                      searcher.search(to_whoosh(plan), filter=backend.reference_filter(parse(q)), limit=10)]
        assert ours == theirs, q
    backend.close()


def test_a_transaction_that_writes_nothing_leaves_the_index_as_it_was(tmp_path):
    """An empty commit would make a new generation, and every searcher (with its arrays) would reopen for nothing."""
    backend = WhooshBackend(tmp_path, "bigram")
    backend.index([page("가/나", "가나", "내용")])
    generation = backend.ix.latest_generation()
    with backend.writing() as writer:
        writer.index([])
        writer.delete([])
    assert backend.ix.latest_generation() == generation
    with backend.writing() as writer:
        writer.delete(["pages/가/나.md"])
    assert backend.ix.latest_generation() == generation + 1 and found(backend, "내용")[1] == 0
    backend.close()
