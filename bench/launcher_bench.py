"""SSO launcher benchmark (issue 9): CAS ticket and OIDC code/token issue and validation throughput, and the
launcher page with 160 systems and 50 groups beside a wiki page view (the reference) in the same run.

    .venv/bin/python -m bench.launcher_bench [--quick]

Measured in process through the WSGI app (Flask's test client, a signed-in browser session), so the figures are the
server's own work; the two page views are measured in alternating rounds, so machine noise hits both alike.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from wiki.app import create_app
from wiki.config import Config

from .load import timed
from .progress import Bar
from .run import machine

PASSWORD = "벤치마크-비밀번호-2026"
SYSTEMS = 160
GROUPS = 50
CALLBACK = "https://rp.example.kr/callback"
SERVICE = "https://erp.example.kr/login"


def build(tmp: Path):
    config = Config(content_repo=tmp / "repo", search_index=tmp / "index", instance_dir=tmp / "instance",
                    admin_password=PASSWORD, secret_key="bench", argon2_time_cost=1, argon2_memory_kib=8192)
    app = create_app(config)
    return app, app.extensions["madang"]


def seed(app, core) -> tuple[dict, dict, str]:
    """160 systems (a third each OIDC, CAS, link; each for 1-3 of 50 groups, every tenth for all staff), a person
    in 5 groups, a wiki page of ordinary length; returns the OIDC client, the person's browser and the page."""
    client = app.test_client()
    admin = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
        "username": "admin", "password": PASSWORD}).get_json()["token"]}
    for name in ("search", "boards", "messenger", "pii", "coedit", "notifications"):
        client.put(f"/api/v1/admin/plugins/{name}", json={"enabled": False}, headers=admin)
    files = {}
    for i in range(SYSTEMS):
        protocol = ("oidc", "cas", "link")[i % 3]
        groups = ["staff"] if i % 10 == 0 else [f"group:부서{(i * 7 + k) % GROUPS:02d}" for k in range(1 + i % 3)]
        doc = {"id": f"{i:012x}", "name": f"업무 시스템 {i:03d}", "url": f"https://s{i}.example.kr/",
               "protocol": protocol, "groups": groups, "category": f"분류 {i % 12:02d}", "icon": "🗂️",
               "description": f"{i}번 업무를 처리하는 시스템입니다"}
        if protocol == "oidc":
            doc.update(client_id=f"madang-{i:012x}", redirect_uris=[f"https://s{i}.example.kr/cb"])
        if protocol == "cas":
            doc["service_patterns"] = [f"https://s{i}.example.kr/*"]
        files[f"plugins/launcher/systems/{i:012x}.json"] = json.dumps(doc, ensure_ascii=False).encode()
    text = "# 행정포털 사용법\n\n" + "\n\n".join(f"## {n}장\n\n" + "본문 안내 " * 120 for n in range(8))
    files["pages/행정포털/사용법.md"] = text.encode()
    core.wiki.commit(files, None, "벤치마크 자료: 업무 시스템 160개")
    groups = [f"부서{g:02d}" for g in (1, 8, 15, 22, 29)]
    made = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "kim", "password": PASSWORD, "name": "김민수", "email": "kim@seoul.go.kr", "groups": groups})
    assert made.status_code == 201, made.get_json()
    rp = client.post("/api/v1/admin/launcher/systems", headers=admin, json={
        "name": "벤치 RP", "url": "https://rp.example.kr/", "protocol": "oidc", "redirect_uris": [CALLBACK],
        "groups": ["staff"]}).get_json()
    client.post("/api/v1/admin/launcher/systems", headers=admin, json={
        "name": "벤치 CAS", "url": "https://erp.example.kr/", "protocol": "cas", "service_patterns": [SERVICE],
        "groups": ["staff"]})
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert browser.post("/login", data={"csrf_token": csrf, "username": "kim", "password": PASSWORD}
                        ).status_code == 303
    return rp, browser, "/wiki/" + quote("행정포털/사용법")


def page_views(browser, page: str, quick: bool) -> dict:
    def wiki():
        assert browser.get(page).status_code == 200

    def launcher():
        answer = browser.get("/launcher")
        assert answer.status_code == 200

    visible = browser.get("/api/v1/launcher/systems").get_json()["items"]
    timed(wiki, 30), timed(launcher, 30)  # warm caches
    per_round, rounds = (60, 4) if quick else (200, 8)
    bar = Bar("page views", 2 * per_round * rounds, stream=sys.stderr)
    views: dict[str, list[float]] = {"wiki": [], "launcher": []}
    for r in range(rounds):
        views["wiki"] += timed(wiki, per_round)
        views["launcher"] += timed(launcher, per_round)
        bar.update(2 * per_round * (r + 1))
    return {**views, "visible": len(visible)}


def cas_throughput(browser, count: int) -> dict:
    tickets, issue = [], []
    for _ in range(count):
        started = time.perf_counter()
        answer = browser.get("/cas/login?" + urlencode({"service": SERVICE}))
        issue.append(time.perf_counter() - started)
        tickets.append(parse_qs(urlsplit(answer.headers["Location"]).query)["ticket"][0])
    validate = []
    for ticket in tickets:
        started = time.perf_counter()
        answer = browser.get("/cas/p3/serviceValidate?" + urlencode({"service": SERVICE, "ticket": ticket}))
        validate.append(time.perf_counter() - started)
        assert b"authenticationSuccess" in answer.data
    return {"issue": count / sum(issue), "validate": count / sum(validate)}


def oidc_throughput(app, browser, rp: dict, count: int) -> dict:
    from joserfc import jwt
    from joserfc.jwk import KeySet

    relying = app.test_client()
    codes, authorize = [], []
    for _ in range(count):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        query = urlencode({"response_type": "code", "client_id": rp["client_id"], "redirect_uri": CALLBACK,
                           "scope": "openid profile", "state": "s", "nonce": secrets.token_hex(8),
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        started = time.perf_counter()
        answer = browser.get("/oidc/authorize?" + query)
        authorize.append(time.perf_counter() - started)
        codes.append((parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0], verifier))
    exchange, issued = [], []
    for code, verifier in codes:
        started = time.perf_counter()
        answer = relying.post("/api/v1/launcher/oidc/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier,
            "client_id": rp["client_id"], "client_secret": rp["client_secret"]})
        exchange.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.get_json()
        issued.append(answer.get_json())
    keys = KeySet.import_key_set(relying.get("/oidc/jwks.json").get_json())
    verify, userinfo = [], []
    for token in issued:
        started = time.perf_counter()
        jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        verify.append(time.perf_counter() - started)
        started = time.perf_counter()
        answer = relying.get("/api/v1/launcher/oidc/userinfo",
                             headers={"Authorization": "Bearer " + token["access_token"]})
        userinfo.append(time.perf_counter() - started)
        assert answer.status_code == 200
    return {name: count / sum(values) for name, values in
            (("authorize", authorize), ("token", exchange), ("verify", verify), ("userinfo", userinfo))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.launcher_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="madang-launcher-bench-") as folder:
        print("seeding 160 systems, 50 groups...", file=sys.stderr, flush=True)
        app, core = build(Path(folder))
        rp, browser, page = seed(app, core)
        views = page_views(browser, page, args.quick)
        count = 100 if args.quick else 400
        print("measuring CAS tickets and OIDC codes and tokens...", file=sys.stderr, flush=True)
        cas = cas_throughput(browser, count)
        oidc = oidc_throughput(app, browser, rp, count)
        core.store.close()
    wiki, launcher = statistics.median(views["wiki"]), statistics.median(views["launcher"])
    ratio = launcher / wiki
    mach = machine()
    print(f"\n### Madang SSO launcher benchmark — {time.strftime('%Y-%m-%d %H:%M')}\n")
    print(f"Machine: nproc {os.cpu_count()} · {mach.get('cpu', '?')} · Python {sys.version.split()[0]} · "
          f"load average {os.getloadavg()[0]:.2f} at the end (other work was running) · in process (Flask test "
          "client), no network.\n")
    print("| measure | value | reference | ratio | target | result |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    print(f"| launcher page, {SYSTEMS} systems / {GROUPS} groups ({views['visible']} visible to the person): "
          f"p50 ms ({len(views['launcher'])} views) | {launcher:.2f} | wiki page view: {wiki:.2f} | {ratio:.2f} | "
          f"≤ 1.5 | {'PASS' if ratio <= 1.5 else 'FAIL'} |")
    print(f"| CAS ticket issue (/cas/login → 302 ST-…)/s | {cas['issue']:.0f} | | | | |")
    print(f"| CAS validations (/cas/p3/serviceValidate with attributes)/s | {cas['validate']:.0f} | | | | |")
    print(f"| OIDC authorization codes issued (/oidc/authorize, PKCE S256)/s | {oidc['authorize']:.0f} | | | | |")
    print(f"| OIDC token exchanges (code + verifier → RS256 ID token)/s | {oidc['token']:.0f} | | | | |")
    print(f"| ID-token signature validations (joserfc, RS256 against the JWKS)/s | {oidc['verify']:.0f} | | | | |")
    print(f"| access-token validations (userinfo)/s | {oidc['userinfo']:.0f} | | | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
