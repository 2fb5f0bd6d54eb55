"""Socket.IO /messenger with real clients against a real server process: send, acknowledgement and broadcast,
exactly-once client ids (also concurrent), catch-up after a reconnect, refusals, typing, read, presence."""
from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import requests
import socketio

from plugins.messenger.sockets import OFFLINE_GRACE
from tests.plugins.messenger.support import PASSWORD, ROOT, WAIT, Chat, Site


def test_send_is_acknowledged_with_the_stored_message_and_reaches_members_only(site: Site, chats):
    conversation = site.conversation("kimmj", ["leesy"], title="주간 업무 보고")
    other = site.conversation("choiyj", ["jungdh"])
    kim, lee, choi = chats(site, "kimmj"), chats(site, "leesy"), chats(site, "choiyj")
    kim_second_tab = chats(site, "kimmj", transports=["polling"])

    ack = kim.send(conversation, "이번 주 보고서 초안 올렸습니다", client_id="보고-1")
    assert ack["id"] and ack["sender"] == "kimmj" and ack["client_id"] == "보고-1"
    assert ack["text"] == "이번 주 보고서 초안 올렸습니다" and ack["conversation"] == conversation
    assert lee.next("message") == ack
    assert kim_second_tab.next("message") == ack  # the sender's other tabs hear of it too
    assert site.messages("leesy", conversation)["items"][-1] == ack  # committed before the acknowledgement

    # 최유진 is not a member: the next message she gets is the one of her own conversation
    mine = chats(site, "jungdh").send(other, "구청 회의실 예약했습니다")
    assert choi.next("message") == mine


def test_the_same_client_id_stores_once(site: Site, chats):
    conversation = site.conversation("leesy", ["parkjh"], title="중복 전송 시험")
    lee, park = chats(site, "leesy"), chats(site, "parkjh")
    first = lee.send(conversation, "네트워크가 끊겨 다시 보냅니다", client_id="retry-1")
    again = lee.send(conversation, "네트워크가 끊겨 다시 보냅니다", client_id="retry-1")
    assert again == first
    rest = site.call("POST", f"/api/v1/messenger/conversations/{conversation}/messages", "leesy", 200,
                     json={"client_id": "retry-1", "text": "다른 글"})
    assert rest == first
    marker = lee.send(conversation, "다음 글")
    received = [park.next("message"), park.next("message")]
    assert [m["id"] for m in received] == [first["id"], marker["id"]]  # one broadcast for one stored message
    stored = site.messages("parkjh", conversation)["items"]
    assert [m["client_id"] for m in stored] == ["retry-1", marker["client_id"]]


def test_concurrent_sends_with_one_client_id_store_one_message(site: Site, chats):
    conversation = site.conversation("parkjh", ["kimmj"], title="동시 전송 시험")
    senders = [chats(site, "parkjh") for _ in range(6)]
    barrier = threading.Barrier(len(senders) + 2)
    answers: list[dict] = []
    lock = threading.Lock()

    def by_socket(chat: Chat) -> None:
        barrier.wait(WAIT)
        answer = chat.send(conversation, "동시에 보낸 같은 메시지", client_id="동시-1")
        with lock:
            answers.append(answer)

    def by_rest() -> None:
        barrier.wait(WAIT)
        answer = site.call("POST", f"/api/v1/messenger/conversations/{conversation}/messages", "parkjh",
                           (200, 201), json={"client_id": "동시-1", "text": "동시에 보낸 같은 메시지"})
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=by_socket, args=(chat,)) for chat in senders]
    threads += [threading.Thread(target=by_rest) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert len(answers) == len(threads)
    assert len({a["id"] for a in answers}) == 1 and "error" not in answers[0]
    stored = site.messages("kimmj", conversation)["items"]
    assert len(stored) == 1 and stored[0]["seq"] == 1


def test_concurrent_senders_get_one_gapless_order(site: Site, chats):
    conversation = site.conversation("kimmj", ["leesy", "parkjh", "choiyj"], title="동시 다발 전송")
    senders = [chats(site, name) for name in ("kimmj", "leesy", "parkjh", "choiyj")]
    listener = chats(site, "kimmj")
    barrier = threading.Barrier(len(senders))
    errors: list[object] = []

    def burst(chat: Chat, who: int) -> None:
        barrier.wait(WAIT)
        for n in range(10):
            answer = chat.send(conversation, f"{who}번 직원의 {n}번째 보고")
            if "error" in answer:
                errors.append(answer)

    threads = [threading.Thread(target=burst, args=(chat, i)) for i, chat in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert errors == []
    stored = site.messages("choiyj", conversation, limit=100)["items"]
    assert [m["seq"] for m in stored] == list(range(1, 41))  # the id order is the seq order, without holes
    live = [listener.next("message") for _ in range(40)]
    assert sorted(m["id"] for m in live) == [m["id"] for m in stored]


@pytest.fixture
def no_flood_limit(site: Site):
    """A test that sends like a script, faster than the per-person limit lets people send."""
    site.settings({"flood_burst": 10_000, "flood_per_minute": 100_000})
    yield
    site.settings({})


def test_reconnect_catches_up_without_gap_or_duplicate(site: Site, chats, no_flood_limit):
    conversation = site.conversation("choiyj", ["jungdh"], title="민원 처리 현황")
    choi, jung = chats(site, "choiyj"), chats(site, "jungdh")
    total = 40
    sent: list[dict] = []
    first_five = threading.Event()

    def keep_sending() -> None:
        for n in range(1, total + 1):
            sent.append(choi.send(conversation, f"민원 {n}건 처리 완료"))
            if n == 5:
                first_five.set()
                disconnected.wait(WAIT)

    disconnected = threading.Event()
    sender = threading.Thread(target=keep_sending)
    sender.start()
    assert first_five.wait(WAIT)
    seen = {m["id"]: m for m in (jung.next("message") for _ in range(5))}
    jung.close()
    disconnected.set()  # the sender goes on while 정다현 is away and while she reconnects

    again = chats(site, "jungdh")  # listen first, then fetch what was missed: nothing can fall in between
    last = max(seen)
    fetched: list[dict] = []
    while True:
        page = site.messages("jungdh", conversation, after=last, limit=7)
        fetched += page["items"]
        if not page["items"]:
            break
        last = page["items"][-1]["id"]
    sender.join(WAIT * 4)
    assert len(sent) == total
    fetched_ids = [m["id"] for m in fetched]
    assert len(fetched_ids) == len(set(fetched_ids)) and not set(fetched_ids) & set(seen)  # no duplicate
    assert fetched_ids == sorted(fetched_ids)
    for message in fetched:
        seen[message["id"]] = message
    while len(seen) < total:  # what was sent after the catch-up arrives live
        message = again.next("message")
        seen.setdefault(message["id"], message)
    assert [m["seq"] for m in sorted(seen.values(), key=lambda m: m["id"])] == list(range(1, total + 1))
    assert sorted(seen) == sorted(m["id"] for m in sent)
    # and a final catch-up from the newest id seen finds nothing
    assert site.messages("jungdh", conversation, after=max(seen))["items"] == []


def test_refusals_anonymous_bad_token_and_outsiders(site: Site, chats):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Chat(site.url, transports=["polling"])
    with pytest.raises(socketio.exceptions.ConnectionError):
        Chat(site.url, token="없는-토큰", transports=["polling"])
    conversation = site.conversation("kimmj", ["leesy"], title="기밀 회의")
    secret = chats(site, "kimmj").send(conversation, "감사 대상 목록")
    outsider = chats(site, "parkjh")
    for event, data in (("join", {"conversation": conversation}),
                        ("send", {"conversation": conversation, "client_id": uuid.uuid4().hex, "text": "끼어들기"}),
                        ("typing", {"conversation": conversation, "typing": True}),
                        ("read", {"conversation": conversation}),
                        ("edit", {"id": secret["id"], "text": "변조"}),
                        ("delete", {"id": secret["id"]})):
        answer = outsider.call(event, data)
        assert answer["error"] == "not_found", (event, answer)
        assert "감사" not in str(answer)
    joined = chats(site, "leesy").call("join", {"conversation": conversation})
    assert joined["conversation"]["id"] == conversation
    assert [m["text"] for m in joined["messages"]["items"]] == ["감사 대상 목록"]


def test_session_cookie_authenticates_the_socket(site: Site):
    site.user("jungdh")
    browser = requests.Session()
    form = browser.get(site.url + "/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    browser.post(site.url + "/login", data={"csrf_token": csrf, "username": "jungdh", "password": PASSWORD,
                                            "next": "/"}, timeout=10)
    cookie = browser.cookies.get("madang_session")
    assert cookie
    chat = Chat(site.url, headers={"Cookie": f"madang_session={cookie}"})
    try:
        conversation = site.conversation("choiyj", ["jungdh"])
        answer = chat.send(conversation, "쿠키로 접속했습니다")
        assert answer["sender"] == "jungdh"
        page = requests.get(site.url + "/messenger", cookies={"madang_session": cookie}, timeout=10)
        assert page.ok and 'data-me="jungdh"' in page.text
        vendored = ROOT / "plugins" / "messenger" / "static" / "vendor" / "socket.io.min.js"  # scripts/test
        assert ("vendor/socket.io.min.js" in page.text) == vendored.exists()  # else the page polls the API
        script = requests.get(site.url + "/messenger/static/messenger.js", timeout=10)
        assert script.ok and "client_id" in script.text
    finally:
        chat.close()
    assert requests.get(site.url + "/messenger", timeout=10, allow_redirects=False).status_code == 302


def test_typing_read_edit_delete_and_presence_events(site: Site, chats):
    conversation = site.conversation("leesy", ["kimmj", "parkjh"], title="행사 준비")
    lee, kim = chats(site, "leesy"), chats(site, "kimmj")
    assert lee.call("who", {"usernames": ["kimmj"]})["kimmj"] == "online"
    assert lee.call("typing", {"conversation": conversation, "typing": True}) == {"ok": True}
    typing = kim.next("typing")
    assert typing == {"conversation": conversation, "username": "leesy", "name": "이서연", "typing": True}

    message = lee.send(conversation, "@kimmj 현수막 시안 확인 부탁해요")
    assert kim.next("message")["mentions"] == ["kimmj"]
    assert kim.call("read", {"conversation": conversation, "message": message["id"]})["last_read_id"] == message["id"]
    read = lee.next("read", where=lambda r: r["username"] == "kimmj")
    assert read == {"conversation": conversation, "username": "kimmj", "last_read_id": message["id"]}
    assert kim.next("unread")["conversations"].get(str(conversation)) is None
    lee.drain("presence")  # 김민준's "online" of a moment ago (it came before the events above)

    edited = lee.call("edit", {"id": message["id"], "text": "@kimmj 현수막 시안 수정본 확인 부탁해요"})
    assert edited["edited"]
    assert kim.next("message_updated") == edited
    deleted = lee.call("delete", {"id": message["id"]})
    assert deleted["deleted"] and kim.next("message_updated", where=lambda m: m["deleted"]) == deleted

    # presence: away, back, and offline when the last socket closes
    assert kim.call("presence", {"status": "away"}) == {"username": "kimmj", "status": "away"}
    assert lee.next("presence", where=lambda p: p["username"] == "kimmj") == {"username": "kimmj",
                                                                               "status": "away"}
    kim.call("presence", {"status": "online"})
    assert lee.next("presence", where=lambda p: p["username"] == "kimmj")["status"] == "online"
    kim.close()
    assert lee.next("presence", where=lambda p: p["username"] == "kimmj")["status"] == "offline"
    assert site.call("GET", "/api/v1/messenger/presence", "leesy", params={"users": "kimmj,leesy"}) == {
        "kimmj": "offline", "leesy": "online"}


def test_going_to_the_next_page_does_not_make_a_person_blink_offline(site: Site, chats):
    site.conversation("leesy", ["choiyj"], title="자리 확인")
    lee, choi = chats(site, "leesy"), chats(site, "choiyj")
    lee.drain("presence")
    choi.close()  # the panel's socket of one page closes...
    choi_again = chats(site, "choiyj")  # ...and the next page's opens, within the grace
    time.sleep(OFFLINE_GRACE + 1)  # proving that nothing is said takes waiting out the grace once
    assert [p for p in lee.drain("presence") if p["username"] == "choiyj"] == []
    assert lee.call("who", {"usernames": ["choiyj"]})["choiyj"] == "online"
    choi_again.close()  # the last page is closed for good: now colleagues are told
    offline = lee.next("presence", where=lambda p: p["username"] == "choiyj")
    assert offline == {"username": "choiyj", "status": "offline"}
