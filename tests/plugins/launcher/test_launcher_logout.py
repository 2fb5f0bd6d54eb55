"""Signing out of Madang ends the person's sessions with the systems and tells those that support it: an OIDC
back-channel logout token (verified here against the JWKS) and a CAS SAML LogoutRequest (checked by python-cas),
received by a real HTTP listener; a system that cannot be reached never holds up the sign-out."""
from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from cas import CASClient
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.conftest import free_port
from tests.plugins.launcher.sso import browser, make_person, register, sign_out
from tests.support.hooks import exercises


class Listener:
    """A system's logout endpoints: records every POST (path, form)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                listener.received.append((self.path, {k: v[0] for k, v in parse_qs(body).items()}))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, seconds: float = 10) -> list[tuple[str, dict]]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.server.shutdown()


@exercises("madang_signed_out")
def test_signing_out_of_madang_tells_the_systems(server, listener, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    admin = server.token()
    make_person(server.url, admin, "kim", "김민수", ["인사과"])
    callback = f"{listener.url}/hr/callback"
    hr = register(server.url, admin, name="인사 시스템", url=f"{listener.url}/hr/", protocol="oidc",
                  redirect_uris=[callback], backchannel_logout_uri=f"{listener.url}/hr/backchannel",
                  groups=["group:인사과"])
    down = register(server.url, admin, name="꺼진 시스템", url="http://127.0.0.1:9/", protocol="oidc",
                    redirect_uris=["http://127.0.0.1:9/cb"], groups=["staff"],
                    backchannel_logout_uri=f"http://127.0.0.1:{free_port()}/nobody-listens")
    register(server.url, admin, name="회계 시스템", url=f"{listener.url}/erp/", protocol="cas",
             service_patterns=[f"{listener.url}/erp/*"], groups=["staff"], single_logout=True)
    meta = requests.get(f"{server.url}/.well-known/openid-configuration", timeout=10).json()
    kim = browser(server.url, "kim", "비밀번호-12345")

    tokens = {}
    for system, redirect_uri in ((hr, callback), (down, "http://127.0.0.1:9/cb")):
        rp = OAuth2Session(system["client_id"], system["client_secret"], scope="openid profile",
                           redirect_uri=redirect_uri, code_challenge_method="S256")
        verifier = generate_token(48)
        url, _ = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
        location = kim.get(url, allow_redirects=False, timeout=10).headers["Location"]
        tokens[system["id"]] = (rp, rp.fetch_token(meta["token_endpoint"], authorization_response=location,
                                                   code_verifier=verifier))
    service = f"{listener.url}/erp/login"
    erp = CASClient(version=3, service_url=service, server_url=f"{server.url}/cas/")
    location = kim.get(erp.get_login_url(), allow_redirects=False, timeout=10).headers["Location"]
    ticket = parse_qs(urlsplit(location).query)["ticket"][0]
    assert erp.verify_ticket(ticket)[0] == "kim"

    started = time.monotonic()
    sign_out(kim, server.url)
    assert time.monotonic() - started < 3  # the unreachable system is told in the background

    received = dict(listener.wait_for(2))
    assert set(received) == {"/hr/backchannel", "/erp/login"}
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    logout = jwt.decode(received["/hr/backchannel"]["logout_token"], keys, algorithms=["RS256"])
    rp, token = tokens[hr["id"]]
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    assert logout.header["typ"] == "logout+jwt"
    assert logout.claims["sub"] == "kim" and logout.claims["aud"] == hr["client_id"]
    assert logout.claims["sid"] == id_token["sid"] and "nonce" not in logout.claims
    assert "http://schemas.openid.net/event/backchannel-logout" in logout.claims["events"]
    assert CASClient(version=3, service_url=service, server_url=f"{server.url}/cas/").verify_logout_request(
        received["/erp/login"]["logoutRequest"], ticket)
    # the systems' sessions are over: their tokens no longer work
    assert rp.get(meta["userinfo_endpoint"]).status_code == 401
    log = server.tmp_path / "server.log"
    deadline = time.monotonic() + 10
    while "꺼진 시스템 could not be told" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "single logout: 꺼진 시스템 could not be told (ConnectionError)" in log.read_text()
    assert token["access_token"] not in log.read_text()


def test_signing_out_in_one_browser_ends_only_the_systems_that_browser_opened(server, listener, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    admin = server.token()
    make_person(server.url, admin, "lee", "이서연", ["총무과"])
    register(server.url, admin, name="문서 시스템", url=f"{listener.url}/doc/", protocol="cas",
             service_patterns=[f"{listener.url}/doc/*"], groups=["staff"], single_logout=True)
    service = f"{listener.url}/doc/login"
    office, laptop = browser(server.url, "lee", "비밀번호-12345"), browser(server.url, "lee", "비밀번호-12345")
    tickets = {}
    for name, session in (("office", office), ("laptop", laptop)):
        client = CASClient(version=3, service_url=service, server_url=f"{server.url}/cas/")
        location = session.get(client.get_login_url(), allow_redirects=False, timeout=10).headers["Location"]
        tickets[name] = parse_qs(urlsplit(location).query)["ticket"][0]
        assert client.verify_ticket(tickets[name])[0] == "lee"

    sign_out(office, server.url)
    received = listener.wait_for(1)
    time.sleep(0.5)  # a second message, were one wrongly sent, would have arrived by now
    assert len(received) == 1, "only the office browser's system session is told"
    checker = CASClient(version=3, service_url=service, server_url=f"{server.url}/cas/")
    assert checker.verify_logout_request(received[0][1]["logoutRequest"], tickets["office"])

    page = laptop.get(f"{server.url}/settings", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert laptop.post(f"{server.url}/settings/sign-out-everywhere", data={"csrf_token": token}, timeout=10,
                       allow_redirects=False).status_code == 303
    received = listener.wait_for(2)
    assert len(received) == 2 and checker.verify_logout_request(received[1][1]["logoutRequest"], tickets["laptop"])
