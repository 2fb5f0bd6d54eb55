"""Co-editing with real python-socketio clients against a real server process: join and presence, random
concurrent edits that converge, reconnects without double application, commits from outside merged in."""
from __future__ import annotations

import random
import threading
import time

import pytest

from tests.plugins.coedit.support import settle
from tests.plugins.messenger.support import Site

WORDS = ["서울", "시청", "민원", "예산", "회의록", "공동 편집", " ", "\n", "hello", "wiki", "data", "팀장님", "가나다",
         "ㄱ", "한글", "test", ", ", "."]


def create(site: Site, path: str, text: str, username: str = "kimmj") -> str:
    return site.call("PUT", f"/api/v1/pages/{path}", username, (200, 201), json={"markdown": text})["revision"]


def random_change(rng: random.Random, window: int):
    """Insert a word or delete a few characters near the start (so that people collide), sometimes anywhere."""
    def change(text: str) -> str:
        limit = len(text) if rng.random() < 0.2 else min(len(text), window)
        at = rng.randint(0, limit)
        if rng.random() < 0.6 or len(text) < 5:
            return text[:at] + rng.choice(WORDS) + text[at:]
        return text[:at] + text[at + rng.randint(1, 4):]
    return change


def test_join_answers_the_text_and_everyone_sees_who_is_there(site: Site, editors):
    create(site, "협업/주간보고", "# 주간 보고\n\n이번 주 할 일\n")
    kim = editors(site, "kimmj", "협업/주간보고")
    assert kim.joined["text"] == "# 주간 보고\n\n이번 주 할 일\n" and kim.joined["version"] == 0
    assert [p["username"] for p in kim.joined["participants"]] == ["kimmj"]
    lee = editors(site, "leesy", "/협업/주간보고/")  # the path is normalised
    assert lee.joined["path"] == "협업/주간보고"
    names = {p["username"]: p for p in lee.joined["participants"]}
    assert set(names) == {"kimmj", "leesy"} and names["leesy"]["name"] == "이서연"
    assert names["kimmj"]["color"] != names["leesy"]["color"]
    seen = kim.next("presence")
    assert seen["joined"]["username"] == "leesy" and len(seen["participants"]) == 2
    # a cursor reaches the others, with the person's name and colour
    assert lee.call("cursor", {"path": "협업/주간보고", "version": 0, "anchor": 3, "head": 7}) == {"ok": True}
    cursor = kim.next("cursor")
    assert (cursor["username"], cursor["anchor"], cursor["head"]) == ("leesy", 3, 7)
    assert cursor["color"] == names["leesy"]["color"] and "sid" not in cursor
    lee.call("leave", {"path": "협업/주간보고"})
    assert kim.next("presence", where=lambda p: "left" in p)["left"]["username"] == "leesy"


@pytest.mark.parametrize("people,edits", [(2, 60), (5, 30), (10, 15)])
def test_random_concurrent_edits_converge_to_the_servers_text(site: Site, editors, people, edits):
    path = f"협업/동시편집-{people}"
    create(site, path, "# 동시 편집 시험\n\nThe quick brown fox 다람쥐 헌 쳇바퀴에 타고파.\n")
    users = ["kimmj", "leesy", "parkjh", "choiyj", "jungdh"]
    clients = [editors(site, users[i % len(users)], path) for i in range(people)]
    barrier = threading.Barrier(people)

    def work(index: int) -> None:
        rng = random.Random(1000 * people + index)
        barrier.wait(10)
        for _ in range(edits):
            clients[index].type(random_change(rng, 30))
            time.sleep(rng.random() * 0.01)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    text = settle(clients)
    fresh = editors(site, "kimmj", path)
    assert fresh.joined["text"] == text  # identical to the server's
    assert fresh.joined["version"] >= people  # every edit made a version (a few may have been rejected)
    assert [e.errors for e in clients] == [[]] * people  # nothing refused: no keystroke lost


def test_a_reconnect_resends_what_was_not_acknowledged_and_nothing_is_applied_twice(site: Site, editors):
    path = "협업/재연결"
    create(site, path, "첫 줄\n")
    kim, lee = editors(site, "kimmj", path), editors(site, "leesy", path)
    # 1. the edit reached the server but its acknowledgement was lost with the connection
    kim.doc.edit(kim.doc.local + "김민준이 쓴 줄\n")
    sent = kim.doc.outgoing()
    kim.client.call("edit", {"path": path, **sent}, namespace="/coedit")  # applied; the answer is dropped
    kim.disconnect()
    lee.next("edited", where=lambda e: e["id"] == sent["id"])
    import socketio

    kim.client = socketio.Client(reconnection=False)
    for name in kim.EVENTS:
        kim.client.on(name, lambda data, name=name: kim._event(name, data), namespace="/coedit")
    answer = kim.connect()  # joins with since + ids: catches up through `missed`, re-sends nothing
    assert [m["id"] for m in answer["missed"]] == [sent["id"]]
    assert settle([kim, lee]) == "첫 줄\n김민준이 쓴 줄\n"
    # 2. a re-sent edit with the same id is answered with the first version, not applied again
    again = kim.call("edit", {"path": path, **sent})
    assert again["version"] == 1 and again["id"] == sent["id"]
    # 3. typing while disconnected is sent after the reconnect, once
    kim.disconnect()
    kim.doc.edit(kim.doc.local + "끊긴 동안 쓴 줄\n")
    kim.client = socketio.Client(reconnection=False)
    for name in kim.EVENTS:
        kim.client.on(name, lambda data, name=name: kim._event(name, data), namespace="/coedit")
    kim.connect()
    assert settle([kim, lee]) == "첫 줄\n김민준이 쓴 줄\n끊긴 동안 쓴 줄\n"
    assert editors(site, "parkjh", path).joined["text"] == "첫 줄\n김민준이 쓴 줄\n끊긴 동안 쓴 줄\n"


def test_a_commit_from_outside_the_session_is_merged_into_the_live_text(site: Site, editors):
    path = "협업/외부저장"
    revision = create(site, path, "# 제목\n\n본문 첫 문단.\n\n끝.\n")
    kim, lee = editors(site, "kimmj", path), editors(site, "leesy", path)
    kim.type(lambda t: t.replace("끝.", "끝. 김민준 추가."))
    settle([kim, lee])
    # 박지훈 saves through the API, from the committed text, without joining
    site.call("PUT", f"/api/v1/pages/{path}", "parkjh", 200,
              json={"markdown": "# 새 제목\n\n본문 첫 문단.\n\n끝.\n", "base_revision": revision})
    outside = lee.next("edited", where=lambda e: "outside" in e)
    assert outside["outside"]["name"] == "박지훈" and outside["outside"]["overlaps"] == 0
    assert settle([kim, lee]) == "# 새 제목\n\n본문 첫 문단.\n\n끝. 김민준 추가.\n"
    # and the next save keeps both: the outside commit is its parent's content plus the live change
    kim.call("save", {"path": path, "message": "합쳐서 저장"})
    page = site.call("GET", f"/api/v1/pages/{path}", "kimmj")
    assert page["markdown"] == "# 새 제목\n\n본문 첫 문단.\n\n끝. 김민준 추가.\n"


def test_saving_commits_the_live_text_naming_every_co_author(site: Site, editors):
    from tests.conftest import git

    path = "협업/공동저자"
    create(site, path, "# 예산안\n")
    kim, lee, park = (editors(site, u, path) for u in ("kimmj", "leesy", "parkjh"))
    choi = editors(site, "choiyj", path)  # joins but never types: not a co-author
    kim.type(lambda t: t + "\n- 인건비\n")
    lee.type(lambda t: t + "\n- 운영비\n")
    park.type(lambda t: t + "\n- 시설비\n")
    settle([kim, lee, park, choi])
    answer = lee.call("save", {"path": path, "message": "예산안 공동 작성"})
    assert len(answer["revision"]) == 40
    assert kim.next("saved")["revision"] == answer["revision"]
    repo = site.server.tmp_path / "content_repo"
    log = git(repo, "log", "-1", "--format=%an <%ae>%n%B", answer["revision"])
    lines = log.strip().splitlines()
    assert lines[0] == "이서연 <leesy@seoul.go.kr>"  # the saver is the author
    assert lines[1] == "예산안 공동 작성"
    trailers = sorted(line for line in lines if line.startswith("Co-authored-by:"))
    assert trailers == ["Co-authored-by: 김민준 <kimmj@seoul.go.kr>", "Co-authored-by: 박지훈 <parkjh@seoul.go.kr>"]
    assert git(repo, "log", "-1", "--format=%(trailers:key=Co-authored-by,valueonly)", answer["revision"]).count(
        "seoul.go.kr") == 2  # git itself reads them as trailers
    assert git(repo, "show", f"{answer['revision']}:pages/{path}.md") == settle([kim, lee, park])
    # after the save, only new editors are named: 최유진 types, 김민준 saves
    choi.type(lambda t: t + "\n- 예비비\n")
    settle([kim, choi])
    second = kim.call("save", {"path": path})
    body = git(repo, "log", "-1", "--format=%B", second["revision"])
    assert "Co-authored-by: 최유진 <choiyj@seoul.go.kr>" in body and "이서연" not in body and "박지훈" not in body
