"""The messenger's REST contract (API.md "Messenger") against a real server process."""
from __future__ import annotations

import uuid

from tests.plugins.messenger.support import Site


def send(site: Site, username: str, conversation: int, text: str, client_id: str | None = None,
         status: int | tuple = 201) -> dict:
    return site.call("POST", f"/api/v1/messenger/conversations/{conversation}/messages", username, status,
                     json={"client_id": client_id or uuid.uuid4().hex, "text": text})


def test_conversation_and_messages_contract(site: Site):
    conversation = site.conversation("kimmj", ["leesy", "parkjh"], title="데이터 개방 회의")
    listed = site.call("GET", "/api/v1/messenger/conversations", "leesy")
    found = next(c for c in listed["items"] if c["id"] == conversation)
    assert found["title"] == "데이터 개방 회의" and found["kind"] == "group"
    assert {m["username"] for m in found["members"]} == {"kimmj", "leesy", "parkjh"}
    assert {m["name"] for m in found["members"]} >= {"김민준", "이서연"}

    sent = [send(site, "kimmj", conversation, f"공공데이터 {n}번 안건입니다") for n in range(1, 8)]
    assert [m["seq"] for m in sent] == list(range(1, 8))
    assert all(set(m) >= {"id", "conversation", "sender", "text", "date", "client_id"} for m in sent)

    first = site.messages("parkjh", conversation, after=0, limit=3)
    assert [m["id"] for m in first["items"]] == [m["id"] for m in sent[:3]] and first["next"]
    rest = site.messages("parkjh", conversation, after=first["next"], limit=100)
    assert [m["text"] for m in rest["items"]] == [m["text"] for m in sent[3:]] and rest["next"] is None
    everything = site.messages("parkjh", conversation)  # no `after`: from the start
    assert [m["id"] for m in everything["items"]] == [m["id"] for m in sent]

    # history paging backwards: the newest first page, then older ones, each in order
    newest = site.messages("parkjh", conversation, before="latest", limit=3)
    assert [m["id"] for m in newest["items"]] == [m["id"] for m in sent[4:]] and newest["previous"]
    older = site.messages("parkjh", conversation, before=newest["previous"], limit=3)
    assert [m["id"] for m in older["items"]] == [m["id"] for m in sent[1:4]]
    oldest = site.messages("parkjh", conversation, before=older["previous"], limit=3)
    assert [m["id"] for m in oldest["items"]] == [sent[0]["id"]] and oldest["previous"] is None


def test_one_to_one_is_reused_and_needs_someone_known(site: Site):
    first = site.conversation("choiyj", ["jungdh"])
    again = site.call("POST", "/api/v1/messenger/conversations", "jungdh", 200, json={"members": ["choiyj"]})
    assert again["id"] == first and again["kind"] == "direct" and again["title"] == "최유진"
    bad = site.call("POST", "/api/v1/messenger/conversations", "choiyj", 400, json={"members": ["없는사람"]})
    assert bad["error"] == "invalid_input"
    alone = site.call("POST", "/api/v1/messenger/conversations", "choiyj", 400, json={"members": ["choiyj"]})
    assert alone["error"] == "invalid_input"
    anonymous = site.call("GET", "/api/v1/messenger/conversations", None, 401)
    assert anonymous["error"] == "unauthorized"


def test_department_group_rename_add_leave(site: Site):
    for username in ("kimmj", "leesy", "parkjh", "choiyj", "jungdh"):
        site.user(username)
    # 디지털정책관 with its 데이터전략팀: 김민준, 이서연, 박지훈
    created = site.call("POST", "/api/v1/messenger/conversations", "kimmj", 201, json={"department": "digital"})
    assert created["title"] == "디지털정책관"
    assert {m["username"] for m in created["members"]} == {"kimmj", "leesy", "parkjh"}
    conversation = created["id"]
    renamed = site.call("PATCH", f"/api/v1/messenger/conversations/{conversation}", "leesy",
                        json={"title": "디지털정책관 전체방"})
    assert renamed["title"] == "디지털정책관 전체방"
    send(site, "kimmj", conversation, "종로구청 분들 들어오기 전 글")
    added = site.call("POST", f"/api/v1/messenger/conversations/{conversation}/members", "kimmj",
                      json={"department": "jongno"})
    assert {m["username"] for m in added["members"]} >= {"choiyj", "jungdh"}
    # newcomers start with the earlier history read
    assert site.call("GET", "/api/v1/messenger/unread", "choiyj")["conversations"].get(str(conversation)) is None
    site.call("POST", f"/api/v1/messenger/conversations/{conversation}/leave", "parkjh")
    assert conversation not in [c["id"] for c in site.call("GET", "/api/v1/messenger/conversations",
                                                                 "parkjh")["items"]]
    gone = site.call("GET", f"/api/v1/messenger/conversations/{conversation}/messages", "parkjh", 404)
    assert gone["error"] == "not_found"
    unknown = site.call("POST", "/api/v1/messenger/conversations", "kimmj", 400, json={"department": "없는부서"})
    assert unknown["error"] == "invalid_input"


def test_unread_read_markers_edit_delete_mentions_and_search(site: Site):
    conversation = site.conversation("leesy", ["parkjh", "kimmj"], title="예산 검토")
    before = site.call("GET", "/api/v1/messenger/unread", "parkjh")["total"]
    one = send(site, "leesy", conversation, "@parkjh 주무관님, 2027년 예산안 검토 부탁드립니다")
    two = send(site, "leesy", conversation, "참고: /wiki/재무국/예산편성 지침을 보세요")
    assert one["mentions"] == ["parkjh"] and two["links"] == ["재무국/예산편성"]
    # the mention rings the header's bell of the person named, and of nobody else
    bell = site.call("GET", "/api/v1/me/notifications?unread=1", "parkjh")["items"]
    assert [(n["source"], n["kind"], n["url"]) for n in bell] == [("messenger", "mention",
                                                                  f"/messenger#{conversation}")]
    assert "예산안 검토" in bell[0]["body"]
    assert site.call("GET", "/api/v1/me/notifications?unread=1", "kimmj")["items"] == []
    unread = site.call("GET", "/api/v1/messenger/unread", "parkjh")
    assert unread["total"] == before + 2 and unread["conversations"][str(conversation)] == 2
    assert site.call("GET", "/api/v1/messenger/unread", "leesy")["conversations"].get(str(conversation)) is None
    marked = site.call("POST", f"/api/v1/messenger/conversations/{conversation}/read", "parkjh",
                       json={"message": one["id"]})
    assert marked["last_read_id"] == one["id"]
    assert site.call("GET", "/api/v1/messenger/unread", "parkjh")["conversations"][str(conversation)] == 1
    site.call("POST", f"/api/v1/messenger/conversations/{conversation}/read", "parkjh", json={})
    assert str(conversation) not in site.call("GET", "/api/v1/messenger/unread", "parkjh")["conversations"]
    # markers never go back
    back = site.call("POST", f"/api/v1/messenger/conversations/{conversation}/read", "parkjh",
                     json={"message": one["id"]})
    assert back["last_read_id"] == two["id"]

    edited = site.call("PATCH", f"/api/v1/messenger/messages/{one['id']}", "leesy",
                       json={"text": "@parkjh 주무관님, 2027년 예산안 재검토 부탁드립니다"})
    assert edited["edited"] and "재검토" in edited["text"] and edited["id"] == one["id"]
    refused = site.call("PATCH", f"/api/v1/messenger/messages/{one['id']}", "parkjh", 403, json={"text": "변조"})
    assert refused["error"] == "forbidden"
    deleted = site.call("DELETE", f"/api/v1/messenger/messages/{two['id']}", "leesy")
    assert deleted["deleted"] and deleted["text"] == ""
    history = site.messages("kimmj", conversation)["items"]
    assert [(m["edited"], m["deleted"]) for m in history] == [(True, False), (True, True)]

    hits = site.call("GET", "/api/v1/messenger/search", "kimmj", params={"q": "예산안 재검토"})["items"]
    assert [h["id"] for h in hits] == [one["id"]]
    assert site.call("GET", "/api/v1/messenger/search", "kimmj", params={"q": "예산편성"})["items"] == []  # deleted


def test_membership_is_required_for_everything(site: Site):
    conversation = site.conversation("kimmj", ["leesy"], title="인사 비공개")
    secret = send(site, "kimmj", conversation, "승진 심사 명단 비공개")
    outsider = "jungdh"
    site.user(outsider)
    for method, path, body in (
            ("GET", f"/api/v1/messenger/conversations/{conversation}", None),
            ("GET", f"/api/v1/messenger/conversations/{conversation}/messages", None),
            ("POST", f"/api/v1/messenger/conversations/{conversation}/messages",
             {"client_id": "x", "text": "끼어들기"}),
            ("PATCH", f"/api/v1/messenger/conversations/{conversation}", {"title": "탈취"}),
            ("POST", f"/api/v1/messenger/conversations/{conversation}/members", {"members": [outsider]}),
            ("POST", f"/api/v1/messenger/conversations/{conversation}/read", {}),
            ("POST", f"/api/v1/messenger/conversations/{conversation}/leave", None),
            ("PATCH", f"/api/v1/messenger/messages/{secret['id']}", {"text": "변조"}),
            ("DELETE", f"/api/v1/messenger/messages/{secret['id']}", None)):
        answer = site.call(method, path, outsider, 404, json=body)
        assert answer["error"] == "not_found" and "승진" not in str(answer)
    assert site.call("GET", "/api/v1/messenger/search", outsider, params={"q": "승진 심사"})["items"] == []
    assert site.call("GET", "/api/v1/messenger/search", "leesy", params={"q": "승진 심사"})["items"]
    assert site.messages("kimmj", conversation)["items"][0]["text"] == "승진 심사 명단 비공개"


def test_decomposed_hangul_is_stored_composed_and_found_either_way(site: Site):
    """A Mac may send Hangul decomposed (NFD: 회 = ᄒ + ᅬ); stored NFC, it is found by what others type."""
    import unicodedata

    conversation = site.conversation("choiyj", ["jungdh"], title="정규화 시험")
    typed = unicodedata.normalize("NFD", "맥에서 쓴 주간 업무 보고")
    assert typed != "맥에서 쓴 주간 업무 보고"
    stored = send(site, "choiyj", conversation, typed)
    assert stored["text"] == "맥에서 쓴 주간 업무 보고"
    for query in ("주간 업무", unicodedata.normalize("NFD", "주간 업무")):
        hits = site.call("GET", "/api/v1/messenger/search", "jungdh", params={"q": query})["items"]
        assert [hit["id"] for hit in hits] == [stored["id"]]
