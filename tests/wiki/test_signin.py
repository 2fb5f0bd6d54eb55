"""Signing in end to end: local accounts and the real slapd directory, through /login and POST /api/v1/auth/token;
throttling, sessions (sign out everywhere, absolute expiry) and the audit log."""
from __future__ import annotations

import logging
import time
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN_PASSWORD, browser_sign_in, csrf_token_of, ldap_settings, make_config, token_for
from wiki.app import create_app
from wiki.models import AuditEntry, User

LEEYH, KIMCS = ("leeyh", "영희-비밀번호-2"), ("kimcs", "철수-비밀번호-1")
HR_RULES = {"default": {"read": ["anonymous"], "edit": ["staff"]},
            "rules": [{"prefix": "인사/", "read": ["group:hr"], "edit": ["group:hr"]}]}
SECRET = "인사/2026 인사발령"


def page(path: str) -> str:
    return "/api/v1/pages/" + quote(path)


def audit_rows(app) -> list[AuditEntry]:
    with app.extensions["madang"].db.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.fixture
def small_throttle_app(tmp_path):
    app = create_app(make_config(tmp_path, signin_account_limit=3, signin_address_limit=5,
                                 signin_delay_per_failure=0))
    yield app
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def down_app(tmp_path):
    """LDAP configured, but nothing listens on its port."""
    app = create_app(make_config(tmp_path, signin_delay_per_failure=0, **ldap_settings("ldap://127.0.0.1:1")))
    yield app
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


# -- the directory ------------------------------------------------------------------------------------------------

def test_first_directory_sign_in_creates_the_account_with_groups_and_department(ldap_app, ldap_client):
    madang = ldap_app.extensions["madang"]
    assert madang.accounts.account("leeyh") is None
    response = browser_sign_in(ldap_client, *LEEYH, next_url="/settings")
    assert response.status_code == 303 and response.headers["Location"] == "/settings"
    me = ldap_client.get("/api/v1/me").get_json()
    assert me["username"] == "leeyh" and me["name"] == "이영희" and me["groups"] == ["editors", "hr"]
    assert me["department"] == "인사과" and me["title"] == "팀장" and me["phone"] == "02-2133-0002"
    assert me["source"] == "ldap" and me["role"] == "editor"
    with madang.db.session() as session:
        row = session.scalar(select(User).where(User.username == "leeyh"))
        assert row.password_hash is None  # the directory keeps checking the password
    account = madang.accounts.account("leeyh")
    assert account.department_id == "cityhall-hr" and account.last_sign_in_at is not None
    settings = ldap_client.get("/settings").get_data(as_text=True)
    assert "이영희" in settings and "인사과" in settings and "팀장" in settings


def test_directory_account_through_the_token_api_and_group_rules_apply(ldap_app, ldap_client):
    admin = {"Authorization": f"Bearer {token_for(ldap_client, 'admin', ADMIN_PASSWORD)}"}
    assert ldap_client.put("/api/v1/admin/acl", json=HR_RULES, headers=admin).status_code == 200
    lee = {"Authorization": f"Bearer {token_for(ldap_client, *LEEYH)}"}
    kim = {"Authorization": f"Bearer {token_for(ldap_client, *KIMCS)}"}
    created = ldap_client.put(page(SECRET), json={"markdown": "# 발령\n\n기밀 인사 내용\n"}, headers=lee)
    assert created.status_code == 201
    assert "기밀 인사 내용" in ldap_client.get(page(SECRET), headers=lee).get_json()["markdown"]
    refused = ldap_client.get(page(SECRET), headers=kim)
    assert refused.status_code == 404 and "기밀" not in refused.get_data(as_text=True)
    assert ldap_client.put(page("공개/안내"), json={"markdown": "누구나"}, headers=kim).status_code == 201
    # the same through the browser
    browser = ldap_app.test_client()
    browser_sign_in(browser, *KIMCS)
    assert browser.get("/wiki/" + quote(SECRET)).status_code == 404


def test_directory_groups_follow_the_directory_but_local_groups_stay(ldap_app, ldap_client):
    madang = ldap_app.extensions["madang"]
    token_for(ldap_client, *KIMCS)
    madang.accounts.create_group("tf-2026", "2026 TF")
    madang.accounts.update("kimcs", groups=["editors", "hr", "tf-2026"])  # hr is not kimcs's in the directory
    token_for(ldap_client, *KIMCS)
    assert madang.accounts.account("kimcs").groups == ["editors", "tf-2026"]


def test_wrong_directory_password_and_unknown_names_are_refused(ldap_client):
    for username, password in (("leeyh", "틀린-비밀번호"), ("nobody", "영희-비밀번호-2"), ("leeyh", "")):
        response = ldap_client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    form = browser_sign_in(ldap_client, "leeyh", "틀린-비밀번호")
    assert form.status_code == 401 and "아이디나 비밀번호가 맞지 않습니다" in form.get_data(as_text=True)


@pytest.mark.parametrize("username", ["*", "lee*", "leeyh)(uid=*", "*)(|(uid=*", "leeyh\\2a", "leeyh\x00",
                                      "admin)(|(objectClass=*", "kimcs)(&(uid=kimcs"])
def test_ldap_injection_in_the_user_name_signs_nobody_in(ldap_client, username):
    response = ldap_client.post("/api/v1/auth/token", json={"username": username, "password": LEEYH[1]})
    assert response.status_code == 401
    form = browser_sign_in(ldap_client, username, KIMCS[1])
    assert form.status_code == 401
    assert ldap_client.get("/api/v1/me").status_code == 401


def test_a_local_account_is_never_taken_over_by_the_directory(ldap_client, ldap_app):
    admin = {"Authorization": f"Bearer {token_for(ldap_client, 'admin', ADMIN_PASSWORD)}"}
    body = {"username": "leeyh", "password": "로컬-비밀번호-99", "name": "로컬 이영희", "email": "local@seoul.go.kr"}
    assert ldap_client.post("/api/v1/admin/users", json=body, headers=admin).status_code == 201
    # the directory password does not open the local account
    assert ldap_client.post("/api/v1/auth/token", json={"username": "leeyh", "password": LEEYH[1]}).status_code == 401
    token = token_for(ldap_client, "leeyh", "로컬-비밀번호-99")
    me = ldap_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["name"] == "로컬 이영희" and me["groups"] == [] and me["source"] == "local"


def test_a_disabled_directory_account_cannot_sign_in(ldap_client, ldap_app):
    token_for(ldap_client, *LEEYH)
    ldap_app.extensions["madang"].accounts.update("leeyh", active=False)
    assert ldap_client.post("/api/v1/auth/token", json=dict(zip(("username", "password"), LEEYH, strict=True))
                            ).status_code == 401


def test_directory_down_gives_a_clear_message_and_the_local_admin_still_signs_in(down_app):
    client = down_app.test_client()
    response = client.post("/api/v1/auth/token", json={"username": "leeyh", "password": LEEYH[1]})
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "directory_unavailable" and "local accounts can still sign in" in body["message"]
    form = browser_sign_in(client, "leeyh", LEEYH[1])
    assert form.status_code == 503
    assert "직원 디렉터리(LDAP)에 지금 연결할 수 없습니다" in form.get_data(as_text=True)
    # no throttle count for the directory's outage
    with down_app.extensions["madang"].db.session() as session:
        from wiki.models import SignInFailure
        assert session.get(SignInFailure, "user:leeyh") is None
    assert token_for(client, "admin", ADMIN_PASSWORD)
    assert browser_sign_in(client, "admin", ADMIN_PASSWORD).status_code == 303
    assert any(row.action == "sign_in_error" for row in audit_rows(down_app))


def test_directory_stopped_while_running(tmp_path_factory, tmp_path):
    """A directory that goes away (and comes back) between sign-ins."""
    from tests.support.slapd import start_slapd

    server = start_slapd(tmp_path_factory.mktemp("slapd-restart"))
    app = create_app(make_config(tmp_path, signin_delay_per_failure=0, **ldap_settings(server.url)))
    client = app.test_client()
    try:
        assert token_for(client, *LEEYH)
        server.stop()
        assert client.post("/api/v1/auth/token", json={"username": "leeyh", "password": LEEYH[1]}).status_code == 503
        assert token_for(client, "admin", ADMIN_PASSWORD)
        server.start_again()
        assert token_for(client, *LEEYH)
    finally:
        server.stop()
        app.extensions["madang"].store.close()
        app.extensions["madang"].db.engine.dispose()


def test_over_long_fields_are_refused_without_checking(client):
    long_name, long_password = "a" * 5000, "비" * 5000
    for body in ({"username": long_name, "password": "x"}, {"username": "admin", "password": long_password}):
        response = client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_input"
    form = browser_sign_in(client, long_name, "비밀번호")
    assert form.status_code == 400 and "너무 깁니다" in form.get_data(as_text=True)
    assert long_name not in form.get_data(as_text=True)  # not echoed back in full


# -- throttling ---------------------------------------------------------------------------------------------------

def test_failures_lock_the_account_with_429_and_retry_after(small_throttle_app):
    client = small_throttle_app.test_client()
    wrong = {"username": "admin", "password": "틀린 비밀번호"}
    for _ in range(3):
        assert client.post("/api/v1/auth/token", json=wrong).status_code == 401
    locked = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.1.1.1"})  # even the right password, from elsewhere
    assert locked.status_code == 429
    assert locked.get_json()["error"] == "rate_limited" and "Try again in" in locked.get_json()["message"]
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60 + 1
    form = browser_sign_in(client, "admin", ADMIN_PASSWORD)
    assert form.status_code == 429 and form.headers["Retry-After"]
    assert "로그인에 여러 번 실패해 잠시 막혔습니다" in form.get_data(as_text=True)
    # another account from another address is not affected
    small_throttle_app.extensions["madang"].accounts.create("minji", "비밀번호-12345", "김민지", "minji@seoul.go.kr")
    assert client.post("/api/v1/auth/token", json={"username": "minji", "password": "비밀번호-12345"},
                       environ_base={"REMOTE_ADDR": "10.1.1.2"}).status_code == 201
    actions = [row.action for row in audit_rows(small_throttle_app)]
    assert actions.count("sign_in_failed") == 3 and "sign_in_locked" in actions


def test_failures_from_one_address_lock_that_address(small_throttle_app):
    client = small_throttle_app.test_client()
    attacker = {"REMOTE_ADDR": "192.0.2.66"}
    for index in range(5):
        response = client.post("/api/v1/auth/token", json={"username": f"guess{index}", "password": "x" * 8},
                               environ_base=attacker)
        assert response.status_code == 401
    refused = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD},
                          environ_base=attacker)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD},
                       environ_base={"REMOTE_ADDR": "192.0.2.67"}).status_code == 201


def test_a_correct_password_clears_the_account_count(small_throttle_app):
    client = small_throttle_app.test_client()
    for _ in range(2):
        client.post("/api/v1/auth/token", json={"username": "admin", "password": "틀림"})
    assert token_for(client, "admin", ADMIN_PASSWORD)
    for _ in range(2):
        client.post("/api/v1/auth/token", json={"username": "admin", "password": "틀림"})
    assert token_for(client, "admin", ADMIN_PASSWORD)


def test_repeated_failures_are_slowed(tmp_path):
    """The throttle's delay is applied before the password is checked (a recorded sleep: no timing)."""
    app = create_app(make_config(tmp_path, signin_delay_per_failure=0.5))
    slept: list[float] = []
    app.extensions["madang"].signin.sleep = slept.append
    client = app.test_client()
    for _ in range(4):
        client.post("/api/v1/auth/token", json={"username": "admin", "password": "틀림"})
    assert slept == [0.5, 1.0]  # none for the first two tries
    app.extensions["madang"].store.close()


# -- sessions -----------------------------------------------------------------------------------------------------

def test_sign_out_everywhere_ends_the_other_sessions(app, make_user):
    make_user("minji", "김민지", password="비밀번호-12345")
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        assert browser_sign_in(browser, "minji", "비밀번호-12345").status_code == 303
        assert browser.get("/api/v1/me").status_code == 200
    token = token_for(app.test_client(), "minji", "비밀번호-12345")
    response = laptop.post("/settings/sign-out-everywhere", data={"csrf_token": csrf_token_of(laptop)})
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # and with the tokens too
    browser_sign_in(laptop, "minji", "비밀번호-12345")
    laptop.post("/settings/sign-out-everywhere", data={"csrf_token": csrf_token_of(laptop), "tokens": "on"})
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert browser_sign_in(phone, "minji", "비밀번호-12345").status_code == 303  # signing in again works


def test_sessions_end_after_the_absolute_lifetime(app, make_user):
    make_user("minji", "김민지", password="비밀번호-12345")
    browser = app.test_client()
    browser_sign_in(browser, "minji", "비밀번호-12345")
    assert browser.get("/api/v1/me").status_code == 200
    hours = app.extensions["madang"].config.session_absolute_hours
    with browser.session_transaction() as session:
        session["iat"] = int(time.time()) - hours * 3600 + 60  # a minute left
    assert browser.get("/api/v1/me").status_code == 200
    with browser.session_transaction() as session:
        session["iat"] = int(time.time()) - hours * 3600 - 1
    assert browser.get("/api/v1/me").status_code == 401
    with browser.session_transaction() as session:
        assert "uid" not in session


def test_session_cookie_flags(app, make_user):
    make_user("minji", "김민지", password="비밀번호-12345")
    response = browser_sign_in(app.test_client(), "minji", "비밀번호-12345")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookies_when_configured(tmp_path):
    app = create_app(make_config(tmp_path, secure_cookies=True))
    response = browser_sign_in(app.test_client(), "admin", ADMIN_PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"]
    app.extensions["madang"].store.close()


# -- the audit log, and never a password --------------------------------------------------------------------------

def test_sign_ins_failures_and_tokens_are_audited_without_secrets(ldap_app, ldap_client, caplog):
    caplog.set_level(logging.DEBUG)
    wrong_password = "틀린-비밀번호-감사"
    ldap_client.post("/api/v1/auth/token", json={"username": "leeyh", "password": wrong_password})
    browser_sign_in(ldap_client, "kimcs", wrong_password + "2")
    browser_sign_in(ldap_client, wrong_password + "3", "x")  # a password typed into the name field
    token = token_for(ldap_client, *LEEYH)
    headers = {"Authorization": f"Bearer {token}"}
    assert ldap_client.delete("/api/v1/auth/token", headers=headers).status_code == 200
    browser_sign_in(ldap_client, *KIMCS)
    rows = audit_rows(ldap_app)
    actions = [(row.action, row.target) for row in rows]
    assert ("sign_in_failed", "leeyh") in actions and ("sign_in_failed", "kimcs") in actions
    assert ("sign_in", "leeyh") in actions and ("sign_in", "kimcs") in actions
    assert ("token_created", "api") in actions and ("token_revoked", "api") in actions
    assert all(row.address == "127.0.0.1" for row in rows if row.action.startswith("sign_in"))
    dumped = repr([(r.actor, r.action, r.target, r.address, r.detail) for r in rows])
    for secret in (wrong_password, LEEYH[1], KIMCS[1], token, ldap_app.extensions["madang"].config.ldap_url + "x"):
        assert secret not in dumped
    logged = caplog.text
    for secret in (wrong_password, LEEYH[1], KIMCS[1], token):
        assert secret not in logged


def test_the_bind_password_stays_out_of_repr(tmp_path):
    config = make_config(tmp_path, ldap_url="ldap://x", ldap_user_base="ou=people", ldap_bind_password="봉인-비밀")
    assert "봉인-비밀" not in repr(config)
    from wiki.app import ldap_directory

    assert "봉인-비밀" not in repr(ldap_directory(config).settings)


@pytest.mark.parametrize("trusted", [0, 1])
def test_behind_a_trusted_proxy_the_address_lock_is_the_persons_not_the_proxys(tmp_path, trusted):
    app = create_app(make_config(tmp_path, signin_account_limit=50, signin_address_limit=5,
                                 signin_delay_per_failure=0, trusted_proxies=trusted))
    client = app.test_client()
    proxy = "10.0.0.1"
    try:
        for index in range(5):
            response = client.post("/api/v1/auth/token", json={"username": f"추측{index}", "password": "x" * 8},
                                   environ_base={"REMOTE_ADDR": proxy},
                                   headers={"X-Forwarded-For": "192.0.2.66"})
            assert response.status_code == 401
        colleague = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD},
                                environ_base={"REMOTE_ADDR": proxy}, headers={"X-Forwarded-For": "192.0.2.10"})
        # trusted: the colleague at .10 is someone else than the guesser at .66; untrusted: a forged header
        # must not let a guesser escape the lock, so everything is the proxy's one address
        assert colleague.status_code == (201 if trusted else 429)
    finally:
        app.extensions["madang"].store.close()
        app.extensions["madang"].db.engine.dispose()
