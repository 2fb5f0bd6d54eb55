"""The settings page: profile, preferences (language, time zone, editor), named API tokens shown once, revoked,
and the same through the API; the words and form labels of the accounts and admin screens."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ADMIN_PASSWORD, browser_sign_in, csrf_token_of
from tests.support.html import FieldCollector
from wiki.web import i18n

PASSWORD = "비밀번호-12345"
TEMPLATES = Path(__file__).resolve().parents[2] / "themes" / "default" / "templates"
MY_TEMPLATES = [*sorted((TEMPLATES / "accounts").glob("*.html")),
                *(TEMPLATES / "admin" / name for name in ("users.html", "user.html", "groups.html", "group.html",
                                                          "acl.html", "orgchart.html", "audit.html"))]


@pytest.fixture
def minji(app, make_user):
    make_user("minji", "김민지", password=PASSWORD)
    browser = app.test_client()
    assert browser_sign_in(browser, "minji", PASSWORD).status_code == 303
    return browser


def new_token(browser, name: str, days: int = 30) -> tuple[str, str]:
    response = browser.post("/settings/tokens", data={"csrf_token": csrf_token_of(browser), "name": name,
                                                      "days": str(days)})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    return re.search(r'id="new-token" type="text" readonly value="([^"]+)"', text).group(1), text


def test_settings_needs_signing_in(client):
    response = client.get("/settings")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/settings")
    assert client.post("/settings/tokens", data={"name": "x"}).status_code == 400  # no CSRF token: refused first


def test_settings_shows_the_profile(minji):
    text = minji.get("/settings").get_data(as_text=True)
    assert "김민지" in text and "minji@seoul.go.kr" in text and "로컬 계정" in text and "편집자" in text
    assert 'href="/settings"' in minji.get("/").get_data(as_text=True)  # the header's way here


def test_a_token_is_shown_once_works_lists_and_is_revoked(app, minji):
    token, page = new_token(minji, "민원 통계 스크립트")
    assert token.startswith("mdg_") and "지금 복사해 두세요" in page
    api = app.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["username"] == "minji"
    listing = minji.get("/settings").get_data(as_text=True)
    assert token not in listing and "민원 통계 스크립트" in listing and "사용 중" in listing
    items = minji.get("/api/v1/me/tokens").get_json()["items"]
    assert items[0]["name"] == "민원 통계 스크립트" and items[0]["last_used"] is not None
    assert "token" not in items[0]
    token_id = items[0]["id"]
    revoked = minji.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_of(minji)})
    assert revoked.status_code == 303
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "폐기됨" in minji.get("/settings").get_data(as_text=True)


def test_nobody_revokes_another_persons_token(app, minji, make_user):
    token, _ = new_token(minji, "내 토큰")
    token_id = minji.get("/api/v1/me/tokens").get_json()["items"][0]["id"]
    other = make_user("other.kim", "김다른")
    assert app.test_client().delete(f"/api/v1/me/tokens/{token_id}", headers=other).status_code == 404
    thief = app.test_client()
    browser_sign_in(thief, "other.kim", PASSWORD)
    assert thief.post(f"/settings/tokens/{token_id}/revoke",
                      data={"csrf_token": csrf_token_of(thief)}).status_code == 404
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_token_lifetime_is_bounded(minji):
    for days in ("0", "367", "열흘"):
        response = minji.post("/settings/tokens", data={"csrf_token": csrf_token_of(minji), "name": "x",
                                                        "days": days})
        assert response.status_code == 400


def test_tokens_through_the_api(client, make_user):
    headers = make_user("api.user", "에이피아이")
    created = client.post("/api/v1/me/tokens", json={"name": "배치", "days": 7}, headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["token"].startswith("mdg_") and body["name"] == "배치"
    listed = client.get("/api/v1/me/tokens", headers=headers).get_json()["items"]
    assert {item["name"] for item in listed} == {"api", "배치"}
    assert client.delete(f"/api/v1/me/tokens/{body['id']}", headers=headers).get_json() == {"revoked": True}
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}).status_code == 401
    assert client.post("/api/v1/me/tokens", json={"name": "x", "days": "7"}, headers=headers).status_code == 400
    assert client.get("/api/v1/me/tokens").status_code == 401


def test_language_preference_follows_the_person(app, minji):
    response = minji.post("/settings/preferences", data={"csrf_token": csrf_token_of(minji), "language": "en",
                                                         "timezone": "Asia/Seoul", "editor_preview": "on"})
    assert response.status_code == 303
    assert '<html lang="en">' in minji.get("/settings").get_data(as_text=True)
    # another browser, Korean by its own settings: the saved preference wins once signed in
    laptop = app.test_client()
    laptop.set_cookie(i18n.COOKIE, "ko")
    assert '<html lang="ko">' in laptop.get("/").get_data(as_text=True)
    browser_sign_in(laptop, "minji", PASSWORD)
    text = laptop.get("/").get_data(as_text=True)
    assert '<html lang="en">' in text and "Recent changes" in text
    # back to following the browser
    laptop.post("/settings/preferences", data={"csrf_token": csrf_token_of(laptop), "language": "",
                                               "timezone": "Asia/Seoul"})
    assert '<html lang="ko">' in laptop.get("/").get_data(as_text=True)
    assert laptop.get("/api/v1/me/preferences").get_json() == {"language": "", "timezone": "Asia/Seoul",
                                                               "editor_preview": False}


def test_time_zone_preference_changes_the_times_shown(minji):
    new_token(minji, "시간대 확인")
    created = minji.get("/api/v1/me/tokens").get_json()["items"][0]["created"]
    moment = datetime.fromisoformat(created)
    seoul = moment.astimezone(ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%d %H:%M")
    assert seoul in minji.get("/settings").get_data(as_text=True)
    minji.post("/settings/preferences", data={"csrf_token": csrf_token_of(minji), "language": "ko",
                                              "timezone": "America/New_York"})
    new_york = moment.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")
    text = minji.get("/settings").get_data(as_text=True)
    assert new_york in text and '<option value="America/New_York" selected>' in text


def test_invalid_preferences_are_refused(minji):
    response = minji.post("/settings/preferences", data={"csrf_token": csrf_token_of(minji), "language": "fr",
                                                         "timezone": "Asia/Seoul"})
    assert response.status_code == 400
    response = minji.post("/settings/preferences", data={"csrf_token": csrf_token_of(minji), "language": "ko",
                                                         "timezone": "Mars/Olympus"})
    assert response.status_code == 400 and "IANA" in response.get_data(as_text=True)
    put = minji.put("/api/v1/me/preferences", json={"theme": "dark"},
                    headers={"X-CSRFToken": csrf_token_of(minji)})
    assert put.status_code == 400
    put = minji.put("/api/v1/me/preferences", json={"editor_preview": False, "timezone": "UTC"},
                    headers={"X-CSRFToken": csrf_token_of(minji)})
    assert put.status_code == 200 and put.get_json()["timezone"] == "UTC"


# -- the screens' words, labels and CSP ------------------------------------------------------------------------

def test_every_string_of_the_accounts_and_admin_templates_is_translated():
    used: set[str] = set()
    for template in MY_TEMPLATES:
        text = template.read_text()
        used |= set(re.findall(r'\bt\(\s*"([a-z_.]*[a-z_])"', text))
        used |= set(re.findall(r"\bt\(\s*'([a-z_.]*[a-z_])'", text))
    used = {key for key in used if not key.endswith("_")}  # t("admin.acl_" + action): listed in `dynamic`
    dynamic = {f"role.{r}" for r in ("admin", "editor", "reader")} | {"source.local", "source.ldap"} | \
        {f"admin.acl_{a}" for a in ("read", "edit", "admin")}
    from wiki.web import accounts_words

    missing = sorted(k for k in used | dynamic if k not in i18n.CATALOG)
    assert not missing, missing
    for key, entry in accounts_words.WORDS.items():
        assert entry.get("ko") and entry.get("en"), key
    for source in ("accounts_ui.py", "admin_accounts.py"):
        code = (Path(__file__).resolve().parents[2] / "wiki" / "web" / source).read_text()
        for key in re.findall(r'\bt\(\s*"([a-z_.]+)"', code):
            assert key in i18n.CATALOG, (source, key)


def test_every_form_field_has_a_label_and_no_inline_script(app, client, admin_headers):
    client.post("/api/v1/admin/groups", json={"name": "tf"}, headers=admin_headers)
    admin = app.test_client()
    browser_sign_in(admin, "admin", ADMIN_PASSWORD)
    for url in ["/settings", "/orgchart", "/admin/users", "/admin/users/admin", "/admin/groups", "/admin/groups/tf",
                "/admin/acl", "/admin/orgchart", "/admin/audit"]:
        response = admin.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        collector = FieldCollector()
        collector.feed(text)
        assert collector.fields, url
        for attributes in collector.fields:
            assert attributes.get("id") in collector.label_for or attributes.get("aria-label"), (url, attributes)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), url
        assert not re.search(r"\son[a-z]+\s*=", text), url
        assert not re.search(r"\sstyle\s*=", text), url
