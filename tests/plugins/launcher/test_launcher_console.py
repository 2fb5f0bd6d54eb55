"""The admin console page, a public OIDC client (PKCE, no secret) in process, the plugin switched off, and the
launcher's words in the header and on the health page."""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.conftest import browser_sign_in, csrf_token_of
from tests.plugins.launcher.conftest import MAIL, register
from tests.support.hooks import exercises

CALLBACK = "https://앱.example.kr/callback"


def test_admins_register_systems_in_the_console_and_see_the_secret_once(client, make_user):
    make_user("kim", "김민수")
    browser_sign_in(client, "kim", "비밀번호-12345")
    assert client.get("/launcher/admin").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token_of(client, "/launcher")})
    browser_sign_in(client, "admin", "관리자-비밀번호-2026")
    assert "/launcher/admin" in client.get("/admin").get_data(as_text=True)  # a section of the admin console
    token = csrf_token_of(client, "/launcher/admin")
    form = {"csrf_token": token, "name": "민원 시스템", "url": "https://minwon.example.kr/", "protocol": "oidc",
            "groups": "staff, group:민원과", "redirect_uris": "https://minwon.example.kr/cb", "refresh_tokens": "1"}
    answer = client.post("/launcher/admin/systems", data=form)
    assert answer.status_code == 303
    page = client.get("/launcher/admin").get_data(as_text=True)
    secret = re.search(r"지금 한 번만 보여 줍니다: ([A-Za-z0-9_\-]+)", page).group(1)
    assert len(secret) >= 40 and "민원 시스템" in page
    again = client.get("/launcher/admin").get_data(as_text=True)
    assert secret not in again  # shown once
    bad = client.post("/launcher/admin/systems", data={**form, "url": "ftp://x"})
    assert bad.status_code == 400 and "&#39;url&#39;" in bad.get_data(as_text=True)
    systems = client.get("/api/v1/admin/launcher/systems").get_json()["items"]
    assert systems[0]["refresh_tokens"] is True and systems[0]["groups"] == ["group:민원과", "staff"]


def test_a_public_client_signs_in_with_pkce_alone(client, admin_headers, make_user):
    app = register(client, admin_headers, name="모바일 앱", url="https://앱.example.kr/", protocol="oidc",
                   redirect_uris=[CALLBACK], groups=["staff"], public_client=True)
    assert "client_secret" not in app
    make_user("kim", "김민수")
    browser_sign_in(client, "kim", "비밀번호-12345")
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": CALLBACK, "scope": "openid",
             "code_challenge": challenge, "code_challenge_method": "S256", "state": "상태"}
    answer = client.get("/oidc/authorize?" + urlencode(query))
    assert answer.status_code == 302
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    relying = client.application.test_client()  # the app's own back end: no cookie
    missing = relying.post("/api/v1/launcher/oidc/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "client_id": app["client_id"]})
    assert missing.status_code == 400 and "code_verifier" in missing.get_json()["message"]
    answer = client.get("/oidc/authorize?" + urlencode(query))
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token = relying.post("/api/v1/launcher/oidc/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "client_id": app["client_id"],
        "code_verifier": verifier})
    assert token.status_code == 200 and token.get_json()["id_token"] and "refresh_token" not in token.get_json()
    plain = client.get("/oidc/authorize?" + urlencode({**query, "code_challenge_method": "plain"}))
    assert plain.status_code == 400 and "S256" in plain.get_data(as_text=True)


@exercises("madang_health", "madang_nav_items")
def test_switched_off_the_launcher_leaves_no_trace(client, admin_headers, make_user):
    register(client, admin_headers, **MAIL)
    health = client.get("/api/v1/admin/health", headers=admin_headers).get_json()
    lines = [line for line in health["plugins"]["health"] if line["plugin"] == "launcher"]
    assert lines == [{"plugin": "launcher", "label": "등록된 업무 시스템", "value": "1", "ok": True}]
    kim = make_user("kim", "김민수")
    assert client.get("/api/v1/launcher/systems", headers=kim).status_code == 200
    answer = client.put("/api/v1/admin/plugins/launcher", json={"enabled": False}, headers=admin_headers)
    assert answer.status_code == 200
    for address in ("/launcher", "/.well-known/openid-configuration", "/oidc/jwks.json", "/cas/login?service=x",
                    "/api/v1/launcher/systems"):
        assert client.get(address, headers=kim).status_code == 404, address
    browser_sign_in(client, "kim", "비밀번호-12345")
    assert "/launcher" not in client.get("/").get_data(as_text=True)


def test_dead_codes_tickets_and_tokens_are_swept(app, client, admin_headers):
    """Rows that can never be used again are deleted (at most once a minute per process)."""
    from datetime import UTC, datetime, timedelta

    from plugins.launcher import tokens
    from plugins.launcher.models import AuthCode, CasTicket, OAuthToken

    long_ago = datetime.now(UTC) - timedelta(days=2)
    db = app.extensions["madang"].db
    with db.session() as session:
        session.add(AuthCode(code_hash="a" * 64, client_id="c", username="kim", redirect_uri="", expires=long_ago))
        session.add(CasTicket(ticket="ST-옛날", service="s", username="kim", system_id="x", expires=long_ago))
        session.add(OAuthToken(client_id="c", username="kim", access_hash="b" * 64, issued=long_ago, expires_in=60))
        session.add(OAuthToken(client_id="c", username="kim", access_hash="c" * 64, refresh_hash="d" * 64,
                               issued=long_ago, expires_in=60, refresh_expires=datetime.now(UTC) + timedelta(days=9)))
    with app.test_request_context():
        tokens._last_sweep.clear()
        tokens.sweep()
    with db.session() as session:
        assert session.query(AuthCode).count() == 0 and session.query(CasTicket).count() == 0
        assert [t.access_hash for t in session.query(OAuthToken)] == ["c" * 64]  # its refresh token still lives
