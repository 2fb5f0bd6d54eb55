"""The OpenID Connect provider against a real server process, driven by Authlib's own client (OAuth2Session with
PKCE) as a relying party would, the ID token verified against the published JWKS with joserfc."""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.plugins.launcher.sso import age, browser, make_person, register

CALLBACK = "http://127.0.0.1:9/hr/callback"  # the relying party's address: its browser never needs to reach it
SCOPE = "openid profile email groups"


@pytest.fixture
def site(server, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # loopback http in the test; https in production
    admin = server.token()
    make_person(server.url, admin, "kim", "김민수", ["인사과"])
    make_person(server.url, admin, "lee", "이영희", ["회계과"])
    hr = register(server.url, admin, name="인사 시스템", url="http://127.0.0.1:9/hr/", protocol="oidc",
                  redirect_uris=[CALLBACK], post_logout_redirect_uris=["http://127.0.0.1:9/hr/bye"],
                  groups=["group:인사과"], refresh_tokens=True)
    meta = requests.get(f"{server.url}/.well-known/openid-configuration", timeout=10).json()
    return server, admin, hr, meta


def relying_party(hr: dict, secret: str | None = None, **kwargs) -> OAuth2Session:
    return OAuth2Session(hr["client_id"], secret if secret is not None else hr["client_secret"], scope=SCOPE,
                         redirect_uri=CALLBACK, code_challenge_method="S256", **kwargs)


def authorize(person: requests.Session, rp: OAuth2Session, meta: dict, **extra) -> tuple[str, str, str]:
    """The browser follows the relying party to the provider; returns (callback URL, verifier, nonce)."""
    verifier, nonce = generate_token(48), generate_token(16)
    url, _state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce,
                                              **extra)
    answer = person.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    assert answer.headers["Location"].startswith(CALLBACK)
    return answer.headers["Location"], verifier, nonce


def verify(id_token: str, meta: dict) -> dict:
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    return jwt.decode(id_token, keys, algorithms=["RS256"]).claims


def test_discovery_sign_in_with_pkce_signed_id_token_and_userinfo(site):
    server, _admin, hr, meta = site
    assert meta["issuer"] == server.url and meta["code_challenge_methods_supported"] == ["S256"]
    kim = browser(server.url, "kim", "비밀번호-12345")
    rp = relying_party(hr)
    callback, verifier, nonce = authorize(kim, rp, meta)
    token = rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    claims = verify(token["id_token"], meta)
    assert claims["iss"] == server.url and claims["aud"] == [hr["client_id"]] and claims["nonce"] == nonce
    assert (claims["sub"], claims["name"], claims["department"], claims["groups"]) == ("kim", "김민수", "인사과",
                                                                                        ["인사과"])
    assert claims["sid"] and claims["exp"] > claims["iat"]
    info = rp.get(meta["userinfo_endpoint"]).json()  # Authorization: Bearer <access token>
    assert info["sub"] == "kim" and info["email"] == "kim@seoul.go.kr" and info["groups"] == ["인사과"]
    # the launcher remembers the use and the audit log says who opened what
    mine = kim.get(f"{server.url}/api/v1/launcher/systems", timeout=10).json()["items"]
    assert mine[0]["name"] == "인사 시스템" and mine[0]["last_used"]


def test_refused_cases_each_say_what_is_wrong(site, tmp_path):
    server, _admin, hr, meta = site
    kim = browser(server.url, "kim", "비밀번호-12345")
    # an unregistered redirect URI: a page for the person, never a redirect there
    rp = OAuth2Session(hr["client_id"], hr["client_secret"], scope=SCOPE, redirect_uri="https://evil.example/cb",
                       code_challenge_method="S256")
    url, _ = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=generate_token(48))
    answer = kim.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "https://evil.example/cb" in answer.text and "Location" not in answer.headers
    # no PKCE
    plain = OAuth2Session(hr["client_id"], hr["client_secret"], scope=SCOPE, redirect_uri=CALLBACK)
    url, _ = plain.create_authorization_url(meta["authorization_endpoint"])
    answer = kim.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "PKCE" in answer.text
    # a system the person may not use
    lee = browser(server.url, "lee", "비밀번호-12345")
    url, _ = relying_party(hr).create_authorization_url(meta["authorization_endpoint"],
                                                        code_verifier=generate_token(48))
    answer = lee.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 403 and "인사 시스템" in answer.text
    # a wrong PKCE verifier
    rp = relying_party(hr)
    callback, _verifier, _ = authorize(kim, rp, meta)
    with pytest.raises(OAuthError) as wrong:
        rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=generate_token(48))
    assert wrong.value.error == "invalid_grant" and "challenge" in wrong.value.description.lower()
    # a replayed code: refused, and the tokens it bought are revoked
    rp = relying_party(hr)
    callback, verifier, _ = authorize(kim, rp, meta)
    first = rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    with pytest.raises(OAuthError) as replay:
        relying_party(hr).fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert replay.value.error == "invalid_grant" and "used already" in replay.value.description
    assert rp.get(meta["userinfo_endpoint"]).status_code == 401
    assert first["access_token"]
    # an expired code
    rp = relying_party(hr)
    callback, verifier, _ = authorize(kim, rp, meta)
    age(tmp_path, "launcher_auth_codes")
    with pytest.raises(OAuthError) as expired:
        rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert "expired" in expired.value.description
    # a wrong client secret
    rp = relying_party(hr, secret="wrong-secret")
    callback, verifier, _ = authorize(kim, rp, meta)
    with pytest.raises(OAuthError) as client:
        rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert client.value.error == "invalid_client"


def test_a_tampered_id_token_or_access_token_is_refused(site):
    server, _admin, hr, meta = site
    kim = browser(server.url, "kim", "비밀번호-12345")
    rp = relying_party(hr)
    callback, verifier, _ = authorize(kim, rp, meta)
    token = rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    head, body, signature = token["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "admin"}).encode()).decode().rstrip("=")
    with pytest.raises(BadSignatureError):
        verify(f"{head}.{forged}.{signature}", meta)
    answer = requests.get(meta["userinfo_endpoint"], timeout=10,
                          headers={"Authorization": f"Bearer {token['access_token'][:-1]}x"})
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"
    assert "Bearer" in answer.headers["WWW-Authenticate"]
    # a forged id_token_hint at logout
    answer = kim.get(meta["end_session_endpoint"], timeout=10, allow_redirects=False,
                     params={"id_token_hint": f"{head}.{forged}.{signature}"})
    assert answer.status_code == 400


def test_refresh_revocation_key_rotation_and_rp_initiated_logout(site):
    server, admin, hr, meta = site
    kim = browser(server.url, "kim", "비밀번호-12345")
    rp = relying_party(hr)
    callback, verifier, _ = authorize(kim, rp, meta)
    token = rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    old_kid = jwt.decode(token["id_token"], KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
                         ).header["kid"]
    fresh = rp.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert fresh["access_token"] != token["access_token"] and fresh["refresh_token"] != token["refresh_token"]
    with pytest.raises(OAuthError):  # a refresh token is used once
        relying_party(hr).refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    rp.revoke_token(meta["revocation_endpoint"], token=fresh["access_token"], token_type_hint="access_token")
    assert rp.get(meta["userinfo_endpoint"]).status_code == 401

    rotated = requests.post(f"{server.url}/api/v1/admin/launcher/keys", timeout=10,
                            headers={"Authorization": f"Bearer {admin}"})
    assert rotated.status_code == 201 and rotated.json()["kid"] != old_kid
    published = [k["kid"] for k in requests.get(meta["jwks_uri"], timeout=10).json()["keys"]]
    assert published == [rotated.json()["kid"], old_kid]
    verify(token["id_token"], meta)  # signed before the rotation: still verifies
    rp = relying_party(hr)
    callback, verifier, _ = authorize(kim, rp, meta)
    newer = rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert jwt.decode(newer["id_token"], KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
                      ).header["kid"] == rotated.json()["kid"]

    bye = kim.get(meta["end_session_endpoint"], allow_redirects=False, timeout=10,
                  params={"id_token_hint": newer["id_token"], "post_logout_redirect_uri": "http://127.0.0.1:9/hr/bye",
                          "state": "상태"})
    assert bye.status_code == 302
    assert parse_qs(urlsplit(bye.headers["Location"]).query) == {"state": ["상태"]}
    assert rp.get(meta["userinfo_endpoint"]).status_code == 401  # the system's session ended with it
    evil = kim.get(meta["end_session_endpoint"], allow_redirects=False, timeout=10,
                   params={"client_id": hr["client_id"], "post_logout_redirect_uri": "https://evil.example/"})
    assert evil.status_code == 400 and "Location" not in evil.headers
