"""The privacy-officer role (a plugin setting) and the report's CSV export."""
from __future__ import annotations

import csv
import io

from tests.conftest import browser_sign_in, csrf_token_of

RRN = "900101-1234568"
OFFICERS = "group:privacy-officers, user:kim"


def set_officers(client, admin_headers, value: str) -> None:
    response = client.put("/api/v1/admin/plugins/pii", json={"settings": {"officers": value}}, headers=admin_headers)
    assert response.status_code == 200, response.get_json()


def test_only_named_officers_and_admins_see_the_report_and_withhold(client, admin_headers, make_user, put_page):
    first = put_page("민원/접수", f"# 접수\n\n민원인 {RRN}").get_json()["revision"]
    put_page("민원/접수", "# 접수\n\n민원인 (지움)")
    kim, lee, park = make_user("kim", "김담당"), make_user("lee", "이담당", groups=["privacy-officers"]), \
        make_user("park", "박직원", groups=["hr"])
    # before the setting names anyone, only admins may
    for who in (kim, lee, park):
        assert client.get("/api/v1/admin/pii/report", headers=who).status_code == 403
    set_officers(client, admin_headers, OFFICERS)
    for who in (kim, lee, admin_headers):
        answer = client.get("/api/v1/admin/pii/report", headers=who)
        assert answer.status_code == 200 and answer.get_json()["total"] >= 1
        assert client.get("/api/v1/admin/pii/report.csv", headers=who).status_code == 200
        assert client.get("/api/v1/admin/pii/suppressions", headers=who).status_code == 200
    body = {"path": "민원/접수", "revision": first, "reason": "주민등록번호 노출 (민원 제2024-17호)"}
    for url, method in (("/api/v1/admin/pii/report", "get"), ("/api/v1/admin/pii/report.csv", "get"),
                        ("/api/v1/admin/pii/suppressions", "get"), ("/api/v1/admin/pii/suppress", "post"),
                        ("/admin/pii", "get")):
        response = getattr(client, method)(url, headers=park, json=body if method == "post" else None)
        assert response.status_code == 403, url
        assert "개인정보 담당자" in response.get_data(as_text=True) or url == "/admin/pii"
        assert getattr(client, method)(url, json=body if method == "post" else None).status_code in (401, 404), url
    response = client.post("/api/v1/admin/pii/suppress", json=body, headers=lee)
    assert response.status_code == 201 and response.get_json()["by"] == "lee"
    # the audit log says who and why
    entries = client.get("/api/v1/admin/audit?action=pii.suppress", headers=admin_headers).get_json()["items"]
    assert [(e["actor"], e["target"], e["detail"]["reason"]) for e in entries] == [
        ("lee", f"민원/접수@{first}", body["reason"])]
    # an ordinary word is no principal: the setting is refused, and what was saved stays
    bad = client.put("/api/v1/admin/plugins/pii", json={"settings": {"officers": "kim"}}, headers=admin_headers)
    assert bad.status_code == 400
    assert client.get("/api/v1/admin/pii/report", headers=kim).status_code == 200
    set_officers(client, admin_headers, "group:privacy-officers")
    assert client.get("/api/v1/admin/pii/report", headers=kim).status_code == 403


def test_an_officer_uses_the_page_but_not_the_policy(app, client, admin_headers, make_user, put_page):
    put_page("인사/명단", f"# 명단\n\n{RRN}")
    make_user("kim", "김담당")
    set_officers(client, admin_headers, OFFICERS)
    browser_sign_in(client, "kim", "비밀번호-12345")
    page = client.get("/wiki/대문")
    assert 'href="/admin/pii"' in page.get_data(as_text=True)  # the menu entry
    text = client.get("/admin/pii").get_data(as_text=True)
    assert "점검 시작" in text and 'name="action" value="policy"' not in text
    token = csrf_token_of(client, "/admin/pii")
    refused = client.post("/admin/pii", data={"csrf_token": token, "action": "policy", "default": "off",
                                              "rules": "", "allowlist": ""})
    assert refused.status_code == 403
    assert client.get("/admin/pii?scan=1").status_code == 303
    app.extensions["madang_pii"].thread.join()
    assert "900101-1******" in client.get("/admin/pii").get_data(as_text=True)


def test_csv_export_is_excel_ready_masked_and_formula_safe(client, admin_headers, make_user, put_page):
    sneaky = make_user("eve", "=HYPERLINK(\"http://evil.example\",\"클릭\")")
    client.put("/api/v1/pages/공지/연락망", json={"markdown": f"# 연락망\n\n담당 010-2345-6789, {RRN}"},
               headers=sneaky)
    put_page("공지/연락망", "# 연락망\n\n(지움)")
    response = client.get("/api/v1/admin/pii/report.csv?prefix=공지", headers=admin_headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="pii-report-')
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads the Korean correctly
    text = raw.decode("utf-8-sig")
    assert RRN not in text and "2345-6789" not in text and "1234568" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "문서 path"
    found = {(r[0], r[3], r[5]) for r in rows[1:]}
    assert found == {("공지/연락망", "rrn", "900101-1******"), ("공지/연락망", "mobile", "010-****-****")}
    assert {r[7] for r in rows[1:]} == {"'=HYPERLINK(\"http://evil.example\",\"클릭\")"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    kinds = client.get("/api/v1/admin/pii/report.csv?kind=rrn", headers=admin_headers).get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(kinds)))) == 2


def test_cells_that_look_like_formulas_are_defused():
    from plugins.pii.export import safe_cell

    assert [safe_cell(v) for v in ("=1+1", "+82 10", "-2", "@SUM(A1)", "\tx", "김철수", None, 5)] == [
        "'=1+1", "'+82 10", "'-2", "'@SUM(A1)", "'\tx", "김철수", "", "5"]
