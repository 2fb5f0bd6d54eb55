"""Personal-data guard benchmark: history scan speed, the daily re-check, and what the check adds to a save.

    .venv/bin/python -m bench.pii_bench            # 2,000 pages / 20,000 commits; 200 saves of a 20 KB page
    .venv/bin/python -m bench.pii_bench --quick    # 300 pages / 1,000 commits; 60 saves

- Scan: the guard's Scanner over the whole history of the corpus (bench/corpus.py, git fast-import; cached under
  bench/out/pii/), against the reference of the same `git log --raw` walk plus raw `git cat-file --batch` reading
  the same blobs without looking at them — the ratio is what detection and text extraction cost on top of git.
- Daily re-check: new commits (some holding numbers) are added to a copy of the corpus; the scanner that already
  scanned everything reads only those (its watermark), timed against the full scan.
- Save: PUT of a 20 KB Korean page (dates, amounts, document numbers, a public office number on the allow-list)
  through the real `create_app()` and Flask's test client, the guard on and off in alternating blocks in the same
  run (the other built-in plugins off, so nothing else differs); plus `guard.check()` alone on the same change,
  which is the part of the save the guard adds. Target: < 5 ms for a 20 KB page.
Prints a Markdown table and writes it to bench/out/pii-<full|quick>.md. Every loop is bounded.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from bench import corpus
from bench.progress import Bar

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ADMIN_PASSWORD = "bench-admin-password-1"
SECRET_KEY = "bench-secret-key-not-for-production"
SAVE_TARGET_MS = 5.0
NEW_COMMITS = 100
BLOCKS = 25  # pairs of (guard on, guard off) blocks: fine alternation, so that the load of others hits both alike
OFFICE = "02-2133-7890"  # on the allow-list
ALLOW = frozenset({"0221337890"})  # plugins.pii.guard.parse_allowlist(OFFICE)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def corpus_repo(pages: int, commits: int) -> Path:
    """The corpus repository, generated once (or borrowed from the search benchmark's cache, read only)."""
    spec = corpus.Spec(pages=pages, stages=(commits,), authors=200 if commits >= 20_000 else 50)
    for folder in (OUT / "pii" / f"{pages}-{commits}", OUT / "search" / f"{pages}-{commits}"):
        meta = folder / "meta.json"
        if meta.exists() and json.loads(meta.read_text()).get("key") == spec.key() and (folder / "repo.git").is_dir():
            return folder / "repo.git"
    folder = OUT / "pii" / f"{pages}-{commits}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    say(f"fast-import {commits:,} commits of {pages:,} pages …")
    bar: dict[str, Bar] = {}

    def progress(label: str, done: int, total: int) -> None:
        bar.setdefault(label, Bar(label, total, sys.stderr)).update(done)

    corpus.generate(spec, [folder / "repo.git"], [folder / "marks.txt"], say, progress)
    (folder / "meta.json").write_text(json.dumps({"key": spec.key()}))
    return folder / "repo.git"


def head(repo: Path) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), "rev-parse", "main"], capture_output=True, text=True,
                          check=True).stdout.strip()


# -- the scan ------------------------------------------------------------------------------------------------------
def raw_read(repo: Path, until: str) -> tuple[float, int, int]:
    """The reference: the same walk, and `git cat-file --batch` reading each blob the scanner reads, nothing else."""
    from plugins.pii.scan import OWN_FILES, BlobReader, walk

    started = time.perf_counter()
    reader, seen, commits = BlobReader(repo), set(), 0
    try:
        for _rev, _author, _email, _date, files in walk(repo, None, until):
            commits += 1
            for file_path, blob in files:
                if blob not in seen and not file_path.startswith(OWN_FILES):
                    seen.add(blob)
                    reader.read(blob)
    finally:
        reader.close()
    return time.perf_counter() - started, commits, len(seen)


def full_scan(repo: Path, until: str):
    from plugins.pii.scan import Scanner

    scanner = Scanner(repo)
    bar = Bar("scan", 1, sys.stderr)

    def progress(done: int, total: int, found: int) -> None:
        bar.total = max(total, 1)
        if done % 500 == 0 or done == total:
            bar.update(done, f"{found} findings")

    started = time.perf_counter()
    scanner.update(until, ALLOW, progress)
    seconds = time.perf_counter() - started
    bar.finish()
    return scanner, seconds


def add_commits(repo: Path, count: int, seed: int = 7) -> None:
    """`count` new commits through the core's own store (a few of them with numbers), as a day's work."""
    from wiki.store import Author, ContentStore

    rng = random.Random(seed)
    store = ContentStore(repo, "main")
    try:
        for i in range(count):
            text = f"# 오늘의 업무 {i}\n\n회의 결과를 정리했습니다. 문의 {OFFICE}.\n"
            if i % 10 == 0:
                text += f"\n담당자 연락처 010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}\n"
            store.commit({f"pages/벤치/일일/{i % 20}.md": text.encode()}, Author("벤치", "bench@localhost"),
                         f"일일 작업 {i}")
    finally:
        store.close()


# -- the save ------------------------------------------------------------------------------------------------------
WORDS = ["민원", "처리", "결과", "보고", "예산", "집행", "계획", "회의", "안건", "검토", "의견", "부서", "협조",
         "요청", "시스템", "점검", "일정", "공문", "시행", "지침", "개정", "홍보", "교육", "대상", "기간", "장소"]


def page_text(target_bytes: int = 20 * 1024, seed: int = 11) -> str:
    """A 20 KB page an office writes, dense with numbers that are not personal data: Korean prose with dates,
    amounts and document numbers in every sentence, tables of amounts, code blocks, the office's phone number."""
    rng = random.Random(seed)
    parts = ["# 2026년 하반기 업무 추진 계획\n"]
    while sum(len(p.encode()) for p in parts) < target_bytes:
        kind = rng.random()
        if kind < 0.6:
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
            when = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            parts.append(f"{sentence}. 시행일 {when}, 예산 {rng.randint(1, 999):,},{rng.randint(100, 999)}원, "
                         f"문서번호 행정-2026-{rng.randint(1000, 99999)}.\n")
        elif kind < 0.8:
            rows = "".join(f"| {rng.choice(WORDS)} | {rng.randint(1000, 9_999_999):,} | "
                           f"2026.{rng.randint(1, 12)}.{rng.randint(1, 28)} |\n" for _ in range(5))
            parts.append("| 항목 | 금액 | 비고 |\n| --- | ---: | --- |\n" + rows)
        else:
            parts.append(f"```\nversion: 3.{rng.randint(0, 20)}.{rng.randint(0, 99)}\n"
                         f"port: {rng.randint(1024, 65535)}\n```\n문의: 민원실 {OFFICE}\n")
    return "\n".join(parts)[:target_bytes]


def site(tmp: Path):
    """A site with only the guard installed and enabled (policy `warn`, the office number on the allow-list)."""
    from wiki.app import create_app
    from wiki.config import Config
    from wiki.store import Author, ContentStore

    config = Config(content_repo=tmp / "repo.git", instance_dir=tmp / "instance", search_index=tmp / "index",
                    admin_password=ADMIN_PASSWORD, secret_key=SECRET_KEY)
    names = sorted(d.name for d in (ROOT / "plugins").iterdir() if (d / "plugin.py").exists())
    store = ContentStore(config.content_repo, config.branch)
    plugins = {name: {"enabled": name == "pii"} for name in names}
    store.commit({"site/plugins.json": json.dumps(plugins).encode(),
                  "plugins/pii/allowlist.txt": f"{OFFICE}  # 민원실\n".encode()},
                 Author("벤치", "bench@localhost"), "벤치 준비")
    store.close()
    app = create_app(config)
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}).get_json()
    return app, client, {"Authorization": f"Bearer {token['token']}"}


def measure_saves(saves: int, blocks: int) -> dict:
    from plugins.pii.guard import check

    text = page_text()
    with tempfile.TemporaryDirectory(prefix="pii-bench-") as folder:
        app, client, headers = site(Path(folder))
        times: dict[bool, list[float]] = {True: [], False: []}
        per_block = max(1, saves // (2 * blocks))
        bar = Bar("saves (guard on/off alternating)", 2 * blocks * per_block, sys.stderr)
        done = 0
        for block in range(2 * blocks):
            enabled = block % 2 == 0
            answer = client.put("/api/v1/admin/plugins/pii", json={"enabled": enabled}, headers=headers)
            assert answer.status_code == 200, answer.get_json()
            for i in range(per_block):
                body = {"markdown": f"{text}\n\n수정 {block}-{i}\n"}
                started = time.perf_counter()
                answer = client.put(f"/api/v1/pages/{quote('벤치/계획')}", json=body, headers=headers)
                times[enabled].append((time.perf_counter() - started) * 1000)
                assert answer.status_code in (200, 201), answer.get_json()
                done += 1
                bar.update(done)
        bar.finish()
        client.put("/api/v1/admin/plugins/pii", json={"enabled": True}, headers=headers)
        data = {"pages/벤치/계획.md": text.encode()}
        checks, cpu, findings = [], [], []
        for i in range(max(50, saves // 2)):
            # a commit first (untimed), so that the policy and allow-list are read from a new head as in a save
            client.put(f"/api/v1/pages/{quote('벤치/메모')}", json={"markdown": f"메모 {i}"}, headers=headers)
            with app.test_request_context():
                started, started_cpu = time.perf_counter(), time.thread_time()
                findings = check(data, None)
                cpu.append((time.thread_time() - started_cpu) * 1000)
                checks.append((time.perf_counter() - started) * 1000)
        app.extensions["madang"].store.close()
        app.extensions["madang"].db.engine.dispose()
    return {"on": times[True], "off": times[False], "check": checks, "cpu": cpu, "bytes": len(text.encode()),
            "findings": len(findings)}


# -- the report ----------------------------------------------------------------------------------------------------
def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load {os.getloadavg()[0]:.1f} at the end; other helpers were running on the same machine")


def table(f: dict) -> str:
    s = f["saves"]
    on, off = statistics.median(s["on"]), statistics.median(s["off"])
    check = statistics.median(s["check"])
    rows = [
        "| measure | figure | reference (same run) | ratio |",
        "| --- | ---: | ---: | ---: |",
        f"| full history scan, {f['commits']:,} commits / {f['blobs']:,} file versions | {f['scan_s']:.1f} s = "
        f"{f['commits'] / f['scan_s']:,.0f} revisions/s ({f['blobs'] / f['scan_s']:,.0f} file versions/s) | "
        f"walk + raw `git cat-file --batch` of the same blobs {f['raw_s']:.1f} s = "
        f"{f['commits'] / f['raw_s']:,.0f} revisions/s | {f['scan_s'] / f['raw_s']:.1f}× |",
        f"| daily re-check after {f['new']} new commits | {f['recheck_s'] * 1000:.0f} ms "
        f"({f['recheck_blobs']} file versions read) | the full scan {f['scan_s']:.1f} s | "
        f"{f['recheck_s'] / f['scan_s']:.4f}× |",
        f"| save of a {s['bytes'] / 1024:.0f} KB page, guard on (p50 / p95) | {on:.1f} / {pct(s['on'], 95):.1f} ms "
        f"| guard off {off:.1f} / {pct(s['off'], 95):.1f} ms | {on / off:.2f}× (+{on - off:.1f} ms) |",
        f"| the guard's check alone on that page, policy and allow-list read from a new head (best / p50 / p95), "
        f"target < {SAVE_TARGET_MS:.0f} ms | "
        f"{min(s['check']):.2f} / {check:.2f} / {pct(s['check'], 95):.2f} ms | "
        f"the save with the guard off {off:.1f} ms | {check / off:.3f}× |",
        f"| the same check, CPU time of its thread (p50 / p95): what it costs without waiting for a core | "
        f"{statistics.median(s['cpu']):.2f} / {pct(s['cpu'], 95):.2f} ms | the wall-clock p50 above {check:.2f} ms "
        f"| {statistics.median(s['cpu']) / check:.2f}× |",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pii_bench")
    parser.add_argument("--quick", action="store_true", help="300 pages / 1,000 commits, 60 saves")
    args = parser.parse_args(argv)
    pages, commits, saves = (300, 1_000, 60) if args.quick else (2_000, 20_000, 200)
    repo = corpus_repo(pages, commits)
    top = head(repo)
    say(f"reference: walk + raw cat-file over {commits:,} commits …")
    raw_s, walked, blobs = raw_read(repo, top)
    say(f"  {raw_s:.1f} s; the guard's scan …")
    scanner, scan_s = full_scan(repo, top)
    figures = {"commits": walked, "blobs": scanner.blobs_scanned, "raw_s": raw_s, "scan_s": scan_s,
               "findings": len(scanner.items), "new": NEW_COMMITS}
    assert scanner.blobs_scanned == blobs, (scanner.blobs_scanned, blobs)
    with tempfile.TemporaryDirectory(prefix="pii-recheck-") as folder:
        copy = Path(folder) / "repo.git"
        subprocess.run(["git", "clone", "--quiet", "--bare", "--local", str(repo), str(copy)], check=True)
        scanner.repo = copy
        say(f"adding {NEW_COMMITS} commits to a copy for the daily re-check …")
        add_commits(copy, NEW_COMMITS)
        before_blobs, before_items = scanner.blobs_scanned, len(scanner.items)
        started = time.perf_counter()
        scanner.update(head(copy), ALLOW)
        figures["recheck_s"] = time.perf_counter() - started
        figures["recheck_blobs"] = scanner.blobs_scanned - before_blobs
        figures["recheck_findings"] = len(scanner.items) - before_items
    say("saves …")
    figures["saves"] = measure_saves(saves, blocks=BLOCKS)
    text = (f"### Personal-data guard ({'quick' if args.quick else 'full'}: {pages:,} pages / {commits:,} commits)\n\n"
            f"{table(figures)}\n\n{figures['findings']} findings in the corpus; the re-check found "
            f"{figures['recheck_findings']} in the new commits; the 20 KB page had {figures['saves']['findings']} "
            f"warnings (its office number is on the allow-list). {len(figures['saves']['on'])} saves with the "
            f"guard on, {len(figures['saves']['off'])} off, in {2 * BLOCKS} alternating blocks. {machine()}.\n")
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / f"pii-{'quick' if args.quick else 'full'}.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
