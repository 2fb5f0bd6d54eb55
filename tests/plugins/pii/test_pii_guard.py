"""The guard on save, the report over the whole history, and suppression of old revisions (through the API)."""
from __future__ import annotations

from tests.conftest import git
from tests.support.hooks import exercises

RRN = "900101-1234568"


def commits(app) -> int:
    return int(git(app.extensions["madang"].config.content_repo, "rev-list", "--count", "main").strip())


def test_live_check_answers_masked_findings(client):
    response = client.post("/api/v1/pii/check", json={"text": f"민원인 {RRN}, 연락처 010-1234-5678"})
    assert response.status_code == 200
    assert response.get_json()["findings"] == [
        {"kind": "rrn", "start": 4, "end": 18, "masked": "900101-1******", "severity": "high", "confidence": "high"},
        {"kind": "mobile", "start": 24, "end": 37, "masked": "010-****-****", "severity": "medium",
         "confidence": "high"}]
    assert client.post("/api/v1/pii/check", json={"text": 5}).status_code == 400


@exercises("madang_before_commit")
def test_block_refuses_with_masked_findings_and_commits_nothing(app, client, set_policy, put_page):
    set_policy("warn", [{"prefix": "공개", "mode": "block"}])
    put_page("공개/안내", "# 안내\n\n문의는 민원실로.")
    before = commits(app)
    response = put_page("공개/안내", f"# 안내\n\n| 이름 | 번호 |\n| --- | --- |\n| 홍길동 | {RRN} |\n", status=422)
    answer = response.get_json()
    assert answer["error"] == "pii_detected"
    assert [(f["kind"], f["masked"], f["path"]) for f in answer["findings"]] == [("rrn", "900101-1******", "공개/안내")]
    assert RRN not in response.get_data(as_text=True)
    assert commits(app) == before
    assert RRN not in git(app.extensions["madang"].config.content_repo, "log", "-p", "main")
    # a new page under the prefix is refused too, and so is an attachment's text
    put_page("공개/새글", "전화 010-1234-5678", status=422)
    response = client.put("/api/v1/pages/공개/안내/attachments/명단.txt", data=f"홍길동 {RRN}".encode(),
                          headers={**_admin(client), "Content-Type": "text/plain"})
    assert response.status_code == 422 and response.get_json()["findings"][0]["masked"] == "900101-1******"
    assert commits(app) == before
    # e-mail addresses (low severity) only warn; outside the prefix the default (warn) lets it through
    put_page("공개/안내", "# 안내\n\n문의 minwon@seoul.go.kr")
    put_page("내부/명단", f"# 명단\n\n{RRN}")


def _admin(client) -> dict:
    from tests.conftest import ADMIN_PASSWORD, token_for

    return {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}


def test_warn_saves_and_says_so_and_off_says_nothing(app, set_policy, put_page):
    set_policy("warn", [{"prefix": "조용", "mode": "off"}])
    before = commits(app)
    response = put_page("공지", f"# 공지\n\n담당 010-1234-5678, {RRN}", status=201)
    assert response.headers["X-Madang-Pii-Warning"] == "mobile,rrn"
    assert commits(app) == before + 1
    response = put_page("조용/메모", f"# 메모\n\n{RRN}", status=201)
    assert "X-Madang-Pii-Warning" not in response.headers


def test_allow_list_lets_public_office_numbers_through(set_policy, put_page):
    set_policy("block", allow="02-2133-5678  # 민원실 대표번호\n")
    put_page("연락처", "# 연락처\n\n민원실 02-2133-5678", status=201)
    put_page("연락처", "# 연락처\n\n민원실 02-2133-5678, 과장 02-2133-9999", status=422)


def test_report_finds_old_revisions_and_attachments_and_is_for_admins(client, admin_headers, make_user, put_page):
    first = put_page("인사/발령", f"# 발령\n\n대상자 {RRN}").get_json()["revision"]
    put_page("인사/발령", "# 발령\n\n대상자 (번호 지움)")
    response = client.put("/api/v1/pages/인사/발령/attachments/연락망.csv",
                          data="이름,전화\n김,010-9876-5432\n".encode(),
                          headers={**admin_headers, "Content-Type": "text/csv"})
    assert response.status_code == 201
    attached = response.get_json()["revision"]
    answer = client.get("/api/v1/admin/pii/report", headers=admin_headers).get_json()
    found = {(i["path"], i["revision"], i["kind"], i["masked"], i["attachment"]) for i in answer["items"]}
    assert ("인사/발령", first, "rrn", "900101-1******", None) in found
    assert ("인사/발령", attached, "mobile", "010-****-****", "연락망.csv") in found
    assert all(i["author"]["name"] and i["date"] for i in answer["items"])
    # paged; the second scan reads only what is new
    page = client.get("/api/v1/admin/pii/report?limit=1", headers=admin_headers).get_json()
    assert len(page["items"]) == 1 and page["next"]
    rest = client.get(f"/api/v1/admin/pii/report?limit=10&cursor={page['next']}", headers=admin_headers).get_json()
    assert len(rest["items"]) == len(answer["items"]) - 1 and rest["next"] is None
    # not for others
    staff = make_user("kim")
    assert client.get("/api/v1/admin/pii/report", headers=staff).status_code == 403
    assert client.get("/api/v1/admin/pii/report").status_code in (401, 404)
    body = {"path": "인사/발령", "revision": first, "reason": "주민등록번호"}
    assert client.post("/api/v1/admin/pii/suppress", json=body, headers=staff).status_code == 403
    assert client.get("/admin/pii", headers=staff).status_code == 403


@exercises("madang_revision_visible")
def test_suppression_hides_the_revision_from_every_read_path(client, admin_headers, put_page):
    first = put_page("민원/처리", f"# 처리\n\n민원인 {RRN}\n연락 010-1111-2222").get_json()["revision"]
    second = put_page("민원/처리", "# 처리\n\n민원인 (가림)\n연락 (가림)").get_json()["revision"]
    response = client.put("/api/v1/pages/민원/처리/attachments/원본.txt", data=f"{RRN}".encode(),
                          headers={**admin_headers, "Content-Type": "text/plain"})
    attached = response.get_json()["revision"]
    client.delete("/api/v1/pages/민원/처리/attachments/원본.txt", headers=admin_headers)
    base = "/api/v1/pages/민원/처리"
    assert client.get(f"{base}?rev={first}", headers=admin_headers).status_code == 200
    response = client.post("/api/v1/admin/pii/suppress", headers=admin_headers,
                           json={"path": "민원/처리", "revision": first, "reason": "주민등록번호 노출"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["by"] == "admin"
    for url in (f"{base}?rev={first}", f"{base}/diff?from={first}&to={second}", f"{base}/blame?rev={first}",
                f"/wiki/민원/처리?rev={first}", f"/wiki/민원/처리/diff?from={first}&to={second}"):
        response = client.get(url, headers=admin_headers)
        assert response.status_code == 404, url
        assert RRN not in response.get_data(as_text=True), url
    assert client.get(f"{base}?rev={second}", headers=admin_headers).status_code == 200
    assert client.get(base, headers=admin_headers).get_json()["revision"] == second
    # an attachment at a revision
    assert client.get(f"{base}/attachments/원본.txt?rev={attached}", headers=admin_headers).status_code == 200
    assert client.post("/api/v1/admin/pii/suppress", headers=admin_headers,
                       json={"path": "민원/처리", "revision": attached, "reason": "원본 첨부"}).status_code == 201
    assert client.get(f"{base}/attachments/원본.txt?rev={attached}", headers=admin_headers).status_code == 404
    # the report marks them, the list and the audit log keep who and why
    items = client.get("/api/v1/admin/pii/report?prefix=민원", headers=admin_headers).get_json()["items"]
    assert items and all(i["suppressed"] for i in items if i["revision"] in (first, attached))
    listed = client.get("/api/v1/admin/pii/suppressions", headers=admin_headers).get_json()["items"]
    assert [s["reason"] for s in listed] == ["원본 첨부", "주민등록번호 노출"]
    bad = client.post("/api/v1/admin/pii/suppress", headers=admin_headers, json={"path": "민원/처리"})
    assert bad.status_code == 400


def test_admin_page_saves_the_policy_and_scans(app, client):
    from tests.conftest import ADMIN_PASSWORD, browser_sign_in, csrf_token_of

    browser_sign_in(client, "admin", ADMIN_PASSWORD)
    token = csrf_token_of(client, "/wiki/인사/명단/edit")
    client.post("/wiki/인사/명단/edit", data={"csrf_token": token, "markdown": f"# 명단\n\n{RRN}", "base_revision": ""})
    page = client.get("/admin/pii")
    assert page.status_code == 200 and "개인정보 점검" in page.get_data(as_text=True)
    assert client.get("/admin/pii?scan=1").status_code == 303  # the scan runs in the background
    app.extensions["madang_pii"].thread.join()
    text = client.get("/admin/pii").get_data(as_text=True)
    assert "인사/명단" in text and "900101-1******" in text and RRN not in text
    token = csrf_token_of(client, "/admin/pii")
    response = client.post("/admin/pii", data={"csrf_token": token, "action": "policy", "default": "warn",
                                               "rules": "공개 block\n내부 off", "allowlist": "02-120\n"})
    assert response.status_code == 303
    policy = git(app.extensions["madang"].config.content_repo, "show", "main:plugins/pii/policy.json")
    assert '"prefix": "공개"' in policy and '"mode": "block"' in policy
    # the editor keeps the text when the guard refuses it
    client.get("/wiki/공개/새글/edit")
    token = csrf_token_of(client, "/wiki/공개/새글/edit")
    response = client.post("/wiki/공개/새글/edit", data={"csrf_token": token, "markdown": f"# 새글\n\n{RRN}",
                                                       "base_revision": ""})
    assert response.status_code == 422
    assert 'id="pii-panel"' in response.get_data(as_text=True) and RRN in response.get_data(as_text=True)


def test_command_line_scan_shows_progress_and_masked_findings(app, put_page, capsys):
    from plugins.pii.__main__ import main

    put_page("민원/접수", f"# 접수\n\n{RRN}")
    put_page("민원/접수", "# 접수\n\n(지움)")
    assert main(["scan", "--repo", str(app.extensions["madang"].config.content_repo)]) == 0
    out, err = capsys.readouterr()
    assert "민원/접수\trrn\t900101-1******" in out and RRN not in out
    assert "scanned" in err and "commits" in err


def test_a_withheld_current_attachment_follows_the_plugin_state(client, admin_headers, put_page):
    put_page("민원/원본", "# 원본")
    url = "/api/v1/pages/민원/원본/attachments/명단.txt"
    attached = client.put(url, data=f"김민원 {RRN}".encode(), headers={**admin_headers, "Content-Type": "text/plain"})
    body = {"path": "민원/원본", "revision": attached.get_json()["revision"], "reason": "첨부 명단"}
    assert client.post("/api/v1/admin/pii/suppress", json=body, headers=admin_headers).status_code == 201
    for address in (url, "/wiki/민원/원본/attachments/명단.txt"):
        response = client.get(address, headers=admin_headers)
        assert response.status_code == 404 and RRN not in response.get_data(as_text=True), address
    # switched off, the guard withholds nothing (as its hook is not asked either); on again, it does
    assert client.put("/api/v1/admin/plugins/pii", json={"enabled": False}, headers=admin_headers).status_code == 200
    assert RRN in client.get(url, headers=admin_headers).get_data(as_text=True)
    assert client.put("/api/v1/admin/plugins/pii", json={"enabled": True}, headers=admin_headers).status_code == 200
    assert client.get(url, headers=admin_headers).status_code == 404
