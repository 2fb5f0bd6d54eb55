"""Several OS processes (and a real server's threads) save at once; git shows every save, nothing lost or broken."""
from __future__ import annotations

import multiprocessing
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote

import requests

from tests.conftest import git, make_config
from wiki.app import build_core, create_app
from wiki.auth import Principal

PROCESSES, SAVES = 6, 15
SHARED = "행정포털/공동 작업"


def shared_text(counts: dict[int, str]) -> str:
    """One line per writer, with an untouched line between them, so every pair of edits merges cleanly."""
    lines = (f"작성자 {p}: {counts.get(p, '시작')}\n— 구분선 {p} —\n" for p in range(PROCESSES))
    return "# 공동 작업\n\n" + "".join(lines)


def set_line(text: str, writer: int, value: str) -> str:
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(f"작성자 {writer}: "))
    lines[index] = f"작성자 {writer}: {value}"
    return "\n".join(lines)


def worker(tmp_path: str, writer: int, first_base: str, barrier, results) -> None:
    """One OS process: its own core (store, database engine, views) on the shared repository and SQLite file."""
    try:
        core = build_core(make_config(Path(tmp_path)))
        who = Principal(f"writer{writer}", f"작성자{writer}", f"writer{writer}@seoul.go.kr")
        barrier.wait(60)
        saves = []
        for k in range(SAVES):
            if k % 3 == 0:  # the shared page, each process on its own line, with the revision it read
                if k == 0:
                    base = first_base  # everyone starts from the same revision: all but one must merge
                    text = core.wiki.text_at(who, SHARED, base)
                else:
                    record = core.wiki.get(who, SHARED)
                    base, text = record.revision, record.markdown
                result = core.wiki.save(who, SHARED, set_line(text, writer, f"{k}회째"), f"P{writer} 공동 {k}",
                                        base_revision=base)
            else:  # a page of its own
                result = core.wiki.save(who, f"프로세스{writer}/문서{k % 4}", f"# 문서\n\n{writer}-{k}\n",
                                        f"P{writer} 개별 {k}")
            assert result.changed
            saves.append((f"P{writer} {'공동' if k % 3 == 0 else '개별'} {k}", result.revision, result.merged))
        core.store.close()
        core.db.engine.dispose()
        results.put(("ok", writer, saves))
    except BaseException as exc:  # noqa: BLE001  (sent to the parent, which fails the test with it)
        results.put(("error", writer, repr(exc)))


def fsck(repo: Path) -> None:
    proc = subprocess.run(["git", "--git-dir", str(repo), "fsck", "--strict", "--no-progress"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "error" not in proc.stderr.lower(), proc.stdout + proc.stderr


def test_processes_saving_at_once_lose_nothing(tmp_path):
    config = make_config(tmp_path)
    core = build_core(config)
    admin = core.accounts.get("admin")
    first_base = core.wiki.save(admin, SHARED, shared_text({}), "공동 문서 시작").revision
    core.store.close()
    core.db.engine.dispose()

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    processes = [ctx.Process(target=worker, args=(str(tmp_path), p, first_base, barrier, results))
                 for p in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    errors = [o for o in outcomes if o[0] != "ok"]
    assert not errors, errors
    saves = [save for _, _, items in outcomes for save in items]
    assert len(saves) == PROCESSES * SAVES

    repo = config.content_repo
    assert git(repo, "rev-list", "--count", "main").strip() == str(1 + PROCESSES * SAVES)
    assert git(repo, "rev-list", "--merges", "--count", "main").strip() == "0"
    messages = git(repo, "log", "--format=%s", "main").splitlines()
    assert sorted(messages) == sorted([message for message, _, _ in saves] + ["공동 문서 시작"])
    revisions = set(git(repo, "rev-list", "main").split())
    assert {revision for _, revision, _ in saves} <= revisions and len({r for _, r, _ in saves}) == len(saves)
    authors = set(git(repo, "log", "--format=%an <%ae>", "main").splitlines())
    assert {f"작성자{p} <writer{p}@seoul.go.kr>" for p in range(PROCESSES)} <= authors

    final = git(repo, "show", f"main:pages/{SHARED}.md")
    last_shared = max(k for k in range(SAVES) if k % 3 == 0)
    assert final == shared_text({p: f"{last_shared}회째" for p in range(PROCESSES)})
    for p in range(PROCESSES):
        for n in range(4):
            last = max(k for k in range(SAVES) if k % 3 and k % 4 == n)
            assert git(repo, "show", f"main:pages/프로세스{p}/문서{n}.md") == f"# 문서\n\n{p}-{last}\n"
    assert sum(merged for _, _, merged in saves) >= PROCESSES - 1
    fsck(repo)

    # the views of every process caught up: a fresh app on the same database lists every revision of the page
    app = create_app(config)
    client = app.test_client()
    history = client.get("/api/v1/pages/" + quote(SHARED) + "/history?limit=500").get_json()
    page_log = git(repo, "log", "--format=%H", "main", "--", f"pages/{SHARED}.md").split()
    assert [item["revision"] for item in history["items"]] == page_log
    assert len(page_log) == 1 + PROCESSES * len(range(0, SAVES, 3))
    changes = client.get("/api/v1/changes?limit=500").get_json()["items"]
    assert [item["revision"] for item in changes] == git(repo, "rev-list", "main").split()
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


def test_threads_saving_through_the_real_server_lose_nothing(live_server):
    threads, saves_each = 6, 8
    url = live_server.url + "/api/v1"
    admin = {"Authorization": f"Bearer {live_server.token()}"}
    base = requests.put(f"{url}/pages/{quote(SHARED)}", json={"markdown": shared_text({})}, headers=admin,
                        timeout=30)
    assert base.status_code == 201
    base_revision = base.json()["revision"]
    tokens = {}
    for t in range(threads):
        body = {"username": f"staff{t}", "password": "비밀번호-12345", "name": f"직원{t}",
                "email": f"staff{t}@seoul.go.kr"}
        assert requests.post(f"{url}/admin/users", json=body, headers=admin, timeout=30).status_code == 201
        tokens[t] = live_server.token(f"staff{t}", "비밀번호-12345")
    barrier, results, errors = threading.Barrier(threads), [], []

    def run(t: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tokens[t]}"
        try:
            barrier.wait(30)
            for k in range(saves_each):
                if k % 2 == 0:
                    if k == 0:
                        revision = base_revision
                        text = session.get(f"{url}/pages/{quote(SHARED)}?rev={revision}", timeout=30).json()[
                            "markdown"]
                    else:
                        page = session.get(f"{url}/pages/{quote(SHARED)}", timeout=30).json()
                        revision, text = page["revision"], page["markdown"]
                    body = {"markdown": set_line(text, t, f"{k}회째"), "message": f"T{t} 공동 {k}",
                            "base_revision": revision}
                    response = session.put(f"{url}/pages/{quote(SHARED)}", json=body, timeout=30)
                else:
                    response = session.put(f"{url}/pages/{quote(f'스레드{t}/문서{k}')}",
                                           json={"markdown": f"{t}-{k}\n", "message": f"T{t} 개별 {k}"}, timeout=30)
                assert response.status_code in (200, 201), response.text
                results.append((f"T{t} {'공동' if k % 2 == 0 else '개별'} {k}", response.json()))
        except BaseException as exc:  # noqa: BLE001
            errors.append(repr(exc))

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for worker_thread in workers:
        worker_thread.start()
    for worker_thread in workers:
        worker_thread.join(120)
    assert not errors, errors
    assert len(results) == threads * saves_each

    repo = live_server.tmp_path / "content_repo"
    assert git(repo, "rev-list", "--count", "main").strip() == str(1 + threads * saves_each)
    messages = git(repo, "log", "--format=%s", "main").splitlines()
    assert sorted(messages[:-1]) == sorted(message for message, _ in results)
    final = git(repo, "show", f"main:pages/{SHARED}.md")
    assert final == shared_text({t: f"{saves_each - 2}회째" for t in range(threads)})
    assert sum(body["merged"] for _, body in results) >= threads - 1
    fsck(repo)
    history = requests.get(f"{url}/pages/{quote(SHARED)}/history?limit=500", timeout=30).json()["items"]
    page_log = git(repo, "log", "--format=%H", "main", "--", f"pages/{SHARED}.md").split()
    assert [item["revision"] for item in history] == page_log and len(page_log) == 1 + threads * saves_each // 2
    authors = {item["author"]["name"] for item in history}
    assert authors == {"관리자"} | {f"직원{t}" for t in range(threads)}
