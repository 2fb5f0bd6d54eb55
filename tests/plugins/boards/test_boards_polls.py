"""Polls inside posts: choices, closing, anonymous or named, hidden results, and one vote per person even when
many threads and many processes vote at once."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import token_for

ROOT = Path(__file__).resolve().parents[3]
LUNCH = {"question": "송년회 점심 메뉴는?", "choices": ["한식", "중식", "양식"], "multiple": False, "anonymous": False}


def poll_post(write_post, headers, **poll) -> str:
    return write_post(headers, title="송년회 설문", markdown="골라 주세요.", poll={**LUNCH, **poll})["id"]


def test_vote_once_and_see_named_results(client, people, make_board, write_post):
    make_board()
    post_id = poll_post(write_post, people["minjun"])
    url = f"/api/v1/boards/notice/posts/{post_id}/votes"
    first = client.post(url, json={"choices": [1]}, headers=people["seoyeon"])
    assert first.status_code == 201
    assert client.post(url, json={"choices": [2]}, headers=people["seoyeon"]).status_code == 409
    assert client.post(url, json={"choices": [1]}, headers=people["jihun"]).status_code == 201
    poll = client.get(f"/api/v1/boards/notice/posts/{post_id}", headers=people["seoyeon"]).get_json()["poll"]
    assert poll["question"] == "송년회 점심 메뉴는?" and poll["voted"] is True and poll["closes"] is None
    assert [(c["text"], c["votes"]) for c in poll["choices"]] == [("한식", 0), ("중식", 2), ("양식", 0)]
    assert poll["choices"][1]["voters"] == ["jihun", "seoyeon"]
    mine = client.get(url, headers=people["minjun"]).get_json()
    assert mine["voted"] is False and mine["choices"][1]["votes"] == 2


def test_anonymous_polls_name_nobody(client, people, make_board, write_post):
    make_board()
    post_id = poll_post(write_post, people["minjun"], anonymous=True, multiple=True)
    url = f"/api/v1/boards/notice/posts/{post_id}/votes"
    assert client.post(url, json={"choices": [0, 2]}, headers=people["seoyeon"]).status_code == 201
    poll = client.get(url, headers=people["jihun"]).get_json()
    assert [c["votes"] for c in poll["choices"]] == [1, 0, 1]
    assert all("voters" not in c for c in poll["choices"])
    assert "seoyeon" not in json.dumps(client.get(f"/api/v1/boards/notice/posts/{post_id}",
                                                  headers=people["jihun"]).get_json())


def test_bad_votes_are_refused_and_nothing_is_counted(client, people, make_board, write_post):
    make_board()
    post_id = poll_post(write_post, people["minjun"])
    url = f"/api/v1/boards/notice/posts/{post_id}/votes"
    for body in ({"choices": [3]}, {"choices": [-1]}, {"choices": []}, {"choices": [0, 1]}, {"choices": ["한식"]},
                 {"choices": [True]}, {}, {"choices": [0, 0]}):
        response = client.post(url, json=body, headers=people["seoyeon"])
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["error"] == "invalid_input"
    assert client.post(url, json={"choices": [0]}).status_code == 404  # anonymous: a staff board is not there
    assert [c["votes"] for c in client.get(url, headers=people["seoyeon"]).get_json()["choices"]] == [0, 0, 0]
    no_poll = write_post(people["minjun"], title="설문 없는 글")["id"]
    assert client.post(f"/api/v1/boards/notice/posts/{no_poll}/votes", json={"choices": [0]},
                       headers=people["seoyeon"]).status_code == 404


def test_closed_polls_take_no_votes(client, people, make_board, write_post):
    make_board()
    post_id = poll_post(write_post, people["minjun"], closes="2020-12-31T18:00:00+09:00")
    response = client.post(f"/api/v1/boards/notice/posts/{post_id}/votes", json={"choices": [0]},
                           headers=people["seoyeon"])
    assert response.status_code == 409 and response.get_json()["error"] == "poll_closed"
    poll = client.get(f"/api/v1/boards/notice/posts/{post_id}/votes", headers=people["seoyeon"]).get_json()
    assert poll["closed"] is True and poll["closes"] == "2020-12-31T09:00:00+00:00"


def test_results_after_closing_stay_hidden_until_then(client, people, make_board, write_post, monkeypatch):
    from plugins.boards import service

    make_board()
    post_id = poll_post(write_post, people["minjun"], results="closed", closes="2030-01-01T00:00:00+09:00")
    url = f"/api/v1/boards/notice/posts/{post_id}/votes"
    assert client.post(url, json={"choices": [2]}, headers=people["seoyeon"]).status_code == 201
    hidden = client.get(url, headers=people["jihun"]).get_json()
    assert [c["votes"] for c in hidden["choices"]] == [None, None, None] and hidden["ballots"] is None
    monkeypatch.setattr(service, "now", lambda: datetime(2030, 1, 2, tzinfo=UTC))
    shown = client.get(url, headers=people["jihun"]).get_json()
    assert [c["votes"] for c in shown["choices"]] == [0, 0, 1] and shown["closed"] is True


def test_bad_polls_are_refused_before_anything_is_written(client, madang, people, make_board, write_post):
    make_board()
    head = madang.store.head()
    for poll in ({"question": "", "choices": ["가", "나"]}, {"question": "하나뿐", "choices": ["가"]},
                 {"question": "질문", "choices": ["가", ""]}, {"question": "질문", "choices": ["가", "나"],
                                                             "closes": "내일"},
                 {"question": "질문", "choices": ["가", "나"], "closes": "2030-01-01T00:00:00"},
                 {"question": "질문", "choices": ["가", "나"], "results": "가끔"}):
        write_post(people["minjun"], title="설문", poll=poll, status=400)
    assert madang.store.head() == head


def test_one_vote_per_person_from_many_threads(app, client, people, make_user, make_board, write_post):
    make_board()
    post_id = poll_post(write_post, people["minjun"])
    voters = {f"voter{i}": make_user(f"voter{i}", f"투표자{i}") for i in range(6)}
    for headers in voters.values():  # a token's first use is recorded once; the core races on that (reported)
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    url = f"/api/v1/boards/notice/posts/{post_id}/votes"
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(24)

    def vote(headers: dict, choice: int) -> None:
        local = app.test_client()
        barrier.wait()
        code = local.post(url, json={"choices": [choice]}, headers=headers).status_code
        with lock:
            statuses.append(code)

    threads = [threading.Thread(target=vote, args=(headers, i % 3))
               for _round in range(4) for i, headers in enumerate(voters.values())]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * 6 + [409] * 18
    poll = client.get(url, headers=people["jihun"]).get_json()
    assert [c["votes"] for c in poll["choices"]] == [2, 2, 2]


VOTER = r"""
import json, sys, threading, time
from pathlib import Path
from tests.conftest import make_config
from wiki.app import create_app

tmp, url, number, jobs = Path(sys.argv[1]), sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
app = create_app(make_config(tmp))
codes, ready = [], threading.Barrier(len(jobs) + 1)
def run(token, choice):
    client = app.test_client()
    ready.wait()
    while not (tmp / "go").exists():
        time.sleep(0.002)
    response = client.post(url, json={"choices": [choice]}, headers={"Authorization": "Bearer " + token})
    codes.append(response.status_code)
threads = [threading.Thread(target=run, args=(token, choice)) for token, choice in jobs]
[t.start() for t in threads]
ready.wait()
(tmp / f"ready-{number}").touch()
[t.join() for t in threads]
print(json.dumps(codes))
"""


def test_one_vote_per_person_from_many_processes(tmp_path, client, people, make_user, make_board, write_post):
    """Four worker processes (each its own app on the same repository and database, as under a WSGI server with
    several workers), each voting for every person from several threads at the same moment."""
    import time

    make_board()
    post_id = poll_post(write_post, people["minjun"], multiple=True)
    names = [f"v{i}" for i in range(8)]
    tokens = {}
    for name in names:
        make_user(name, f"직원{name}")
        tokens[name] = token_for(client, name, "비밀번호-12345")
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens[name]}"}).status_code == 200
    choice = {name: [0, 1, 2][i % 3] for i, name in enumerate(names)}
    url = f"/api/v1/boards/notice/posts/{post_id}/votes"
    jobs = json.dumps([[tokens[n], choice[n]] for n in names])
    procs = [subprocess.Popen([sys.executable, "-c", VOTER, str(tmp_path), url, str(n), jobs], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(4)]
    deadline = time.monotonic() + 120  # a guard against a hung start, not a timing assertion
    while not all((tmp_path / f"ready-{n}").exists() for n in range(4)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a voter did not start"
        time.sleep(0.01)
    (tmp_path / "go").touch()  # every thread of every process is waiting for this: they vote at once
    codes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        codes += json.loads(out.strip().splitlines()[-1])
    assert sorted(codes) == [201] * 8 + [409] * 24
    poll = client.get(url, headers=people["jihun"]).get_json()
    assert [c["votes"] for c in poll["choices"]] == [3, 3, 2]
