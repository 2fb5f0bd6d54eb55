"""A page under `인사/` readable only by group:hr: everyone else gets 404 everywhere and never sees it in a list."""
from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import quote

import pytest

from wiki.pages import encode_cursor

SECRET = "인사/2026 연봉표"
SECRET_TITLE = "연봉 협상 기밀 문서"
SECRET_TEXT = "기밀: 김부장 연봉 9,870만원"
SECRET_FILE = "명단.xlsx"
SECRET_FILE_TEXT = b"secret-spreadsheet-7c1f"
PUBLIC = "공개/안내"
RULES = {"default": {"read": ["anonymous"], "edit": ["staff"]},
         "rules": [{"prefix": "인사/", "read": ["group:hr"], "edit": ["group:hr"]}]}
LEAKS = (SECRET_TITLE, SECRET_TEXT, SECRET_FILE_TEXT.decode())


def url(path: str, suffix: str = "") -> str:
    return "/api/v1/pages/" + quote(path, safe="/") + suffix


def assert_not_found(response) -> None:
    assert response.status_code == 404, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.get_json()["error"] == "not_found"
    assert_no_leak(response)


def assert_no_leak(response) -> None:
    text = response.get_data(as_text=True)
    for secret in LEAKS:
        assert secret not in text, (response.request.path, secret)


@pytest.fixture
def site(client, admin_headers, make_user):
    """The rules, an HR member, a signed-in reader without access, and the restricted page with its history."""
    assert client.put("/api/v1/admin/acl", json=RULES, headers=admin_headers).status_code == 200
    hr = make_user("hr.kim", "김인사", groups=["hr"])
    reader = make_user("reader.park", "박열람", groups=["editors"])
    revisions = []
    for text in (f"# {SECRET_TITLE}\n\n초안\n", f"# {SECRET_TITLE}\n\n{SECRET_TEXT}\n\n[[{PUBLIC}]] 참고\n"):
        response = client.put(url(SECRET), json={"markdown": text}, headers=hr)
        assert response.status_code in (200, 201), response.get_json()
        revisions.append(response.get_json()["revision"])
    assert client.put(url(SECRET, f"/attachments/{quote(SECRET_FILE)}"), data=SECRET_FILE_TEXT,
                      headers=hr).status_code == 201
    public = client.put(url(PUBLIC), json={"markdown": f"# 안내\n\n누구나 읽는 문서. [[{SECRET}]]\n"}, headers=hr)
    assert public.status_code == 201
    return {"hr": hr, "reader": reader, "anonymous": {}, "revisions": revisions,
            "public_revision": public.get_json()["revision"]}


def restricted_requests(site) -> list[str]:
    first, last = site["revisions"]
    return [url(SECRET), url(SECRET, f"?rev={last}"), url(SECRET, "?render=html"), url(SECRET, "/history"),
            url(SECRET, f"/diff?from={first}&to={last}"), url(SECRET, "/diff"), url(SECRET, "/blame"),
            url(SECRET, f"/blame?rev={last}"), url(SECRET, "/backlinks"), url(SECRET, "/attachments"),
            url(SECRET, f"/attachments/{quote(SECRET_FILE)}"),
            url(SECRET, f"/attachments/{quote(SECRET_FILE)}?rev={site['public_revision']}")]


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_outsiders_get_404_for_every_read_of_the_restricted_page(client, site, who):
    for request in restricted_requests(site):
        assert_not_found(client.get(request, headers=site[who]))


def test_the_hr_member_reads_all_of_it(client, site):
    hr = site["hr"]
    for request in restricted_requests(site):
        assert client.get(request, headers=hr).status_code == 200, request
    assert SECRET_TEXT in client.get(url(SECRET), headers=hr).get_json()["markdown"]
    assert client.get(url(SECRET, f"/attachments/{quote(SECRET_FILE)}"), headers=hr).data == SECRET_FILE_TEXT
    assert client.get(url(PUBLIC, "/backlinks"), headers=hr).get_json()["items"] == [SECRET]
    assert SECRET in [p["path"] for p in client.get("/api/v1/pages", headers=hr).get_json()["items"]]
    changes = client.get("/api/v1/changes", headers=hr).get_json()["items"]
    assert any(f"pages/{SECRET}.md" in item["paths"] for item in changes)
    assert SECRET in client.get("/feeds/changes.atom", headers=hr).get_data(as_text=True)


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_changes_for_outsiders_are_404_not_403(client, site, who):
    head = client.application.extensions["madang"].store.head()
    answers = [
        client.put(url(SECRET), json={"markdown": "덮어쓰기"}, headers=site[who]),
        client.put(url("인사/새 문서"), json={"markdown": "만들기"}, headers=site[who]),
        client.delete(url(SECRET), headers=site[who]),
        client.post(url(SECRET, "/move"), json={"to": "공개/훔친 문서"}, headers=site[who]),
        client.post(url(SECRET, "/revert"), json={"revision": site["revisions"][0]}, headers=site[who]),
        client.put(url(SECRET, "/attachments/x.txt"), data=b"x", headers=site[who]),
        client.delete(url(SECRET, f"/attachments/{quote(SECRET_FILE)}"), headers=site[who]),
    ]
    for response in answers:
        assert_not_found(response)
    # moving a readable page into the restricted folder: anonymous may not edit at all (401); the reader may edit
    # the public page, but the target is a place they cannot see (404, so nothing about it is revealed)
    into = client.post(url(PUBLIC, "/move"), json={"to": "인사/옮긴 문서"}, headers=site[who])
    assert into.status_code == (401 if who == "anonymous" else 404)
    assert client.application.extensions["madang"].store.head() == head


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_lists_and_feeds_never_show_it(client, site, who):
    headers = site[who]
    pages = client.get("/api/v1/pages?limit=500", headers=headers).get_json()["items"]
    assert [p["path"] for p in pages] == [PUBLIC]
    assert client.get("/api/v1/pages?prefix=" + quote("인사/"), headers=headers).get_json()["items"] == []
    changes = client.get("/api/v1/changes?limit=500", headers=headers)
    items = changes.get_json()["items"]
    assert [item["paths"] for item in items] == [[f"pages/{PUBLIC}.md"]]
    assert all(SECRET not in item["message"] for item in items)
    assert_no_leak(changes)
    feed = client.get("/feeds/changes.atom", headers=headers)
    assert feed.status_code == 200 and PUBLIC in feed.get_data(as_text=True)
    assert SECRET not in feed.get_data(as_text=True)
    assert_no_leak(feed)
    assert client.get(url(PUBLIC, "/backlinks"), headers=headers).get_json()["items"] == []
    # paging through changes one by one still never reaches it
    cursor, seen = None, []
    while True:
        body = client.get("/api/v1/changes?limit=1" + (f"&cursor={cursor}" if cursor else ""),
                          headers=headers).get_json()
        seen += [p for item in body["items"] for p in item["paths"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == [f"pages/{PUBLIC}.md"]


def test_a_forged_history_cursor_does_not_open_the_restricted_page(client, site):
    forged = encode_cursor({"p": SECRET, "i": 10**9})
    response = client.get(url(PUBLIC, f"/history?cursor={forged}"), headers=site["reader"])
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_input"
    assert_no_leak(response)
    assert SECRET_TITLE not in response.get_data(as_text=True) and site["revisions"][0] not in \
        response.get_data(as_text=True)


def test_a_page_moved_out_of_hr_does_not_reveal_its_hr_past(client, site):
    hr, reader = site["hr"], site["reader"]
    moved = client.post(url(SECRET, "/move"), json={"to": "공개/연봉 정책"}, headers=hr)
    assert moved.status_code == 200
    client.put(url("공개/연봉 정책"), json={"markdown": "# 연봉 정책\n\n공개해도 되는 내용\n"}, headers=hr)
    history_hr = client.get(url("공개/연봉 정책", "/history"), headers=hr).get_json()["items"]
    assert [i["revision"] for i in history_hr][-2:] == site["revisions"][::-1]
    history_reader = client.get(url("공개/연봉 정책", "/history"), headers=reader).get_json()["items"]
    assert [i["revision"] for i in history_reader] == [i["revision"] for i in history_hr][:2]
    diff = client.get(url("공개/연봉 정책", f"/diff?from={site['revisions'][1]}"), headers=reader)
    assert diff.status_code == 200
    assert_no_leak(diff)
    assert SECRET_TEXT in client.get(url("공개/연봉 정책", f"/diff?from={site['revisions'][1]}"),
                                     headers=hr).get_data(as_text=True)


def test_rules_typed_in_decomposed_hangul_still_protect(client, admin_headers, make_user):
    nfd_rules = {"default": {"read": ["anonymous"], "edit": ["staff"]},
                 "rules": [{"prefix": unicodedata.normalize("NFD", "인사/"), "read": ["group:hr"],
                            "edit": ["group:hr"]}]}
    assert nfd_rules["rules"][0]["prefix"] != "인사/"
    assert client.put("/api/v1/admin/acl", json=nfd_rules, headers=admin_headers).status_code == 200
    hr = make_user("hr.lee", "이인사", groups=["hr"])
    assert client.put(url(SECRET), json={"markdown": SECRET_TEXT}, headers=hr).status_code == 201
    assert_not_found(client.get(url(SECRET)))
    assert_not_found(client.get(url(SECRET), headers=make_user("reader.choi", "최열람")))


# -- every route of the app -------------------------------------------------------------------------------------

ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def fill(rule: str, site) -> str:
    values = {"path": quote(SECRET, safe="/"), "name": quote(SECRET_FILE), "filename": "x.css"}
    return ARGUMENT.sub(lambda m: values.get(m.group(1), "1"), rule)


def test_every_get_route_keeps_the_restricted_page_secret(app, client, site):
    """Walks app.url_map, so routes added later are covered without touching this test."""
    first, last = site["revisions"]
    queries = ["", f"?rev={last}&from={first}&to={last}&render=html&prefix={quote('인사/')}&q={quote('연봉')}"
                   "&limit=500", f"?rev={first}"]
    checked, hr_saw_it = 0, False
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        address = fill(rule.rule, site)
        for query in queries:
            for who in ("anonymous", "reader"):
                response = client.get(address + query, headers=site[who])
                assert response.status_code < 500, (address + query, who, response.status_code)
                assert_no_leak(response)
                checked += 1
            hr_saw_it = hr_saw_it or SECRET_TEXT in client.get(address + query, headers=site["hr"]).get_data(
                as_text=True)
    assert checked >= 2 * 3 * 10
    assert hr_saw_it  # the same walk does reach the secret for someone who may read it


def test_links_do_not_reveal_that_a_restricted_page_exists(client, site):
    client.put(url(PUBLIC), json={"markdown": f"[[{SECRET}]] 그리고 [[인사/없는 문서]]\n"}, headers=site["hr"])
    html = client.get(url(PUBLIC, "?render=html"), headers=site["reader"]).get_json()["html"]
    classes = re.findall(r'<a class="([^"]*)"', html)
    assert len(classes) == 2 and classes[0] == classes[1], html


def test_a_change_that_also_touched_a_restricted_page_keeps_its_message_to_itself(client, site):
    moved = client.post(url(SECRET, "/move"), json={"to": "공개/옮긴 문서", "message": f"{SECRET} 공개 전환"},
                        headers=site["hr"])
    assert moved.status_code == 200, moved.get_json()
    for who in ("anonymous", "reader"):
        headers = site.get(who, {})
        items = client.get("/api/v1/changes", headers=headers).get_json()["items"]
        top = items[0]
        assert top["revision"] == moved.get_json()["revision"]
        assert sorted(top["paths"]) == [f"attachments/공개/옮긴 문서.files/{SECRET_FILE}", "pages/공개/옮긴 문서.md"]
        assert top["message"] == ""
        assert SECRET not in json.dumps(items, ensure_ascii=False)
    hr_top = client.get("/api/v1/changes", headers=site["hr"]).get_json()["items"][0]
    assert hr_top["message"] == f"{SECRET} 공개 전환"
