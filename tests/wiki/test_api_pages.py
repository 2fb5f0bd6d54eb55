"""API.md 'Pages', 'Auth' and 'Accounts and permissions' through the Flask test client."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from tests.conftest import ADMIN_PASSWORD, git, make_config, token_for
from wiki.app import create_app
from wiki.models import ApiToken, User

GUIDE = "행정포털/사용법"
LINES = "".join(f"{n}번째 줄: 민원 처리 절차 안내\n" for n in range(1, 10))
HEX40 = re.compile(r"^[0-9a-f]{40}$")


def url(path: str, suffix: str = "") -> str:
    return "/api/v1/pages/" + quote(path, safe="/") + suffix


def assert_error(response, status: int, code: str) -> dict:
    """Every error: the right status and `{"error": code, "message": "<a sentence>"}`."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and len(body["message"]) > 10, body
    return body


def assert_iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, value
    return parsed


def put(client, path: str, markdown: str, headers: dict, **extra):
    return client.put(url(path), json={"markdown": markdown, **extra}, headers=headers)


def save(client, path: str, markdown: str, headers: dict, **extra) -> str:
    response = put(client, path, markdown, headers, **extra)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["revision"]


@pytest.fixture
def kim(make_user):
    return make_user("minjun.kim", "김민준", groups=["editors"])


@pytest.fixture
def lee(make_user):
    return make_user("seoyeon.lee", "이서연")


def small_client(tmp_path, **overrides):
    app = create_app(make_config(tmp_path, **overrides))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}
    return app, client, headers


# -- reading and writing a page -----------------------------------------------------------------------------------

def test_create_then_update_then_read(client, kim, madang):
    created = put(client, GUIDE, "# 포털 사용법\n\n로그인합니다.\n", kim, message="첫 판")
    assert created.status_code == 201
    body = created.get_json()
    assert body["path"] == GUIDE and body["merged"] is False and HEX40.match(body["revision"])
    updated = put(client, GUIDE, "# 포털 사용법\n\n로그인하고 메뉴를 엽니다.\n", kim)
    assert updated.status_code == 200 and updated.get_json()["revision"] != body["revision"]

    page = client.get(url(GUIDE)).get_json()  # anonymous readers may read by default
    assert page["path"] == GUIDE and page["title"] == "포털 사용법"
    assert page["markdown"] == "# 포털 사용법\n\n로그인하고 메뉴를 엽니다.\n"
    assert page["revision"] == updated.get_json()["revision"]
    assert page["author"] == {"name": "김민준", "email": "minjun.kim@seoul.go.kr"}
    assert_iso(page["date"])
    assert "html" not in page

    assert git(madang.store.path, "log", "-1", "--format=%an|%ae|%s", "main") == \
        "김민준|minjun.kim@seoul.go.kr|수정: 행정포털/사용법\n"
    assert git(madang.store.path, "log", "--format=%s", "main").splitlines()[-1] == "첫 판"


def test_render_html_is_given_when_asked(client, kim):
    save(client, GUIDE, "# 제목\n\n**굵게** 그리고 [[없는 문서]]\n\n<script>alert(1)</script>\n", kim)
    page = client.get(url(GUIDE) + "?render=html").get_json()
    assert "<strong>굵게</strong>" in page["html"] and "<script>" not in page["html"]
    assert_error(client.get(url(GUIDE) + "?render=pdf"), 400, "invalid_input")


def test_crlf_is_stored_as_lf_and_nfd_paths_as_nfc(client, kim, madang):
    nfd = unicodedata.normalize("NFD", GUIDE)
    response = client.put("/api/v1/pages/" + quote(nfd), json={"markdown": "첫 줄\r\n둘째 줄\r\n"}, headers=kim)
    assert response.status_code == 201 and response.get_json()["path"] == GUIDE
    assert client.get(url(GUIDE)).get_json()["markdown"] == "첫 줄\n둘째 줄\n"
    assert git(madang.store.path, "ls-tree", "-r", "-z", "--name-only", "main").split("\0")[0] == \
        "pages/행정포털/사용법.md"


def test_saving_unchanged_text_makes_no_commit(client, kim, madang):
    first = save(client, GUIDE, "같은 내용\n", kim)
    again = put(client, GUIDE, "같은 내용\n", kim)
    assert again.status_code == 200 and again.get_json()["revision"] == first
    assert git(madang.store.path, "rev-list", "--count", "main").strip() == "1"


def test_old_revision_and_unknown_revision(client, kim):
    first = save(client, GUIDE, "첫 판\n", kim)
    save(client, GUIDE, "둘째 판\n", kim)
    old = client.get(url(GUIDE) + f"?rev={first}").get_json()
    assert old["markdown"] == "첫 판\n" and old["revision"] == first
    assert client.get(url(GUIDE) + f"?rev={first[:12]}").get_json()["markdown"] == "첫 판\n"
    assert_error(client.get(url(GUIDE) + "?rev=" + "f" * 40), 404, "not_found")
    assert_error(client.get(url(GUIDE) + "?rev=이전판"), 404, "not_found")
    assert_error(client.get(url("없는/문서")), 404, "not_found")
    assert_error(client.get(url("없는/문서") + f"?rev={first}"), 404, "not_found")


@pytest.mark.parametrize("raw", [
    "/api/v1/pages/a/../b", "/api/v1/pages/.git", "/api/v1/pages/행정포털/.git/config",
    "/api/v1/pages/%2E%2E/%2E%2E/etc", "/api/v1/pages/문서%09탭", "/api/v1/pages/문서%0A", "/api/v1/pages/%00",
    "/api/v1/pages/" + quote("가" * 90), "/api/v1/pages/a//b", "/api/v1/pages/edit", "/api/v1/pages/행정포털/raw",
    "/api/v1/pages/a%23b", "/api/v1/pages/%FF", "/api/v1/pages/%ED%A0%80",  # not UTF-8; a UTF-8 surrogate
    "/api/v1/pages/a.md/b",
])
def test_invalid_paths_are_400_for_reading_and_writing(client, kim, raw):
    assert_error(client.get(raw), 400, "invalid_path")
    assert_error(client.put(raw, json={"markdown": "내용"}, headers=kim), 400, "invalid_path")


def test_invalid_utf8_in_the_query_string(client, kim):
    save(client, GUIDE, "내용\n", kim)
    assert_error(client.get(url(GUIDE) + "?rev=%FF"), 400, "invalid_path")
    assert_error(client.get("/api/v1/changes?cursor=%C3%28"), 400, "invalid_input")


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b'{"markdown": "\xff\xfe"}', "application/json"),                     # not UTF-8
    ('{"markdown": "가"}'.encode("utf-16"), "application/json"),           # JSON, but not UTF-8
    (b'{"markdown": "\\ud800"}', "application/json"),                    # a lone surrogate
    (b'["markdown"]', "application/json"),
    (b'"markdown"', "application/json"),
    (b'{"markdown": 42}', "application/json"),
    (b'{"markdown": null}', "application/json"),
    (b'{"message": "markdown \xec\x97\x86\xec\x9d\x8c"}', "application/json"),
    (b'{"markdown": "   \\n\\t "}', "application/json"),                  # empty page
    (b'{"markdown": "NUL \\u0000 \xeb\xac\xb8\xec\x9e\x90"}', "application/json"),
    (b'{"markdown": "\xeb\x82\xb4\xec\x9a\xa9", "message": 7}', "application/json"),
    (b'{"markdown": "\xeb\x82\xb4\xec\x9a\xa9", "base_revision": "\xec\x97\x86\xeb\x8a\x94\xed\x8c\x90"}',
     "application/json"),                                                 # unknown base_revision
    (b'{"markdown": "\xeb\x82\xb4\xec\x9a\xa9", "base_revision": "' + b"f" * 40 + b'"}', "application/json"),
    (b"", "application/json"),
])
def test_invalid_bodies_are_400_and_change_nothing(client, kim, madang, body, content_type):
    head = madang.store.head()
    response = client.put(url(GUIDE), data=body, headers={**kim, "Content-Type": content_type})
    assert_error(response, 400, "invalid_input")
    assert madang.store.head() == head


def test_long_commit_message_is_refused(client, kim):
    assert_error(put(client, GUIDE, "내용", kim, message="가" * 501), 400, "invalid_input")


def test_oversized_page_is_413(tmp_path):
    app, client, headers = small_client(tmp_path, max_page_bytes=1024)
    fits = "가" * 341 + "\n"  # 1024 bytes
    assert put(client, GUIDE, fits, headers).status_code == 201
    assert_error(put(client, GUIDE, fits + "가", headers), 413, "too_large")
    assert client.get(url(GUIDE)).get_json()["markdown"] == fits
    app.extensions["madang"].db.engine.dispose()


# -- concurrent edits -------------------------------------------------------------------------------------------

def test_non_overlapping_concurrent_edits_merge(client, kim, lee):
    base = save(client, GUIDE, LINES, kim)
    theirs = put(client, GUIDE, LINES.replace("1번째", "첫째"), lee, base_revision=base)
    assert theirs.status_code == 200 and theirs.get_json()["merged"] is False
    mine = put(client, GUIDE, LINES.replace("9번째", "아홉째"), kim, base_revision=base)
    assert mine.status_code == 200 and mine.get_json()["merged"] is True
    assert client.get(url(GUIDE)).get_json()["markdown"] == LINES.replace("1번째", "첫째").replace("9번째", "아홉째")


def test_overlapping_concurrent_edits_are_409_with_the_clients_text_intact(client, kim, lee, madang):
    base = save(client, GUIDE, LINES, kim)
    theirs_text = LINES.replace("5번째 줄", "다섯째 줄 — 이서연")
    theirs = save(client, GUIDE, theirs_text, lee, base_revision=base)
    yours_text = LINES.replace("5번째 줄", "다섯째 줄 — 김민준") + "\n내가 새로 쓴 긴 문단입니다.\r\n"
    body = assert_error(put(client, GUIDE, yours_text, kim, base_revision=base), 409, "edit_conflict")
    assert body["base"] == LINES and body["theirs"] == theirs_text
    assert body["yours"] == yours_text.replace("\r\n", "\n")
    assert madang.store.head() == theirs
    assert client.get(url(GUIDE)).get_json()["markdown"] == theirs_text


def test_base_revision_of_a_page_that_did_not_exist_yet(client, kim, lee):
    base = save(client, "공지/첫 공지", "공지\n", kim)
    save(client, GUIDE, "이서연이 먼저 만든 문서\n", lee, base_revision=base)
    body = assert_error(put(client, GUIDE, "김민준이 만든 문서\n", kim, base_revision=base), 409, "edit_conflict")
    assert body["theirs"] == "이서연이 먼저 만든 문서\n" and body["yours"] == "김민준이 만든 문서\n"


# -- delete, move, history ----------------------------------------------------------------------------------------

def test_delete_keeps_history_readable(client, kim, madang):
    first = save(client, GUIDE, "첫 판\n", kim)
    second = save(client, GUIDE, "둘째 판\n", kim)
    response = client.delete(url(GUIDE), json={"message": "필요 없어져 삭제"}, headers=kim)
    assert response.status_code == 200
    deleted = response.get_json()["revision"]
    assert HEX40.match(deleted)
    assert_error(client.get(url(GUIDE)), 404, "not_found")
    history = client.get(url(GUIDE, "/history")).get_json()["items"]
    assert [i["revision"] for i in history] == [deleted, second, first]
    assert history[0]["message"] == "필요 없어져 삭제"
    assert client.get(url(GUIDE) + f"?rev={second}").get_json()["markdown"] == "둘째 판\n"
    assert git(madang.store.path, "show", f"{second}:pages/{GUIDE}.md") == "둘째 판\n"
    assert_error(client.delete(url(GUIDE), headers=kim), 404, "not_found")
    assert client.delete(url("없는 문서"), headers=kim).status_code == 404


def test_delete_takes_the_attachments_along_but_not_the_child_pages(client, kim, madang):
    save(client, "부서", "부서 안내\n", kim)
    save(client, "부서/총무과", "총무과\n", kim)
    assert client.put(url("부서", "/attachments/조직도.png"), data=b"\x89PNG1", headers=kim).status_code == 201
    assert client.put(url("부서/총무과", "/attachments/사진.png"), data=b"\x89PNG2", headers=kim).status_code == 201
    assert client.delete(url("부서"), headers=kim).status_code == 200
    files = git(madang.store.path, "ls-tree", "-r", "-z", "--name-only", "main").split("\0")
    assert "attachments/부서.files/조직도.png" not in files
    assert "attachments/부서/총무과.files/사진.png" in files and "pages/부서/총무과.md" in files


def test_move_and_history_follows_the_page(client, kim, lee, madang):
    first = save(client, "임시/초안", "# 복무 규정\n\n초안\n", kim)
    second = save(client, "임시/초안", "# 복무 규정\n\n초안 수정\n", lee)
    assert client.put(url("임시/초안", "/attachments/별표.pdf"), data=b"%PDF-1.7", headers=kim).status_code == 201
    attached = madang.store.head()
    response = client.post(url("임시/초안", "/move"), json={"to": "규정/복무 규정", "message": "자리 옮김"},
                           headers=kim)
    assert response.status_code == 200
    moved = response.get_json()
    assert moved["path"] == "규정/복무 규정" and HEX40.match(moved["revision"])
    assert_error(client.get(url("임시/초안")), 404, "not_found")
    assert client.get(url("규정/복무 규정")).get_json()["markdown"] == "# 복무 규정\n\n초안 수정\n"
    assert client.get(url("규정/복무 규정", "/attachments/별표.pdf")).data == b"%PDF-1.7"

    history = client.get(url("규정/복무 규정", "/history")).get_json()["items"]
    assert [i["revision"] for i in history] == [moved["revision"], second, first]
    assert [i["path"] for i in history] == ["규정/복무 규정", "임시/초안", "임시/초안"]
    assert history[0]["message"] == "자리 옮김"
    assert attached not in [i["revision"] for i in history]  # attachment commits are not page revisions
    assert [i["author"]["name"] for i in history] == ["김민준", "이서연", "김민준"]
    # git itself follows it as well
    follow = git(madang.store.path, "log", "--follow", "--format=%H", "main", "--", "pages/규정/복무 규정.md")
    assert follow.split() == [moved["revision"], second, first]
    # diff across the move compares the right texts
    diff = client.get(url("규정/복무 규정", f"/diff?from={first}&to={moved['revision']}")).get_json()
    assert "".join(t for op, t in diff["ops"] if op <= 0) == "# 복무 규정\n\n초안\n"
    assert "".join(t for op, t in diff["ops"] if op >= 0) == "# 복무 규정\n\n초안 수정\n"


def test_move_refusals(client, kim):
    save(client, "가/문서", "가\n", kim)
    save(client, "나/문서", "나\n", kim)
    assert_error(client.post(url("가/문서", "/move"), json={"to": "나/문서"}, headers=kim), 409, "already_exists")
    assert_error(client.post(url("가/문서", "/move"), json={"to": "가/문서"}, headers=kim), 400, "invalid_input")
    assert_error(client.post(url("가/문서", "/move"), json={"to": "../x"}, headers=kim), 400, "invalid_path")
    assert_error(client.post(url("가/문서", "/move"), json={}, headers=kim), 400, "invalid_input")
    assert_error(client.post(url("없는/문서", "/move"), json={"to": "새/문서"}, headers=kim), 404, "not_found")
    assert client.get(url("나/문서")).get_json()["markdown"] == "나\n"


def test_history_shape_and_paging_without_duplicates_or_gaps(client, kim, lee):
    revisions = [save(client, GUIDE, f"{n}판\n", kim if n % 2 else lee, message=f"{n}번째 수정")
                 for n in range(1, 12)]
    full = client.get(url(GUIDE, "/history?limit=500")).get_json()
    assert full["next"] is None
    assert [i["revision"] for i in full["items"]] == revisions[::-1]
    item = full["items"][0]
    assert item["path"] == GUIDE and item["message"] == "11번째 수정"
    assert item["author"] == {"name": "김민준", "email": "minjun.kim@seoul.go.kr"}
    assert_iso(item["date"])

    seen, cursor, pages = [], None, 0
    while True:
        query = "/history?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url(GUIDE, query)).get_json()
        assert len(body["items"]) <= 3
        seen += [i["revision"] for i in body["items"]]
        pages += 1
        if pages == 2:  # new commits land while the reader pages: what is left does not change
            save(client, GUIDE, "끼어든 12판\n", lee)
            save(client, "다른/문서", "다른 문서\n", lee)
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 4 and seen == revisions[::-1]
    assert client.get(url(GUIDE, "/history")).get_json()["items"][0]["message"] == "수정: 행정포털/사용법"


def test_history_paging_across_moves_with_every_page_size(client, kim):
    """A page moved twice (and back): every page size yields the same list, newest first, nothing twice."""
    expected = [save(client, "가/문서", "1판\n", kim), save(client, "가/문서", "2판\n", kim)]
    for old, new, text in (("가/문서", "나/문서", "3판\n"), ("나/문서", "가/문서", "4판\n")):
        moved = client.post(url(old, "/move"), json={"to": new}, headers=kim)
        assert moved.status_code == 200
        expected += [moved.get_json()["revision"], save(client, new, text, kim)]
    expected = expected[::-1]
    full = client.get(url("가/문서", "/history")).get_json()["items"]
    assert [i["revision"] for i in full] == expected
    assert [i["path"] for i in full] == ["가/문서", "가/문서", "나/문서", "나/문서", "가/문서", "가/문서"]
    for limit in range(1, len(expected) + 1):
        seen, cursor = [], None
        while True:
            body = client.get(url("가/문서", f"/history?limit={limit}" + (f"&cursor={cursor}" if cursor else "")))
            seen += [i["revision"] for i in body.get_json()["items"]]
            cursor = body.get_json()["next"]
            if cursor is None:
                break
        assert seen == expected, limit


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=열", "cursor=%%%", "cursor=WzFd",
                                   "cursor=eyJpIjogImFiYyJ9"])
def test_history_paging_arguments_are_checked(client, kim, query):
    save(client, GUIDE, "내용\n", kim)
    assert_error(client.get(url(GUIDE, "/history?" + query)), 400, "invalid_input")


def test_history_of_a_missing_page_is_404(client):
    assert_error(client.get(url("없는/문서", "/history")), 404, "not_found")


# -- revert, blame, diff --------------------------------------------------------------------------------------------

def test_revert_makes_a_new_commit_with_the_old_content(client, kim, lee, madang):
    first = save(client, GUIDE, "# 원래 문서\n\n정확한 내용\n", kim)
    save(client, GUIDE, "# 망가진 문서\n\n잘못 고친 내용\n", lee)
    response = client.post(url(GUIDE, "/revert"), json={"revision": first, "message": "잘못 고친 것 되돌림"},
                           headers=kim)
    assert response.status_code == 200
    reverted = response.get_json()["revision"]
    assert reverted not in (first,) and madang.store.head() == reverted
    assert git(madang.store.path, "show", f"{reverted}:pages/{GUIDE}.md") == \
        git(madang.store.path, "show", f"{first}:pages/{GUIDE}.md")
    assert git(madang.store.path, "rev-list", "--count", "main").strip() == "3"
    history = client.get(url(GUIDE, "/history")).get_json()["items"]
    assert history[0]["revision"] == reverted and history[0]["message"] == "잘못 고친 것 되돌림"
    assert client.get(url(GUIDE)).get_json()["markdown"] == "# 원래 문서\n\n정확한 내용\n"
    assert_error(client.post(url(GUIDE, "/revert"), json={"revision": "f" * 40}, headers=kim), 404, "not_found")
    assert_error(client.post(url(GUIDE, "/revert"), json={}, headers=kim), 400, "invalid_input")


def test_revert_of_a_deleted_page_brings_it_back(client, kim):
    first = save(client, GUIDE, "되살릴 문서\n", kim)
    client.delete(url(GUIDE), headers=kim)
    assert client.post(url(GUIDE, "/revert"), json={"revision": first}, headers=kim).status_code == 200
    assert client.get(url(GUIDE)).get_json()["markdown"] == "되살릴 문서\n"


def test_blame_names_two_different_users(client, kim, lee):
    first = save(client, GUIDE, "김민준이 쓴 첫 줄\n함께 쓰는 둘째 줄\n", kim)
    second = save(client, GUIDE, "김민준이 쓴 첫 줄\n함께 쓰는 둘째 줄\n이서연이 보탠 셋째 줄\n", lee)
    lines = client.get(url(GUIDE, "/blame")).get_json()["lines"]
    assert [(x["number"], x["text"], x["author"]["name"], x["revision"]) for x in lines] == [
        (1, "김민준이 쓴 첫 줄", "김민준", first), (2, "함께 쓰는 둘째 줄", "김민준", first),
        (3, "이서연이 보탠 셋째 줄", "이서연", second)]
    assert lines[2]["author"]["email"] == "seoyeon.lee@seoul.go.kr"
    assert_iso(lines[0]["date"])
    old = client.get(url(GUIDE, f"/blame?rev={first}")).get_json()["lines"]
    assert len(old) == 2
    assert_error(client.get(url("없는 문서", "/blame")), 404, "not_found")


def test_diff_ops_reconstruct_both_texts(client, kim):
    old_text = "# 민원 안내\n\n접수는 1층 민원실에서 합니다.\n운영 시간: 9시–18시\n"
    new_text = "# 민원 안내\n\n접수는 2층 통합민원실에서 합니다.\n운영 시간: 9시–18시\n점심시간에도 운영합니다.\n"
    first = save(client, GUIDE, old_text, kim)
    second = save(client, GUIDE, new_text, kim)
    for query in (f"?from={first}&to={second}", "", f"?to={second}"):
        body = client.get(url(GUIDE, "/diff" + query)).get_json()
        assert body["from"] == first and body["to"] == second
        assert {op for op, _ in body["ops"]} <= {-1, 0, 1}
        assert "".join(t for op, t in body["ops"] if op in (-1, 0)) == old_text
        assert "".join(t for op, t in body["ops"] if op in (0, 1)) == new_text
        assert isinstance(body["html"], str) and "점심시간에도 운영합니다." in body["html"]
    created = client.get(url(GUIDE, f"/diff?to={first}")).get_json()
    assert created["from"] is None and created["ops"] == [[1, old_text]]
    assert_error(client.get(url(GUIDE, "/diff?from=" + "f" * 40)), 404, "not_found")


# -- lists ----------------------------------------------------------------------------------------------------

def test_list_pages_by_prefix_with_paging(client, kim):
    paths = [f"부서/총무과/회의록 {n:02d}" for n in range(1, 8)] + ["부서/인사과", "행정포털/사용법", "부서장 회의"]
    for path in paths:
        save(client, path, f"# {path.rsplit('/', 1)[-1]} 제목\n\n내용\n", kim)
    everything = client.get("/api/v1/pages?limit=500").get_json()
    assert sorted(p["path"] for p in everything["items"]) == sorted(paths) and everything["next"] is None
    item = next(p for p in everything["items"] if p["path"] == "부서/인사과")
    assert item["title"] == "인사과 제목" and HEX40.match(item["revision"])
    assert_iso(item["date"])

    seen, cursor = [], None
    while True:
        query = "/api/v1/pages?prefix=" + quote("부서/") + "&limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(query).get_json()
        seen += [p["path"] for p in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == sorted(p for p in paths if p.startswith("부서/"))
    assert client.get("/api/v1/pages?prefix=" + quote("없는곳/")).get_json() == {"items": [], "next": None}
    assert_error(client.get("/api/v1/pages?limit=0"), 400, "invalid_input")


def test_deleted_and_moved_pages_leave_the_list(client, kim):
    save(client, "가/하나", "하나\n", kim)
    save(client, "가/둘", "둘\n", kim)
    client.delete(url("가/하나"), headers=kim)
    client.post(url("가/둘", "/move"), json={"to": "나/둘"}, headers=kim)
    assert [p["path"] for p in client.get("/api/v1/pages").get_json()["items"]] == ["나/둘"]


def test_changes_paging_newest_first(client, kim, lee):
    revisions = [save(client, f"공지/{n}호", f"공지 {n}\n", kim if n % 2 else lee) for n in range(1, 8)]
    first_page = client.get("/api/v1/changes?limit=3").get_json()
    item = first_page["items"][0]
    assert item["revision"] == revisions[-1] and item["paths"] == ["pages/공지/7호.md"]
    assert item["author"] == {"name": "김민준", "email": "minjun.kim@seoul.go.kr"}
    assert item["message"] == "새 문서: 공지/7호"
    assert_iso(item["date"])
    seen, cursor = [i["revision"] for i in first_page["items"]], first_page["next"]
    save(client, "공지/늦은 공지", "늦게\n", lee)  # lands while paging
    while cursor:
        body = client.get(f"/api/v1/changes?limit=3&cursor={cursor}").get_json()
        seen += [i["revision"] for i in body["items"]]
        cursor = body["next"]
    assert seen == revisions[::-1]


# -- attachments ------------------------------------------------------------------------------------------------

def test_attachment_put_get_list_delete_with_a_korean_name(client, kim, madang):
    save(client, GUIDE, "# 사용법\n", kim)
    name = "청사 배치도 (2층).png"
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = client.put(url(GUIDE, "/attachments/" + quote(name)), data=data,
                          headers={**kim, "Content-Type": "image/png"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == name and body["size"] == len(data) and HEX40.match(body["revision"])
    assert git(madang.store.path, "log", "-1", "--format=%an", "main").strip() == "김민준"

    got = client.get(url(GUIDE, "/attachments/" + quote(name)))
    assert got.status_code == 200 and got.data == data and got.mimetype == "image/png"
    assert "UTF-8''" + quote(name) in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    listing = client.get(url(GUIDE, "/attachments")).get_json()["items"]
    assert listing == [{"name": name, "size": len(data), "type": "image/png"}]

    pdf = client.put(url(GUIDE, "/attachments/" + quote("예산서.pdf")), data=b"%PDF-1.7 ...", headers=kim)
    assert pdf.status_code == 201
    assert client.get(url(GUIDE, "/attachments/" + quote("예산서.pdf"))).mimetype == "application/pdf"
    old = client.get(url(GUIDE, "/attachments/" + quote(name)) + f"?rev={body['revision']}")
    assert old.data == data

    deleted = client.delete(url(GUIDE, "/attachments/" + quote(name)), headers=kim)
    assert deleted.status_code == 200 and HEX40.match(deleted.get_json()["revision"])
    assert_error(client.get(url(GUIDE, "/attachments/" + quote(name))), 404, "not_found")
    assert_error(client.delete(url(GUIDE, "/attachments/" + quote(name)), headers=kim), 404, "not_found")
    assert client.get(url(GUIDE, "/attachments/" + quote(name)) + f"?rev={body['revision']}").data == data


def test_attachment_refusals(tmp_path):
    app, client, headers = small_client(tmp_path, max_upload_bytes=2048)
    save(client, GUIDE, "내용\n", headers)
    assert_error(client.put(url("없는 문서", "/attachments/a.png"), data=b"x", headers=headers), 404, "not_found")
    assert_error(client.put(url(GUIDE, "/attachments/빈 파일.txt"), data=b"", headers=headers), 400,
                 "invalid_input")
    assert_error(client.put(url(GUIDE, "/attachments/큰 파일.bin"), data=b"x" * 2049, headers=headers), 413,
                 "too_large")
    # beyond what the server reads at all
    assert_error(client.put(url(GUIDE, "/attachments/아주 큰 파일.bin"), data=b"x" * (2048 + 1024 * 1024 + 1),
                            headers=headers), 413, "too_large")
    for name in ("설치.exe", "스크립트.PS1", "run.bat"):
        assert_error(client.put(url(GUIDE, "/attachments/" + quote(name)), data=b"MZ", headers=headers), 415,
                     "unsupported_type")
    assert_error(client.put(url(GUIDE, "/attachments/.htaccess"), data=b"x", headers=headers), 400, "invalid_path")
    assert client.get(url(GUIDE, "/attachments")).get_json()["items"] == []
    app.extensions["madang"].db.engine.dispose()


def test_a_page_and_its_child_page_keep_their_attachments_apart(client, kim):
    save(client, "부서", "부서\n", kim)
    save(client, "부서/자료", "하위 문서\n", kim)
    assert client.put(url("부서", "/attachments/자료"), data=b"file named like the child page",
                      headers=kim).status_code == 201
    assert client.put(url("부서/자료", "/attachments/사진.png"), data=b"\x89PNG", headers=kim).status_code == 201
    assert client.get(url("부서", "/attachments/자료")).data == b"file named like the child page"
    assert client.get(url("부서/자료", "/attachments/사진.png")).data == b"\x89PNG"
    assert [a["name"] for a in client.get(url("부서", "/attachments")).get_json()["items"]] == ["자료"]


@pytest.mark.parametrize("name, payload", [
    ("공지.html", b"<html><script>alert(document.cookie)</script></html>"),
    ("도면.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("page.htm", b"<script>alert(1)</script>"),
    ("data.xml", b"<?xml version='1.0'?><x/>"),
    ("app.js", b"alert(1)"),
])
def test_uploaded_active_content_is_never_served_as_active_content(client, kim, name, payload):
    save(client, GUIDE, "내용\n", kim)
    assert client.put(url(GUIDE, "/attachments/" + quote(name)), data=payload,
                      headers={**kim, "Content-Type": "text/html"}).status_code == 201
    response = client.get(url(GUIDE, "/attachments/" + quote(name)))
    assert response.status_code == 200 and response.data == payload
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype not in ("text/html", "application/xhtml+xml", "text/javascript", "text/xml")
    disposition = response.headers["Content-Disposition"]
    csp = response.headers.get("Content-Security-Policy", "")
    assert disposition.startswith("attachment") or ("sandbox" in csp and "script-src" not in csp
                                                     and "default-src 'none'" in csp)


def test_backlinks(client, kim):
    save(client, GUIDE, "# 사용법\n", kim)
    save(client, "공지/안내", "자세한 것은 [[행정포털/사용법]]을 보세요.\n", kim)
    save(client, "공지/기타", "[[행정포털/사용법|사용법 문서]] 참고\n", kim)
    assert client.get(url(GUIDE, "/backlinks")).get_json()["items"] == ["공지/기타", "공지/안내"]
    save(client, "공지/기타", "링크를 지웠습니다.\n", kim)
    assert client.get(url(GUIDE, "/backlinks")).get_json()["items"] == ["공지/안내"]


# -- tokens, accounts, authorisation ----------------------------------------------------------------------------

def test_token_exchange_and_me(client, kim):
    me = client.get("/api/v1/me", headers=kim).get_json()
    assert me["username"] == "minjun.kim" and me["name"] == "김민준" and me["groups"] == ["editors"]
    assert me["email"] == "minjun.kim@seoul.go.kr" and me["department"] == ""
    response = client.post("/api/v1/auth/token", json={"username": "minjun.kim", "password": "비밀번호-12345"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"] and assert_iso(body["expires"]) > datetime.now(UTC) + timedelta(days=1)
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


@pytest.mark.parametrize("credentials", [
    {"username": "admin", "password": "틀린 비밀번호"},
    {"username": "없는사람", "password": ADMIN_PASSWORD},
    {"username": "nobody", "password": ADMIN_PASSWORD},
    {"username": "admin", "password": ""},
])
def test_wrong_credentials_are_401(client, credentials):
    response = client.post("/api/v1/auth/token", json=credentials)
    body = assert_error(response, 401, "unauthorized")
    assert "token" not in body and response.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_token_request_needs_both_fields(client):
    assert_error(client.post("/api/v1/auth/token", json={"username": "admin"}), 400, "invalid_input")
    assert_error(client.post("/api/v1/auth/token", data=b"\xff", content_type="application/json"), 400,
                 "invalid_input")


@pytest.mark.parametrize("header", ["Bearer mdg_not-a-real-token", "Bearer ", "Basic YWRtaW46YWRtaW4=", "mdg_x",
                                    "Bearer 한글토큰"])
def test_bad_authorization_header_is_401_even_for_public_reads(client, kim, header):
    save(client, GUIDE, "공개 문서\n", kim)
    assert_error(client.get(url(GUIDE), headers={"Authorization": header}), 401, "unauthorized")
    assert_error(client.put(url(GUIDE), json={"markdown": "바꿈"}, headers={"Authorization": header}), 401,
                 "unauthorized")


def test_expired_token_is_401(client, kim, madang):
    assert client.get("/api/v1/me", headers=kim).status_code == 200
    with madang.db.session() as session:
        user = session.scalar(select(User).where(User.username == "minjun.kim"))
        for row in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert_error(client.get("/api/v1/me", headers=kim), 401, "unauthorized")
    assert_error(put(client, GUIDE, "내용", kim), 401, "unauthorized")


def test_revoked_token_is_401(client, make_user):
    headers = make_user("revoke.me", "철회자")
    other = {"Authorization": f"Bearer {token_for(client, 'revoke.me', '비밀번호-12345')}"}
    assert_error(client.delete("/api/v1/auth/token"), 401, "unauthorized")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 200
    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")
    assert_error(client.delete("/api/v1/auth/token", headers=headers), 401, "unauthorized")
    assert client.get("/api/v1/me", headers=other).status_code == 200  # only that one token


def test_anonymous_changes_are_401_and_commit_nothing(client, kim, madang):
    save(client, GUIDE, "내용\n", kim)
    head = madang.store.head()
    for response in (
        client.put(url(GUIDE), json={"markdown": "익명 수정"}),
        client.put(url("새 문서"), json={"markdown": "익명 작성"}),
        client.delete(url(GUIDE)),
        client.post(url(GUIDE, "/move"), json={"to": "딴 곳"}),
        client.post(url(GUIDE, "/revert"), json={"revision": head}),
        client.put(url(GUIDE, "/attachments/a.png"), data=b"x"),
        client.delete(url(GUIDE, "/attachments/a.png")),
    ):
        assert_error(response, 401, "unauthorized")
    assert madang.store.head() == head


def test_admin_routes(client, kim, admin_headers):
    acl = {"default": {"read": ["anonymous"], "edit": ["staff"]}, "rules": []}
    for method, route, body in (("post", "/api/v1/admin/users", {"username": "x.y", "password": "비밀번호-12345",
                                                               "name": "엑스", "email": "x@seoul.go.kr"}),
                                ("get", "/api/v1/admin/acl", None), ("put", "/api/v1/admin/acl", acl)):
        assert_error(getattr(client, method)(route, json=body, headers=kim), 403, "forbidden")
        assert_error(getattr(client, method)(route, json=body), 401, "unauthorized")
    assert client.get("/api/v1/admin/acl", headers=admin_headers).status_code == 200


def test_admin_creates_accounts(client, admin_headers):
    body = {"username": "jiwoo.park", "password": "비밀번호-12345", "name": "박지우", "email": "jiwoo.park@seoul.go.kr",
            "department": "총무과", "groups": ["hr"]}
    created = client.post("/api/v1/admin/users", json=body, headers=admin_headers)
    assert created.status_code == 201
    assert created.get_json()["department"] == "총무과" and created.get_json()["groups"] == ["hr"]
    assert_error(client.post("/api/v1/admin/users", json=body, headers=admin_headers), 409, "already_exists")
    for bad in ({**body, "username": "박지우"}, {**body, "username": "short.pw", "password": "짧음"},
                {**body, "username": "no.name", "name": None}, {**body, "username": "str.groups", "groups": "hr"},
                {**body, "username": "str.admin", "is_admin": "false"}):
        assert_error(client.post("/api/v1/admin/users", json=bad, headers=admin_headers), 400, "invalid_input")
    token = token_for(client, "jiwoo.park", "비밀번호-12345")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["groups"] == ["hr"] and me.get_json()["is_admin"] is False
    for refused in ("str.groups", "str.admin"):
        assert_error(client.post("/api/v1/auth/token", json={"username": refused, "password": "비밀번호-12345"}),
                     401, "unauthorized")


def test_acl_document_round_trip(client, admin_headers, madang):
    rules = {"default": {"read": ["staff"], "edit": ["staff"]},
             "rules": [{"prefix": "인사/", "read": ["group:hr"], "edit": ["group:hr"]}]}
    response = client.put("/api/v1/admin/acl", json=rules, headers=admin_headers)
    assert response.status_code == 200 and response.get_json()["revision"] == madang.store.head()
    assert client.get("/api/v1/admin/acl", headers=admin_headers).get_json()["rules"][0]["prefix"] == "인사/"
    assert "site/acl.json" in git(madang.store.path, "show", "--name-only", "--format=", "main")
    for bad in ({"rules": "모두"}, {"rules": [{"read": ["staff"]}]}, {"default": {"read": "staff"}}, [1]):
        assert_error(client.put("/api/v1/admin/acl", json=bad, headers=admin_headers), 400, "invalid_input")


def test_cookie_session_changes_need_the_csrf_token(app, client, kim, madang):
    with madang.db.session() as session:
        user = session.scalar(select(User).where(User.username == "minjun.kim"))
        uid, version = user.id, user.session_version
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["uid"], session["ver"] = uid, version
        session["csrf_token"] = "a" * 40
    assert browser.get("/api/v1/me").get_json()["username"] == "minjun.kim"  # the cookie does sign in
    head = madang.store.head()
    refused = browser.put(url(GUIDE), json={"markdown": "위조된 요청"})
    assert_error(refused, 400, "invalid_input")
    assert_error(browser.put(url(GUIDE), json={"markdown": "위조"}, headers={"X-CSRFToken": "가짜"}), 400,
                 "invalid_input")
    assert_error(browser.delete(url(GUIDE)), 400, "invalid_input")
    assert madang.store.head() == head
    good = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("a" * 40)
    allowed = browser.put(url(GUIDE), json={"markdown": "정상 요청"}, headers={"X-CSRFToken": good})
    assert allowed.status_code == 201
    assert git(madang.store.path, "log", "-1", "--format=%an", "main").strip() == "김민준"


def test_unknown_routes_and_methods_answer_json(client):
    assert_error(client.get("/api/v1/없는-주소"), 404, "not_found")
    assert_error(client.post(url(GUIDE, "/blame")), 405, "invalid_input")
