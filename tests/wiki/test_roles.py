"""Roles in the one permission function: admin may do everything, an editor edits where the rules allow, a reader
never edits even where staff may; rules may name roles (role:editor)."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import browser_sign_in, token_for
from wiki.auth import Principal

GUIDE = "공지/사용 안내"


def page(path: str) -> str:
    return "/api/v1/pages/" + quote(path)


@pytest.fixture
def people(client, admin_headers):
    """An editor, a reader and a member of hr; each with a token."""
    made = {}
    for username, role, groups in (("editor.kim", "editor", []), ("reader.lee", "reader", []),
                                   ("hr.park", "editor", ["hr"])):
        body = {"username": username, "password": "비밀번호-12345", "name": username,
                "email": f"{username}@seoul.go.kr", "role": role, "groups": groups}
        created = client.post("/api/v1/admin/users", json=body, headers=admin_headers)
        assert created.status_code == 201 and created.get_json()["role"] == role
        made[username] = {"Authorization": f"Bearer {token_for(client, username, '비밀번호-12345')}"}
    made["admin"] = admin_headers
    return made


def test_a_reader_cannot_edit_where_staff_can_and_an_editor_can(client, people):
    assert client.put(page(GUIDE), json={"markdown": "편집자가 씀"}, headers=people["editor.kim"]).status_code == 201
    refused = client.put(page(GUIDE), json={"markdown": "열람자가 씀"}, headers=people["reader.lee"])
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert client.put(page("공지/새 글"), json={"markdown": "x"}, headers=people["reader.lee"]).status_code == 403
    assert client.delete(page(GUIDE), headers=people["reader.lee"]).status_code == 403
    assert client.get(page(GUIDE), headers=people["reader.lee"]).get_json()["markdown"] == "편집자가 씀"
    assert client.get("/api/v1/me", headers=people["reader.lee"]).get_json()["role"] == "reader"


def test_even_a_rule_naming_the_reader_does_not_let_them_edit(client, people):
    rules = {"default": {"read": ["anonymous"], "edit": ["staff"]},
             "rules": [{"prefix": "공지/", "read": ["staff"], "edit": ["user:reader.lee", "staff"],
                        "admin": ["user:reader.lee"]}]}
    assert client.put("/api/v1/admin/acl", json=rules, headers=people["admin"]).status_code == 200
    assert client.put(page(GUIDE), json={"markdown": "x"}, headers=people["reader.lee"]).status_code == 403


def test_rules_may_name_roles(client, people):
    rules = {"default": {"read": ["anonymous"], "edit": ["staff"]},
             "rules": [{"prefix": "인사/", "read": ["group:hr", "role:admin"], "edit": ["group:hr"]},
                       {"prefix": "공지/", "read": ["staff"], "edit": ["role:editor"]}]}
    assert client.put("/api/v1/admin/acl", json=rules, headers=people["admin"]).status_code == 200
    assert client.put(page(GUIDE), json={"markdown": "편집자"}, headers=people["editor.kim"]).status_code == 201
    assert client.put(page(GUIDE), json={"markdown": "열람자"}, headers=people["reader.lee"]).status_code == 403
    assert client.get(page(GUIDE)).status_code == 404  # staff only
    assert client.put(page("인사/규정"), json={"markdown": "인사"}, headers=people["hr.park"]).status_code == 201
    assert client.get(page("인사/규정"), headers=people["editor.kim"]).status_code == 404
    # an admin may do everything, whatever the rules say
    assert client.get(page("인사/규정"), headers=people["admin"]).status_code == 200
    assert client.put(page("인사/규정"), json={"markdown": "관리자"}, headers=people["admin"]).status_code == 200


def test_misspelt_principals_are_refused(client, people):
    for bad in ("stafff", "group hr", "role:owner", "user:", "group:a,b"):
        rules = {"default": {"read": ["anonymous"], "edit": ["staff"]},
                 "rules": [{"prefix": "공지/", "read": [bad], "edit": []}]}
        response = client.put("/api/v1/admin/acl", json=rules, headers=people["admin"])
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_input", bad


def test_changing_a_role_takes_effect_and_ends_the_sessions(app, client, people):
    browser = app.test_client()
    assert browser_sign_in(browser, "reader.lee", "비밀번호-12345").status_code == 303
    response = client.patch("/api/v1/admin/users/reader.lee", json={"role": "editor"}, headers=people["admin"])
    assert response.status_code == 200 and response.get_json()["role"] == "editor"
    assert browser.get("/api/v1/me").status_code == 401  # the role changed: sign in again
    assert client.put(page(GUIDE), json={"markdown": "이제 편집"}, headers=people["reader.lee"]).status_code == 201
    client.patch("/api/v1/admin/users/reader.lee", json={"role": "admin"}, headers=people["admin"])
    me = client.get("/api/v1/me", headers=people["reader.lee"]).get_json()
    assert me["role"] == "admin" and me["is_admin"] is True
    assert client.get("/api/v1/admin/users", headers=people["reader.lee"]).status_code == 200


def test_the_reader_sees_no_edit_button_and_the_editor_is_refused_a_page(app, client, people):
    client.put(page(GUIDE), json={"markdown": "# 안내\n\n본문\n"}, headers=people["editor.kim"])
    browser = app.test_client()
    browser_sign_in(browser, "reader.lee", "비밀번호-12345")
    text = browser.get("/wiki/" + quote(GUIDE)).get_data(as_text=True)
    assert "본문" in text and f'href="/wiki/{quote(GUIDE)}/edit"' not in text
    assert browser.get("/wiki/" + quote(GUIDE) + "/edit").status_code == 403


def test_the_permission_function_itself(madang):
    reader = Principal("r", "읽기", "r@seoul.go.kr", role="reader")
    editor = Principal("e", "쓰기", "e@seoul.go.kr", role="editor")
    admin = Principal("a", "관리", "a@seoul.go.kr", is_admin=True, role="editor")
    acl = madang.acl
    assert acl.can(reader, "read", "아무 문서") and not acl.can(reader, "edit", "아무 문서")
    assert acl.can(editor, "edit", "아무 문서") and not acl.can(None, "edit", "아무 문서")
    assert acl.can(admin, "admin", "아무 문서")
    assert "role:reader" in reader.principals and "role:admin" in admin.principals
    assert Principal("x", "x", "x", role="nonsense").effective_role == "reader"  # unknown roles get the least
