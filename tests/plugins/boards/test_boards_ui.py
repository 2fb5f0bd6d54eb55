"""The screens (Korean first) and the Atom feed."""
from __future__ import annotations

import io
import re
from xml.etree import ElementTree

from tests.conftest import browser_sign_in
from tests.support.hooks import exercises

ATOM = "{http://www.w3.org/2005/Atom}"


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@exercises("madang_nav_items")
def test_a_person_writes_votes_and_comments_through_the_pages(client, people, make_board):
    make_board("free", "자유게시판")
    assert browser_sign_in(client, "minjun", "비밀번호-12345").status_code == 303
    home = client.get("/boards").get_data(as_text=True)
    assert "자유게시판" in home and 'href="/boards"' in home  # the header's menu entry
    form = client.get("/boards/free/new").get_data(as_text=True)
    response = client.post("/boards/free/new", data={
        "csrf_token": csrf(form), "title": "동호회 회원 모집",
        "markdown": "**등산** 동호회입니다.\n\n![산 사진](attachment:산.png)",
        "tags": "동호회, 등산", "poll_question": "모임 요일?", "poll_choices": "토요일\n일요일",
        "files": (io.BytesIO(b"\x89PNG"), "산.png")},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    post_url = response.headers["Location"]
    page = client.get(post_url).get_data(as_text=True)
    assert "<strong>등산</strong>" in page and "모임 요일?" in page and "산.png" in page
    post_id = post_url.rstrip("/").rsplit("/", 1)[1]
    assert f'<img src="/api/v1/boards/free/posts/{post_id}/attachments/%EC%82%B0.png" alt="산 사진"' in page
    voted = client.post(post_url + "/vote", data={"csrf_token": csrf(page), "choice": "1"})
    assert voted.status_code == 303
    page = client.get(post_url).get_data(as_text=True)
    assert '<progress class="boards-bar" max="100" value="100"' in page and "투표했습니다." in page
    commented = client.post(post_url + "/comments", data={"csrf_token": csrf(page), "markdown": "저도 갈게요"})
    assert commented.status_code == 303
    cid = commented.headers["Location"].rsplit("#c-", 1)[1]
    client.post(post_url + "/comments", data={"csrf_token": csrf(page), "markdown": "환영합니다", "parent": cid})
    page = client.get(post_url).get_data(as_text=True)
    assert "저도 갈게요" in page and 'class="boards-replies"' in page and "환영합니다" in page
    board = client.get("/boards/free").get_data(as_text=True)
    assert "동호회 회원 모집" in board and "[2]" in board
    # edit, then the history shows both revisions and the diff
    edit = client.get(post_url + "/edit").get_data(as_text=True)
    client.post(post_url + "/edit", data={"csrf_token": csrf(edit), "title": "동호회 회원 모집 (마감)",
                                          "markdown": "**등산** 동호회입니다. 마감했습니다.", "message": "마감"})
    history = client.get(post_url + "/history").get_data(as_text=True)
    assert history.count("<code>") == 2 and "마감" in history
    diff = client.get(post_url + "/diff").get_data(as_text=True)
    assert "<ins>" in diff and "마감했습니다" in diff
    # without a token the form is refused
    assert client.post(post_url + "/comments", data={"markdown": "토큰 없음"}).status_code == 400


def test_new_since_the_last_visit(client, people, make_board, write_post):
    make_board()
    write_post(people["minjun"], title="지난 글")
    assert browser_sign_in(client, "seoyeon", "비밀번호-12345").status_code == 303
    first = client.get("/boards/notice").get_data(as_text=True)
    assert "지난 글" in first and ">새 글<" not in first  # a first visit marks nothing
    write_post(people["minjun"], title="방금 올린 글")
    second = client.get("/boards/notice").get_data(as_text=True)
    row = next(line for line in second.split("<tr") if "방금 올린 글" in line)
    assert "새 글" in row
    assert "새 글" not in next(line for line in second.split("<tr") if "지난 글" in line)


def test_the_atom_feed_lists_the_newest_posts(client, people, make_board, write_post):
    make_board("news", "구청 소식", read=["anonymous"])
    write_post(people["minjun"], slug="news", title="첫 소식", markdown="가을 축제 *안내*")
    write_post(people["minjun"], slug="news", title="둘째 소식")
    response = client.get("/boards/news/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)
    assert feed.find(f"{ATOM}title").text == "구청 소식"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["둘째 소식", "첫 소식"]
    assert "<em>안내</em>" in entries[1].find(f"{ATOM}content").text
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "김민준"


def test_admins_create_order_and_archive_boards_in_the_console(client, make_board):
    assert browser_sign_in(client, "admin", __import__("tests.conftest").conftest.ADMIN_PASSWORD).status_code == 303
    page = client.get("/boards").get_data(as_text=True)
    token = csrf(page)
    created = client.post("/boards", data={"csrf_token": token, "slug": "info", "name": "정보 공유",
                                           "read": "staff", "moderate": "group:정보화담당관"})
    assert created.status_code == 303
    make_board("notice", "공지사항")
    client.post("/boards/info/settings", data={"csrf_token": token, "order": "1"})
    client.post("/boards/notice/settings", data={"csrf_token": token, "order": "2", "archived": "1"})
    listed = client.get("/api/v1/boards?archived=1").get_json()["items"]
    assert [(b["slug"], b["archived"]) for b in listed] == [("info", False), ("notice", True)]


def test_new_since_the_last_visit_through_the_api(client, people, make_board, write_post):
    make_board()
    old = write_post(people["minjun"], title="지난 글")
    assert client.put("/api/v1/boards/notice/visit", headers=people["seoyeon"]).get_json() == {"previous": None}
    fresh = write_post(people["minjun"], title="방금 올린 글")
    items = client.get("/api/v1/boards/notice/posts", headers=people["seoyeon"]).get_json()["items"]
    assert {i["id"]: i["new"] for i in items} == {fresh["id"]: True, old["id"]: False}
    assert client.put("/api/v1/boards/notice/visit", headers=people["seoyeon"]).get_json()["previous"]
    items = client.get("/api/v1/boards/notice/posts", headers=people["seoyeon"]).get_json()["items"]
    assert not any(i["new"] for i in items)
    assert client.put("/api/v1/boards/notice/visit").status_code == 404  # anonymous: a staff board is not there
