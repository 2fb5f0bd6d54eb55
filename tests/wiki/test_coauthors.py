"""Co-authors: a save may credit other people, written as `Co-authored-by:` trailers that plain git reads, and
shown in the history and blame (HTML and API)."""
from __future__ import annotations

from urllib.parse import quote

from tests.conftest import ADMIN_PASSWORD, git
from tests.support.console import sign_in
from wiki.store import Author
from wiki.trailers import coauthors_in, summary_of, with_coauthors

MINJI = Author("이민지", "minji.lee@seoul.go.kr")
JUNHO = Author("박준호", "junho.park@seoul.go.kr")
ADMIN = Author("관리자", "admin@localhost")


def test_trailers_name_each_coauthor_once_and_never_the_author_and_survive_hostile_names():
    message = with_coauthors("행정포털 안내 수정", ADMIN, [MINJI, JUNHO, MINJI, ADMIN])
    assert message == ("행정포털 안내 수정\n\nCo-authored-by: 이민지 <minji.lee@seoul.go.kr>\n"
                       "Co-authored-by: 박준호 <junho.park@seoul.go.kr>")
    assert coauthors_in(message) == [MINJI, JUNHO]
    assert summary_of(message) == "행정포털 안내 수정"
    hostile = with_coauthors("요약", ADMIN, [Author("악당\nSigned-off-by: 가짜 <x@y>", "bad\n@x.kr")])
    assert hostile.count("\n") == 2, "a name cannot add lines of its own"
    assert coauthors_in(hostile) == [Author("악당Signed-off-by: 가짜 x@y", "bad@x.kr")]
    assert with_coauthors("혼자 씀", ADMIN, []) == "혼자 씀"


def test_a_save_with_coauthors_is_one_commit_git_reads_and_history_and_blame_show_them(app, client, madang,
                                                                                         admin_headers):
    path = "행정포털/공동작성"
    created = client.put(f"/api/v1/pages/{quote(path)}", json={"markdown": "# 공동 작성\n\n첫 줄\n"},
                         headers=admin_headers)
    assert created.status_code == 201
    admin = madang.accounts.get("admin")
    result = madang.wiki.save(admin, path, "# 공동 작성\n\n첫 줄\n함께 쓴 둘째 줄\n", "둘째 줄 추가",
                              coauthors=[MINJI, JUNHO])
    repo = madang.config.content_repo
    assert git(repo, "log", "-1", "--format=%(trailers:key=Co-authored-by,valueonly)", result.revision).split(
        "\n")[:2] == ["이민지 <minji.lee@seoul.go.kr>", "박준호 <junho.park@seoul.go.kr>"]
    assert git(repo, "log", "-1", "--format=%an", result.revision).strip() == admin.name

    items = client.get(f"/api/v1/pages/{quote(path)}/history", headers=admin_headers).get_json()["items"]
    assert items[0]["coauthors"] == [{"name": "이민지", "email": "minji.lee@seoul.go.kr"},
                                     {"name": "박준호", "email": "junho.park@seoul.go.kr"}]
    assert items[1]["coauthors"] == []
    lines = client.get(f"/api/v1/pages/{quote(path)}/blame", headers=admin_headers).get_json()["lines"]
    second = next(line for line in lines if line["text"] == "함께 쓴 둘째 줄")
    assert [a["name"] for a in second["coauthors"]] == ["이민지", "박준호"]
    assert second["message"] == "둘째 줄 추가"

    sign_in(client, "admin", ADMIN_PASSWORD)
    history = client.get(f"/wiki/{quote(path)}/history").text
    assert "외 이민지, 박준호" in history
    assert "외 이민지, 박준호" in client.get(f"/wiki/{quote(path)}/blame").text
