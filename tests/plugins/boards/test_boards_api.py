"""The boards' API contract (API.md, "Boards"), with Korean data."""
from __future__ import annotations


def test_admin_creates_boards_and_staff_list_them(client, admin_headers, people, make_board):
    created = make_board("notice", "공지사항", description="시청 공지")
    assert created["slug"] == "notice" and len(created["revision"]) == 40
    make_board("free", "자유게시판")
    response = client.post("/api/v1/boards", json={"slug": "x", "name": "몰래"}, headers=people["minjun"])
    assert response.status_code == 403
    again = client.post("/api/v1/boards", json={"slug": "notice", "name": "중복"}, headers=admin_headers)
    assert again.status_code == 409
    listed = client.get("/api/v1/boards", headers=people["minjun"]).get_json()
    assert [(b["slug"], b["name"], b["description"]) for b in listed["items"]] == [
        ("free", "자유게시판", ""), ("notice", "공지사항", "시청 공지")]


def test_write_list_and_read_a_post(client, people, make_board, write_post):
    make_board()
    created = write_post(people["minjun"], title="청사 주차장 공사 안내",
                         markdown="# 안내\n\n**3월 4일**부터 공사합니다.", tags=["시설", "주차"])
    assert set(created) >= {"id", "revision"}
    listed = client.get("/api/v1/boards/notice/posts", headers=people["seoyeon"]).get_json()
    assert listed["next"] is None
    item = listed["items"][0]
    assert item["id"] == created["id"] and item["title"] == "청사 주차장 공사 안내"
    assert item["author"]["name"] == "김민준" and item["pinned"] is False
    assert (item["comments"], item["reads"], item["likes"]) == (0, 0, 0)
    post = client.get(f"/api/v1/boards/notice/posts/{created['id']}", headers=people["seoyeon"]).get_json()
    assert post["markdown"].startswith("# 안내") and "<strong>3월 4일</strong>" in post["html"]
    assert post["tags"] == ["시설", "주차"] and post["revision"] == created["revision"]
    assert post["author"]["name"] == "김민준" and post["date"]
    # a read counts once per person
    client.get(f"/api/v1/boards/notice/posts/{created['id']}", headers=people["seoyeon"])
    client.get(f"/api/v1/boards/notice/posts/{created['id']}", headers=people["jihun"])
    item = client.get("/api/v1/boards/notice/posts", headers=people["seoyeon"]).get_json()["items"][0]
    assert item["reads"] == 2


def test_the_post_is_a_commit_by_its_author(client, madang, people, make_board, write_post):
    make_board()
    created = write_post(people["minjun"], title="인사 발령")
    info = madang.store.commit_info(created["revision"])
    assert info.author.name == "김민준" and info.author.email == "minjun@seoul.go.kr"
    pid = created["id"]
    data = madang.store.read(f"plugins/boards/notice/posts/{pid[:4]}/{pid[4:8]}/{pid}.md").decode()
    assert "인사 발령" in data


def test_pinned_first_until_their_time_then_newest(client, admin_headers, people, make_board, write_post):
    make_board(moderate=["group:홍보과"])
    old = write_post(people["seoyeon"], title="첫 글")
    pinned = write_post(people["minjun"], title="고정 공지", pinned_until="2099-01-01T00:00:00+09:00")
    expired = write_post(people["minjun"], title="고정 끝난 공지", pinned_until="2020-01-01T00:00:00+09:00")
    new = write_post(people["seoyeon"], title="새 글")
    # only moderators pin
    write_post(people["seoyeon"], title="몰래 고정", pinned_until="2099-01-01T00:00:00+09:00", status=403)
    items = client.get("/api/v1/boards/notice/posts", headers=people["jihun"]).get_json()["items"]
    assert [i["id"] for i in items] == [pinned["id"], new["id"], expired["id"], old["id"]]
    assert [i["pinned"] for i in items] == [True, False, False, False]
    page = client.get("/api/v1/boards/notice/posts?limit=2", headers=people["jihun"]).get_json()
    assert [i["id"] for i in page["items"]] == [pinned["id"], new["id"]] and page["next"]
    rest = client.get(f"/api/v1/boards/notice/posts?limit=2&cursor={page['next']}", headers=people["jihun"])
    assert [i["id"] for i in rest.get_json()["items"]] == [expired["id"], old["id"]]


def test_comments_and_one_level_of_replies(client, people, make_board, write_post):
    make_board()
    post = write_post(people["minjun"])
    url = f"/api/v1/boards/notice/posts/{post['id']}/comments"
    first = client.post(url, json={"markdown": "참석합니다."}, headers=people["seoyeon"])
    assert first.status_code == 201
    cid = first.get_json()["id"]
    reply = client.post(url, json={"markdown": "감사합니다!", "parent": cid}, headers=people["minjun"])
    assert reply.status_code == 201
    deeper = client.post(url, json={"markdown": "답글의 답글", "parent": reply.get_json()["id"]},
                         headers=people["jihun"])
    assert deeper.status_code == 400
    unknown = client.post(url, json={"markdown": "없는 댓글에", "parent": "nope"}, headers=people["jihun"])
    assert unknown.status_code == 400
    items = client.get(url, headers=people["jihun"]).get_json()["items"]
    assert [(c["markdown"], c["parent"]) for c in items] == [("참석합니다.", None), ("감사합니다!", cid)]
    assert items[0]["author"]["name"] == "이서연"
    # someone else may not edit or delete it; the author may
    assert client.put(f"{url}/{cid}", json={"markdown": "고침"}, headers=people["jihun"]).status_code == 403
    assert client.put(f"{url}/{cid}", json={"markdown": "불참합니다."}, headers=people["seoyeon"]).status_code == 200
    assert client.get(url, headers=people["jihun"]).get_json()["items"][0]["markdown"] == "불참합니다."
    listed = client.get("/api/v1/boards/notice/posts", headers=people["jihun"]).get_json()["items"][0]
    assert listed["comments"] == 2
    assert client.delete(f"{url}/{cid}", headers=people["seoyeon"]).status_code == 200
    assert client.get(url, headers=people["jihun"]).get_json()["items"] == []  # replies go with it


def test_edit_keeps_history_and_diff(client, people, make_board, write_post):
    make_board(moderate=["group:감사관실"])
    post = write_post(people["minjun"], title="예산 설명회", markdown="일시: 3월 5일\n장소: 대회의실\n")
    url = f"/api/v1/boards/notice/posts/{post['id']}"
    edited = client.put(url, json={"markdown": "일시: 3월 6일\n장소: 대회의실\n", "message": "날짜 변경"},
                        headers=people["minjun"])
    assert edited.status_code == 200
    assert client.put(url, json={"title": "남의 글"}, headers=people["seoyeon"]).status_code == 403
    assert client.put(url, json={"title": "예산 설명회 (변경)"}, headers=people["jihun"]).status_code == 200
    history = client.get(url + "/history", headers=people["seoyeon"]).get_json()["items"]
    assert [h["message"] for h in history][1] == "날짜 변경"
    assert [h["author"]["name"] for h in history] == ["박지훈", "김민준", "김민준"]
    diff = client.get(url + f"/diff?from={post['revision']}&to={edited.get_json()['revision']}",
                      headers=people["seoyeon"]).get_json()
    assert [-1, "5"] in diff["ops"] and [1, "6"] in diff["ops"]
    old = client.get(url + f"?rev={post['revision']}", headers=people["seoyeon"]).get_json()
    assert "3월 5일" in old["markdown"]
    assert client.get(url, headers=people["seoyeon"]).get_json()["title"] == "예산 설명회 (변경)"


def test_delete_by_author_or_moderator(client, people, make_board, write_post):
    make_board(moderate=["group:감사관실"])
    one = write_post(people["minjun"], title="지울 글")
    two = write_post(people["minjun"], title="관리자가 지울 글")
    assert client.delete(f"/api/v1/boards/notice/posts/{one['id']}", headers=people["seoyeon"]).status_code == 403
    assert client.delete(f"/api/v1/boards/notice/posts/{one['id']}", headers=people["minjun"]).status_code == 200
    assert client.delete(f"/api/v1/boards/notice/posts/{two['id']}", headers=people["jihun"]).status_code == 200
    assert client.get(f"/api/v1/boards/notice/posts/{one['id']}", headers=people["minjun"]).status_code == 404
    assert client.get("/api/v1/boards/notice/posts", headers=people["minjun"]).get_json()["items"] == []
    history = client.get(f"/api/v1/boards/notice/posts/{one['id']}/history", headers=people["minjun"])
    assert history.status_code == 200 and history.get_json()["items"][0]["status"] == "D"


def test_likes_toggle(client, people, make_board, write_post):
    make_board()
    post = write_post(people["minjun"])
    url = f"/api/v1/boards/notice/posts/{post['id']}/likes"
    assert client.put(url, headers=people["seoyeon"]).get_json()["likes"] == 1
    assert client.put(url, headers=people["seoyeon"]).get_json()["likes"] == 1
    assert client.put(url, headers=people["jihun"]).get_json()["likes"] == 2
    assert client.delete(url, headers=people["seoyeon"]).get_json() == {"likes": 1, "liked": False, "reads": 0}


def test_archived_boards_take_no_new_posts(client, admin_headers, people, make_board, write_post):
    make_board()
    write_post(people["minjun"], title="보관 전")
    assert client.put("/api/v1/boards/notice", json={"archived": True}, headers=admin_headers).status_code == 200
    write_post(people["minjun"], title="보관 후", status=403)
    assert client.get("/api/v1/boards", headers=people["minjun"]).get_json()["items"] == []
    assert len(client.get("/api/v1/boards/notice/posts", headers=people["minjun"]).get_json()["items"]) == 1


def test_openapi_documents_the_boards_routes(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "/api/v1/boards" in paths and "/api/v1/boards/{slug}/posts/{post_id}/votes" in paths
