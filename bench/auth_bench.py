"""Accounts benchmark (issue 4): sign-in throughput for local accounts, and what the permission check costs a
page view with 1,000 rules, as a ratio to the same view with the check switched off.

    .venv/bin/python -m bench.auth_bench [--quick]

Both are measured in process through the WSGI app (Flask's test client), so the figures are the server's own
work; the two page-view variants are measured in alternating rounds in the same run, so machine noise hits both.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from wiki.acl import ACL_FILE, Permissions
from wiki.app import create_app
from wiki.config import Config

from .run import machine

PASSWORD = "벤치마크-비밀번호-2026"
PAGES = 200
RULES = 1000


def build(tmp: Path, production_hash: bool) -> tuple:
    config = Config(content_repo=tmp / "repo", search_index=tmp / "index", instance_dir=tmp / "instance",
                    admin_password=PASSWORD, secret_key="bench",
                    argon2_time_cost=3 if production_hash else 1,
                    argon2_memory_kib=65536 if production_hash else 8192)
    app = create_app(config)
    return app, app.extensions["madang"]


def seed(core, client, headers: dict) -> list[str]:
    """PAGES pages that link to each other, RULES rules (one per district folder), and a reader in no group."""
    import json

    for name in ("search", "boards", "messenger", "pii"):  # measure the core's page view, not plugins' hooks
        client.put(f"/api/v1/admin/plugins/{name}", json={"enabled": False}, headers=headers)
    paths = [f"구청/{i % 25:02d}/문서-{i:04d}" for i in range(PAGES)]
    changes = {}
    for i, path in enumerate(paths):
        links = " ".join(f"[[{paths[(i + k) % PAGES]}]]" for k in (1, 7, 31))
        changes[f"pages/{path}.md"] = f"# 문서 {i}\n\n행정포털 안내 {links}\n\n{'본문 ' * 300}\n".encode()
    rules = [{"prefix": f"부서/{i:04d}", "read": [f"group:d{i}"], "edit": [f"group:d{i}"]} for i in range(RULES)]
    rules += [{"prefix": f"구청/{i:02d}", "read": ["staff"], "edit": ["staff"]} for i in range(25)]
    document = {"default": {"read": ["staff"], "edit": ["staff"]}, "rules": rules}
    changes[ACL_FILE] = json.dumps(document, ensure_ascii=False).encode()
    core.wiki.commit(changes, None, "벤치마크 자료")
    return paths


def token(client, username: str) -> dict:
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 201, answer.get_json()
    return {"Authorization": "Bearer " + answer.get_json()["token"]}


def view_round(client, headers: dict, paths: list[str], count: int) -> list[float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        answer = client.get("/wiki/" + quote(paths[i % len(paths)]), headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.status_code
    return times


def permission_cost(quick: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="madang-auth-bench-") as folder:
        app, core = build(Path(folder), production_hash=False)
        client = app.test_client()
        admin = token(client, "admin")
        paths = seed(core, client, admin)
        made = client.post("/api/v1/admin/users", headers=admin, json={
            "username": "reader", "password": PASSWORD, "name": "열람자", "email": "reader@seoul.go.kr"})
        assert made.status_code == 201, made.get_json()
        reader = token(client, "reader")
        original = Permissions.can
        per_round, rounds = (100, 4) if quick else (400, 8)
        on: list[float] = []
        off: list[float] = []
        view_round(client, reader, paths, 100)  # warm caches (rendered pages, blobs, rules)
        for _ in range(rounds):
            on += view_round(client, reader, paths, per_round)
            Permissions.can = lambda self, who, action, page_path: True  # the check switched off
            try:
                off += view_round(client, reader, paths, per_round)
            finally:
                Permissions.can = original
        calls = count_checks(client, reader, paths[0])
        core.store.close()
        return {"on": on, "off": off, "checks_per_view": calls}


def count_checks(client, headers: dict, path: str) -> int:
    original, calls = Permissions.can, [0]

    def counting(self, who, action, page_path):
        calls[0] += 1
        return original(self, who, action, page_path)

    Permissions.can = counting
    try:
        client.get("/wiki/" + quote(path), headers=headers)
    finally:
        Permissions.can = original
    return calls[0]


def sign_in_throughput(quick: bool) -> dict:
    """Tokens per second with the production Argon2id settings (time cost 3, 64 MiB), 1 and 2 threads."""
    with tempfile.TemporaryDirectory(prefix="madang-signin-bench-") as folder:
        app, core = build(Path(folder), production_hash=True)
        count = 10 if quick else 40
        result = {}
        for threads in (1, 2):
            done: list[float] = []

            def work(n: int, done: list[float] = done) -> None:
                client = app.test_client()
                for _ in range(n):
                    started = time.perf_counter()
                    answer = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
                    assert answer.status_code == 201
                    done.append((time.perf_counter() - started) * 1000)

            workers = [threading.Thread(target=work, args=(count // threads,)) for _ in range(threads)]
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            elapsed = time.perf_counter() - started
            result[threads] = {"per_second": len(done) / elapsed, "p50": statistics.median(done)}
        core.store.close()
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.auth_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args(argv)
    print("measuring the permission check (1,000 rules, signed-in page views)...", file=sys.stderr, flush=True)
    cost = permission_cost(args.quick)
    print("measuring sign-ins (Argon2id, production settings)...", file=sys.stderr, flush=True)
    signin = sign_in_throughput(args.quick)
    on, off = statistics.median(cost["on"]), statistics.median(cost["off"])
    ratio = on / off
    mach = machine()
    print(f"\n### Madang accounts benchmark — {time.strftime('%Y-%m-%d %H:%M')}\n")
    print(f"Machine: nproc {os.cpu_count()} · {mach.get('cpu', '?')} · Python {sys.version.split()[0]} · "
          f"load average {os.getloadavg()[0]:.2f} at the end · in process (Flask test client), no network.\n")
    print("| measure | value | reference | ratio | target | result |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    print(f"| signed-in page view with {RULES:,} rules, check on: p50 ms ({len(cost['on'])} views) | {on:.2f} | "
          f"check off: {off:.2f} | {ratio:.3f} | ≤ 1.10 | {'PASS' if ratio <= 1.10 else 'FAIL'} |")
    print(f"| permission checks per page view | {cost['checks_per_view']} | | | | |")
    for threads, figures in signin.items():
        print(f"| sign-in (POST /api/v1/auth/token, Argon2id t=3 m=64 MiB), {threads} thread(s): tokens/s "
              f"(p50 ms) | {figures['per_second']:.1f} ({figures['p50']:.0f}) | | | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
