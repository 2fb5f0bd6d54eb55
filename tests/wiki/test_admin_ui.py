"""The admin console: who may enter, the overview of every section, plugins switched as commits with their
history, the health screen (versions, repository, views) and rebuilding a view with progress."""
from __future__ import annotations

import platform
import re
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN_PASSWORD, git
from tests.plugins.notes import plugin as notes
from tests.support.console import PASSWORD, csrf_from, post_form, sign_in, text_of
from tests.support.hooks import builtins_off, exercises
from wiki.app import create_app
from wiki.models import CurrentPage, PageLink
from wiki.plugins import PLUGINS_FILE
from wiki.web import admin_ui, i18n
from wiki.web.admin_nav import SECTIONS

TEMPLATES = Path(__file__).resolve().parents[2] / "themes" / "default" / "templates" / "admin"
MINE = ["index.html", "plugins.html", "plugin.html", "theme.html", "health.html", "console_macros.html"]
CONSOLE = ["/admin", "/admin/plugins", "/admin/plugins/notes", "/admin/theme", "/admin/health"]


@pytest.fixture
def app(config):
    notes.CALLS.clear()
    builtins_off(config)
    app = create_app(config, extra_plugins=(notes,))
    yield app
    for job in admin_ui.rebuild_jobs(app).values():
        job.thread.join()
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def admin(client):
    sign_in(client, "admin", ADMIN_PASSWORD)
    return client


def put_page(client, headers, path: str, markdown: str) -> None:
    response = client.put(f"/api/v1/pages/{quote(path)}", json={"markdown": markdown}, headers=headers)
    assert response.status_code in (200, 201), response.get_json()


def test_only_admins_enter_the_console(client, make_user):
    response = client.get("/admin/plugins")
    assert response.status_code == 302 and "/login?next=/admin/plugins" in response.headers["Location"]
    assert client.get("/api/v1/admin/health").status_code == 401
    staff = make_user("minji", "김민지", password=PASSWORD)
    assert client.get("/api/v1/admin/health", headers=staff).status_code == 403
    sign_in(client, "minji", PASSWORD)
    home = client.get("/").text
    assert 'href="/admin"' not in home, "no console link for staff"
    for url in CONSOLE:
        assert client.get(url).status_code == 403, url
    token = csrf_from(home)
    refused = client.post("/admin/plugins/notes/state", data={"csrf_token": token, "enabled": "0"})
    assert refused.status_code == 403
    assert client.post("/admin/theme", data={"csrf_token": token, "theme": "high-contrast"}).status_code == 403


def test_the_overview_links_every_section_and_sums_up_the_site(admin, madang):
    page = admin.get("/admin")
    assert page.status_code == 200
    assert '<a class="button button-quiet" href="/admin" aria-current="page">관리</a>' in page.text
    registered = [s for s in SECTIONS if s.endpoint in admin.application.view_functions]
    assert {s.endpoint for s in registered} >= {"admin_ui.index", "admin_ui.plugins", "admin_ui.theme",
                                                 "admin_ui.health"}
    nav = page.text.split('class="admin-nav"', 1)[1].split("</nav>", 1)[0]
    for section in registered:
        assert i18n.CATALOG[section.label_key]["ko"] in nav, section
    links = page.text.split('id="sections-title"', 1)[1]
    for section in registered:
        if section.endpoint != "admin_ui.index":
            with admin.application.test_request_context():
                from flask import url_for

                assert f'href="{url_for(section.endpoint)}"' in links, section
    summary = text_of(page.text.split('id="summary-title"', 1)[1].split("</section>", 1)[0])
    installed, enabled = len(madang.plugins.plugins), len(madang.plugins.plugins) - len(madang.plugins.disabled_names())
    assert f"플러그인 {installed}개 중 {enabled}개 켜짐" in summary
    assert f"커밋 {madang.store.count_commits():,}개" in summary and "테마: default" in summary
    assert "모든 뷰가 최신입니다" in summary


def test_switching_a_plugin_in_the_console_is_a_commit_shown_in_its_history(admin, madang, config):
    missing_token = admin.post("/admin/plugins/notes/state", data={"enabled": "0"})
    assert missing_token.status_code == 400 and madang.plugins.enabled("notes"), "CSRF is required"
    response = post_form(admin, "/admin/plugins", "/admin/plugins/notes/state", {"enabled": "0", "next": "//evil"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/plugins", "never off-site"
    assert not madang.plugins.enabled("notes")
    page = admin.get("/admin/plugins").text
    assert "notes 플러그인을 껐습니다." in page
    row = text_of(re.search(r'<tr id="plugin-notes">.*?</tr>', page, re.S).group(0))
    assert "메모" in row and "꺼짐" in row and "앱에서 등록" in row
    history = text_of(page.split('id="history-title"', 1)[1])
    assert "변경 기록 (site/plugins.json)" in text_of(page)
    assert "관리자 <admin@localhost> 플러그인 notes (메모): 끔" in history
    revision = git(config.content_repo, "log", "-1", "--format=%H", "--", PLUGINS_FILE).strip()
    assert revision[:8] in history
    detail = post_form(admin, "/admin/plugins/notes", "/admin/plugins/notes/state",
                       {"enabled": "1", "next": "/admin/plugins/notes"})
    assert detail.headers["Location"] == "/admin/plugins/notes"
    assert "notes 플러그인을 켰습니다." in admin.get("/admin/plugins/notes").text
    assert admin.get("/admin/plugins/없는것").status_code == 404


@exercises("madang_health")
def test_the_health_screen_shows_versions_repository_views_and_plugins(admin, admin_headers, madang):
    put_page(admin, admin_headers, "행정포털/사용법", "# 사용법\n\n[[공지]]\n")
    page = admin.get("/admin/health").text
    text = text_of(page)
    assert f"Python {platform.python_version()}" in text and f"Flask {version('flask')}" in text
    assert "Madang " in text and "git " in text
    assert f"커밋 수 {madang.store.count_commits():,}" in text
    assert f"브랜치 {madang.store.branch}" in text
    for view in ("history", "pages", "notes"):
        row = text_of(re.search(rf'<tr id="view-{view}">.*?</tr>', page, re.S).group(0))
        assert "최신" in row and madang.store.head()[:8] in row, view
    assert "메모 수" in text, "the plugin's own health line"
    report = admin.get("/api/v1/admin/health", headers=admin_headers).get_json()
    assert report["repository"]["commits"] == madang.store.count_commits() > 0
    assert report["repository"]["size_bytes"] > 0 and report["database"]["dialect"] == "sqlite"
    behind = {v["name"]: v["behind"] for v in report["views"] if v["active"]}
    assert set(behind) >= {"history", "pages", "notes"} and set(behind.values()) == {0}
    assert report["versions"]["Python"] == platform.python_version()


def test_a_view_is_rebuilt_from_the_console(admin, admin_headers, madang, app):
    for i in range(3):
        put_page(admin, admin_headers, f"공지/안내 {i}", f"# 안내 {i}\n\n[[공지/안내 {i + 1}]]\n")

    def tables():
        with madang.db.session() as session:
            return ([(p.path, p.title, p.blob) for p in session.scalars(select(CurrentPage).order_by(
                CurrentPage.path))], sorted((link.source, link.target) for link in session.scalars(select(PageLink))))

    before = tables()
    response = post_form(admin, "/admin/health", "/admin/health/views/pages/rebuild", {})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/health#views")
    admin_ui.rebuild_jobs(app)["pages"].thread.join()
    page = admin.get("/admin/health").text
    assert "pages 뷰를 다시 만들기 시작했습니다." in page
    assert "다시 만들었습니다 (" in page and f"커밋 {madang.store.count_commits()}개" in page
    assert 'http-equiv="refresh"' not in page, "no more reloading once it is done"
    assert tables() == before, "the rebuilt view equals the one kept up to date"
    assert admin.post("/admin/health/views/pages/rebuild").status_code == 400, "CSRF is required"
    assert post_form(admin, "/admin/health", "/admin/health/views/없는뷰/rebuild", {}).status_code == 404


def test_a_running_rebuild_shows_its_progress_and_a_paused_view_is_not_rebuilt(admin, app, madang):
    jobs = admin_ui.rebuild_jobs(app)
    jobs["history"] = admin_ui.RebuildJob("history", total=2000, done=500)  # as a running thread leaves it
    page = admin.get("/admin/health").text
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="2000" value="500"' in page and "다시 만드는 중: 500/2,000 커밋 (25%)" in page
    again = post_form(admin, "/admin/health", "/admin/health/views/history/rebuild", {})
    assert "history 뷰는 이미 다시 만드는 중입니다." in admin.get(again.headers["Location"]).text
    del jobs["history"]
    post_form(admin, "/admin/plugins", "/admin/plugins/notes/state", {"enabled": "0"})
    paused = post_form(admin, "/admin/health", "/admin/health/views/notes/rebuild", {})
    page = admin.get(paused.headers["Location"]).text
    assert "notes 뷰는 플러그인이 꺼져 있어 다시 만들 수 없습니다." in page and "notes" not in jobs
    assert "멈춤 (플러그인 꺼짐)" in text_of(re.search(r'<tr id="view-notes">.*?</tr>', page, re.S).group(0))


class Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"])
        if tag in ("input", "select", "textarea") and attributes.get("type") not in ("hidden", "submit"):
            self.fields.append(attributes)


def test_every_field_is_labelled_and_every_word_is_translated(admin):
    for lang in ("ko", "en"):
        admin.get(f"/language/{lang}")
        for url in CONSOLE:
            response = admin.get(url)
            assert response.status_code == 200 and f'<html lang="{lang}">' in response.text, url
            assert "console." not in text_of(response.text), f"an untranslated key on {url}"
            collector = Fields()
            collector.feed(response.text)
            for attributes in collector.fields:
                assert attributes.get("id") in collector.label_for or attributes.get("aria-label"), (url, attributes)
    used: set[str] = set()
    for name in MINE:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]*[a-z_])["']""", (TEMPLATES / name).read_text("utf-8")))
    missing = sorted(key for key in used if key not in i18n.CATALOG)
    assert not missing, missing
    for key, entry in i18n.CATALOG.items():
        if key.startswith("console."):
            assert entry.get("ko") and entry.get("en"), key
