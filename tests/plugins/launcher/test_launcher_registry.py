"""The registry: admins register, change and remove systems (one commit each, by the admin; secrets never in
git); people see and open only what their groups allow; favourites, order and recent use are kept per person."""
from __future__ import annotations

import re

from tests.conftest import browser_sign_in, git
from tests.plugins.launcher.conftest import HR, MAIL, register

API = "/api/v1/admin/launcher/systems"


def test_register_change_remove_each_a_commit_by_the_admin_and_the_secret_is_not_in_git(client, admin_headers,
                                                                                        config):
    created = register(client, admin_headers, **{**HR, "protocol": "oidc",
                                                 "redirect_uris": ["https://hr.example.kr/oidc/callback"]})
    assert created["client_id"].startswith("madang-") and len(created["client_secret"]) >= 40
    email, subject = git(config.content_repo, "log", "-1", "--format=%ae|%s").strip().split("|")
    assert email.startswith("admin@") and subject == f"런처: 시스템 등록 — {HR['name']}"
    everything = git(config.content_repo, "log", "-p", "--all")
    assert created["client_secret"] not in everything
    assert created["client_id"] in everything  # the client id is public; only the secret is kept out

    changed = client.put(f"{API}/{created['id']}", json={"description": "바뀐 설명", "rotate_secret": True},
                         headers=admin_headers)
    assert changed.status_code == 200 and changed.get_json()["client_secret"] != created["client_secret"]
    assert git(config.content_repo, "log", "-1", "--format=%s") == f"런처: 시스템 변경 — {HR['name']}\n"
    listed = client.get(API, headers=admin_headers).get_json()["items"]
    assert [s["description"] for s in listed] == ["바뀐 설명"]

    removed = client.delete(f"{API}/{created['id']}", headers=admin_headers)
    assert removed.status_code == 200 and re.fullmatch(r"[0-9a-f]{40}", removed.get_json()["revision"])
    assert client.get(API, headers=admin_headers).get_json()["items"] == []
    assert client.delete(f"{API}/{created['id']}", headers=admin_headers).status_code == 404


def test_bad_registrations_are_refused_with_the_field_named_and_nothing_written(client, admin_headers, config):
    before = git(config.content_repo, "rev-parse", "HEAD")
    cases = [({**HR, "name": ""}, "name"), ({**HR, "url": "javascript:alert(1)"}, "url"),
             ({**HR, "protocol": "saml"}, "protocol"), ({**HR, "groups": []}, "groups"),
             ({**HR, "groups": ["모두"]}, "groups"), ({**HR, "protocol": "oidc"}, "redirect_uris"),
             ({**HR, "protocol": "oidc", "redirect_uris": ["https://hr.example.kr/cb#frag"]}, "redirect_uris"),
             ({**HR, "protocol": "cas"}, "service_patterns"),
             ({**HR, "icon": "https://evil.example/x.png"}, "icon")]
    for body, field in cases:
        response = client.post(API, json=body, headers=admin_headers)
        assert response.status_code == 400, body
        assert response.get_json()["field"] == field and response.get_json()["message"]
    assert git(config.content_repo, "rev-parse", "HEAD") == before


def test_only_admins_may_change_the_registry(client, make_user):
    clerk = make_user("kim", "김민수", groups=["인사과"])
    assert client.post(API, json=HR, headers=clerk).status_code == 403
    assert client.post(API, json=HR).status_code == 401
    assert client.get(API, headers=clerk).status_code == 403


def test_people_see_and_open_only_what_their_groups_allow(client, admin_headers, make_user):
    hr = register(client, admin_headers, **HR)
    mail = register(client, admin_headers, **MAIL)
    clerk = make_user("kim", "김민수", groups=["인사과"])
    other = make_user("lee", "이영희", groups=["회계과"])
    names = lambda headers: [s["name"] for s in client.get("/api/v1/launcher/systems", headers=headers)  # noqa: E731
                             .get_json()["items"]]
    assert sorted(names(clerk)) == ["인사 시스템", "전자우편"]
    assert names(other) == ["전자우편"]
    assert client.get("/api/v1/launcher/systems").status_code == 401
    assert [s["name"] for s in client.get("/api/v1/launcher/systems?q=휴가", headers=clerk)
            .get_json()["items"]] == ["인사 시스템"]
    # a system the person may not use: not shown, cannot be opened, cannot be made a favourite
    browser_sign_in(client, "lee", "비밀번호-12345")
    page = client.get("/launcher").get_data(as_text=True)
    assert "전자우편" in page and "인사 시스템" not in page
    assert client.get(f"/launcher/open/{hr['id']}").status_code == 404
    opened = client.get(f"/launcher/open/{mail['id']}")
    assert opened.status_code == 303 and opened.headers["Location"] == MAIL["url"]
    bad = client.put("/api/v1/launcher/favourites", json={"ids": [hr["id"]]}, headers=other)
    assert bad.status_code == 400 and "may use" in bad.get_json()["message"]


def test_favourites_order_and_recent_use_are_kept_per_person(client, admin_headers, make_user):
    ids = [register(client, admin_headers, **{**MAIL, "name": f"시스템 {n}"})["id"] for n in range(3)]
    kim = make_user("kim", "김민수")
    make_user("lee", "이영희")
    answer = client.put("/api/v1/launcher/favourites", json={"ids": [ids[2], ids[0]]}, headers=kim)
    assert answer.status_code == 200 and answer.get_json() == {"ids": [ids[2], ids[0]]}
    items = {s["id"]: s for s in client.get("/api/v1/launcher/systems", headers=kim).get_json()["items"]}
    assert items[ids[2]]["favourite"] and items[ids[2]]["position"] == 0 and items[ids[0]]["position"] == 1
    assert not items[ids[1]]["favourite"]

    browser_sign_in(client, "kim", "비밀번호-12345")
    page = client.get("/launcher").get_data(as_text=True)
    favourites = page.split('id="launcher-fav"')[1].split("</section>")[0]
    assert favourites.index("시스템 2") < favourites.index("시스템 0")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(f"/launcher/move/{ids[0]}", data={"csrf_token": token, "step": "up"})
    client.post(f"/launcher/favourite/{ids[1]}", data={"csrf_token": token})
    client.get(f"/launcher/open/{ids[1]}")
    page = client.get("/launcher").get_data(as_text=True)
    favourites = page.split('id="launcher-fav"')[1].split("</section>")[0]
    assert favourites.index("시스템 0") < favourites.index("시스템 2") < favourites.index("시스템 1")
    recent = page.split('id="launcher-recent"')[1].split("</section>")[0]
    assert "시스템 1" in recent and "시스템 0" not in recent
    # another person's favourites are their own
    client.post("/logout", data={"csrf_token": token})
    browser_sign_in(client, "lee", "비밀번호-12345")
    assert 'id="launcher-fav"' not in client.get("/launcher").get_data(as_text=True)


def test_every_open_is_in_the_audit_log_and_on_the_admin_page(client, admin_headers, make_user, madang):
    mail = register(client, admin_headers, **MAIL)
    make_user("kim", "김민수")
    browser_sign_in(client, "kim", "비밀번호-12345")
    client.get(f"/launcher/open/{mail['id']}")
    entry = madang.audit.entries(action="launcher_open")[0]
    assert (entry.actor, entry.target, entry.detail["system"]) == ("kim", mail["id"], "전자우편")
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', client.get(
        "/launcher").get_data(as_text=True)).group(1)})
    browser_sign_in(client, "admin", "관리자-비밀번호-2026")
    page = client.get("/launcher/admin").get_data(as_text=True)
    assert "kim" in page and "전자우편" in page


def test_reading_the_registry_follows_commits_made_elsewhere(client, admin_headers, app):
    """The cache is keyed by the folder's blobs: a change committed by any process is seen at once."""
    register(client, admin_headers, **MAIL)
    with app.test_request_context():
        from wiki.api import commit_plugin_files

        commit_plugin_files("launcher", {"systems/0123456789ab.json": '{"id": "0123456789ab", "name": "손으로 쓴 '
                                         '시스템", "url": "https://x.example.kr/", "protocol": "link", '
                                         '"groups": ["staff"]}'}, "손으로 추가", who=None)
    names = [s["name"] for s in client.get(API, headers=admin_headers).get_json()["items"]]
    assert sorted(names) == ["손으로 쓴 시스템", "전자우편"]


def test_changing_a_system_keeps_what_is_not_sent_and_a_public_client_has_no_secret(client, admin_headers):
    made = register(client, admin_headers, **{**HR, "protocol": "oidc", "redirect_uris": ["https://hr.example.kr/cb"]})
    public = client.put(f"{API}/{made['id']}", json={"public_client": True}, headers=admin_headers)
    assert public.status_code == 200 and "client_secret" not in public.get_json()
    current = client.get(API, headers=admin_headers).get_json()["items"][0]
    assert current["public_client"] and current["name"] == HR["name"] and current["client_id"] == made["client_id"]
    back = client.put(f"{API}/{made['id']}", json={"public_client": False}, headers=admin_headers)
    assert len(back.get_json()["client_secret"]) >= 40  # a confidential client needs a secret again
    link = client.put(f"{API}/{made['id']}", json={"protocol": "link"}, headers=admin_headers)
    assert link.status_code == 200 and "client_id" not in client.get(API, headers=admin_headers).get_json()["items"][0]
    bad = client.put(f"{API}/{made['id']}", json={"groups": "staff"}, headers=admin_headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "groups"
    assert client.put(f"{API}/없는-시스템", json={}, headers=admin_headers).status_code == 404
