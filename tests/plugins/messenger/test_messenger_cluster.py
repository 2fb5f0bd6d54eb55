"""Two real `python app.py` processes on one content repository and state database, joined by a real
redis-server as Flask-SocketIO's message queue: what is sent through one reaches sockets of the other."""
from __future__ import annotations

from tests.plugins.messenger.support import Chat, close_all


def test_a_message_sent_through_one_process_reaches_a_client_of_the_other(cluster):
    one, two = cluster
    conversation = one.conversation("kimmj", ["leesy", "choiyj"], title="시청·구청 합동 점검")
    for username in ("leesy", "choiyj"):
        two.tokens[username] = one.user(username)  # one database: the same accounts and tokens on both
    kim = Chat(one.url, token=one.user("kimmj"))
    lee = Chat(two.url, token=two.user("leesy"))
    choi = Chat(one.url, token=one.user("choiyj"))
    try:
        sent = kim.send(conversation, "1번 서버에서 보냅니다")
        assert lee.next("message") == sent  # through redis to the other process
        assert choi.next("message") == sent
        assert kim.next("message") == sent  # the sender's own sockets hear of it too
        back = lee.send(conversation, "2번 서버에서 답합니다")
        assert kim.next("message") == back
        assert lee.next("message") == back
        # typing and presence cross processes as well; the conversation is the same on both
        lee.call("typing", {"conversation": conversation, "typing": True})
        assert kim.next("typing")["username"] == "leesy"
        lee.call("presence", {"status": "away"})
        assert kim.next("presence", where=lambda p: p["username"] == "leesy" and p["status"] == "away")
        # REST sends on process two reach sockets on process one
        rest = two.call("POST", f"/api/v1/messenger/conversations/{conversation}/messages", "choiyj", 201,
                        json={"client_id": "구청-1", "text": "REST로 보낸 점검 결과"})
        assert kim.next("message", where=lambda m: m["id"] == rest["id"]) == rest
        assert [m["id"] for m in one.messages("leesy", conversation)["items"]] == [sent["id"], back["id"],
                                                                                     rest["id"]]
    finally:
        close_all([kim, lee, choi])


def test_the_flood_limit_is_one_for_a_person_on_both_processes(cluster):
    """Two tabs of one person on two processes share one bucket (a database row), not one each."""
    one, two = cluster
    conversation = one.conversation("parkjh", ["jungdh"], title="도배 시험 (두 서버)")
    two.tokens["parkjh"] = one.user("parkjh")
    one.settings({"flood_burst": 4, "flood_per_minute": 1})  # one commit: both processes read it
    tabs = [Chat(one.url, token=one.user("parkjh")), Chat(two.url, token=two.user("parkjh"))]
    try:
        answers = [tabs[n % 2].send(conversation, f"두 탭에서 번갈아 {n}") for n in range(8)]
        refused = [a for a in answers if "error" in a]
        assert [a["error"] for a in refused] == ["rate_limited"] * 4
        assert all(a["retry_after"] >= 1 for a in refused)
        stored = [m["text"] for m in one.messages("jungdh", conversation)["items"]]
        assert stored == [f"두 탭에서 번갈아 {n}" for n in range(4)]
    finally:
        one.settings({})
        close_all(tabs)
