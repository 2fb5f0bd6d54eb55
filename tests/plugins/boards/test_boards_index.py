"""The boards' index view: pages read by seeking (pinned run, then the rest), counts kept in the index, each
post's history from its own table, and the same tables again after a rebuild from the commits."""
from __future__ import annotations

from sqlalchemy import func, select

from plugins.boards.models import BoardRow, PostRevision, PostRow


def walk(client, headers: dict, limit: int) -> list[list[str]]:
    pages, cursor = [], ""
    while True:
        answer = client.get(f"/api/v1/boards/notice/posts?limit={limit}&cursor={cursor}", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        pages.append([i["title"] for i in body["items"]])
        if body["next"] is None:
            return pages
        cursor = body["next"]


def test_pages_follow_cursors_through_the_pinned_run_and_the_rest(client, people, make_board, write_post):
    make_board(moderate=["group:홍보과"])
    for i in range(5):
        write_post(people["seoyeon"], title=f"글 {i}")
        if i < 3:
            write_post(people["minjun"], title=f"공지 {i}", pinned_until="2099-01-01T00:00:00+09:00")
    pages = walk(client, people["jihun"], 2)
    assert pages == [["공지 2", "공지 1"], ["공지 0", "글 4"], ["글 3", "글 2"], ["글 1", "글 0"]]
    assert walk(client, people["jihun"], 3) == [["공지 2", "공지 1", "공지 0"], ["글 4", "글 3", "글 2"],
                                                 ["글 1", "글 0"]]
    assert walk(client, people["jihun"], 50) == [["공지 2", "공지 1", "공지 0", "글 4", "글 3", "글 2", "글 1", "글 0"]]


def test_a_cursor_not_given_out_is_a_clear_400(client, people, make_board):
    make_board()
    for bad in ("abc", "eyJyIjoieCJ9", "%%%"):
        answer = client.get(f"/api/v1/boards/notice/posts?cursor={bad}", headers=people["jihun"])
        assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_input"
        assert "cursor" in answer.get_json()["message"]


def test_the_screen_pages_by_cursor(client, people, make_board, write_post, madang):
    make_board()
    for i in range(23):
        write_post(people["seoyeon"], title=f"안내문 {i:02d}")
    first = client.get("/boards/notice", headers=people["jihun"]).get_data(as_text=True)
    assert "안내문 22" in first and "안내문 02" not in first and "cursor=" in first
    link = first.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = client.get(link, headers=people["jihun"]).get_data(as_text=True)
    assert "안내문 02" in second and "안내문 00" in second and "안내문 03" not in second


def test_counts_and_history_live_in_the_index_and_survive_a_rebuild(client, people, make_board, write_post,
                                                                   madang):
    make_board()
    post = write_post(people["minjun"], title="체육대회", markdown="10월 1일")
    other = write_post(people["minjun"], title="바자회")
    url = f"/api/v1/boards/notice/posts/{post['id']}"
    first = client.post(url + "/comments", json={"markdown": "참가합니다"}, headers=people["seoyeon"]).get_json()
    client.post(url + "/comments", json={"markdown": "저도요", "parent": first["id"]}, headers=people["jihun"])
    client.put(url, json={"markdown": "10월 2일", "message": "날짜 바뀜"}, headers=people["minjun"])
    client.delete(f"/api/v1/boards/notice/posts/{other['id']}", headers=people["minjun"])

    def state():
        items = client.get("/api/v1/boards/notice/posts", headers=people["jihun"]).get_json()["items"]
        history = client.get(url + "/history", headers=people["jihun"]).get_json()["items"]
        with madang.db.session() as session:
            posts = session.get(BoardRow, "notice").posts
            rows = session.scalar(select(func.count()).select_from(PostRow))
        return [(i["title"], i["comments"]) for i in items], [h["message"] for h in history], posts, rows

    before = state()
    assert before[0] == [("체육대회", 2)] and before[2] == 1 and before[3] == 1
    assert before[1][0] == "날짜 바뀜" and len(before[1]) == 2
    client.delete(url + f"/comments/{first['id']}", headers=people["seoyeon"])  # the reply goes with it
    assert state()[0] == [("체육대회", 0)]
    madang.views.rebuild("boards_index")
    after = state()
    assert after[0] == [("체육대회", 0)] and after[1:] == before[1:]
    with madang.db.session() as session:
        deleted = session.scalars(select(PostRevision.status).where(PostRevision.post == other["id"])).all()
    assert deleted == ["A", "D"]


def test_a_tags_posts_page_by_cursor_and_follow_edits(client, people, make_board, write_post):
    make_board()
    made = [write_post(people["seoyeon"], title=f"교육 {i}", tags=["교육", f"회차{i}"]) for i in range(3)]
    write_post(people["seoyeon"], title="체육 행사", tags=["행사"])
    url = "/api/v1/boards/notice/posts?tag=교육&limit=2"
    first = client.get(url, headers=people["jihun"]).get_json()
    rest = client.get(url + f"&cursor={first['next']}", headers=people["jihun"]).get_json()
    assert [i["title"] for i in first["items"] + rest["items"]] == ["교육 2", "교육 1", "교육 0"]
    assert rest["next"] is None
    client.put(f"/api/v1/boards/notice/posts/{made[1]['id']}", json={"tags": ["행사"]}, headers=people["seoyeon"])
    client.delete(f"/api/v1/boards/notice/posts/{made[0]['id']}", headers=people["seoyeon"])
    items = client.get("/api/v1/boards/notice/posts?tag=교육", headers=people["jihun"]).get_json()["items"]
    assert [i["title"] for i in items] == ["교육 2"]
    items = client.get("/api/v1/boards/notice/posts?tag=%23행사", headers=people["jihun"]).get_json()["items"]
    assert [i["title"] for i in items] == ["체육 행사", "교육 1"]  # by when they were written
    page = client.get(f"/boards/notice/{made[2]['id']}", headers=people["jihun"]).get_data(as_text=True)
    assert 'href="/boards/notice?tag=%EA%B5%90%EC%9C%A1"' in page
    listed = client.get("/boards/notice?tag=교육", headers=people["jihun"]).get_data(as_text=True)
    assert "교육 2" in listed and "체육 행사" not in listed and "#교육" in listed


def test_a_deep_page_seeks_in_the_index_instead_of_scanning(madang):
    """The plan SQLite picks for 'the posts after this cursor': a range of the (board, created, id) index, so page
    5,000 reads 21 index entries like page 1 (a scan from the top would read 100,000)."""
    from plugins.boards.listing import STATEMENTS

    statement = STATEMENTS[(False, True)]
    values = {"board": "notice", "at": "2026-01-01 00:00:00.000000", "created": "2026-01-01 00:00:00.000000",
              "id": "x", "limit": 21}
    with madang.db.engine.connect() as connection:
        compiled = statement.compile(connection)  # the dialect's own placeholders, in compiled.positiontup order
        plan = " ".join(str(row) for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(compiled), tuple(values[name] for name in compiled.positiontup)).all())
    assert "ix_boards_index_posts_order (board=? AND (created,id)<(?,?))" in plan, plan
