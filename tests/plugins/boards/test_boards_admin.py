"""Admins change a board after creating it, in the boards console: name, description, who may read, post, comment
and moderate, order and archive; each save is one commit of board.json, and a bad value changes nothing."""
from __future__ import annotations

import json
import re

from tests.conftest import ADMIN_PASSWORD, browser_sign_in


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def settings_form(board: dict, **changes) -> dict:
    form = {"full": "1", "name": board["name"], "description": board.get("description", ""),
            "read": ", ".join(board["read"]), "post": ", ".join(board["post"]),
            "comment": ", ".join(board["comment"]), "moderate": ", ".join(board["moderate"]), "order": "100"}
    form.update(changes)
    return form


def test_an_admin_edits_a_boards_rules_and_each_save_is_a_commit(client, madang, people, make_board, write_post):
    board = make_board("notice", "공지사항")
    write_post(people["seoyeon"], title="총무과 공지")
    assert browser_sign_in(client, "admin", ADMIN_PASSWORD).status_code == 303
    home = client.get("/boards").get_data(as_text=True)
    assert 'name="full"' in home and 'value="공지사항"' in home  # the settings form, filled in
    token = csrf(home)
    head = madang.store.head()
    saved = client.post("/boards/notice/settings", data={"csrf_token": token, **settings_form(
        board, name="감사 공지", description="감사관실 전용", read="group:감사관실", post="group:감사관실",
        comment="group:감사관실, user:seoyeon", moderate="group:감사관실", order="3", archived_box="1")})
    assert saved.status_code == 303
    info = madang.store.commit_info(madang.store.head())
    assert madang.store.head() != head and info.message.startswith("게시판 설정")
    stored = json.loads(madang.store.read("plugins/boards/notice/board.json"))
    assert stored["name"] == "감사 공지" and stored["read"] == ["group:감사관실"] and stored["order"] == 3
    assert stored["comment"] == ["group:감사관실", "user:seoyeon"] and stored["archived"] is True
    # the rules apply at once: 이서연 no longer sees the board, 박지훈 (감사관실) does, archived
    assert client.get("/api/v1/boards/notice", headers=people["seoyeon"]).status_code == 404
    seen = client.get("/api/v1/boards/notice", headers=people["jihun"]).get_json()
    assert seen["name"] == "감사 공지" and seen["archived"] is True
    # unarchive again with the same form: a second commit
    client.post("/boards/notice/settings", data={"csrf_token": token, **settings_form(
        {**stored}, order="3")})
    assert json.loads(madang.store.read("plugins/boards/notice/board.json"))["archived"] is False
    log = [c.info.message for c in madang.store.log(None, madang.store.head(), ("plugins/boards/notice/board.json",))]
    assert len(log) == 3


def test_bad_settings_are_refused_with_a_message_and_nothing_committed(client, madang, make_board):
    board = make_board("notice", "공지사항")
    assert browser_sign_in(client, "admin", ADMIN_PASSWORD).status_code == 303
    token = csrf(client.get("/boards").get_data(as_text=True))
    head = madang.store.head()
    for bad, words in ((dict(read="모든 사람"), "is not a principal"), (dict(name=" "), "1-100 characters"),
                       (dict(order="첫째"), "정수")):
        answer = client.post("/boards/notice/settings", data={"csrf_token": token, **settings_form(board, **bad)})
        assert answer.status_code == 400 and words in answer.get_data(as_text=True), bad
    assert madang.store.head() == head
    assert client.post("/boards/nothing/settings", data={"csrf_token": token, **settings_form(board)}).status_code \
        == 404


def test_only_admins_edit_board_settings(client, people, make_board):
    make_board("notice", "공지사항")
    answer = client.put("/api/v1/boards/notice", json={"name": "바꿈"}, headers=people["seoyeon"])
    assert answer.status_code == 403
    assert browser_sign_in(client, "seoyeon", "비밀번호-12345").status_code == 303
    home = client.get("/boards").get_data(as_text=True)
    assert 'name="full"' not in home
    assert client.post("/boards/notice/settings", data={"csrf_token": csrf(home), "full": "1", "name": "바꿈"}
                       ).status_code == 403
