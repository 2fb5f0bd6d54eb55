"""Who may join, and bad input: a page one may not read reveals nothing (not even who edits it), readers may
watch only when the site allows, lost permission ends the session, and every bad edit gets a clear error while
the text and the other people are unharmed."""
from __future__ import annotations

import threading

import pytest
import requests
import socketio

from plugins.coedit.client import Doc
from tests.plugins.coedit.conftest import RULES
from tests.plugins.coedit.support import settle
from tests.plugins.messenger.support import Site


def create(site: Site, path: str, text: str, username: str) -> None:
    site.call("PUT", f"/api/v1/pages/{path}", username, (200, 201), json={"markdown": text})


def test_a_page_one_may_not_read_reveals_nothing(site: Site, editors):
    create(site, "비밀/인사평가", "# 인사 평가\n", "leesy")
    lee = editors(site, "leesy", "비밀/인사평가")
    lee.type(lambda t: t + "김민준: 우수\n")
    kim = editors(site, "kimmj", "협업/표지")  # 김민준 is in another page meanwhile
    hidden = kim.call("join", {"path": "비밀/인사평가"})
    missing = kim.call("join", {"path": "비밀/없는문서"})
    assert hidden == {"error": "not_found", "message": "There is no page '비밀/인사평가'."}
    assert missing == {"error": "not_found", "message": "There is no page '비밀/없는문서'."}
    for event in ("edit", "save", "cursor", "leave"):
        answer = kim.call(event, {"path": "비밀/인사평가", "version": 0, "patch": "", "anchor": 0})
        assert answer["error"] == "not_joined", event  # the same answer whether or not someone is editing it
    lee.type(lambda t: t + "박지훈: 보통\n")
    settle([lee])
    editors(site, "parkjh", "협업/표지")  # a marker: its presence event is queued after anything that leaked
    assert kim.next("presence")["joined"]["username"] == "parkjh"
    assert kim.events["edited"].empty() and kim.events["cursor"].empty()
    # nobody signed out: the namespace refuses the connection
    anonymous = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(site.url, namespaces=["/coedit"], transports=["polling"], wait_timeout=5)


def test_readers_watch_only_when_the_site_allows_it(site: Site, editors):
    create(site, "공지/휴무안내", "# 휴무 안내\n", "kimmj")
    kim = editors(site, "kimmj", "공지/휴무안내")
    from plugins.coedit.remote import Editor

    refused = Editor(site.url, site.user("jungdh"), "공지/휴무안내", connect=False)
    refused.client.connect(site.url, namespaces=["/coedit"], auth={"token": site.user("jungdh")},
                           transports=["websocket"])
    try:
        assert refused.call("join", {"path": "공지/휴무안내"})["error"] == "forbidden"
    finally:
        refused.disconnect()
    admin = site.admin
    requests.put(site.url + "/api/v1/admin/plugins/coedit", headers=admin, timeout=10,
                 json={"settings": {"allow_watchers": True, "draft_seconds": 1}}).raise_for_status()
    try:
        jung = editors(site, "jungdh", "공지/휴무안내")
        assert jung.joined["readonly"] is True
        assert {p["username"]: p["readonly"] for p in kim.next("presence")["participants"]} == {
            "kimmj": False, "jungdh": True}
        assert jung.call("edit", {"path": "공지/휴무안내", "version": 0, "patch": ""})["error"] == "forbidden"
        assert jung.call("save", {"path": "공지/휴무안내"})["error"] == "forbidden"
        kim.type(lambda t: t + "\n12월 25일은 휴무입니다.\n")
        assert settle([kim, jung]) == "# 휴무 안내\n\n12월 25일은 휴무입니다.\n"  # the watcher follows live
    finally:
        requests.put(site.url + "/api/v1/admin/plugins/coedit", headers=admin, timeout=10,
                     json={"settings": {"allow_watchers": False, "draft_seconds": 1}}).raise_for_status()


def test_who_loses_the_permission_leaves_the_page(site: Site, editors):
    create(site, "협업/기밀검토", "# 검토\n", "kimmj")
    kim, park = editors(site, "kimmj", "협업/기밀검토"), editors(site, "parkjh", "협업/기밀검토")
    rules = {**RULES, "rules": [*RULES["rules"], {"prefix": "협업/기밀검토", "read": ["user:kimmj"],
                                                  "edit": ["user:kimmj"]}]}
    requests.put(site.url + "/api/v1/admin/acl", headers=site.admin, json=rules, timeout=10).raise_for_status()
    try:
        left = park.next("left")
        assert left["reason"] == "forbidden" and left["path"] == "협업/기밀검토"
        assert kim.next("presence", where=lambda p: "left" in p)["left"]["username"] == "parkjh"
        assert park.call("edit", {"path": "협업/기밀검토", "version": 0, "patch": ""})["error"] == "not_joined"
    finally:
        requests.put(site.url + "/api/v1/admin/acl", headers=site.admin, json=RULES, timeout=10).raise_for_status()


def test_bad_input_gets_a_clear_error_and_harms_no_one(site: Site, editors):
    path = "협업/잘못된입력"
    create(site, path, "# 원문\n", "kimmj")
    kim, lee = editors(site, "kimmj", path), editors(site, "leesy", path)
    wrong = Doc("전혀 다른 글", 0)
    wrong.edit("전혀 다른 글입니다")
    cases = [({"path": path, "version": 0, "patch": "패치가 아닌 글"}, "invalid_input"),
             ({"path": path, "version": 99, "patch": ""}, "invalid_input"),
             ({"path": path, "version": "0", "patch": ""}, "invalid_input"),
             ({"path": path, "version": 0, "patch": wrong.outgoing()["patch"]}, "patch_failed"),
             ({"path": "../../etc/passwd", "version": 0, "patch": ""}, "invalid_path"),
             ({"path": "협업/들어가지않은문서", "version": 0, "patch": ""}, "not_joined")]
    for data, code in cases:
        answer = kim.call("edit", data)
        assert answer["error"] == code, (data["path"], answer)
        assert answer["message"] and len(answer["message"]) < 200
    assert kim.call("join", ["목록"])["error"] == "invalid_path"
    for number in range(19):  # with the page it is in, 20: the most one connection may be in at once
        assert "error" not in kim.call("join", {"path": f"협업/새문서-{number}"})
    assert kim.call("join", {"path": "협업/새문서-스물"})["error"] == "too_many_pages"
    for number in range(19):
        kim.call("leave", {"path": f"협업/새문서-{number}"})
    # a page that would outgrow the wiki's size limit (1 MiB): the edit that crosses it is refused
    create(site, "협업/큰문서", "# 큰 문서\n", "kimmj")
    big = editors(site, "kimmj", "협업/큰문서")
    big.type(lambda t: t + "a" * 600_000)
    settle([big])
    big.type(lambda t: t + "b" * 500_000)
    settle([big])
    assert [e["error"] for e in big.errors] == ["too_large"]
    assert big.text == "# 큰 문서\n" + "a" * 600_000 and big.doc.version == 1
    # a flood: the socket is slowed down, the page is not
    answers, done = [], threading.Event()

    def answered(answer):
        answers.append(answer)
        if len(answers) == 150:
            done.set()
    for _ in range(150):
        kim.client.emit("edit", {"path": path, "version": 0, "patch": "x"}, namespace="/coedit", callback=answered)
    assert done.wait(20)
    assert "rate_limited" in {a["error"] for a in answers}
    lee.type(lambda t: t + "이서연은 정상적으로 씁니다.\n")
    assert settle([kim, lee]) == "# 원문\n이서연은 정상적으로 씁니다.\n"
    assert kim.joined["version"] == 0 and lee.doc.version == 1  # nothing bad made a version
