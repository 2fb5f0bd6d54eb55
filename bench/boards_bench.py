"""Boards benchmark (issue 6): a board of 100,000 posts served by gunicorn, beside the wiki page view of the same
server in the same run.

    .venv/bin/python -m bench.boards_bench [--quick]

1. An app on a fresh repository: plugins other than boards switched off (their hooks are not what is measured),
   one board, 50 wiki pages (the reference), a reader and 50 voters with API tokens.
2. The posts written straight into the repository with `git fast-import` (one commit a post, a comment commit
   after every tenth, the real file layout from plugins/boards/layout.py), then the views catch up in
   `create_app()`; the boards index alone is rebuilt from nothing too. Both times go into the table.
3. `gunicorn -w 2 --threads 8 bench.wsgi:app`; one connection at a time, in interleaved rounds so machine noise
   hits every route alike: the wiki page view, the board's first page and page 5,000 (HTML and JSON), a post;
   then sequential saves (new post, edit, wiki page) and votes from 50 voters at once.
Figures are ratios to the wiki page view measured in the same rounds. Not a test: the table says PASS or FAIL.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from .corpus import head_of, read_marks
from .load import HOST, Client, get_request, percentile, run_load
from .progress import Bar
from .run import ADMIN_PASSWORD, OUT, SECRET_KEY, machine
from .server import Server

SLUG = "seoul-notice"
BOARD_NAME = "서울시 공지·소식"
PASSWORD = "벤치-게시판-password-2026"
VOTERS = 50
PAGE_SIZE = 20  # the plugin's default page size
WIKI_PAGES = 50
FAMILY = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ["민준", "서연", "지훈", "하은", "도윤", "서윤", "예준", "지우", "시우", "수아", "주원", "지아", "하준", "윤서"]
TEAMS = ["총무과", "홍보과", "정보화담당관", "재난안전과", "교통정책과", "복지정책과", "도시계획과", "감사관실"]
WORDS = ("시청", "구청", "공지", "안내", "협조", "요청", "회의", "일정", "변경", "예산", "집행", "결과",
         "보고", "교육", "신청", "마감", "민원", "처리", "현황", "점검", "계획", "시행", "부서", "담당자",
         "연락처", "첨부", "자료", "확인", "바랍니다", "관련", "문의", "사항", "개선", "방안", "검토", "의견",
         "제출", "기한", "준수", "시스템", "정비", "작업", "서비스", "중단", "복구", "완료", "행사", "참석",
         "대상", "직원", "전체", "주민", "참여", "홍보", "협력", "추진", "단계", "운영", "지침")


@dataclass
class Preset:
    name: str
    posts: int
    polls: int
    rounds: int
    seconds: float  # per route per round
    saves: int


PRESETS = {"full": Preset("full", 100_000, 100, 4, 4.0, 30), "quick": Preset("quick", 10_000, 20, 2, 1.5, 8)}


def say(text: str = "") -> None:
    print(text, file=sys.stderr, flush=True)


# -- text ------------------------------------------------------------------------------------------------------
def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "."


def body(rng: random.Random, chars: int, links: list[str] = ()) -> str:
    parts = []
    while sum(len(p) for p in parts) < chars:
        kind = rng.random()
        if kind < 0.15:
            parts.append("## " + " ".join(rng.choice(WORDS) for _ in range(3)))
        elif kind < 0.3:
            parts.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 5))))
        else:
            text = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
            if links and rng.random() < 0.5:
                text += f" [[{rng.choice(links)}]] 참고."
            parts.append(text)
    return "\n\n".join(parts) + "\n"


def person(k: int) -> dict:
    name = FAMILY[k % len(FAMILY)] + GIVEN[(k // len(FAMILY)) % len(GIVEN)]
    return {"username": f"staff{k:03d}", "name": name, "email": f"staff{k:03d}@seoul.go.kr"}


# -- setup through the app -------------------------------------------------------------------------------------
def config_for(folder: Path):
    from wiki.config import Config

    return Config(content_repo=folder / "repo.git", instance_dir=folder / "instance",
                  search_index=folder / "instance" / "search_index", admin_password=ADMIN_PASSWORD,
                  secret_key=SECRET_KEY, argon2_time_cost=1, argon2_memory_kib=8192)


def setup(folder: Path, rng: random.Random) -> dict:
    """Board, wiki pages, people and tokens through the real app (in process); returns what the run needs."""
    from wiki.app import create_app

    app = create_app(config_for(folder))
    client = app.test_client()

    def token(username: str, password: str) -> str:
        answer = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["token"]

    admin = {"Authorization": "Bearer " + token("admin", ADMIN_PASSWORD)}
    for name in ("search", "messenger", "pii"):
        answer = client.put(f"/api/v1/admin/plugins/{name}", json={"enabled": False}, headers=admin)
        assert answer.status_code in (200, 404), answer.get_json()
    made = client.post("/api/v1/boards", headers=admin, json={
        "slug": SLUG, "name": BOARD_NAME, "description": "시청과 25개 자치구의 업무 공지와 소식",
        "read": ["staff"], "post": ["staff"], "comment": ["staff"], "moderate": ["group:홍보과"]})
    assert made.status_code == 201, made.get_json()
    pages = [f"행정포털/{TEAMS[i % len(TEAMS)]}/안내-{i:03d}" for i in range(WIKI_PAGES)]
    madang = app.extensions["madang"]
    madang.wiki.commit({f"pages/{p}.md": (f"# {p.rsplit('/', 1)[-1]}\n\n" + body(rng, 3000, pages)).encode()
                        for p in pages}, None, "벤치마크 위키 문서")
    tokens = {}
    for k in range(VOTERS + 1):
        who = person(k)
        answer = client.post("/api/v1/admin/users", headers=admin, json={
            **who, "password": PASSWORD, "department": TEAMS[k % len(TEAMS)]})
        assert answer.status_code == 201, answer.get_json()
        tokens[who["username"]] = token(who["username"], PASSWORD)
    madang.store.close()
    madang.db.engine.dispose()
    return {"admin": admin["Authorization"], "tokens": tokens, "pages": pages}


# -- the posts, straight into the repository -------------------------------------------------------------------
@dataclass
class Corpus:
    ids: list[str] = field(default_factory=list)  # oldest first
    polls: list[str] = field(default_factory=list)
    pinned: list[str] = field(default_factory=list)
    commits: int = 0


def post_commits(preset: Preset, rng: random.Random, corpus: Corpus):
    """(author, epoch seconds, message, {path: bytes}) for every post, and a comment after every tenth."""
    from plugins.boards.layout import comment_path, post_path

    start = datetime(2022, 1, 3, tzinfo=UTC)
    step = timedelta(seconds=1200)
    poll_every = preset.posts // preset.polls
    pinned_at = {preset.posts - 1 - k * 997 for k in range(5)}
    for i in range(preset.posts):
        created = start + i * step + timedelta(microseconds=rng.randint(0, 999_999))
        post_id = created.strftime("%Y%m%d-%H%M%S-%f-") + f"{rng.getrandbits(16):04x}"
        author = person(rng.randint(0, 199))
        meta = {"title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))) + f" ({i})",
                "author": author, "created": created.isoformat(), "tags": rng.sample(TEAMS, 2),
                "pinned_until": None, "poll": None}
        if i in pinned_at:
            meta["pinned_until"] = "2099-12-31T00:00:00+00:00"
            corpus.pinned.append(post_id)
        if i % poll_every == poll_every - 1:
            meta["poll"] = {"question": "다음 교육 일정으로 좋은 날은?", "choices": ["월요일", "수요일", "금요일"],
                            "multiple": False, "anonymous": False, "closes": None, "results": "always"}
            corpus.polls.append(post_id)
        text = body(rng, rng.randint(600, 1800))
        if i % 50 == 0:
            text += f"\n@{person(rng.randint(0, VOTERS)).get('username')} 확인 부탁드립니다.\n"
        doc = "---\n" + json.dumps(meta, ensure_ascii=False, sort_keys=True) + "\n---\n" + text
        corpus.ids.append(post_id)
        epoch = int(created.timestamp())
        yield author, epoch, f"게시글: [{BOARD_NAME}] {meta['title']}", {post_path(SLUG, post_id): doc.encode()}
        if i % 10 == 0:
            who = person(rng.randint(0, 199))
            cid = (created + timedelta(minutes=5)).strftime("%Y%m%d-%H%M%S-%f-") + f"{rng.getrandbits(16):04x}"
            comment = {"author": who, "created": (created + timedelta(minutes=5)).isoformat(), "parent": None}
            doc = "---\n" + json.dumps(comment, ensure_ascii=False, sort_keys=True) + "\n---\n" + sentence(rng)
            yield who, epoch + 300, f"댓글: {meta['title']}", {comment_path(SLUG, post_id, cid): doc.encode()}


def fast_import(repo: Path, commits, marks: Path, total: int) -> int:
    parent = head_of(repo)
    proc = subprocess.Popen(["git", "--git-dir", str(repo), "fast-import", "--quiet", "--date-format=raw", "--done",
                             f"--export-marks={marks}"], stdin=subprocess.PIPE)
    out = proc.stdin
    bar = Bar("fast-import", total)
    count = 0
    for author, epoch, message, files in commits:
        count += 1
        data = message.encode()
        chunks = [b"commit refs/heads/main\nmark :%d\n" % count,
                  f"author {author['name']} <{author['email']}> {epoch} +0000\n".encode(),
                  f"committer Madang <madang@localhost> {epoch} +0000\n".encode(), b"data %d\n" % len(data), data,
                  b"\n"]
        if count == 1:
            chunks.append(f"from {parent}\n".encode())
        for path, content in files.items():
            chunks += [b"M 100644 inline plugins/boards/" + path.encode() + b"\n", b"data %d\n" % len(content),
                       content, b"\n"]
        out.write(b"".join(chunks) + b"\n")
        if count % 2000 == 0:
            bar.update(min(count, total))
    out.write(b"done\n")
    out.close()
    if proc.wait() != 0:
        raise SystemExit(f"git fast-import failed ({proc.returncode})")
    bar.finish()
    subprocess.run(["git", "--git-dir", str(repo), "repack", "-a", "-d", "-q"], check=True)
    return count


def catch_up(folder: Path, marks: Path, total: int) -> tuple[float, float]:
    """create_app() catches every view up (timed, with a bar on the boards index's watermark); then the boards
    index alone is rebuilt from nothing (timed). Returns both times in seconds."""
    from wiki.app import create_app

    numbers = read_marks(marks)
    db_file = folder / "instance" / "madang.sqlite3"
    stop = threading.Event()
    bar = Bar("views catch up", total)

    def watch() -> None:
        while not stop.wait(0.5):
            try:
                with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=1) as conn:
                    rev = conn.execute("SELECT revision FROM view_state WHERE name='boards_index'").fetchone()
            except sqlite3.Error:
                continue
            if rev:
                bar.update(numbers.get(rev[0], 0))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    app = create_app(config_for(folder))
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    bar.finish(f"{total / seconds:,.0f} commits/s")
    madang = app.extensions["madang"]
    say("  rebuilding the boards index alone from nothing …")
    started = time.perf_counter()
    madang.views.rebuild("boards_index")
    rebuild = time.perf_counter() - started
    madang.store.close()
    madang.db.engine.dispose()
    return seconds, rebuild


def add_reads(folder: Path, corpus: Corpus, rng: random.Random) -> int:
    """Read marks (state, not commits): about two a post, so the list's read counts have rows to count."""
    rows = [(SLUG, post_id, f"staff{k:03d}") for post_id in corpus.ids
            for k in rng.sample(range(200), rng.randint(0, 4))]
    with sqlite3.connect(folder / "instance" / "madang.sqlite3") as conn:
        conn.executemany("INSERT INTO boards_reads (board, post, username) VALUES (?, ?, ?)", rows)
        conn.execute("INSERT INTO boards_counters (board, post, reads, likes) "
                     "SELECT board, post, count(*), 0 FROM boards_reads GROUP BY board, post")
    return len(rows)


# -- measurements ----------------------------------------------------------------------------------------------
def cursor_before(corpus: Corpus, page: int) -> str:
    """The cursor the server gives out for `page` (1-based) of PAGE_SIZE: after the last post of page-1."""
    from plugins.boards.listing import encode_cursor

    pinned = set(corpus.pinned)
    rest = [p for p in reversed(corpus.ids) if p not in pinned]
    last = rest[(page - 1) * PAGE_SIZE - len(pinned) - 1]
    return encode_cursor("n", datetime.strptime(last[:22], "%Y%m%d-%H%M%S-%f").replace(tzinfo=UTC), last)


def post_request(path: str, port: int, token: str, payload: dict) -> bytes:
    data = json.dumps(payload).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept-Encoding: identity\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\nAuthorization: Bearer {token}\r\n\r\n")
    return head.encode("latin-1") + data


@dataclass
class Series:
    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0
    requests: int = 0
    errors: int = 0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(self.requests, 1)


def latency_rounds(server: Server, routes: dict[str, list[bytes]], preset: Preset) -> dict[str, Series]:
    found = {name: Series() for name in routes}
    for requests in routes.values():  # warm-up: caches, connections, the first import of everything
        run_load(server.port, lambda i, r=requests: r[i % len(r)], concurrency=1, duration=1.0)
    for n in range(preset.rounds):
        for name, requests in (routes.items() if n % 2 == 0 else reversed(routes.items())):
            cpu0 = server.cpu_seconds()
            result = run_load(server.port, lambda i, r=requests: r[i % len(r)], concurrency=1,
                              duration=preset.seconds)
            series = found[name]
            series.cpu += server.cpu_seconds() - cpu0
            series.requests += result.requests
            series.errors += result.errors
            series.latencies += result.latencies
        say(f"  round {n + 1}/{preset.rounds}: " + ", ".join(
            f"{k} {v.p(50):.1f}" for k, v in found.items()) + " ms (p50 so far)")
    return found


def saves(client: Client, admin: dict, reader_pages: list[str], corpus: Corpus, count: int) -> dict[str, list]:
    rng = random.Random(7)
    out: dict[str, list] = {"new": [], "edit": [], "wiki": [], "errors": []}
    for i in range(count + 2):  # the first two warm up
        status, payload, seconds = client.call("POST", f"/api/v1/boards/{SLUG}/posts", {
            "title": f"벤치마크 새 글 {i}", "markdown": body(rng, 1200), "tags": ["총무과"]}, admin)
        if status != 201:
            out["errors"].append(f"new {status} {payload[:120]!r}")
        elif i >= 2:
            out["new"].append(seconds)
        post_id = corpus.ids[rng.randrange(len(corpus.ids))]
        status, payload, seconds = client.call("PUT", f"/api/v1/boards/{SLUG}/posts/{post_id}", {
            "markdown": body(rng, 1200), "message": f"벤치마크 수정 {i}"}, admin)
        if status != 200:
            out["errors"].append(f"edit {status} {payload[:120]!r}")
        elif i >= 2:
            out["edit"].append(seconds)
        page = reader_pages[i % len(reader_pages)]
        status, got = client.json("GET", f"/api/v1/pages/{quote(page)}", None, admin)
        status, payload, seconds = client.call("PUT", f"/api/v1/pages/{quote(page)}", {
            "markdown": got.get("markdown", "") + f"\n\n벤치마크 수정 {i}\n", "message": f"벤치마크 {i}",
            "base_revision": got.get("revision")}, admin)
        if status not in (200, 201):
            out["errors"].append(f"wiki {status} {payload[:120]!r}")
        elif i >= 2:
            out["wiki"].append(seconds)
    return out


def votes(server: Server, tokens: list[str], polls: list[str], folder: Path) -> dict:
    """Every voter votes once in every poll, 50 at a time; then all 50 vote twice in one fresh poll at once."""
    voters = len(tokens)
    total = voters * (len(polls) - 1)

    def request(i: int) -> bytes:
        poll = polls[1 + (i // voters) % (len(polls) - 1)]
        return post_request(f"/api/v1/boards/{SLUG}/posts/{poll}/votes", server.port, tokens[i % voters],
                            {"choices": [i % 3]})

    result = run_load(server.port, request, concurrency=voters, duration=120.0, max_requests=total)
    twice = run_load(server.port, lambda i: post_request(f"/api/v1/boards/{SLUG}/posts/{polls[0]}/votes",
                                                         server.port, tokens[i % voters], {"choices": [0]}),
                     concurrency=voters, duration=60.0, max_requests=2 * voters)
    with sqlite3.connect(folder / "instance" / "madang.sqlite3") as conn:
        ballots = conn.execute("SELECT count(*) FROM boards_ballots WHERE post != ?", (polls[0],)).fetchone()[0]
        first = conn.execute("SELECT count(*) FROM boards_ballots WHERE post = ?", (polls[0],)).fetchone()[0]
    return {"rps": result.rps, "p50": result.pct(50) * 1000, "p95": result.pct(95) * 1000,
            "requests": result.requests, "statuses": result.statuses, "ballots": ballots,
            "twice": twice.statuses, "twice_ballots": first}


# -- the run ---------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.boards_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 posts and short rounds")
    args = parser.parse_args(argv)
    preset = PRESETS["quick" if args.quick else "full"]
    folder = OUT / f"boards-{preset.name}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(2026)
    begun = time.perf_counter()
    say(f"Setting up: a board, {WIKI_PAGES} wiki pages, {VOTERS + 1} people with tokens …")
    people = setup(folder, rng)
    corpus = Corpus()
    total = preset.posts + (preset.posts + 9) // 10
    say(f"Writing {preset.posts:,} posts and {total - preset.posts:,} comments ({total:,} commits) …")
    started = time.perf_counter()
    corpus.commits = fast_import(folder / "repo.git", post_commits(preset, rng, corpus), folder / "marks.txt", total)
    import_seconds = time.perf_counter() - started
    say("The views catch up …")
    catch_seconds, rebuild_seconds = catch_up(folder, folder / "marks.txt", corpus.commits)
    reads = add_reads(folder, corpus, rng)
    say(f"  {reads:,} read marks added")

    env = {"MADANG_CONTENT_REPO": str(folder / "repo.git"), "MADANG_INSTANCE_DIR": str(folder / "instance"),
           "MADANG_SEARCH_INDEX": str(folder / "instance" / "search_index"),
           "MADANG_ADMIN_PASSWORD": ADMIN_PASSWORD, "MADANG_SECRET_KEY": SECRET_KEY}
    reader = {"Authorization": "Bearer " + people["tokens"]["staff000"]}
    admin = {"Authorization": people["admin"]}
    deep_page = preset.posts // PAGE_SIZE
    with Server("bench.wsgi:app", env=env, log=folder / "gunicorn.log") as server:
        client = Client(server.port)
        port = server.port
        deep = [cursor_before(corpus, deep_page - k) for k in range(10)]
        status, first = client.json("GET", f"/api/v1/boards/{SLUG}/posts?limit={PAGE_SIZE}&cursor={deep[0]}",
                                    None, reader)
        expected = [p for p in reversed(corpus.ids) if p not in set(corpus.pinned)]
        start = (deep_page - 1) * PAGE_SIZE - len(corpus.pinned)
        if status != 200 or [i["id"] for i in first["items"]] != expected[start:start + PAGE_SIZE]:
            raise SystemExit(f"page {deep_page:,} is not what it should be: {status} {str(first)[:300]}")
        sample = random.Random(3).sample(corpus.ids, 200)
        routes = {
            "wiki": [get_request(f"/wiki/{quote(p)}", port, reader) for p in people["pages"]],
            "list1": [get_request(f"/boards/{SLUG}", port, reader)],
            "listdeep": [get_request(f"/boards/{SLUG}?cursor={c}&page={deep_page - k}", port, reader)
                         for k, c in enumerate(deep)],
            "api1": [get_request(f"/api/v1/boards/{SLUG}/posts?limit={PAGE_SIZE}", port, reader)],
            "apideep": [get_request(f"/api/v1/boards/{SLUG}/posts?limit={PAGE_SIZE}&cursor={c}", port, reader)
                        for c in deep],
            "post": [get_request(f"/boards/{SLUG}/{p}", port, reader) for p in sample],
            "history": [get_request(f"/api/v1/boards/{SLUG}/posts/{p}/history", port, reader) for p in sample],
        }
        for name, requests in routes.items():
            probe = Client(port)
            line = requests[0].decode("utf-8", "replace").split("\r\n")[0].split(" ")[1]
            code, _, _ = probe.call("GET", line, None, reader)
            probe.close()
            if code != 200:
                raise SystemExit(f"{name}: GET {line} answered {code}")
        say(f"Latency rounds ({preset.rounds} × {preset.seconds:.1f} s a route, one connection) …")
        found = latency_rounds(server, routes, preset)
        say(f"Saves ({preset.saves} of each, sequential) …")
        saved = saves(client, admin, people["pages"], corpus, preset.saves)
        say(f"Votes ({VOTERS} voters at once, {len(corpus.polls) - 1} polls) …")
        voters = [people["tokens"][f"staff{k:03d}"] for k in range(1, VOTERS + 1)]
        voted = votes(server, voters, corpus.polls, folder)
        client.close()
    table(preset, found, saved, voted, import_seconds, catch_seconds, rebuild_seconds, corpus, reads, deep_page,
          time.perf_counter() - begun)
    return 0


def table(preset: Preset, found: dict[str, Series], saved: dict, voted: dict, import_seconds: float,
          catch_seconds: float, rebuild_seconds: float, corpus: Corpus, reads: int, deep_page: int,
          elapsed: float) -> None:
    mach = machine()
    ref = found["wiki"]
    print(f"\n### Madang boards benchmark ({preset.name}) — {time.strftime('%Y-%m-%d %H:%M')}\n")
    print(f"Machine: nproc {mach['nproc']} · {mach['cpu']} · {mach['memory_gib']} GiB · Python {mach['python']} · "
          f"gunicorn {mach['gunicorn']} (-w 2 --threads 8) · load average {os.getloadavg()[0]:.2f} at the end "
          f"(other work was running) · run took {elapsed / 60:.1f} min.\n")
    print(f"Board of {preset.posts:,} posts ({len(corpus.pinned)} pinned, {len(corpus.polls)} with a poll), "
          f"{corpus.commits - preset.posts:,} comments, {reads:,} read marks; {PAGE_SIZE} posts a page, so page "
          f"{deep_page:,} is the last. Signed-in staff member (bearer token), one connection; latencies are "
          f"client-side, server CPU is gunicorn's master, workers and children per request.\n")
    print("| measure | p50 ms | p95 ms | server CPU ms/request | requests | ratio p50 | ratio CPU | target | result |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    names = {"wiki": "wiki page view `GET /wiki/<path>` (3 KB pages) — reference",
             "list1": "board list, first page `GET /boards/<slug>`",
             "listdeep": f"board list, page {deep_page - 9:,}–{deep_page:,} `GET /boards/<slug>?cursor=…`",
             "api1": "board list JSON, first page `GET /api/v1/boards/<slug>/posts`",
             "apideep": f"board list JSON, page {deep_page - 9:,}–{deep_page:,} (cursor)",
             "post": "post view `GET /boards/<slug>/<id>` (200 posts)",
             "history": "post history JSON `GET …/posts/<id>/history`"}
    for name, series in found.items():
        ratio, cpu_ratio = series.p(50) / ref.p(50), series.cpu_ms / ref.cpu_ms
        target = "≤ 1.5" if name in ("list1", "listdeep") else ""
        verdict = ("PASS" if max(ratio, cpu_ratio) <= 1.5 else "FAIL") if target else ""
        errors = f" ({series.errors} errors)" if series.errors else ""
        print(f"| {names[name]} | {series.p(50):.1f} | {series.p(95):.1f} | {series.cpu_ms:.1f} | "
              f"{series.requests:,}{errors} | {ratio:.2f} | {cpu_ratio:.2f} | {target} | {verdict} |")
    deep, first = found["listdeep"], found["list1"]
    print(f"| page {deep_page:,} ÷ page 1 (HTML) | | | | | {deep.p(50) / first.p(50):.2f} | "
          f"{deep.cpu_ms / first.cpu_ms:.2f} | CPU ≤ 1.2 | {'PASS' if deep.cpu_ms / first.cpu_ms <= 1.2 else 'FAIL'} |")
    for key, label in (("new", "save: new post `POST …/posts` (1.2 KB)"),
                       ("edit", "save: edit a post `PUT …/posts/<id>`"),
                       ("wiki", "save: wiki page `PUT /api/v1/pages/<path>` — reference for saves")):
        values = saved[key]
        p50 = percentile(values, 50) * 1000
        ratio = p50 / (percentile(saved["wiki"], 50) * 1000) if saved["wiki"] else float("nan")
        print(f"| {label} | {p50:.1f} | {percentile(values, 95) * 1000:.1f} | | {len(values)} | {ratio:.2f} "
              f"(to wiki save) | | | |")
    exact = (voted["ballots"] == voted["statuses"].get(201, 0) and voted["twice"].get(201) == VOTERS
             and voted["twice"].get(409) == VOTERS and voted["twice_ballots"] == VOTERS)
    print(f"| votes, {VOTERS} voters at once: votes/s (p50, p95 ms) | {voted['p50']:.1f} | {voted['p95']:.1f} | | "
          f"{voted['requests']:,} → {voted['rps']:.0f}/s | | | | |")
    print(f"| one vote a person: ballots = 201 answers ({voted['ballots']:,} = {voted['statuses'].get(201, 0):,}); "
          f"{VOTERS} voters voting twice at once → {voted['twice']} , {voted['twice_ballots']} ballots | | | | | | | "
          f"exact | {'PASS' if exact else 'FAIL'} |")
    print(f"| build: git fast-import of {corpus.commits:,} commits | {import_seconds:.1f} s | | | | | | | |")
    print(f"| build: every view catches up (create_app) | {catch_seconds:.1f} s | "
          f"{corpus.commits / catch_seconds:,.0f} commits/s | | | | | | |")
    print(f"| build: boards index alone, rebuilt from nothing | {rebuild_seconds:.1f} s | "
          f"{corpus.commits / rebuild_seconds:,.0f} commits/s | | | | | | |")
    if saved["errors"]:
        print(f"\nSave errors: {saved['errors'][:5]}")


if __name__ == "__main__":
    raise SystemExit(main())
