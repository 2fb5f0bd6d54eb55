"""Themes: the admin picks one in the console (a commit to site/theme.json); templates and static files come
from the chosen theme first, then from the default; `@default/` names the default's file; switching back and
forth and a change made by another process are seen on the next request."""
from __future__ import annotations

import json
import re

import pytest
from jinja2 import TemplateNotFound

from tests.conftest import ADMIN_PASSWORD, git
from tests.support.console import post_form, sign_in, text_of
from tests.support.hooks import builtins_off
from wiki.app import create_app
from wiki.store import Author, ContentStore
from wiki.web.theming import THEME_FILE, themes

KIM = Author("김민준", "minjun.kim@seoul.go.kr")
MARK = '<meta name="theme-color" content="#000000">'  # what the high-contrast theme's base.html adds


@pytest.fixture
def app(config):
    builtins_off(config)  # the pages these tests save need no search index
    app = create_app(config)
    yield app
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def admin(client):
    sign_in(client, "admin", ADMIN_PASSWORD)
    return client


def choose(client, name: str):
    return post_form(client, "/admin/theme", "/admin/theme", {"theme": name})


def stylesheet(page: str) -> str:
    return re.search(r'<link rel="stylesheet" href="(/static/css/madang\.css\?v=[^"]+)">', page).group(1)


def test_the_default_theme_until_an_admin_chooses_another(admin):
    page = admin.get("/").text
    assert MARK not in page
    css = admin.get("/static/css/madang.css").text
    assert "@import" not in css and "--brand: #0b5cad" in css
    screen = text_of(admin.get("/admin/theme").text)
    assert "기본 default 지금 쓰는 테마" in screen and "고대비 high-contrast" in screen
    assert "아직 바뀐 적이 없습니다." in screen


def test_choosing_a_theme_is_a_commit_and_overrides_templates_and_static_files(admin, madang, config):
    before = admin.get("/").text
    response = choose(admin, "high-contrast")
    assert response.status_code == 303
    assert json.loads(git(config.content_repo, "show", f"main:{THEME_FILE}")) == {"theme": "high-contrast"}
    assert git(config.content_repo, "log", "-1", "--format=%an|%s").strip() == "관리자|테마: high-contrast"
    screen = admin.get("/admin/theme").text
    assert "테마를 high-contrast(으)로 바꿨습니다." in screen
    assert "관리자 <admin@localhost> 테마: high-contrast" in text_of(screen.split('id="history-title"', 1)[1])

    page = admin.get("/").text
    assert MARK in page, "the theme's own base.html"
    assert "최근 바뀜" in page and 'class="hero"' in page, "home.html still comes from the default"
    assert stylesheet(page) != stylesheet(before), "a new address, so browsers fetch the theme's file"
    css = admin.get(stylesheet(page)).text
    assert css.startswith("/* High-contrast theme") and '@import url("../@default/css/madang.css")' in css
    assert "--brand: #0b5cad" in admin.get("/static/@default/css/madang.css").text, "what it imports"
    assert admin.get("/static/img/favicon.svg").status_code == 200, "files it lacks come from the default"
    assert admin.get("/static/js/madang.js").status_code == 200
    assert admin.get("/static/@none/css/madang.css").status_code == 404
    assert admin.get("/static/../wiki/app.py").status_code == 404
    assert MARK in admin.get("/wiki/" + "없는 문서").text and MARK in admin.get("/admin/health").text
    error = admin.get("/없는/주소")
    assert error.status_code == 404 and MARK in error.text, "error pages too"

    choose(admin, "default")
    page = admin.get("/").text
    assert MARK not in page and stylesheet(page) == stylesheet(before), "switching back reloads the templates"


def test_a_theme_chosen_by_another_process_is_seen_on_the_next_request(client, config):
    assert MARK not in client.get("/").text
    other = ContentStore(config.content_repo)
    other.commit({THEME_FILE: json.dumps({"theme": "high-contrast"}).encode()}, KIM, "테마 바꿈")
    assert MARK in client.get("/").text
    other.commit({THEME_FILE: json.dumps({"theme": "지워진-테마"}).encode()}, KIM, "없는 테마")
    assert MARK not in client.get("/").text, "a theme that is not installed falls back to the default"
    other.commit({THEME_FILE: b"{not json"}, KIM, "깨진 파일")
    assert client.get("/").status_code == 200 and MARK not in client.get("/").text
    other.close()


def test_the_theme_api_and_bad_choices(client, admin_headers, make_user):
    listing = client.get("/api/v1/admin/theme", headers=admin_headers).get_json()
    assert listing["theme"] == "default"
    names = {item["name"]: item for item in listing["items"]}
    assert names["high-contrast"]["title"] == {"ko": "고대비", "en": "High contrast"}
    bad = client.put("/api/v1/admin/theme", json={"theme": "../default"}, headers=admin_headers)
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_input"
    assert client.put("/api/v1/admin/theme", json={"theme": 3}, headers=admin_headers).status_code == 400
    staff = make_user("jiwoo", "박지우")
    assert client.put("/api/v1/admin/theme", json={"theme": "high-contrast"}, headers=staff).status_code == 403
    done = client.put("/api/v1/admin/theme", json={"theme": "high-contrast"}, headers=admin_headers)
    assert done.status_code == 200 and len(done.get_json()["revision"]) == 40
    assert client.get("/api/v1/admin/theme", headers=admin_headers).get_json()["theme"] == "high-contrast"


def test_the_loader_names_a_theme_explicitly_and_reports_what_is_missing(app):
    with app.test_request_context():
        loader = app.jinja_loader
        source, filename, _ = loader.get_source(app.jinja_env, "@default/base.html")
        assert filename.endswith("themes/default/templates/base.html") and "{% block head %}" in source
        source, filename, _ = loader.get_source(app.jinja_env, "@high-contrast/base.html")
        assert '{% extends "@default/base.html" %}' in source
        for missing in ("없는.html", "@high-contrast/page.html", "@없는테마/base.html", "../wiki/app.py"):
            with pytest.raises(TemplateNotFound):
                loader.get_source(app.jinja_env, missing)
        assert {"base.html", "page.html", "admin/plugins.html"} <= set(loader.list_templates())
        assert themes().current() == "default"


def test_core_screens_render_in_the_high_contrast_theme(admin, admin_headers):
    admin.put("/api/v1/pages/" + "공지/안내", json={"markdown": "# 안내\n\n고대비 화면에서도 보입니다.\n"},
              headers=admin_headers)
    choose(admin, "high-contrast")
    for url in ["/", "/changes", "/pages", "/wiki/공지/안내", "/wiki/공지/안내/edit", "/wiki/공지/안내/history",
                "/admin", "/admin/plugins"]:
        response = admin.get(url)
        assert response.status_code == 200 and MARK in response.text, url
    assert "고대비 화면에서도 보입니다." in admin.get("/wiki/공지/안내").text
