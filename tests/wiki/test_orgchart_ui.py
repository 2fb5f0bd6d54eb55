"""The org chart and people: the page and API for signed-in staff, the admins' editor (a commit each save), search,
profiles with recent edits filtered by permission, and the chart from the real directory."""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from tests.conftest import ADMIN_PASSWORD, browser_sign_in, csrf_token_of, git, token_for
from wiki.orgchart import DISTRICTS, ORGCHART_FILE, DirectoryOrgChart

CHART = {
    "departments": [
        {"id": "seoul", "name": "서울특별시", "parent": None},
        {"id": "cityhall", "name": "서울특별시청", "parent": "seoul"},
        {"id": "admin-bureau", "name": "행정국", "parent": "cityhall"},
        {"id": "general", "name": "총무과", "parent": "admin-bureau"},
        {"id": "hr", "name": "인사과", "parent": "admin-bureau"},
        {"id": "jongno", "name": "종로구청", "parent": "seoul"},
        {"id": "jongno-civil", "name": "민원여권과", "parent": "jongno"},
    ],
    "people": [
        {"username": "minji", "name": "김민지", "title": "주무관", "department": "general", "phone": "02-2133-1001",
         "email": "minji@seoul.go.kr"},
        {"username": "hr.kim", "name": "김인사", "title": "팀장", "department": "hr", "phone": "02-2133-1002",
         "email": "hr.kim@seoul.go.kr"},
        {"username": "jongno.park", "name": "박종로", "title": "주무관", "department": "jongno-civil",
         "phone": "02-2148-1003", "email": "jongno.park@seoul.go.kr"},
    ],
}
PASSWORD = "비밀번호-12345"


@pytest.fixture
def staff(app, make_user):
    """minji signed in through the form; the test client carries her session."""
    make_user("minji", "김민지", password=PASSWORD)
    browser = app.test_client()
    assert browser_sign_in(browser, "minji", PASSWORD).status_code == 303
    return browser


@pytest.fixture
def charted(client, admin_headers):
    response = client.put("/api/v1/admin/orgchart", json={**CHART, "message": "조직도 첫 판"}, headers=admin_headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["revision"]


def test_skeleton_tree_shows_city_hall_and_the_25_district_offices(staff):
    text = staff.get("/orgchart").get_data(as_text=True)
    assert "서울특별시청" in text and "기획조정실" in text
    for district in DISTRICTS:
        assert f">{district}청</a>" in text
    assert 'aria-current="page">조직도</a>' in text  # the header link
    api = staff.get("/api/v1/orgchart").get_json()
    assert api["source"] == "repository"
    assert len([d for d in api["departments"] if d["name"].endswith("구청")]) == 25


def test_org_chart_and_profiles_are_for_signed_in_staff(client, charted):
    response = client.get("/orgchart")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/orgchart")
    assert client.get("/people/minji").status_code == 302
    for url in ("/api/v1/orgchart", "/api/v1/people?q=" + quote("김"), "/api/v1/people/minji"):
        response = client.get(url)
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized", url
    assert "조직도" not in client.get("/").get_data(as_text=True)  # no header link either


def test_admin_edit_is_a_commit_by_the_admin_with_history(app, client, admin_headers, madang):
    admin = app.test_client()
    browser_sign_in(admin, "admin", ADMIN_PASSWORD)
    form = admin.get("/admin/orgchart").get_data(as_text=True)
    assert "기획조정실" in form  # the skeleton, ready to edit
    response = admin.post("/admin/orgchart", data={"csrf_token": csrf_token_of(admin, "/admin/orgchart"),
                                                   "chart": json.dumps(CHART, ensure_ascii=False),
                                                   "message": "행정국 조직 반영"})
    assert response.status_code == 303
    log = git(madang.store.path, "log", "-1", "--format=%an|%ae|%s", "--", ORGCHART_FILE).strip()
    assert log == "관리자|admin@localhost|행정국 조직 반영"
    stored = json.loads(git(madang.store.path, "show", f"main:{ORGCHART_FILE}"))
    assert stored["people"][0]["name"] == "김민지"
    page = admin.get("/admin/orgchart").get_data(as_text=True)
    assert "행정국 조직 반영" in page and "관리자" in page  # the file's history
    audit = client.get("/api/v1/admin/audit?action=orgchart_changed", headers=admin_headers).get_json()["items"]
    assert audit[0]["actor"] == "admin" and audit[0]["detail"]["people"] == 3


@pytest.mark.parametrize("broken,reason", [
    ({"departments": [{"id": "a", "name": "가", "parent": "없음"}], "people": []}, "does not exist"),
    ({"departments": [{"id": "a", "name": "가"}, {"id": "a", "name": "나"}], "people": []}, "same id"),
    ({"departments": [{"id": "a", "name": "가", "parent": "b"}, {"id": "b", "name": "나", "parent": "a"}],
      "people": []}, "loop"),
    ({"departments": [], "people": [{"username": "x", "department": "없는부서"}]}, "does not exist"),
    ({"people": []}, "departments"),
])
def test_an_invalid_chart_is_refused_with_the_reason(client, admin_headers, madang, broken, reason):
    head = madang.store.head()
    response = client.put("/api/v1/admin/orgchart", json=broken, headers=admin_headers)
    assert response.status_code == 400 and reason in response.get_json()["message"]
    assert madang.store.head() == head


def test_the_admin_form_shows_json_and_validation_errors_and_keeps_the_text(app, madang):
    admin = app.test_client()
    browser_sign_in(admin, "admin", ADMIN_PASSWORD)
    token = csrf_token_of(admin, "/admin/orgchart")
    bad_json = admin.post("/admin/orgchart", data={"csrf_token": token, "chart": '{"departments": [잘못'})
    assert bad_json.status_code == 400 and "JSON 문법이 맞지 않습니다" in bad_json.get_data(as_text=True)
    assert "[잘못" in bad_json.get_data(as_text=True)
    loop = {"departments": [{"id": "a", "name": "가", "parent": "a"}], "people": []}
    refused = admin.post("/admin/orgchart", data={"csrf_token": token, "chart": json.dumps(loop)})
    assert refused.status_code == 400 and "loop" in refused.get_data(as_text=True)
    assert madang.store.blob_id(None, ORGCHART_FILE) is None


def test_non_admins_cannot_edit_the_chart(staff, client, make_user):
    headers = make_user("other", "다른사람")
    assert client.put("/api/v1/admin/orgchart", json=CHART, headers=headers).status_code == 403
    assert staff.get("/admin/orgchart").status_code == 403


def test_tree_department_page_and_people(staff, charted):
    tree = staff.get("/orgchart").get_data(as_text=True)
    assert "김민지" in tree and "행정국" in tree  # small charts list people in the tree
    dept = staff.get("/orgchart?dept=admin-bureau").get_data(as_text=True)
    assert "총무과" in dept and "인사과" in dept  # its units
    general = staff.get("/orgchart?dept=general").get_data(as_text=True)
    assert "김민지" in general and "02-2133-1001" in general and "mailto:minji@seoul.go.kr" in general
    assert "박종로" not in general
    assert staff.get("/orgchart?dept=없는부서").status_code == 404


def results(client, query: str) -> str:
    """The results section of /orgchart?q= (the header names the signed-in person too)."""
    text = client.get("/orgchart?q=" + quote(query)).get_data(as_text=True)
    return text.split('id="results"', 1)[1].split("</section>", 1)[0]


def test_search_by_name_and_by_department(staff, charted):
    by_name = results(staff, "김인")
    assert "김인사" in by_name and "김민지" not in by_name
    by_department = results(staff, "행정국")
    assert "김민지" in by_department and "김인사" in by_department and "박종로" not in by_department
    district = staff.get("/api/v1/people?q=" + quote("종로구청")).get_json()["items"]
    assert [p["username"] for p in district] == ["jongno.park"]
    assert district[0]["department_path"] == ["서울특별시", "종로구청", "민원여권과"]
    assert "찾는 직원이 없습니다" in results(staff, "없는사람")
    assert staff.get("/api/v1/people").status_code == 400


def test_accounts_outside_the_chart_are_found_too(staff, make_user):
    make_user("temp.choi", "최임시")
    found = staff.get("/api/v1/people?q=" + quote("최임")).get_json()["items"]
    assert [p["username"] for p in found] == ["temp.choi"]


def test_profile_shows_recent_edits_but_not_restricted_pages(app, client, admin_headers, make_user, staff, charted):
    rules = {"default": {"read": ["anonymous"], "edit": ["staff"]},
             "rules": [{"prefix": "인사/", "read": ["group:hr"], "edit": ["group:hr"]}]}
    assert client.put("/api/v1/admin/acl", json=rules, headers=admin_headers).status_code == 200
    hr = make_user("hr.kim", "김인사", groups=["hr"])
    assert client.put("/api/v1/pages/" + quote("인사/승진 심사 명단"), json={"markdown": "기밀 명단"},
                      headers=hr).status_code == 201
    assert client.put("/api/v1/pages/" + quote("공개/휴가 안내"),
                      json={"markdown": "휴가", "message": "휴가 안내 작성"}, headers=hr).status_code == 201
    profile = staff.get("/people/hr.kim").get_data(as_text=True)
    assert "김인사" in profile and "팀장" in profile and "02-2133-1002" in profile
    assert "서울특별시청" in profile and "행정국" in profile and "인사과" in profile  # the department path
    assert "공개/휴가 안내" in profile and "휴가 안내 작성" in profile
    assert "승진 심사" not in profile
    api = staff.get("/api/v1/people/hr.kim").get_json()
    assert api["groups"] == ["hr"] and [e["paths"] for e in api["recent_edits"]] == [["pages/공개/휴가 안내.md"]]
    assert "role" not in api  # only admins and the person themselves see roles
    hr_view = client.get("/api/v1/people/hr.kim", headers=hr).get_json()
    assert len(hr_view["recent_edits"]) == 2 and hr_view["role"] == "editor"
    assert staff.get("/people/없는사람").status_code == 404
    assert staff.get("/api/v1/people/nobody").status_code == 404


def test_profile_link_from_search_and_settings(staff, charted):
    text = staff.get("/orgchart?q=" + quote("김민지")).get_data(as_text=True)
    assert 'href="/people/minji"' in text
    assert 'href="/people/minji"' in staff.get("/settings").get_data(as_text=True)


# -- from the directory -------------------------------------------------------------------------------------------

def test_org_chart_from_the_directory(ldap_app, ldap_client):
    token = token_for(ldap_client, "kimcs", "철수-비밀번호-1")
    headers = {"Authorization": f"Bearer {token}"}
    api = ldap_client.get("/api/v1/orgchart", headers=headers).get_json()
    assert api["source"] == "directory"
    assert {d["name"] for d in api["departments"]} >= {"서울특별시청", "인사과", "종로구청", "강남구청"}
    found = ldap_client.get("/api/v1/people?q=" + quote("인사과"), headers=headers).get_json()["items"]
    assert [p["username"] for p in found] == ["leeyh"]
    assert found[0]["department_path"] == ["서울특별시청", "행정국", "인사과"]
    browser_sign_in(ldap_client, "kimcs", "철수-비밀번호-1")
    page = ldap_client.get("/orgchart").get_data(as_text=True)
    assert "직원 디렉터리(LDAP)에서 가져온 조직도" in page and "박지민" in page
    profile = ldap_client.get("/people/choiss").get_data(as_text=True)
    assert "최수성" in profile and "강남구청" in profile and "02-3423-0004" in profile


class FakeDirectory:
    """Stands in for LdapDirectory to test the cache's own logic (the real directory is tested above)."""

    def __init__(self) -> None:
        self.calls, self.down = 0, False

    def org_chart(self) -> dict:
        from wiki.directory import DirectoryUnavailable

        self.calls += 1
        if self.down:
            raise DirectoryUnavailable("down")
        return {"departments": [{"id": "d", "name": f"부서{self.calls}", "parent": None}], "people": []}


def test_directory_chart_is_cached_and_served_stale_while_the_directory_is_down():
    from wiki.directory import DirectoryUnavailable

    now = [1000.0]
    directory = FakeDirectory()
    charts = DirectoryOrgChart(directory, minutes=5, clock=lambda: now[0])
    assert charts.chart().by_id["d"].name == "부서1"
    now[0] += 299
    assert charts.chart().by_id["d"].name == "부서1" and directory.calls == 1
    now[0] += 2
    assert charts.chart().by_id["d"].name == "부서2"
    directory.down = True
    now[0] += 301
    assert charts.chart().by_id["d"].name == "부서2"  # stale, not an error
    empty = DirectoryOrgChart(FakeDirectory(), clock=lambda: now[0])
    empty.directory.down = True
    with pytest.raises(DirectoryUnavailable):
        empty.chart()


def test_orgchart_page_has_no_inline_script_or_style(staff, charted):
    for url in ("/orgchart", "/orgchart?q=" + quote("김"), "/orgchart?dept=general", "/people/minji"):
        text = staff.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), url
        assert not re.search(r"\sstyle\s*=", text), url
