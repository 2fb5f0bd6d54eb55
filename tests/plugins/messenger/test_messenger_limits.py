"""Bad input on /messenger with real clients against a real server process: floods (per person), oversized and
malformed events, unknown events and conversations, sends to a conversation one left. Each is answered with a
clear `{error, message}`, the connection stays usable, and the other people's conversations go on unharmed."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.plugins.messenger.support import WAIT, Chat, Site

BURST, PER_MINUTE = 5, 60


@pytest.fixture
def strict_limits(site: Site):
    """This module's server allows 5 at once, then one a second (the admin's settings; the defaults after)."""
    site.settings({"flood_burst": BURST, "flood_per_minute": PER_MINUTE})
    yield
    site.settings({})


def still_usable(chat: Chat, listener: Chat, conversation: int, text: str) -> None:
    """The connection answers and delivers as before."""
    sent = chat.send(conversation, text)
    assert "error" not in sent, sent
    assert listener.next("message", where=lambda m: m["id"] == sent["id"])["text"] == text


@pytest.mark.parametrize("event, data, error", [
    ("send", ["목록은", "안 됩니다"], "invalid_input"),
    ("send", "그냥 글", "invalid_input"),
    ("send", None, "invalid_input"),
    ("send", {"client_id": "누락-1", "text": "대화방 없음"}, "invalid_input"),
    ("send", {"conversation": "첫번째", "client_id": "형식-1", "text": "글"}, "invalid_input"),
    ("send", {"conversation": True, "client_id": "형식-2", "text": "글"}, "invalid_input"),
    ("send", {"conversation": 999_999, "client_id": "없는방-1", "text": "없는 대화방"}, "not_found"),
    ("send", {"conversation": "CONV", "text": "client_id 없음"}, "invalid_input"),
    ("send", {"conversation": "CONV", "client_id": "x" * 101, "text": "긴 client_id"}, "invalid_input"),
    ("send", {"conversation": "CONV", "client_id": "숫자-1", "text": 12345}, "invalid_input"),
    ("send", {"conversation": "CONV", "client_id": "빈글-1", "text": "   "}, "invalid_input"),
    ("send", {"conversation": "CONV", "client_id": "큰글-1", "text": "가" * 50_000}, "too_large"),
    ("join", 42, "invalid_input"),
    ("join", {"conversation": -3}, "invalid_input"),
    ("typing", {"conversation": [1]}, "invalid_input"),
    ("read", {"conversation": "CONV", "message": "마지막"}, "invalid_input"),
    ("edit", {"id": 999_999, "text": "없는 메시지"}, "not_found"),
    ("delete", [], "invalid_input"),
    ("presence", {"status": "잠수"}, "invalid_input"),
    ("who", {"usernames": "kimmj"}, "invalid_input"),
    ("알수없는_이벤트", {"conversation": "CONV"}, "unknown_event"),
])
def test_malformed_events_get_a_clear_error_and_the_connection_goes_on(site: Site, chats, event, data, error):
    conversation = site.conversation("parkjh", ["choiyj"], title="형식 오류 시험")
    park, choi = chats(site, "parkjh"), chats(site, "choiyj")

    def fill(value):
        if value == "CONV":
            return conversation
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    answer = park.call(event, fill(data))
    assert isinstance(answer, dict) and answer["error"] == error, answer
    assert isinstance(answer["message"], str) and len(answer["message"]) > 10
    assert choi.drain("message") == []  # nothing reached the others
    still_usable(park, choi, conversation, f"{event} 다음에도 정상")


def test_a_payload_over_the_transport_limit_drops_only_that_connection(site: Site, chats):
    """Engine.IO refuses packets over 1 MB by closing that socket; its person reconnects and catches up."""
    conversation = site.conversation("jungdh", ["choiyj", "leesy"], title="대용량 시험")
    jung, choi, lee = chats(site, "jungdh"), chats(site, "choiyj"), chats(site, "leesy")
    jung.client.emit("send", {"conversation": conversation, "client_id": uuid.uuid4().hex, "text": "나" * 1_500_000},
                     namespace="/messenger")
    deadline = time.monotonic() + WAIT
    while jung.client.connected and time.monotonic() < deadline:  # the server closes this one socket
        time.sleep(0.05)
    assert not jung.client.connected
    still_usable(choi, lee, conversation, "다른 사람들은 계속 대화합니다")
    assert site.messages("leesy", conversation)["items"][-1]["text"] == "다른 사람들은 계속 대화합니다"
    again = chats(site, "jungdh")
    still_usable(again, choi, conversation, "다시 접속했습니다")


def test_a_conversation_one_left_refuses_sends_joins_and_delivers_nothing(site: Site, chats):
    conversation = site.conversation("leesy", ["kimmj", "jungdh"], title="나간 대화방")
    lee, kim, jung = chats(site, "leesy"), chats(site, "kimmj"), chats(site, "jungdh")
    still_usable(kim, lee, conversation, "나가기 전에 인사")
    site.call("POST", f"/api/v1/messenger/conversations/{conversation}/leave", "kimmj")
    assert kim.next("left")["id"] == conversation
    for event, data in (("send", {"conversation": conversation, "client_id": uuid.uuid4().hex,
                                  "text": "나간 뒤에 보냄"}),
                        ("join", {"conversation": conversation}),
                        ("typing", {"conversation": conversation, "typing": True}),
                        ("read", {"conversation": conversation})):
        answer = kim.call(event, data)
        assert answer["error"] == "not_found", (event, answer)
    site.call("POST", f"/api/v1/messenger/conversations/{conversation}/messages", "kimmj", 404,
              json={"client_id": uuid.uuid4().hex, "text": "REST로 나간 뒤에 보냄"})
    kim.drain("message")
    after = lee.send(conversation, "남은 사람끼리")
    assert jung.next("message", where=lambda m: m["id"] == after["id"])
    texts = [m["text"] for m in site.messages("leesy", conversation)["items"]]
    assert texts == ["나가기 전에 인사", "남은 사람끼리"]
    assert kim.drain("message") == []  # one who left hears nothing more of it


def test_a_flood_is_refused_with_retry_after_and_harms_nobody_else(site: Site, chats, strict_limits):
    """Last in the module: 김민준's bucket is empty afterwards."""
    conversation = site.conversation("kimmj", ["leesy"], title="도배 시험")
    kim, lee = chats(site, "kimmj"), chats(site, "leesy")
    answers = [kim.send(conversation, f"연속 전송 {n}") for n in range(BURST + 3)]
    stored, refused = answers[:BURST], answers[BURST:]
    assert all("error" not in a for a in stored)
    for answer in refused:
        assert answer["error"] == "rate_limited" and answer["retry_after"] >= 1
        assert "too fast" in answer["message"] and "너무 빠르게" in answer["message"]
    # nothing refused was stored or delivered
    texts = [m["text"] for m in site.messages("leesy", conversation)["items"]]
    assert texts == [f"연속 전송 {n}" for n in range(BURST)]
    # the REST door shares the limit: 429 with Retry-After
    response = requests.post(f"{site.url}/api/v1/messenger/conversations/{conversation}/messages",
                             headers=site.headers("kimmj"), json={"client_id": "rest-1", "text": "REST 도배"},
                             timeout=10)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"] == "rate_limited"
    # a retry of a message already stored is not a flood: it answers the stored one
    assert kim.send(conversation, "다시", client_id=stored[0]["client_id"]) == stored[0]
    # the others are unharmed, and the flooder's connection still works for everything else
    still_usable(lee, kim, conversation, "저는 보낼 수 있어요")
    assert kim.call("typing", {"conversation": conversation, "typing": False}) == {"ok": True}
    # after the wait it says, the flooder may send again
    time.sleep(refused[-1]["retry_after"])
    still_usable(kim, lee, conversation, "기다렸다가 보냅니다")
