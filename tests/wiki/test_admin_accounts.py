"""The admins' sections: users, groups, permission rules, the audit log; in the browser and through the API."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import ADMIN_PASSWORD, browser_sign_in, csrf_token_of, git, token_for
from wiki.acl import ACL_FILE

PASSWORD = "비밀번호-12345"
ADMIN_PAGES = ["/admin/users", "/admin/users/admin", "/admin/groups", "/admin/acl", "/admin/orgchart", "/admin/audit"]


@pytest.fixture
def admin(app):
    browser = app.test_client()
    assert browser_sign_in(browser, "admin", ADMIN_PASSWORD).status_code == 303
    return browser


def post_form(browser, url: str, data: dict):
    return browser.post(url, data={"csrf_token": csrf_token_of(browser, url), **data})


def audit(client, admin_headers, **filters) -> list[dict]:
    query = "&".join(f"{k}={quote(v)}" for k, v in filters.items())
    return client.get(f"/api/v1/admin/audit?{query}", headers=admin_headers).get_json()["items"]


def test_admin_pages_are_for_admins_only(app, client, make_user):
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    make_user("staff.kim", "김직원", password=PASSWORD)
    staff = app.test_client()
    browser_sign_in(staff, "staff.kim", PASSWORD)
    for url in ADMIN_PAGES:
        assert staff.get(url).status_code == 403, url
    headers = {"Authorization": f"Bearer {token_for(client, 'staff.kim', PASSWORD)}"}
    for url in ("/api/v1/admin/users", "/api/v1/admin/groups", "/api/v1/admin/audit", "/api/v1/admin/users/admin"):
        assert client.get(url, headers=headers).status_code == 403, url
        assert client.get(url).status_code == 401, url
    assert client.patch("/api/v1/admin/users/staff.kim", json={"role": "admin"}, headers=headers).status_code == 403


def test_admin_sections_are_listed_in_order(admin):
    text = admin.get("/admin/users").get_data(as_text=True)
    positions = [text.index(f'href="/admin/{name}"') for name in ("users", "groups", "acl", "orgchart", "audit")]
    assert positions == sorted(positions)


# -- users ----------------------------------------------------------------------------------------------------

def test_create_a_local_account_in_the_browser(app, admin, client, admin_headers):
    response = post_form(admin, "/admin/users", {
        "username": "new.kim", "name": "김신입", "email": "new.kim@seoul.go.kr", "password": PASSWORD,
        "department": "총무과", "groups": "hr, editors", "role": "reader"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users/new.kim"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token_for(client, 'new.kim', PASSWORD)}"})
    assert me.get_json()["groups"] == ["editors", "hr"] and me.get_json()["role"] == "reader"
    assert audit(client, admin_headers, action="user_created")[0]["target"] == "new.kim"
    refused = post_form(admin, "/admin/users", {"username": "short.pw", "name": "짧은", "email": "s@seoul.go.kr",
                                                "password": "짧은비번"})
    assert refused.status_code == 400 and "8 to 1024" in refused.get_data(as_text=True)
    assert 'value="short.pw"' in refused.get_data(as_text=True) and "짧은비번" not in refused.get_data(as_text=True)
    listed = admin.get("/admin/users?q=" + quote("김신")).get_data(as_text=True)
    assert "new.kim" in listed and ">admin</a>" not in listed


def test_change_role_groups_and_disable_in_the_browser(app, admin, client, admin_headers, make_user):
    headers = make_user("park.jm", "박지민", password=PASSWORD)
    browser = app.test_client()
    browser_sign_in(browser, "park.jm", PASSWORD)
    response = post_form(admin, "/admin/users/park.jm", {"name": "박지민", "email": "park.jm@seoul.go.kr",
                                                         "department": "민원여권과", "role": "reader",
                                                         "groups": "district-jongno", "active": "on"})
    assert response.status_code == 303
    account = client.get("/api/v1/admin/users/park.jm", headers=admin_headers).get_json()
    assert account["role"] == "reader" and account["groups"] == ["district-jongno"]
    assert account["department"] == "민원여권과"
    assert browser.get("/api/v1/me").status_code == 401  # role and groups changed: signed out
    entry = audit(client, admin_headers, action="user_changed")[0]
    assert entry["detail"]["changes"]["role"] == ["editor", "reader"] and entry["actor"] == "admin"
    post_form(admin, "/admin/users/park.jm", {"name": "박지민", "email": "park.jm@seoul.go.kr", "role": "reader",
                                              "groups": "district-jongno"})  # 'active' unticked
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "park.jm", "password": PASSWORD}).status_code == 401
    assert "사용 중지" in admin.get("/admin/users").get_data(as_text=True)


def test_an_admin_cannot_lock_themselves_out(admin, client, admin_headers):
    refused = client.patch("/api/v1/admin/users/admin", json={"active": False}, headers=admin_headers)
    assert refused.status_code == 400
    assert client.patch("/api/v1/admin/users/admin", json={"role": "editor"}, headers=admin_headers).status_code == 400
    form = post_form(admin, "/admin/users/admin", {"name": "관리자", "email": "admin@localhost", "role": "admin",
                                                   "groups": ""})
    assert form.status_code == 400


def test_end_a_persons_sessions(app, admin, make_user):
    make_user("lee.yh", "이영희", password=PASSWORD)
    browser = app.test_client()
    browser_sign_in(browser, "lee.yh", PASSWORD)
    token = csrf_token_of(admin, "/admin/users/lee.yh")
    assert admin.post("/admin/users/lee.yh/sign-out", data={"csrf_token": token}).status_code == 303
    assert browser.get("/api/v1/me").status_code == 401


def test_users_api_lists_pages_and_patches(client, admin_headers, make_user):
    for index in range(3):
        make_user(f"user{index}", f"사용자{index}")
    first = client.get("/api/v1/admin/users?limit=2", headers=admin_headers).get_json()
    assert [u["username"] for u in first["items"]] == ["admin", "user0"] and first["next"]
    rest = client.get(f"/api/v1/admin/users?limit=2&cursor={first['next']}", headers=admin_headers).get_json()
    assert [u["username"] for u in rest["items"]] == ["user1", "user2"] and rest["next"] is None
    assert [u["username"] for u in client.get("/api/v1/admin/users?q=" + quote("사용자1"),
                                              headers=admin_headers).get_json()["items"]] == ["user1"]
    patched = client.patch("/api/v1/admin/users/user1", json={"groups": ["hr"], "role": "reader"},
                           headers=admin_headers)
    assert patched.status_code == 200 and patched.get_json()["groups"] == ["hr"]
    for bad in ({"role": "owner"}, {"groups": "hr"}, {"active": "no"}, {"password": "x"}, {"groups": ["a,b"]}):
        response = client.patch("/api/v1/admin/users/user1", json=bad, headers=admin_headers)
        assert response.status_code == 400, bad
    assert client.patch("/api/v1/admin/users/nobody", json={"role": "reader"}, headers=admin_headers).status_code == 404
    bad_role = {"username": "x.role", "password": PASSWORD, "name": "x", "email": "x@seoul.go.kr", "role": "boss"}
    assert client.post("/api/v1/admin/users", json=bad_role, headers=admin_headers).status_code == 400


# -- groups ---------------------------------------------------------------------------------------------------

def test_local_groups_in_the_browser(app, admin, client, admin_headers, make_user):
    make_user("kim.cs", "김철수", password=PASSWORD)
    response = post_form(admin, "/admin/groups", {"name": "예산-TF", "title": "2026 예산 TF",
                                                  "description": "예산 편성"})
    assert response.status_code == 303
    group_url = "/admin/groups/" + quote("예산-TF")
    assert post_form(admin, group_url, {"username": "kim.cs"}).status_code == 303
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token_for(client, 'kim.cs', PASSWORD)}"})
    assert me.get_json()["groups"] == ["예산-TF"]
    page = admin.get(group_url).get_data(as_text=True)
    assert "kim.cs" in page and "2026 예산 TF" in page
    missing = post_form(admin, group_url, {"username": "nobody"})
    assert missing.status_code == 400
    assert post_form(admin, group_url, {"username": "kim.cs", "_action": "remove"}).status_code == 303
    assert client.get("/api/v1/admin/users/kim.cs", headers=admin_headers).get_json()["groups"] == []
    duplicate = post_form(admin, "/admin/groups", {"name": "예산-TF"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.get_data(as_text=True)
    assert post_form(admin, "/admin/groups", {"name": "띄어 쓴 이름"}).status_code == 400
    assert admin.post(group_url + "/delete", data={"csrf_token": csrf_token_of(admin, group_url)}).status_code == 303
    assert admin.get(group_url).status_code == 404
    actions = [e["action"] for e in audit(client, admin_headers)]
    for action in ("group_created", "group_member_added", "group_member_removed", "group_deleted"):
        assert action in actions


def test_groups_api(client, admin_headers, make_user):
    make_user("member.a", "구성원", groups=["hr"])
    created = client.post("/api/v1/admin/groups", json={"name": "tf", "title": "TF"}, headers=admin_headers)
    assert created.status_code == 201
    assert client.post("/api/v1/admin/groups", json={"name": "tf"}, headers=admin_headers).status_code == 409
    assert client.post("/api/v1/admin/groups", json={"name": "a:b"}, headers=admin_headers).status_code == 400
    client.patch("/api/v1/admin/users/member.a", json={"groups": ["hr", "tf"]}, headers=admin_headers)
    groups = {g["name"]: g for g in client.get("/api/v1/admin/groups", headers=admin_headers).get_json()["items"]}
    assert groups["tf"]["local"] and groups["tf"]["members"] == 1
    assert not groups["hr"]["local"] and groups["hr"]["members"] == 1
    assert client.delete("/api/v1/admin/groups/tf", headers=admin_headers).get_json() == {"members_removed": 1}
    assert client.get("/api/v1/admin/users/member.a", headers=admin_headers).get_json()["groups"] == ["hr"]
    assert client.delete("/api/v1/admin/groups/hr", headers=admin_headers).status_code == 404  # not a local group


# -- permission rules -----------------------------------------------------------------------------------------

def test_rules_table_edits_commit_and_show_history(app, admin, client, admin_headers, madang):
    form = admin.get("/admin/acl").get_data(as_text=True)
    assert 'name="default_read" type="text" value="anonymous"' in form
    data = {"default_read": "anonymous", "default_edit": "staff", "default_admin": "",
            "prefix": ["인사/", "공지", ""], "read": ["group:hr", "staff", ""], "edit": ["group:hr", "role:editor", ""],
            "admin": ["", "", ""], "message": "인사 폴더 보호"}
    response = admin.post("/admin/acl", data={"csrf_token": csrf_token_of(admin, "/admin/acl"), **data})
    assert response.status_code == 303
    rules = client.get("/api/v1/admin/acl", headers=admin_headers).get_json()
    assert rules["rules"] == [{"prefix": "인사/", "read": ["group:hr"], "edit": ["group:hr"], "admin": []},
                              {"prefix": "공지/", "read": ["staff"], "edit": ["role:editor"], "admin": []}]
    log = git(madang.store.path, "log", "-1", "--format=%an|%s", "--", ACL_FILE).strip()
    assert log == "관리자|인사 폴더 보호"
    page = admin.get("/admin/acl").get_data(as_text=True)
    assert "인사 폴더 보호" in page and 'value="group:hr"' in page
    entry = audit(client, admin_headers, action="acl_changed")[0]
    assert entry["actor"] == "admin" and entry["detail"]["rules"] == 2
    # clearing a prefix deletes that rule
    data.update(prefix=["인사/", "", ""])
    admin.post("/admin/acl", data={"csrf_token": csrf_token_of(admin, "/admin/acl"), **data})
    rules = client.get("/api/v1/admin/acl", headers=admin_headers).get_json()["rules"]
    assert [r["prefix"] for r in rules] == ["인사/"]


def test_a_misspelt_principal_keeps_the_table_and_commits_nothing(admin, madang):
    head = madang.store.head()
    data = {"default_read": "anonymous", "default_edit": "staf", "prefix": ["인사/"], "read": ["group:hr"],
            "edit": ["group:hr"], "admin": [""]}
    response = admin.post("/admin/acl", data={"csrf_token": csrf_token_of(admin, "/admin/acl"), **data})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "&#39;staf&#39; is not a principal" in text and 'value="인사/"' in text
    assert madang.store.head() == head


# -- audit log ------------------------------------------------------------------------------------------------

def test_audit_page_filters_and_pages(app, admin, client, admin_headers):
    for _ in range(3):
        client.post("/api/v1/auth/token", json={"username": "admin", "password": "틀린 비밀번호"})
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "sign_in_failed" in page and "token_created" in page and "틀린 비밀번호" not in page
    failed = admin.get("/admin/audit?action=sign_in_failed").get_data(as_text=True)
    assert "token_created</code>" not in failed and "sign_in_failed</code>" in failed
    by_actor = audit(client, admin_headers, actor="admin")
    assert by_actor and all(e["actor"] == "admin" for e in by_actor)
    first = client.get("/api/v1/admin/audit?limit=2", headers=admin_headers).get_json()
    second = client.get(f"/api/v1/admin/audit?limit=2&cursor={first['next']}", headers=admin_headers).get_json()
    assert first["items"][-1]["id"] > second["items"][0]["id"]
    assert client.get("/api/v1/admin/audit?cursor=abc", headers=admin_headers).status_code == 400
    older = admin.get(f"/admin/audit?limit=2&before={first['items'][0]['id']}")
    assert older.status_code == 200 and older.headers["Cache-Control"] == "no-store"
