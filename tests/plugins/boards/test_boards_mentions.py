"""@mentions: linked to the person, listed for them (GET /api/v1/boards/mentions and the boards home), notified
once through the core's notifications, and never for a board the person may not read."""
from __future__ import annotations

from plugins.boards.mentions import mentioned
from tests.conftest import browser_sign_in


def test_names_outside_code_are_mentions_each_once():
    text = "@seoyeon 확인 바랍니다. 메일 kim@seoul.go.kr, `@jihun` 은 코드, @seoyeon 다시, @minjun."
    assert mentioned(text) == ["seoyeon", "minjun"]
    assert mentioned("```\n@jihun\n```\n끝") == []


def notices(client, headers) -> list[dict]:
    answer = client.get("/api/v1/me/notifications", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return [n for n in answer.get_json()["items"] if n["source"] == "boards"]


def test_a_mention_links_lists_and_notifies_once(client, people, make_board, write_post):
    make_board()
    post = write_post(people["minjun"], title="예산 회의 자료",
                      markdown="@seoyeon 님, @nobody 자료 확인 부탁드립니다. @minjun")
    url = f"/api/v1/boards/notice/posts/{post['id']}"
    html = client.get(url, headers=people["jihun"]).get_json()["html"]
    assert '<a href="/people/seoyeon">@이서연</a>' in html and "@nobody" in html and "/people/nobody" not in html
    mine = client.get("/api/v1/boards/mentions", headers=people["seoyeon"]).get_json()
    found = [(m["title"], m["author"]["name"], m["comment"]) for m in mine["items"]]
    assert found == [("예산 회의 자료", "김민준", None)]
    assert mine["items"][0]["url"] == f"/boards/notice/{post['id']}" and mine["next"] is None
    assert client.get("/api/v1/boards/mentions", headers=people["minjun"]).get_json()["items"] == []  # not oneself
    assert client.get("/api/v1/boards/mentions").status_code == 401
    told = notices(client, people["seoyeon"])
    assert len(told) == 1 and told[0]["kind"] == "mention" and "예산 회의 자료" in told[0]["title"]
    # an edit that keeps the mention tells no one again; a comment naming her is a new mention, listed first
    client.put(url, json={"markdown": "@seoyeon 님, 수정한 자료입니다."}, headers=people["minjun"])
    comment = client.post(url + "/comments", json={"markdown": "@seoyeon 저도 봤습니다"}, headers=people["jihun"])
    assert comment.status_code == 201
    items = client.get("/api/v1/boards/mentions", headers=people["seoyeon"]).get_json()["items"]
    found = [(i["author"]["name"], i["comment"]) for i in items]
    assert found == [("박지훈", comment.get_json()["id"]), ("김민준", None)]
    assert len(notices(client, people["seoyeon"])) == 2
    first = client.get("/api/v1/boards/mentions?limit=1", headers=people["seoyeon"]).get_json()
    rest = client.get(f"/api/v1/boards/mentions?limit=1&cursor={first['next']}", headers=people["seoyeon"])
    assert [i["author"]["name"] for i in first["items"] + rest.get_json()["items"]] == ["박지훈", "김민준"]
    assert client.get("/api/v1/boards/mentions?cursor=zz", headers=people["seoyeon"]).status_code == 400


def test_no_mention_from_a_board_the_person_may_not_read(client, people, make_board, write_post):
    make_board("audit", "감사 자료", read=["group:감사관실"], post=["group:감사관실"])
    write_post(people["jihun"], slug="audit", title="내부 감사 일정", markdown="@seoyeon 일정 공유")
    assert client.get("/api/v1/boards/mentions", headers=people["seoyeon"]).get_json()["items"] == []
    assert notices(client, people["seoyeon"]) == []


def test_the_boards_home_shows_my_mentions(client, people, make_board, write_post):
    make_board()
    write_post(people["minjun"], title="체육대회 준비", markdown="@seoyeon 명단 부탁해요")
    assert browser_sign_in(client, "seoyeon", "비밀번호-12345").status_code == 303
    home = client.get("/boards").get_data(as_text=True)
    assert "나를 언급한 글" in home and "체육대회 준비" in home and "김민준" in home


def test_the_editors_preview_renders_like_a_saved_post(client, people, make_board):
    make_board("audit", "감사 자료", read=["group:감사관실"])
    make_board()
    url = "/api/v1/boards/notice/preview"
    html = client.post(url, json={"markdown": "**중요** @jihun 확인"}, headers=people["minjun"]).get_json()["html"]
    assert "<strong>중요</strong>" in html and '<a href="/people/jihun">@박지훈</a>' in html
    assert client.post(url, json={"markdown": 3}, headers=people["minjun"]).status_code == 400
    assert client.post(url, json={"markdown": "x"}).status_code in (401, 404)
    assert client.post("/api/v1/boards/audit/preview", json={"markdown": "x"},
                       headers=people["minjun"]).status_code == 404  # a board one may not read is not there
