"""Notifications: plugins tell people things through wiki.api.notify; each person sees, counts and clears only
their own (API, /notifications and the header's badge); the same key is told once."""
from __future__ import annotations

import pytest

from tests.conftest import ADMIN_PASSWORD
from tests.support.console import csrf_from, sign_in, text_of
from wiki.errors import InvalidInput


def test_a_person_sees_counts_and_clears_only_their_own(app, client, madang, make_user):
    minji = make_user("minji", "이민지")
    junho = make_user("junho", "박준호")
    notes = madang.notifications
    told = "박준호님이 공지에서 언급했습니다"
    assert notes.notify(["minji", "junho", "minji"], "mention", told, url="/boards/notice/1",
                        actor="junho", source="boards", key="boards:mention:1") == 1, "the actor is not told"
    assert notes.notify(["minji"], "mention", "또 언급", url="/boards/notice/1", actor="junho",
                        key="boards:mention:1") == 0, "the same key is told once"
    notes.notify(["minji"], "message", "새 메시지", url="/messenger", actor="junho", source="messenger")

    mine = client.get("/api/v1/me/notifications", headers=minji).get_json()
    assert mine["unread"] == 2 and [i["title"] for i in mine["items"]] == ["새 메시지", told]
    assert client.get("/api/v1/me/notifications", headers=junho).get_json() == {"items": [], "unread": 0,
                                                                                 "next": None}
    first = mine["items"][1]["id"]
    stolen = client.post("/api/v1/me/notifications/read", json={"ids": [first]}, headers=junho).get_json()
    assert stolen["marked"] == 0, "nobody clears another's"
    done = client.post("/api/v1/me/notifications/read", json={"ids": [first]}, headers=minji).get_json()
    assert done == {"marked": 1, "unread": 1}
    unread = client.get("/api/v1/me/notifications?unread=1", headers=minji).get_json()["items"]
    assert [i["title"] for i in unread] == ["새 메시지"]
    assert client.post("/api/v1/me/notifications/read", json={}, headers=minji).get_json()["unread"] == 0
    assert client.get("/api/v1/me/notifications").status_code == 401
    bad = client.post("/api/v1/me/notifications/read", json={"ids": ["하나"]}, headers=minji)
    assert bad.status_code == 400 and "ids" in bad.get_json()["message"]


def test_the_header_shows_the_unread_count_and_the_page_clears_them(app, client, madang):
    madang.notifications.notify(["admin"], "mention", "이민지님이 회의록에서 언급했습니다", url="/wiki/회의록",
                                actor="minji")
    assert "notification-bell" not in client.get("/").text, "anonymous visitors have no bell"
    sign_in(client, "admin", ADMIN_PASSWORD)
    home = client.get("/").text
    assert 'data-unread="1"' in home
    page = client.get("/notifications").text
    assert "이민지님이 회의록에서 언급했습니다" in text_of(page) and 'href="/wiki/회의록"' in page
    response = client.post("/notifications/read", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert "data-unread" not in client.get("/").text


def test_bad_notifications_are_refused_with_a_reason(madang):
    with pytest.raises(InvalidInput, match="link"):
        madang.notifications.notify(["admin"], "mention", "밖으로", url="https://elsewhere.example/")
    madang.notifications.notify(["admin"], "mention", "줄\n바꿈\x00제목", url="/wiki/a")
    assert madang.notifications.list("admin")[0].title == "줄 바꿈 제목"
