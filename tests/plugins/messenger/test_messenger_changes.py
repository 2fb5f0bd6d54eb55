"""Catching up with changes (`?changed_after=`): one who was away gets the messages sent meanwhile *and* the edits
and deletions made meanwhile, once each, at their newest state — with real clients against a real server."""
from __future__ import annotations

from tests.plugins.messenger.support import Site


def _catch_up(site: Site, username: str, conversation: int, since: int, limit: int = 2) -> tuple[list[dict], int]:
    items: list[dict] = []
    cursor = since
    while True:
        page = site.messages(username, conversation, changed_after=cursor, limit=limit)
        items += page["items"]
        if page["next"] is None:
            return items, page["last_change"]
        cursor = int(page["next"])


def test_edits_and_deletions_made_while_away_are_caught_up(site: Site, chats):
    conversation = site.conversation("leesy", ["parkjh", "jungdh"], title="예산 편성 협의")
    lee, park = chats(site, "leesy"), chats(site, "parkjh")
    early = [lee.send(conversation, f"초안 {n}") for n in range(3)]
    opened = site.messages("parkjh", conversation, before="latest")  # 박지훈 opens the conversation
    assert [m["text"] for m in opened["items"]] == ["초안 0", "초안 1", "초안 2"]
    cursor = opened["last_change"]
    assert cursor == max(m["change"] for m in opened["items"])
    park.close()  # ... and goes away

    edited = lee.call("edit", {"id": early[0]["id"], "text": "초안 0 (수정: 예산 12억)"})
    deleted = lee.call("delete", {"id": early[1]["id"]})
    later = lee.send(conversation, "수정본 올렸습니다")
    twice = lee.call("edit", {"id": later["id"], "text": "수정본 올렸습니다 — 확인 부탁드립니다"})
    assert edited["change"] > cursor and deleted["change"] > edited["change"]

    missed, last = _catch_up(site, "parkjh", conversation, cursor)
    by_id = {m["id"]: m for m in missed}
    assert len(by_id) == len(missed) == 3  # the edited, the deleted and the new one, each once
    assert by_id[early[0]["id"]]["text"] == "초안 0 (수정: 예산 12억)" and by_id[early[0]["id"]]["edited"]
    assert by_id[early[1]["id"]]["deleted"] and by_id[early[1]["id"]]["text"] == ""
    assert by_id[later["id"]] == twice  # the newest state, not the first
    assert [m["change"] for m in missed] == sorted(m["change"] for m in missed)
    assert early[2]["id"] not in by_id  # untouched: not sent again
    assert last == twice["change"]
    # caught up: nothing more, and the cursor stays
    assert _catch_up(site, "parkjh", conversation, last) == ([], last)
    # the old cursor (after=) still pages new messages by id
    assert [m["id"] for m in site.messages("parkjh", conversation, after=early[2]["id"])["items"]] == [later["id"]]


def test_changed_after_is_for_members_and_numbers_only(site: Site):
    conversation = site.conversation("kimmj", ["leesy"], title="인사 발령 사전 협의")
    site.call("GET", f"/api/v1/messenger/conversations/{conversation}/messages", "choiyj", 404,
              params={"changed_after": 0})
    answer = site.call("GET", f"/api/v1/messenger/conversations/{conversation}/messages", "kimmj", 400,
                       params={"changed_after": "어제"})
    assert answer["error"] == "invalid_input" and "changed_after" in answer["message"]
