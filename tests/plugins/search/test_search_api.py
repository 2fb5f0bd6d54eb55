"""GET /api/v1/search: permissions, freshness, query syntax, filters, sorting, paging, bad input."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wiki.store import Author, ContentStore


def paths(answer: dict) -> list[str]:
    return [hit["path"] for hit in answer["hits"]]


@pytest.fixture
def restricted(client, admin_headers, put_page):
    """인사/ readable by group:hr only; one public and one restricted page share the word 예산안."""
    rules = {"default": {"read": ["anonymous"], "edit": ["staff"]},
             "rules": [{"prefix": "인사", "read": ["group:hr"], "edit": ["group:hr"]}]}
    assert client.put("/api/v1/admin/acl", json=rules, headers=admin_headers).status_code == 200
    put_page("공개/예산", "# 예산 편성\n\n2026년 예산안 편성 일정입니다.")
    put_page("인사/구조조정", "# 구조조정계획\n\n비공개 예산안과 감원 명단입니다.")


def test_a_restricted_page_never_appears_not_in_total_not_in_suggestions(restricted, search, make_user):
    answer = search("예산안")
    assert paths(answer) == ["공개/예산"] and answer["total"] == 1 and answer["total_exact"] is True
    nothing = search("구조조정계획")
    assert nothing == {**nothing, "total": 0, "hits": [], "suggestion": None}
    assert search("감원")["total"] == 0 and search("감원 명단")["total"] == 0
    assert search("구조조정게획")["suggestion"] is None  # the only close word lives in a restricted page
    assert search("ㄱㅈㅈㅈ")["total"] == 0
    hr = make_user("insa", groups=["hr"])
    answer = search("예산안", headers=hr)
    assert sorted(paths(answer)) == ["공개/예산", "인사/구조조정"] and answer["total"] == 2
    assert paths(search("구조조정게획", headers=hr)) == ["인사/구조조정"]  # one typo forgiven, for a reader


def test_rules_apply_at_once_without_reindexing(restricted, client, admin_headers, search):
    rules = {"default": {"read": ["anonymous"], "edit": ["staff"]}, "rules": []}
    assert client.put("/api/v1/admin/acl", json=rules, headers=admin_headers).status_code == 200
    assert search("예산안")["total"] == 2


def test_restricted_attachments_are_hidden_too(restricted, put_file, search):
    put_file("인사/구조조정", "명단.txt", "감원 대상 명단 초안".encode())
    put_file("공개/예산", "일정.txt", "예산 일정표 초안".encode())
    assert paths(search("초안")) == ["공개/예산/일정.txt"]


def test_saved_text_is_searchable_when_the_save_returns(put_page, search):
    for word in ("청사이전", "예산심의", "민원창구"):
        put_page("회의/주간", f"# 주간 회의\n\n이번 안건은 {word}입니다.")
        answer = search(word)
        assert paths(answer) == ["회의/주간"] and f"<mark>{word}</mark>" in answer["hits"][0]["snippet_html"]
    assert search("청사이전")["total"] == 0  # the old text is gone


def test_a_deleted_or_moved_page_leaves_the_index(client, admin_headers, put_page, search):
    put_page("옛이름", "# 이전 문서\n\n옮겨질 청사배치도 안내")
    assert client.post("/api/v1/pages/옛이름/move", json={"to": "새이름"}, headers=admin_headers).status_code == 200
    assert paths(search("청사배치도")) == ["새이름"]
    assert client.delete("/api/v1/pages/새이름", json={}, headers=admin_headers).status_code == 200
    assert search("청사배치도")["total"] == 0


def test_a_commit_by_another_process_is_found_on_the_next_request(config, put_page, search):
    put_page("시작", "# 시작\n\n첫 문서")
    other = ContentStore(config.content_repo)  # another worker's store: no in-process catch-up here
    other.commit({"pages/다른프로세스.md": "# 다른 프로세스\n\n원격근무 지침 개정".encode()},
                 Author("홍길동", "hong@seoul.go.kr"), "다른 프로세스에서 저장")
    other.close()
    answer = search("원격근무")
    assert paths(answer) == ["다른프로세스"] and answer["hits"][0]["author"]["name"] == "홍길동"


def test_phrase_exclusion_and_prefix(put_page, search):
    put_page("가", "# 가\n\n통합 검색 시스템을 도입합니다.")
    put_page("나", "# 나\n\n검색 결과를 통합 관리합니다.")
    put_page("다", "# 다\n\n행정포털 통합 검색 초안입니다.")
    assert sorted(paths(search('"통합 검색"'))) == ["가", "다"]
    assert paths(search('"통합 검색" -초안')) == ["가"]
    assert sorted(paths(search("통합 -\"통합 검색\""))) == ["나"]
    assert paths(search("행정*")) == ["다"]
    assert sorted(paths(search("도입*"))) == ["가"]


def test_filters_and_sort(client, admin_headers, put_page, put_file, search, make_user, monkeypatch):
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 400 * 86400)  # this page was last changed 400 days ago
    put_page("총무/오래된", "# 오래된 공지\n\n청사 소방점검 안내")
    monkeypatch.setattr(time, "time", real)
    put_page("총무/새", "# 새 공지\n\n청사 소방점검 결과")
    writer = make_user("kim", name="김서울")
    put_page("시설/점검", "# 시설 점검\n\n소방점검 일정", headers=writer)
    put_file("총무/새", "점검표.txt", "소방점검 점검표".encode())
    assert search("소방점검")["total"] == 4
    assert paths(search("소방점검", type="attachment")) == ["총무/새/점검표.txt"]
    assert sorted(paths(search("소방점검", type="page,attachment"))) == sorted(paths(search("소방점검")))
    assert sorted(paths(search("소방점검", path="총무"))) == ["총무/새", "총무/새/점검표.txt", "총무/오래된"]
    assert paths(search("소방점검", author="김서울")) == ["시설/점검"]
    assert paths(search("소방점검", author="kim@seoul.go.kr")) == ["시설/점검"]
    now = datetime.now(ZoneInfo("Asia/Seoul"))  # days are Seoul days
    today, year_ago = now.strftime("%Y-%m-%d"), (now - timedelta(days=365)).strftime("%Y-%m-%d")
    assert "총무/오래된" not in paths(search("소방점검", **{"from": year_ago}))
    assert paths(search("소방점검", to=year_ago)) == ["총무/오래된"]
    assert len(paths(search("소방점검", **{"from": year_ago, "to": today}))) == 3
    newest = paths(search("소방점검", sort="date"))
    assert newest[-1] == "총무/오래된" and len(newest) == 4
    hit = search("소방점검", path="시설")["hits"][0]
    assert hit["url"] == "/wiki/%EC%8B%9C%EC%84%A4/%EC%A0%90%EA%B2%80" and hit["date"] and hit["revision"]


def test_titles_weigh_more_and_recent_pages_win_ties(put_page, search, monkeypatch):
    put_page("본문", "# 다른 제목\n\n이 문서는 본문에서만 주차장을 말합니다.")
    put_page("제목", "# 주차장 안내\n\n이 문서는 이용 시간을 말합니다.")
    assert paths(search("주차장"))[0] == "제목"
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 86400)
    put_page("쌍둥이/하나", "# 같은 글\n\n자전거 보관소")  # changed yesterday
    monkeypatch.setattr(time, "time", real)
    put_page("쌍둥이/둘", "# 같은 글\n\n자전거 보관소")
    assert paths(search("자전거 보관소"))[0] == "쌍둥이/둘"


def test_paging_with_cursors_skips_restricted_hits(restricted, put_page, search):
    for i in range(7):
        put_page(f"공개/회의{i}", f"# 회의 {i}\n\n분기 성과보고 자료 {i}")
        put_page(f"인사/회의{i}", f"# 인사 회의 {i}\n\n분기 성과보고 인사 자료 {i}")
    seen, cursor, pages = [], None, 0
    while True:
        answer = search("성과보고", limit=3, **({"cursor": cursor} if cursor else {}))
        assert answer["total"] == 7
        seen += paths(answer)
        pages += 1
        cursor = answer["next"]
        if not cursor:
            break
    assert pages == 3 and sorted(seen) == sorted(f"공개/회의{i}" for i in range(7))


@pytest.mark.parametrize(("params", "field"), [
    ({"q": ""}, "q"), ({"q": "   "}, "q"), ({"q": "가" * 201}, "q"), ({"q": "-초안"}, "q"),
    ({"q": "검색", "limit": "0"}, "limit"), ({"q": "검색", "limit": "many"}, "limit"),
    ({"q": "검색", "cursor": "not-a-cursor"}, None), ({"q": "검색", "type": "memo"}, "type"),
    ({"q": "검색", "from": "2026-13-40"}, "from"), ({"q": "검색", "sort": "size"}, "sort"),
    ({"q": "검색", "from": "2026-03-02", "to": "2026-03-01"}, "from"),
])
def test_bad_input_is_a_400_with_a_message(client, params, field):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_input" and len(body["message"]) > 10
    if field:
        assert body.get("field") == field


def test_the_answer_has_the_documented_shape(put_page, search):
    put_page("모양", "# 결과 모양\n\n<b>굵게</b> 검색어 강조")
    answer = search("검색어")
    assert set(answer) >= {"total", "hits", "next"}
    hit = answer["hits"][0]
    assert set(hit) >= {"type", "path", "title", "snippet_html", "score", "url"}
    assert hit["type"] == "page" and "<mark>검색어</mark>" in hit["snippet_html"]
    assert "<b>" not in hit["snippet_html"] and "&lt;b&gt;" in hit["snippet_html"]  # the text is escaped


def test_a_new_site_with_nothing_indexed_answers_with_no_hits(tmp_path):
    from tests.conftest import make_config
    from wiki.app import create_app

    app = create_app(make_config(tmp_path))
    client = app.test_client()
    answer = client.get("/api/v1/search", query_string={"q": "행정포털"})
    assert answer.status_code == 200 and answer.get_json()["total"] == 0 and answer.get_json()["hits"] == []
    assert client.get("/search", query_string={"q": "행정포털"}).status_code == 200
    app.extensions["madang"].store.close()
