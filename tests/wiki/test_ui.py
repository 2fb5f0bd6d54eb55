"""The HTML interface through Flask's test client: every screen, the forms and their CSRF, Korean content."""
from __future__ import annotations

import base64
import html
import re
import unicodedata
from io import BytesIO
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.conftest import ADMIN_PASSWORD, git
from tests.support.html import FieldCollector
from wiki.web import i18n, rendering

PAGE = "행정포털/사용법"
URL = "/wiki/" + quote(PAGE)
PASSWORD = "비밀번호-12345"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                       "hQGAhKmMIQAAAABJRU5ErkJggg==")
TEMPLATES = Path(__file__).resolve().parents[2] / "themes" / "default" / "templates"


def csrf_from(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "the form has no CSRF token"
    return match.group(1)


def field(text: str, name: str) -> str:
    match = re.search(rf'<input[^>]* name="{name}"[^>]* value="([^"]*)"', text)
    assert match, f"no field {name}"
    return html.unescape(match.group(1))


def textarea(text: str, element_id: str) -> str:
    match = re.search(rf'<textarea id="{element_id}"[^>]*>\n(.*?)</textarea>', text, re.S)
    assert match, f"no textarea {element_id}"
    return html.unescape(match.group(1))


def sign_in(client, username: str, password: str, next_url: str = "/"):
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password,
                                       "next": next_url})


def put_page(client, headers: dict, markdown: str, path: str = PAGE, **extra) -> dict:
    response = client.put(f"/api/v1/pages/{quote(path)}", json={"markdown": markdown, **extra}, headers=headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def save_form(client, path: str, markdown: str, message: str = "", **overrides):
    form = client.get(f"/wiki/{quote(path)}/edit").text
    data = {"csrf_token": csrf_from(form), "base_revision": field(form, "base_revision"), "markdown": markdown,
            "message": message, **overrides}
    return client.post(f"/wiki/{quote(path)}/edit", data=data)


@pytest.fixture
def staff(client, make_user):
    """A signed-in member of staff with a Korean name; the test client carries the session."""
    make_user("minji", name="김민지", password=PASSWORD)
    response = sign_in(client, "minji", PASSWORD)
    assert response.status_code == 303
    return client


@pytest.fixture
def ko(client):
    client.set_cookie(i18n.COOKIE, "ko")
    return client


# -- every screen ---------------------------------------------------------------------------------------------
def test_every_screen_renders_for_a_korean_page(staff, admin_headers):
    text = "# 사용법\n\n## 시작하기\n행정포털 사용법입니다.\n\n## 자주 묻는 질문\n없음\n"
    first = put_page(staff, admin_headers, text)
    put_page(staff, admin_headers, text.replace("입니다.", "입니다. 고침."), base_revision=first["revision"])
    screens = ["/", URL, f"{URL}?rev={first['revision']}", f"{URL}/edit", f"{URL}/history", f"{URL}/diff",
               f"{URL}/diff?view=inline", f"{URL}/blame", f"{URL}/move", f"{URL}/delete",
               f"{URL}/revert?rev={first['revision']}", "/changes", "/pages", "/pages?prefix=" + quote("행정"),
               "/new"]
    for url in screens:
        response = staff.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/html"
        assert '<html lang="ko">' in response.text
        assert 'href="#main"' in response.text, "skip link"
        assert 'type="application/atom+xml"' in response.text


def test_pages_use_no_inline_script_or_style(staff, admin_headers):
    """The CSP is default-src 'self': inline scripts, handlers and style attributes would be blocked."""
    put_page(staff, admin_headers, "# 제목\n\n본문 [[다른 문서]]\n\n```python\nprint('안녕')\n```\n")
    for url in ["/", URL, f"{URL}/edit", f"{URL}/history", f"{URL}/diff", f"{URL}/blame", "/changes"]:
        text = staff.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), url
        assert not re.search(r"\son[a-z]+\s*=", text), url
        assert not re.search(r"\sstyle\s*=", text), url


def test_view_shows_toc_backlinks_meta_and_red_links(ko, admin_headers, madang):
    put_page(ko, admin_headers, "# 사용법\n\n## 가입\n내용\n\n## 로그인\n[[없는 문서]]\n")
    put_page(ko, admin_headers, "# 안내\n\n[[행정포털/사용법]]을 보세요.\n", path="안내")
    text = ko.get(URL).text
    assert '<h1 id="page-title" class="page-title">사용법</h1>' in text
    assert 'href="#h-가입"' in text and 'href="#h-로그인"' in text, "table of contents"
    assert 'class="wikilink new"' in text
    assert f'href="{rendering.page_url("안내")}"' in text, "what links here"
    assert "마지막 편집: 관리자" in text
    assert 'datetime="' in text


def test_page_addresses_are_made_canonical(ko, admin_headers):
    put_page(ko, admin_headers, "글\n")
    decomposed = unicodedata.normalize("NFD", PAGE)
    response = ko.get("/wiki/" + quote(decomposed) + "?rev=&path=x")
    assert response.status_code == 301
    assert response.headers["Location"] == URL + "?rev=&path=x"


def test_missing_page_offers_to_create_it(staff):
    response = staff.get("/wiki/" + quote("새/문서"))
    assert response.status_code == 404
    assert "이 문서 만들기" in response.text
    assert 'href="/wiki/' + quote("새/문서") + '/edit"' in response.text


def test_anonymous_sees_sign_in_to_create(ko):
    response = ko.get("/wiki/" + quote("없는문서"))
    assert response.status_code == 404
    assert "로그인하고 이 문서 만들기" in response.text


def test_home_lists_recent_changes_and_pages(ko, admin_headers):
    put_page(ko, admin_headers, "# 사용법\n내용\n", message="처음 씀")
    text = ko.get("/").text
    assert "마당에 오신 것을 환영합니다" in text
    assert "처음 씀" in text
    assert f'href="{rendering.page_url(PAGE)}"' in text
    assert 'action="/new"' in text


def test_new_page_box_goes_to_the_editor(staff, admin_headers):
    response = staff.get("/new?path=" + quote(" 회의록/2026년 "))
    assert response.status_code == 302
    assert unquote(response.headers["Location"]) == "/wiki/회의록/2026년/edit"
    put_page(staff, admin_headers, "내용\n")
    assert unquote(staff.get("/new?path=" + quote(PAGE)).headers["Location"]) == "/wiki/" + PAGE
    bad = staff.get("/new?path=" + quote("문서/edit"))
    assert bad.status_code == 400
    assert "이 이름은 쓸 수 없습니다" in bad.text


# -- signing in -----------------------------------------------------------------------------------------------
def test_sign_in_and_out(ko, make_user):
    make_user("minji", name="김민지", password=PASSWORD)
    response = sign_in(ko, "minji", PASSWORD, next_url=URL)
    assert response.status_code == 303
    assert response.headers["Location"] == URL
    home = ko.get("/").text
    assert "김민지 님" in home
    assert ko.get("/api/v1/me").get_json()["username"] == "minji"
    response = ko.post("/logout", data={"csrf_token": csrf_from(home)})
    assert response.status_code == 303
    assert ko.get("/api/v1/me").status_code == 401


def test_wrong_password_is_refused_with_the_form_again(ko):
    response = sign_in(ko, "admin", "틀린 비밀번호")
    assert response.status_code == 401
    assert "아이디나 비밀번호가 맞지 않습니다" in response.text
    assert 'value="admin"' in response.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example",
                                    "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(client, target):
    response = sign_in(client, "admin", ADMIN_PASSWORD, next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_anonymous_editor_is_sent_to_sign_in(client):
    response = client.get(f"{URL}/edit")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert unquote(location.query) == f"next={unquote(URL)}/edit"


def test_post_without_csrf_token_is_refused(staff, admin_headers, madang):
    put_page(staff, admin_headers, "원래 글\n")
    before = madang.store.head()
    response = staff.post(f"{URL}/edit", data={"markdown": "몰래 바꾼 글\n"})
    assert response.status_code == 400
    assert madang.store.head() == before
    assert staff.post("/logout").status_code == 400
    assert client_without_cookies_cannot_sign_in(staff)


def client_without_cookies_cannot_sign_in(client) -> bool:
    client.delete_cookie("madang_session")
    response = client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD})
    return response.status_code == 400


# -- editing --------------------------------------------------------------------------------------------------
def test_editing_through_the_form_commits_as_the_signed_in_person(staff, madang):
    response = save_form(staff, PAGE, "# 사용법\n\n첫 문단입니다.\n", message="처음 만듦")
    assert response.status_code == 303
    assert unquote(response.headers["Location"]) == "/wiki/" + PAGE
    page = staff.get(response.headers["Location"]).text
    assert "첫 문단입니다." in page
    assert "문서를 만들었습니다" in page
    response = save_form(staff, PAGE, "# 사용법\n\n첫 문단을 고쳤습니다.\n", message="고침")
    assert response.status_code == 303
    log = git(madang.config.content_repo, "log", "--format=%an%x09%ae%x09%s")
    assert log.splitlines()[:2] == ["김민지\tminji@seoul.go.kr\t고침", "김민지\tminji@seoul.go.kr\t처음 만듦"]


def test_editor_prefills_text_base_revision_and_preview(staff, admin_headers):
    saved = put_page(staff, admin_headers, "# 사용법\n\n**굵게** 쓴 글\n")
    text = staff.get(f"{URL}/edit").text
    assert textarea(text, "editor-text") == "# 사용법\n\n**굵게** 쓴 글\n"
    assert field(text, "base_revision") == saved["revision"]
    assert "<strong>굵게</strong>" in text, "the preview starts rendered"
    assert 'data-preview-url="/api/v1/render"' in text
    assert "data-upload" in text


def test_new_page_editor_notes_that_uploads_come_later(staff):
    text = staff.get(f"{URL}/edit").text
    assert "파일은 문서를 처음 저장한 뒤에 올릴 수 있습니다" in text
    assert "data-upload" not in text
    assert textarea(text, "editor-text").startswith("# 사용법")


def test_live_preview_endpoint_accepts_the_session_with_csrf_header(staff):
    token = csrf_from(staff.get(f"{URL}/edit").text)
    response = staff.post("/api/v1/render", json={"markdown": "## 미리 보기\n[[없는 곳]]", "path": PAGE},
                          headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert "미리 보기" in response.get_json()["html"]
    assert staff.post("/api/v1/render", json={"markdown": "x"}).status_code == 400


def test_empty_save_keeps_the_form(staff, admin_headers):
    put_page(staff, admin_headers, "원래 글\n")
    response = save_form(staff, PAGE, "   \n", message="비움")
    assert response.status_code == 400
    assert "본문이 비어 있습니다" in response.text
    assert field(response.text, "message") == "비움"


def test_overlapping_edits_show_the_conflict_screen_and_keep_my_text(staff, admin_headers, madang):
    first = put_page(staff, admin_headers, "첫 줄\n둘째 줄\n셋째 줄\n")
    form = staff.get(f"{URL}/edit").text
    theirs = put_page(staff, admin_headers, "첫 줄\n둘째 줄 — 관리자가 고침\n셋째 줄\n",
                      base_revision=first["revision"])
    mine = "첫 줄\n둘째 줄 — 민지가 고침\n셋째 줄\n"
    response = staff.post(f"{URL}/edit", data={"csrf_token": csrf_from(form), "markdown": mine,
                                               "base_revision": field(form, "base_revision"), "message": "내 수정"})
    assert response.status_code == 409
    text = response.text
    assert "편집 충돌" in text
    assert 'class="diff-sbs"' in text
    assert "관리자가" in text and "민지가" in text, "both versions side by side"
    assert textarea(text, "editor-text") == mine, "my text is kept"
    assert textarea(text, "conflict-theirs") == "첫 줄\n둘째 줄 — 관리자가 고침\n셋째 줄\n"
    assert field(text, "base_revision") == theirs["revision"]
    assert field(text, "message") == "내 수정"
    again = staff.post(f"{URL}/edit", data={"csrf_token": csrf_from(text), "markdown": mine,
                                            "base_revision": field(text, "base_revision"), "message": "내 수정"})
    assert again.status_code == 303
    assert madang.wiki.get(None, PAGE).markdown == mine


def test_a_concurrent_edit_elsewhere_is_merged(staff, admin_headers):
    first = put_page(staff, admin_headers, "첫 줄\n\n둘째 줄\n\n셋째 줄\n")
    form = staff.get(f"{URL}/edit").text
    put_page(staff, admin_headers, "첫 줄 (관리자)\n\n둘째 줄\n\n셋째 줄\n", base_revision=first["revision"])
    response = staff.post(f"{URL}/edit", data={"csrf_token": csrf_from(form),
                                               "base_revision": field(form, "base_revision"),
                                               "markdown": "첫 줄\n\n둘째 줄\n\n셋째 줄 (민지)\n"})
    assert response.status_code == 303
    page = staff.get(URL).text
    assert "첫 줄 (관리자)" in page and "셋째 줄 (민지)" in page
    assert "다른 사람의 변경과 합쳐 저장했습니다" in page


# -- history, diff, blame -------------------------------------------------------------------------------------
def test_history_shows_revisions_with_size_change(staff, admin_headers):
    first = put_page(staff, admin_headers, "가나다\n", message="처음")
    second = put_page(staff, admin_headers, "가나다라마\n", message="늘림")
    put_page(staff, admin_headers, "가나\n", message="줄임")
    text = staff.get(f"{URL}/history").text
    assert text.count('<tr class="status-') == 3
    assert '<span class="delta delta-pos">+6</span>' in text, "두 글자 = 6 bytes"
    assert '<span class="delta delta-neg">\u22129</span>' in text
    assert '<span class="badge badge-A">새 문서</span>' in text
    assert f'href="{URL}?rev={first["revision"]}"' in text
    assert f'value="{second["revision"]}" ' in text
    assert "처음" in text and "늘림" in text and "줄임" in text
    assert re.search(r"<time [^>]*>\d{4}-\d\d-\d\d \d\d:\d\d</time>", text)


def test_history_dates_are_in_seoul_time(staff, admin_headers, madang):
    put_page(staff, admin_headers, "글\n")
    row = madang.wiki.history(None, PAGE).items[0]
    seoul = row.date.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%d %H:%M")
    assert f">{seoul}</time>" in staff.get(f"{URL}/history").text


def test_history_pages_with_the_cursor(staff, admin_headers):
    for n in range(53):
        put_page(staff, admin_headers, f"{n}번째 판\n")
    text = staff.get(f"{URL}/history").text
    assert text.count('<tr class="status-') == 50
    older = re.search(r'rel="next" href="([^"]+)"', text).group(1)
    rest = staff.get(html.unescape(older)).text
    assert rest.count('<tr class="status-') == 3
    assert "처음으로" in rest


def test_diff_highlights_a_changed_korean_syllable(staff, admin_headers):
    first = put_page(staff, admin_headers, "# 인사\n안녕하세요 여러분\n", message="처음")
    second = put_page(staff, admin_headers, "# 인사\n안녕하셔요 여러분\n", message="말투 고침")
    text = staff.get(f"{URL}/diff?from={first['revision']}&to={second['revision']}").text
    assert '안녕하<del class="diff-del">세</del>요 여러분' in text
    assert '안녕하<ins class="diff-ins">셔</ins>요 여러분' in text
    assert "말투 고침" in text and "처음" in text, "both sides named"
    inline = staff.get(f"{URL}/diff?from={first['revision']}&to={second['revision']}&view=inline").text
    assert '<pre class="diff-inline">' in inline
    assert '<del class="diff-del">세</del><ins class="diff-ins">셔</ins>' in inline


def test_diff_links_to_previous_and_next_changes(staff, admin_headers):
    revs = [put_page(staff, admin_headers, f"{n}판\n")["revision"] for n in range(3)]
    text = html.unescape(staff.get(f"{URL}/diff?from={revs[1]}&to={revs[1]}").text)
    text = html.unescape(staff.get(f"{URL}/diff?to={revs[1]}").text)
    assert f"from={revs[0]}&to={revs[1]}" in text or f"to={revs[1]}&from={revs[0]}" in text
    assert "다음 변경" in text and revs[2] in text
    assert "이전 변경" not in text, "nothing before the first revision"


def test_blame_groups_lines_of_the_same_revision(staff, admin_headers, make_user, client):
    put_page(staff, admin_headers, "하나\n둘\n셋\n")
    other = make_user("junho", name="박준호")
    current = staff.get(f"/api/v1/pages/{quote(PAGE)}").get_json()
    put_page(staff, other, "하나\n둘\n셋\n넷\n다섯\n", base_revision=current["revision"])
    text = staff.get(f"{URL}/blame").text
    assert text.count('class="blame-info"') == 2
    assert 'rowspan="3"' in text and 'rowspan="2"' in text
    assert "관리자" in text and "박준호" in text
    assert "<code>다섯</code>" in text


# -- move, delete, revert -------------------------------------------------------------------------------------
def test_move_delete_and_revert_through_the_forms(staff, admin_headers, madang):
    first = put_page(staff, admin_headers, "# 사용법\n처음 글\n")
    put_page(staff, admin_headers, "# 사용법\n바뀐 글\n", base_revision=first["revision"])
    form = staff.get(f"{URL}/move").text
    response = staff.post(f"{URL}/move", data={"csrf_token": csrf_from(form), "to": "행정포털/이용 안내",
                                               "message": "이름 바꿈"})
    assert response.status_code == 303
    moved = "/wiki/" + quote("행정포털/이용 안내")
    assert response.headers["Location"] == moved
    assert "바뀐 글" in staff.get(moved).text
    assert staff.get(URL).status_code == 404
    history = staff.get(moved + "/history").text
    assert '<span class="badge badge-R">이동</span>' in history

    form = staff.get(f"{moved}/revert?rev={first['revision']}").text
    assert '<del class="diff-del">바뀐</del>' in form, "the confirmation shows what changes"
    assert '<ins class="diff-ins">처음</ins>' in form
    response = staff.post(f"{moved}/revert", data={"csrf_token": csrf_from(form), "revision": first["revision"]})
    assert response.status_code == 303
    assert "처음 글" in staff.get(moved).text

    form = staff.get(f"{moved}/delete").text
    response = staff.post(f"{moved}/delete", data={"csrf_token": csrf_from(form), "message": "필요 없음"})
    assert response.status_code == 303
    gone = staff.get(moved)
    assert gone.status_code == 404
    assert "이 문서는 삭제되었습니다" in gone.text
    subjects = git(madang.config.content_repo, "log", "--format=%an%x09%s").splitlines()[:3]
    assert subjects[0] == "김민지\t필요 없음"
    assert subjects[2] == "김민지\t이름 바꿈"


def test_moving_onto_an_existing_page_keeps_the_form(staff, admin_headers):
    put_page(staff, admin_headers, "하나\n")
    put_page(staff, admin_headers, "둘\n", path="다른 문서")
    form = staff.get(f"{URL}/move").text
    response = staff.post(f"{URL}/move", data={"csrf_token": csrf_from(form), "to": "다른 문서"})
    assert response.status_code == 409
    assert "그 이름의 문서가 이미 있습니다" in response.text
    assert field(response.text, "to") == "다른 문서"


def test_old_revision_shows_a_banner(staff, admin_headers):
    first = put_page(staff, admin_headers, "# 사용법\n옛 글\n")
    put_page(staff, admin_headers, "# 사용법\n새 글\n", base_revision=first["revision"])
    text = staff.get(f"{URL}?rev={first['revision']}").text
    assert "옛 판을 보고 있습니다" in text
    assert "관리자 님이 편집한" in text
    assert "옛 글" in text and "새 글" not in text
    assert f'/revert?rev={first["revision"]}' in text
    latest = staff.get(f"/api/v1/pages/{quote(PAGE)}").get_json()["revision"]
    assert "옛 판을 보고 있습니다" not in staff.get(f"{URL}?rev={latest}").text, "the current text is not old"


# -- attachments ----------------------------------------------------------------------------------------------
def upload(client, name: str, data: bytes, path: str = PAGE):
    token = csrf_from(client.get("/wiki/" + quote(path)).text)
    return client.post(f"/wiki/{quote(path)}/attachments", data={"csrf_token": token, "file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_uploaded_image_shows_in_the_page_and_serves_as_an_image(staff, admin_headers):
    put_page(staff, admin_headers, "# 사용법\n\n![지도](attachment:약도%20그림.png)\n")
    response = upload(staff, "약도 그림.png", PNG)
    assert response.status_code == 303
    page = staff.get(URL).text
    src = rendering.attachment_url(PAGE, "약도 그림.png")
    assert f'<img src="{src}" alt="지도"' in page
    assert "약도 그림.png" in page and "&#39;약도 그림.png&#39;을(를) 올렸습니다" in page
    served = staff.get(src)
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.data == PNG


def test_uploaded_html_and_svg_cannot_run_script(staff, admin_headers):
    put_page(staff, admin_headers, "첨부 시험\n")
    assert upload(staff, "evil.html", b"<script>alert(1)</script>").status_code == 303
    assert upload(staff, "evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
                  ).status_code == 303
    page = staff.get(URL)
    served = staff.get(rendering.attachment_url(PAGE, "evil.html"))
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert "html" not in served.mimetype
    assert "sandbox" in served.headers["Content-Security-Policy"]
    svg = staff.get(rendering.attachment_url(PAGE, "evil.svg"))
    assert "sandbox" in svg.headers["Content-Security-Policy"]
    assert "default-src 'none'" in svg.headers["Content-Security-Policy"]
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert "evil.html" in page.text


def test_blocked_upload_is_reported_and_attachments_can_be_deleted(staff, admin_headers, madang):
    put_page(staff, admin_headers, "첨부 시험\n")
    response = upload(staff, "setup.exe", b"MZ")
    assert "setup.exe" in staff.get(response.headers["Location"]).text
    assert madang.wiki.attachments(None, PAGE) == []
    upload(staff, "표.csv", "가,나\n".encode())
    token = csrf_from(staff.get(URL).text)
    response = staff.post(f"{URL}/attachments/{quote('표.csv')}", data={"csrf_token": token, "_action": "delete"})
    assert response.status_code == 303
    assert madang.wiki.attachments(None, PAGE) == []


def test_anonymous_upload_is_sent_to_sign_in(client, admin_headers):
    put_page(client, admin_headers, "글\n")
    token = csrf_from(client.get("/login").text)
    response = client.post(f"{URL}/attachments", data={"csrf_token": token, "file": (BytesIO(PNG), "a.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# -- lists, language, theme -----------------------------------------------------------------------------------
def test_recent_changes_and_page_list(ko, admin_headers):
    put_page(ko, admin_headers, "글\n", message="포털 안내 작성")
    put_page(ko, admin_headers, "회의\n", path="회의록/1월", message="회의록 작성")
    changes = ko.get("/changes").text
    assert "포털 안내 작성" in changes and "회의록 작성" in changes
    assert f'{rendering.page_url("회의록/1월")}/diff?to=' in changes
    pages = ko.get("/pages?prefix=" + quote("회의록/")).text
    assert "회의록/1월" in pages and "사용법" not in pages
    assert "회의록/1월" in ko.get("/pages?q=" + quote("회의")).text


def test_language_follows_choice_then_browser_then_korean(client):
    assert '<html lang="ko">' in client.get("/").text
    english = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert '<html lang="en">' in english and "Recent changes" in english
    response = client.get("/language/ko?next=/changes")
    assert response.headers["Location"] == "/changes"
    assert f"{i18n.COOKIE}=ko" in response.headers["Set-Cookie"]
    text = client.get("/", headers={"Accept-Language": "en"}).text
    assert '<html lang="ko">' in text and "최근 바뀜" in text
    client.get("/language/en")
    assert "Sign in" in client.get("/").text
    assert client.get("/language/fr").status_code == 404


def test_language_choice_survives_signing_in(client, make_user):
    make_user("minji", password=PASSWORD)
    client.get("/language/en")
    sign_in(client, "minji", PASSWORD)
    assert '<html lang="en">' in client.get("/").text


def test_error_pages_use_the_theme(ko):
    response = ko.get("/wiki/" + quote("문서/edit/x"))
    assert response.status_code == 400
    assert "쓸 수 없는 문서 이름입니다" in response.text
    assert 'class="site-header"' in response.text


def test_theme_assets_are_served(client):
    css = client.get("/theme/pygments.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and ".highlight" in css.text
    home = client.get("/").text
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', home):
        assert client.get(html.unescape(asset)).status_code == 200, asset


def test_every_template_string_is_translated():
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'\bt\(\s*"([a-z_.]*[a-z_])"', template.read_text()))
        used |= set(re.findall(r"\bt\(\s*'([a-z_.]*[a-z_])'", template.read_text()))
    dynamic = {"status.A", "status.D", "status.R", "status.X", "lang.ko", "lang.en", "error.not_found",
               "error.invalid_input", "error.invalid_path", "error.forbidden", "error.unauthorized"}
    missing = sorted(k for k in used | dynamic if k not in i18n.CATALOG)
    assert not missing, missing
    for key, entry in i18n.CATALOG.items():
        assert entry.get("ko") and entry.get("en"), key
    ui_source = (Path(__file__).resolve().parents[2] / "wiki" / "web" / "ui.py").read_text()
    for key in re.findall(r'\bt\("([a-z_.]+)"', ui_source):
        assert key in i18n.CATALOG, key


class FakePluginHost:
    """Stands in for the plugin host: one plugin with a menu entry, one that fails."""

    def hook(self, name: str):
        assert name == "madang_nav_items"

        def call(user):
            if user is not None and user.username == "broken":
                raise RuntimeError("plugin bug")
            return [[{"label": {"ko": "게시판", "en": "Boards"}, "url": "/boards", "order": 20}],
                    [{"label": "메신저", "url": "/messenger", "order": 10}]]

        return call


def test_plugin_menu_entries_appear_in_the_header(ko, madang, make_user):
    madang.plugins = FakePluginHost()
    text = ko.get("/").text
    assert text.index(">메신저</a>") < text.index(">게시판</a>"), "sorted by order"
    assert 'href="/boards"' in text
    ko.get("/language/en")
    assert ">Boards</a>" in ko.get("/").text
    make_user("broken", password=PASSWORD)
    sign_in(ko, "broken", PASSWORD)
    response = ko.get("/")
    assert response.status_code == 200 and 'href="/boards"' not in response.text


def test_every_form_field_has_a_label(staff, admin_headers):
    put_page(staff, admin_headers, "# 사용법\n글\n")
    put_page(staff, admin_headers, "# 사용법\n고친 글\n")
    upload(staff, "표.csv", "가,나\n".encode())
    for url in ["/", URL, f"{URL}/edit", f"{URL}/history", f"{URL}/move", f"{URL}/delete", "/pages", "/new"]:
        collector = FieldCollector()
        collector.feed(staff.get(url).text)
        assert collector.fields, url
        for attributes in collector.fields:
            labelled = attributes.get("id") in collector.label_for or attributes.get("aria-label")
            assert labelled, (url, attributes)
