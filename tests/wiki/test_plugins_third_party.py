"""A third-party plugin published as a package: pip installs tests/plugins/madang_hello (its pyproject.toml
declares the entry point `madang.plugins: hello`), Madang finds it, and an admin turns it on and configures it
in the console. Installed into a folder of its own that is put on sys.path for this module only, so the venv
and the other tests never see it."""
from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.conftest import ADMIN_PASSWORD, git
from tests.support.console import csrf_from, post_form, sign_in, text_of
from tests.support.hooks import exercises
from wiki.app import create_app, socketio
from wiki.plugins import PLUGINS_FILE

FIXTURE = Path(__file__).resolve().parents[1] / "plugins" / "madang_hello"


@pytest.fixture(scope="module")
def hello_installed(tmp_path_factory):
    source = tmp_path_factory.mktemp("source") / "madang_hello"
    shutil.copytree(FIXTURE, source, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path_factory.mktemp("site-packages")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "--no-index", "--target", str(target), str(source)],
                   check=True, capture_output=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    yield target
    sys.path.remove(str(target))
    for name in [m for m in sys.modules if m == "madang_hello" or m.startswith("madang_hello.")]:
        del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def app(hello_installed, config):
    app = create_app(config)
    yield app
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def admin(client):
    sign_in(client, "admin", ADMIN_PASSWORD)
    return client


def switch(client, enabled: bool):
    response = post_form(client, "/admin/plugins", "/admin/plugins/hello/state",
                         {"enabled": "1" if enabled else "0", "next": "/admin/plugins"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/plugins"
    return response


class Fields(HTMLParser):
    """The settings form's fields by name, their labels, and the options of selects."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, dict] = {}
        self.labels: dict[str, str] = {}
        self._label: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("input", "select") and attributes.get("type") != "hidden" and "name" in attributes:
            self.fields[attributes["name"]] = {**attributes, "tag": tag, "options": []}
            self._select = attributes["name"] if tag == "select" else None
        elif tag == "option" and self._select:
            self.fields[self._select]["options"].append(attributes["value"])
        elif tag == "label":
            self._label = attributes.get("for")
            self.labels[self._label] = ""

    def handle_data(self, data):
        if self._label:
            self.labels[self._label] += data

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None
        if tag == "select":
            self._select = None

    def label(self, name: str) -> str:
        return self.labels[self.fields[name]["id"]].strip()


def fields_of(page: str) -> Fields:
    """The fields of the page's settings form."""
    parser = Fields()
    parser.feed(page.split('class="settings-form', 1)[1].split("</form>", 1)[0])
    return parser


def test_an_installed_package_is_found_and_starts_disabled(madang, admin):
    info = madang.plugins.plugins["hello"]
    assert (info.origin, info.version, info.source) == ("entry_point", "1.2.0", "hello = madang_hello.plugin")
    assert not madang.plugins.enabled("hello"), "installing a package never changes the site by itself"
    for url in ["/hello/", "/hello/static/hello.css", "/api/v1/hello"]:
        assert admin.get(url).status_code == 404, url
    assert 'href="/hello/"' not in admin.get("/").text
    assert "/api/v1/hello" not in admin.get("/api/openapi.json").get_json()["paths"]
    row = text_of(re.search(r'<tr id="plugin-hello">.*?</tr>', admin.get("/admin/plugins").text, re.S).group(0))
    assert "인사" in row and "설치한 패키지" in row and "꺼짐" in row and "1.2.0" in row


@exercises("madang_blueprints", "madang_nav_items", "madang_openapi_paths")
def test_the_admin_enables_it_in_the_console_and_it_appears_everywhere(admin, config):
    response = switch(admin, True)
    listing = admin.get(response.headers["Location"]).text
    assert "hello 플러그인을 켰습니다." in listing
    page = admin.get("/hello/")
    assert page.status_code == 200 and '<h1 class="hello-greeting">안녕하세요</h1>' in page.text
    assert "madang-hello에서 보내는 인사입니다." in page.text and 'class="site-header"' in page.text
    css = re.search(r'href="(/hello/static/hello\.css[^"]*)"', page.text).group(1)
    assert ".hello-greeting" in admin.get(css).text
    assert '<a href="/hello/" aria-current="page">인사</a>' in page.text, "its menu entry, marked as here"
    assert admin.get("/api/v1/hello").get_json() == {"greeting": "안녕하세요"}
    document = admin.get("/api/openapi.json").get_json()
    assert document["paths"]["/api/v1/hello"]["get"]["summary"] == "인사말"
    validate(document)
    history = text_of(listing.split('id="history-title"', 1)[1])
    assert "관리자" in history and "플러그인 hello (인사): 켬" in history
    assert git(config.content_repo, "log", "-1", "--format=%an <%ae>", "--", PLUGINS_FILE).strip() \
        == "관리자 <admin@localhost>"


@exercises("madang_settings_schema")
def test_its_settings_form_is_built_from_the_schema_and_validated(admin, madang, config):
    page = admin.get("/admin/plugins/hello").text
    form = fields_of(page)
    greeting, times, shout, tone, ratio = (form.fields[k] for k in ("greeting", "times", "shout", "tone", "ratio"))
    assert (greeting["type"], greeting["value"], greeting["maxlength"]) == ("text", "안녕하세요", "40")
    assert [times[k] for k in ("type", "min", "max", "step", "value")] == ["number", "1", "5", "1", "1"]
    assert shout["type"] == "checkbox" and "checked" not in shout
    assert tone["tag"] == "select" and tone["options"] == ["다정하게", "격식 있게"]
    assert (ratio["type"], ratio["step"], ratio["value"]) == ("number", "any", "1.5")
    assert [form.label(k) for k in form.fields] == ["인사말", "반복 횟수", "크게 말하기", "말투", "글자 크기 비율"]
    assert "첫 화면에 보일 말" in page and "기본값: 안녕하세요" in page
    admin.get("/language/en")
    english = fields_of(admin.get("/admin/plugins/hello").text)
    assert english.label("greeting") == "Greeting" and english.label("shout") == "Shout"
    admin.get("/language/ko")

    head = madang.store.head()
    token = csrf_from(page)
    bad = admin.post("/admin/plugins/hello/settings", data={
        "csrf_token": token, "greeting": "", "times": "9", "tone": "반말", "ratio": "크게"})
    assert bad.status_code == 400 and madang.store.head() == head, "nothing was committed"
    text = text_of(bad.text)
    for message in ["설정을 저장하지 못했습니다", "1자 이상이어야 합니다.", "5 이하여야 합니다.",
                    "다음 중 하나여야 합니다: 다정하게, 격식 있게", "숫자 형식이어야 합니다."]:
        assert message in text, message
    assert fields_of(bad.text).fields["times"]["aria-invalid"] == "true"
    assert fields_of(bad.text).fields["times"]["value"] == "9", "what was typed stays in the form"

    good = admin.post("/admin/plugins/hello/settings", data={
        "csrf_token": token, "greeting": "반갑습니다", "times": "2", "shout": "1", "tone": "격식 있게",
        "ratio": "2.5"})
    assert good.status_code == 303
    assert "hello 플러그인 설정을 저장했습니다." in admin.get(good.headers["Location"]).text
    assert madang.plugins.settings("hello") == {"greeting": "반갑습니다", "times": 2, "shout": True,
                                                "tone": "격식 있게", "ratio": 2.5}
    assert "설정 변경" in git(config.content_repo, "log", "-1", "--format=%s", "--", PLUGINS_FILE)
    switch(admin, True)
    shown = admin.get("/hello/").text
    assert "반갑습니다 반갑습니다!" in shown and "(격식 있게)" in shown
    unchecked = admin.post("/admin/plugins/hello/settings", data={
        "csrf_token": token, "greeting": "반갑습니다", "times": "2", "tone": "격식 있게", "ratio": "2.5"})
    assert unchecked.status_code == 303 and madang.plugins.settings("hello")["shout"] is False
    assert admin.post("/admin/plugins/hello/settings", data={"greeting": "x"}).status_code == 400, "CSRF"


@exercises("madang_socketio")
def test_its_socket_events_answer_only_while_enabled(app, admin, madang):
    refused = socketio.test_client(app, namespace="/hello", flask_test_client=admin)
    assert not refused.is_connected("/hello")
    switch(admin, True)
    live = socketio.test_client(app, namespace="/hello", flask_test_client=admin)
    assert live.is_connected("/hello")
    live.emit("ping", {"말": "안녕"}, namespace="/hello")
    received = live.get_received("/hello")
    assert received[0]["name"] == "pong" and received[0]["args"] == [{"greeting": "안녕하세요",
                                                                       "echo": {"말": "안녕"}}]
    switch(admin, False)
    live.emit("ping", {}, namespace="/hello")
    assert live.get_received("/hello") == []
    live.disconnect(namespace="/hello")


def test_disabling_it_removes_every_trace_again(admin):
    switch(admin, True)
    assert admin.get("/hello/").status_code == 200
    assert "hello 플러그인을 껐습니다." in admin.get(switch(admin, False).headers["Location"]).text
    for url in ["/hello/", "/hello/static/hello.css", "/api/v1/hello"]:
        assert admin.get(url).status_code == 404, url
    assert 'href="/hello/"' not in admin.get("/").text
    assert "/api/v1/hello" not in admin.get("/api/openapi.json").get_json()["paths"]
