"""Two real `python app.py` processes on one content repository and state database with a real redis-server as
Socket.IO's message queue and the home of the editing sessions: people whose sockets are on different processes
edit one session of the page — they see each other, their random concurrent edits converge to one text, a client
that loses its connection to one process catches up through the other without applying anything twice, a save
through either process names everyone, and a save from outside is merged once."""
from __future__ import annotations

import random
import threading
import time

import pytest
import socketio

from tests.conftest import git
from tests.plugins.coedit.conftest import prepare_repository
from tests.plugins.coedit.support import settle
from tests.plugins.messenger.support import Site
from tests.support.cluster import two_processes


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coedit-cluster")
    prepare_repository(folder / "content_repo")
    with two_processes(folder) as (one, two):
        yield Site(one), Site(two), folder / "content_repo"


def test_people_on_two_processes_edit_one_session(cluster, editors):
    one, two, repo = cluster
    path = "협업/두프로세스"
    one.call("PUT", f"/api/v1/pages/{path}", "kimmj", 201, json={"markdown": "# 두 프로세스\n\n본문\n"})
    for username in ("leesy", "parkjh", "choiyj"):
        two.tokens[username] = one.user(username)  # one database: the same accounts and tokens on both
    kim, lee = editors(one, "kimmj", path), editors(one, "leesy", path)
    park, choi = editors(two, "parkjh", path), editors(two, "choiyj", path)
    assert {p["username"] for p in choi.joined["participants"]} == {"kimmj", "leesy", "parkjh", "choiyj"}
    assert kim.next("presence", where=lambda p: p.get("joined", {}).get("username") == "choiyj")
    clients = [kim, lee, park, choi]
    words = ["서울", " ", "hello", "민원", "\n", "data", "가나다"]

    def work(index: int) -> None:
        rng = random.Random(index)
        for _ in range(25):
            def change(text: str) -> str:
                at = rng.randint(0, min(len(text), 25))
                if rng.random() < 0.3 and len(text) > 5:
                    return text[:at] + text[at + 2:]
                return text[:at] + rng.choice(words) + text[at:]
            clients[index].type(change)
            time.sleep(rng.random() * 0.01)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    settle(clients)
    # 김민준's connection to process one drops with an edit unacknowledged; he comes back through process two
    kim.doc.edit(kim.doc.local + "\n재연결 전에 쓴 줄")
    sent = kim.doc.outgoing()
    kim.client.call("edit", {"path": path, **sent}, namespace="/coedit")  # applied; the answer is dropped
    kim.disconnect()
    kim.url = two.url
    kim.client = socketio.Client(reconnection=False)
    for name in kim.EVENTS:
        kim.client.on(name, lambda data, name=name: kim._event(name, data), namespace="/coedit")
    answer = kim.connect()
    assert sent["id"] in [m["id"] for m in answer["missed"]]  # the versions kept in Redis, its own among them
    text = settle(clients)
    assert text.count("재연결 전에 쓴 줄") == 1
    assert [c.errors for c in clients] == [[]] * 4
    assert editors(two, "jungdh", path).joined["text"] == text  # the server's text, on either process
    saved = park.call("save", {"path": path, "message": "두 서버에서 함께"})
    body = git(repo, "log", "-1", "--format=%an%n%B", saved["revision"])
    assert body.startswith("박지훈\n두 서버에서 함께\n")
    for name in ("김민준", "이서연", "최유진"):
        assert f"Co-authored-by: {name}" in body
    assert kim.next("saved")["revision"] == saved["revision"]
    # a save from outside, through process two's API, is merged once for everyone
    page = one.call("GET", f"/api/v1/pages/{path}", "kimmj")
    two.call("PUT", f"/api/v1/pages/{path}", "jungdh", 200,
             json={"markdown": "맨 앞 줄\n" + page["markdown"], "base_revision": page["revision"]})
    for person in clients:
        assert person.next("edited", where=lambda e: "outside" in e)["outside"]["name"] == "정다현"
    assert settle(clients) == "맨 앞 줄\n" + text
    assert all(len([e for e in c.events["edited"].queue if "outside" in e]) == 0 for c in clients)  # once
