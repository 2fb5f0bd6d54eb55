"""Korean (and mixed) analysis, through the API on the default analyzer, and the analyzers one by one."""
from __future__ import annotations

import pytest

from plugins.search.analysis import BigramAnalyzer, choseong, is_choseong_query, strip_josa, words
from plugins.search.backend import Document
from plugins.search.query import parse
from plugins.search.whoosh_backend import WhooshBackend


def paths(answer: dict) -> list[str]:
    return [hit["path"] for hit in answer["hits"]]


@pytest.fixture
def site(put_page):
    put_page("행정포털/사용법", "# 행정포털 사용법\n\n행정포털은 직원용 업무 포털입니다. 행정포털에서 메일을 봅니다.")
    put_page("안내/통합검색", "# 검색 안내\n\n통합 검색 화면에서 문서를 찾습니다.")
    put_page("안내/시스템", "# 시스템 소개\n\n통합검색시스템이 새로 열렸습니다.")
    put_page("정보보안/무선랜", "# 청사 무선랜\n\n직원용 WiFi는 SEOUL-STAFF입니다. 2020년에 설치했습니다.")
    put_page("개발/로그", "# 로그\n\nSearched logs are kept for 90 days. 검색 기록 보관.")
    put_page("전자결재/안내", "# 전자결재 안내\n\n전자결재를 올리는 방법입니다.")
    put_page("복무/연가", "# 연가 사용\n\n연가는 하루 전까지 신청합니다.")
    put_page("복무/병가", "# 병가\n\n진단서를 냅니다.")


def test_korean_words_compounds_mixed_text_initials_and_typos(site, search):
    for query in ("행정포털", "행정포털은", "행정포털을", "행정포털에서"):  # any particle, in the text or the query
        assert paths(search(query))[:1] == ["행정포털/사용법"], query
    found = paths(search("통합검색"))
    assert "안내/통합검색" in found  # "통합 검색"
    assert "안내/시스템" in found  # 통합검색시스템
    assert "안내/통합검색" in paths(search("통합 검색"))
    assert paths(search("wifi")) == ["정보보안/무선랜"]
    assert paths(search("WiFi 2020년")) == ["정보보안/무선랜"]
    assert paths(search("searching")) == ["개발/로그"]  # searched and searching share the stem
    answer = search("ㅈㅈㄱㅈ")  # initial consonants
    assert paths(answer) == ["전자결재/안내"]
    assert "<mark>전자결재</mark>" in answer["hits"][0]["snippet_html"]
    assert paths(search("행정포텔"))[:1] == ["행정포털/사용법"]  # one typo in a long word
    assert paths(search("전자결제"))[:1] == ["전자결재/안내"]
    assert "<mark>전자결재</mark>" in search("전자결제")["hits"][0]["snippet_html"]


def test_synonyms_come_from_the_content_repository_and_are_reread(site, search, madang):
    assert paths(search("연차")) == []
    madang.wiki.commit({"site/search/synonyms.txt": "# 휴가\n연가, 연차\n".encode()}, None, "동의어")
    assert paths(search("연차")) == ["복무/연가"]
    madang.wiki.commit({"site/search/synonyms.txt": "연차, 병가\n".encode()}, None, "동의어 수정")
    assert paths(search("연차")) == ["복무/병가"]


def test_did_you_mean_when_nothing_is_found(site, search):
    answer = search("전쟈겷재")  # two typos: nothing found
    assert answer["total"] == 0 and answer["hits"] == []
    assert answer["suggestion"] == "전자결재"
    assert search("전자결재")["suggestion"] is None


def test_analysis_helpers():
    assert strip_josa("행정포털에서") == "행정포털" and strip_josa("기관") == "기관"
    assert choseong("전자결재") == "ㅈㅈㄱㅈ" and is_choseong_query("ㅈㅈㄱㅈ") and not is_choseong_query("ㅈ")
    assert "행정포털" in words("행정포털은") and "wifi" in words("WiFi")
    assert [t for t, _s, _e in BigramAnalyzer().terms("통합검색 WiFi")] == ["통합", "합검", "검색", "wifi"]


@pytest.mark.parametrize("analyzer", ["bigram", "kiwi", "hybrid"])
def test_every_analyzer_passes_the_basic_cases(tmp_path, analyzer):
    backend = WhooshBackend(tmp_path / analyzer, analyzer)
    texts = {"a": "행정포털은 직원용 포털입니다", "b": "통합 검색 화면", "c": "통합검색시스템 개통",
             "d": "WiFi 2020년 설치", "e": "Searched logs are kept"}
    backend.index(Document(id=k, type="page", path=k, acl=k, title=k, text=v, url="/") for k, v in texts.items())

    def found(q: str) -> set[str]:
        return {hit.document.path for hit in backend.search(parse(q), lambda *_: True, 0, 10, 100).hits}

    assert found("행정포털") == {"a"}
    assert found("통합검색") >= {"b", "c"}
    assert found("2020년") == {"d"} and found("wifi") == {"d"}
    assert found("searching") == {"e"}
    backend.close()


def test_admins_edit_the_synonyms_on_a_page(site, client, admin_headers, search, make_user):
    assert client.get("/search/synonyms").status_code == 401
    assert client.get("/search/synonyms", headers=make_user("reader")).status_code == 403
    assert client.get("/search/synonyms", headers=admin_headers).status_code == 200
    response = client.post("/search/synonyms", data={"synonyms": "연가, 연차\n"}, headers=admin_headers)
    assert response.status_code == 200 and "연가, 연차" in response.get_data(as_text=True)
    assert paths(search("연차")) == ["복무/연가"]
