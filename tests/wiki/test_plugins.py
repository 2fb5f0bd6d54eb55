"""The plugin host: discovery, enabling as a commit seen at once, hooks only for enabled plugins, no trace of a
disabled plugin (routes, menu, hooks, views, Socket.IO), failures contained and named, settings, migrations,
and the plugin's own files in the content repository. Fixture plugins: tests/plugins/notes, tests/plugins/broken."""
from __future__ import annotations

import ast
import json
import logging
import re
import types
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN_PASSWORD, git, make_config
from tests.plugins.broken import plugin as broken
from tests.plugins.notes import plugin as notes
from tests.support.console import PASSWORD, csrf_from, sign_in
from tests.support.hooks import builtins_off, exercises
from wiki.api import hookimpl
from wiki.app import create_app, socketio
from wiki.auth import Principal
from wiki.errors import EditConflict, InvalidPath, PluginError
from wiki.models import ViewState
from wiki.plugins import PLUGINS_FILE, PluginSchema
from wiki.store import Author, ContentStore

ROOT = Path(__file__).resolve().parents[2]
KIM = Author("김민준", "minjun.kim@seoul.go.kr")


def close(app) -> None:
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def app(config):
    """The site with the notes fixture plugin registered by the app (extra_plugins)."""
    notes.CALLS.clear()
    builtins_off(config)
    app = create_app(config, extra_plugins=(notes,))
    yield app
    close(app)


@pytest.fixture
def broken_app(tmp_path):
    notes.CALLS.clear()
    config = make_config(tmp_path / "broken")
    builtins_off(config)
    app = create_app(config, extra_plugins=(notes, broken))
    yield app
    close(app)


def set_enabled(client, headers, name: str, enabled: bool) -> str:
    response = client.put(f"/api/v1/admin/plugins/{name}", json={"enabled": enabled}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["revision"]


def put_page(client, headers, path: str, markdown: str) -> str:
    response = client.put(f"/api/v1/pages/{quote(path)}", json={"markdown": markdown}, headers=headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["revision"]


def hook_calls(name: str) -> list:
    return [argument for hook, argument in notes.CALLS if hook == name]


def watermark(madang, view: str) -> str:
    with madang.db.session() as session:
        return session.get(ViewState, view).revision


# -- discovery ----------------------------------------------------------------------------------------------------
@exercises("madang_plugin_info")
def test_builtin_and_app_registered_plugins_are_found_through_the_same_path(madang, client, admin_headers):
    host = madang.plugins
    builtin = {d.name for d in (ROOT / "plugins").iterdir() if (d / "plugin.py").exists()}
    assert {name for name, info in host.plugins.items() if info.origin == "builtin"} >= builtin
    info = host.plugins["notes"]
    assert (info.origin, info.version, info.schema_version, info.title["ko"]) == ("extra", "2.0", 2, "메모")
    assert host.enabled("notes"), "a plugin registered by the app starts enabled"
    items = {item["name"]: item for item in client.get("/api/v1/admin/plugins", headers=admin_headers)
             .get_json()["items"]}
    assert items["notes"]["title"] == {"ko": "메모", "en": "Notes"} and items["notes"]["enabled"] is True
    assert items["notes"]["settings"] == {"page_size": 20, "welcome": "메모장입니다", "order": "최신순"}


def test_a_plugin_that_cannot_load_is_listed_and_the_site_still_runs(tmp_path):
    typo = types.ModuleType("typo_plugin")

    @hookimpl
    def madang_nav_itemz(user):  # a misspelt hook name
        return []

    typo.madang_nav_itemz = madang_nav_itemz
    failing = types.ModuleType("failing_plugin")
    failing.madang_plugin_info = hookimpl(lambda: 1 / 0)
    bad_schema = types.ModuleType("bad_schema")
    bad_schema.madang_settings_schema = hookimpl(lambda: {"properties": {"목록": {"type": "array"}}})
    wrapper = types.ModuleType("wrapper_plugin")

    @hookimpl(wrapper=True)
    def madang_nav_items(user):
        return (yield)

    wrapper.madang_nav_items = madang_nav_items
    app = create_app(make_config(tmp_path), extra_plugins=(typo, failing, bad_schema, wrapper, notes))
    try:
        host = app.extensions["madang"].plugins
        errors = dict(host.load_errors)
        assert "madang_nav_itemz" in errors["typo_plugin"] and "no such hook" in errors["typo_plugin"]
        assert "failing_plugin" in errors["failing_plugin"] and "ZeroDivisionError" in errors["failing_plugin"]
        assert "목록" in errors["bad_schema"]
        assert "wrappers are not supported" in errors["wrapper_plugin"]
        assert "wrapper_plugin" not in host.plugins
        assert all(n != "wrapper_plugin" for n, _p in host.pm.list_name_plugin())
        assert set(host.plugins) >= {"notes"} and "typo_plugin" not in host.plugins
        assert app.test_client().get("/").status_code == 200
    finally:
        close(app)


# -- enabling: a commit, seen at once ------------------------------------------------------------------------------
def test_enabling_and_disabling_is_a_commit_by_the_admin_and_takes_effect_at_once(client, admin_headers, config):
    assert client.get("/notes/").status_code == 200
    revision = set_enabled(client, admin_headers, "notes", False)
    assert client.get("/notes/").status_code == 404
    log = git(config.content_repo, "log", "-1", "--format=%H|%an|%s", "--", PLUGINS_FILE).strip()
    assert log == f"{revision}|관리자|플러그인 notes (메모): 끔"
    stored = json.loads(git(config.content_repo, "show", f"main:{PLUGINS_FILE}"))
    assert stored["notes"] == {"enabled": False}
    set_enabled(client, admin_headers, "notes", True)
    assert client.get("/notes/").status_code == 200
    assert "켬" in git(config.content_repo, "log", "-1", "--format=%s", "--", PLUGINS_FILE)


def test_a_change_committed_by_another_process_is_seen_on_the_next_request(client, config):
    assert client.get("/notes/").status_code == 200
    other = ContentStore(config.content_repo)  # another worker (or node) writing through the same door
    other.commit({PLUGINS_FILE: json.dumps({"notes": {"enabled": False}}).encode()}, KIM, "메모 끔")
    assert client.get("/notes/").status_code == 404
    other.commit({PLUGINS_FILE: json.dumps({"notes": {"enabled": True}}).encode()}, KIM, "메모 켬")
    assert client.get("/notes/").status_code == 200
    other.close()


def test_only_admins_may_change_plugins_and_bad_input_is_refused(client, admin_headers, make_user):
    staff = make_user("jiwoo", "박지우")
    assert client.get("/api/v1/admin/plugins").status_code == 401
    assert client.get("/api/v1/admin/plugins", headers=staff).status_code == 403
    assert client.put("/api/v1/admin/plugins/notes", json={"enabled": False}, headers=staff).status_code == 403
    response = client.put("/api/v1/admin/plugins/notes", json={"enabled": "false"}, headers=admin_headers)
    assert response.status_code == 400
    assert client.put("/api/v1/admin/plugins/없는것", json={"enabled": True},
                      headers=admin_headers).status_code == 404


def test_two_admins_changing_different_plugins_at_once_are_both_kept(broken_app):
    madang = broken_app.extensions["madang"]
    host, wiki = madang.plugins, madang.wiki
    kim, lee = Principal("kim", "김민준", "kim@seoul.go.kr"), Principal("lee", "이서연", "lee@seoul.go.kr")
    both_on = json.dumps({"broken": {"enabled": True}, "notes": {"enabled": True}}, indent=2, sort_keys=True)
    wiki.commit({PLUGINS_FILE: (both_on + "\n").encode()}, kim, "준비")
    both_read = host.read_state()  # the two admins opened the console at the same moment
    first = host.document_with("notes", False, None, both_read)
    second = host.document_with("broken", False, None, both_read)
    wiki.commit({PLUGINS_FILE: first.encode()}, kim, "메모 끔", parent=both_read.revision)
    result = wiki.commit({PLUGINS_FILE: second.encode()}, lee, "고장 끔", parent=both_read.revision)
    assert result.merged
    assert not host.enabled("notes") and not host.enabled("broken"), "neither change undid the other"
    same_line = host.read_state()
    wiki.commit({PLUGINS_FILE: host.document_with("notes", True, None, same_line).encode()}, kim, "켬",
                parent=same_line.revision)
    with pytest.raises(EditConflict):
        wiki.commit({PLUGINS_FILE: host.document_with("notes", False, {"page_size": 5}, same_line).encode()}, lee,
                    "끔", parent=same_line.revision)


# -- a disabled plugin leaves no trace ----------------------------------------------------------------------------
@exercises("madang_blueprints", "madang_nav_items", "madang_after_commit", "madang_views")
def test_a_disabled_plugin_leaves_no_trace(client, madang, admin_headers, make_user):
    make_user("minji", "김민지", password=PASSWORD)
    sign_in(client, "minji", PASSWORD)
    assert 'href="/notes/"' in client.get("/").text and ">메모</a>" in client.get("/").text
    response = client.post("/notes/" + quote("회의 준비"), json={"text": "안건 정리"}, headers=admin_headers)
    assert response.status_code == 201
    assert response.get_json()["revision"] in hook_calls("madang_after_commit")
    assert client.get("/notes/").get_json()["titles"] == ["회의 준비"]
    assert watermark(madang, "notes") == madang.store.head()

    set_enabled(client, admin_headers, "notes", False)
    notes.CALLS.clear()
    page = client.get("/").text
    assert 'href="/notes/"' not in page and ">메모</a>" not in page, "no menu entry"
    assert hook_calls("madang_nav_items") == [], "no hook called"
    assert client.get("/notes/").status_code == 404, "no route"
    assert client.post("/notes/x", json={}, headers=admin_headers).status_code == 404
    frozen = watermark(madang, "notes")
    put_page(client, admin_headers, "행정포털/사용법", "# 사용법\n\n첫 판\n")
    madang.store.commit({"plugins/notes/밖에서.md": "# 밖에서 쓴 메모\n".encode()}, KIM, "다른 경로로 쓴 메모")
    put_page(client, admin_headers, "행정포털/사용법", "# 사용법\n\n둘째 판\n")
    assert hook_calls("madang_after_commit") == [] and hook_calls("view.apply") == []
    assert watermark(madang, "notes") == frozen != madang.store.head(), "the view is paused"
    assert all(t["type"] != "note" for types_ in madang.plugins.hook("madang_search_types")() for t in types_)

    set_enabled(client, admin_headers, "notes", True)
    assert watermark(madang, "notes") == madang.store.head(), "the view caught up from its watermark"
    assert client.get("/notes/").get_json()["titles"] == ["밖에서 쓴 메모", "회의 준비"]
    assert 'href="/notes/"' in client.get("/").text


@exercises("madang_socketio")
def test_socket_handlers_answer_only_while_the_plugin_is_enabled(app, client, admin_headers):
    live = socketio.test_client(app, namespace="/notes", flask_test_client=client)
    assert live.is_connected("/notes")
    live.emit("count", {}, namespace="/notes")
    assert [m["name"] for m in live.get_received("/notes")] == ["count"]
    set_enabled(client, admin_headers, "notes", False)
    live.emit("count", {}, namespace="/notes")
    assert live.get_received("/notes") == [], "an open connection is inert"
    refused = socketio.test_client(app, namespace="/notes", flask_test_client=client)
    assert not refused.is_connected("/notes"), "new connections are refused"
    set_enabled(client, admin_headers, "notes", True)
    again = socketio.test_client(app, namespace="/notes", flask_test_client=client)
    assert again.is_connected("/notes")
    again.emit("count", {}, namespace="/notes")
    assert again.get_received("/notes")[0]["args"] == [{"n": 0}]
    for each in (live, again):
        each.disconnect(namespace="/notes")


def test_madang_works_with_every_plugin_disabled(client, madang, admin_headers):
    names = [item["name"] for item in client.get("/api/v1/admin/plugins", headers=admin_headers)
             .get_json()["items"]]
    assert "notes" in names
    for name in names:
        set_enabled(client, admin_headers, name, False)
    assert all(not madang.plugins.enabled(name) for name in names)
    put_page(client, admin_headers, "행정포털/사용법", "# 사용법\n\n[[공지]]를 보세요.\n")
    put_page(client, admin_headers, "행정포털/사용법", "# 사용법\n\n고친 글\n")
    sign_in(client, "admin", ADMIN_PASSWORD)
    page = "/wiki/" + quote("행정포털/사용법")
    for url in ["/", "/changes", "/pages", page, page + "/history", page + "/edit", page + "/blame", "/new",
                "/admin", "/admin/plugins", "/admin/theme", "/admin/health", "/feeds/changes.atom",
                "/api/openapi.json", "/api/v1/pages", "/api/v1/changes"]:
        response = client.get(url)
        assert response.status_code == 200, url
    home = client.get("/").text
    assert 'action="/pages"' in home, "the search box does not send people to a disabled search plugin"
    assert "/notes/" not in home and "/search" not in home
    for view in madang.views.status():
        if view.name in madang.plugins.view_owners:
            assert view.behind > 0, "plugin views are paused"
        else:
            assert view.behind == 0, "the core's views keep up"


# -- failures are contained and named ------------------------------------------------------------------------------
@exercises("madang_nav_items", "madang_after_commit", "madang_health", "madang_search_types")
def test_a_failing_plugin_is_named_and_costs_only_its_own_part(broken_app, caplog):
    client = broken_app.test_client()
    host = broken_app.extensions["madang"].plugins
    make = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    headers = {"Authorization": "Bearer " + make.get_json()["token"]}
    sign_in(client, "admin", ADMIN_PASSWORD)
    with caplog.at_level(logging.ERROR, logger="madang.plugins"):
        home = client.get("/")
        assert home.status_code == 200 and 'href="/notes/"' in home.text, "the other plugin's entry stays"
        assert "The plugin 'broken' failed in madang_nav_items: RuntimeError: 메뉴를 만들다 실패했습니다" in caplog.text
        revision = put_page(client, headers, "공지/안내", "# 안내\n")
    assert revision in hook_calls("madang_after_commit"), "the commit went through and the others were told"
    assert any(f.plugin == "broken" and f.hook == "madang_after_commit" and "커밋 뒤처리 실패" in f.message
               for f in host.failures)
    assert [{"type": "note", "label": {"ko": "메모", "en": "Note"}}] in host.hook("madang_search_types")()
    with pytest.raises(PluginError) as caught:
        host.hook("madang_search_types").strict()
    assert (caught.value.plugin, caught.value.hook) == ("broken", "madang_search_types")
    assert caught.value.to_dict()["plugin"] == "broken"
    health = client.get("/api/v1/admin/health", headers=headers).get_json()
    assert {"plugin": "notes", "label": "메모 수", "value": "0", "ok": True} in health["plugins"]["health"]
    assert any(f["plugin"] == "broken" and f["hook"] == "madang_health" for f in health["plugins"]["failures"])
    page = client.get("/admin/plugins").text
    assert "madang_nav_items" in page and "메뉴를 만들다 실패했습니다" in page


def test_a_plugin_whose_start_up_hook_fails_is_marked_broken_and_off(tmp_path):
    clash = types.ModuleType("clash")
    clash.madang_plugin_info = hookimpl(lambda: {"name": "clash", "version": "1"})
    clash.madang_views = hookimpl(lambda: [types.SimpleNamespace(name="history")])  # the core's view name
    app = create_app(make_config(tmp_path), extra_plugins=(clash, notes))
    try:
        host = app.extensions["madang"].plugins
        assert "unique name" in host.broken["clash"] and not host.enabled("clash")
        assert host.enabled("notes")
        items = {i["name"]: i for i in app.test_client().get(
            "/api/v1/admin/plugins", headers={"Authorization": "Bearer " + app.test_client().post(
                "/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}).get_json()["token"]}
        ).get_json()["items"]}
        assert items["clash"]["broken"] and items["clash"]["enabled"] is False
    finally:
        close(app)


# -- settings -----------------------------------------------------------------------------------------------------
@exercises("madang_settings_schema")
def test_settings_are_validated_against_the_schema_and_overlay_the_defaults(client, admin_headers, config):
    def put(settings):
        return client.put("/api/v1/admin/plugins/notes", json={"settings": settings}, headers=admin_headers)

    for bad, why in [({"page_size": "20"}, "integer"), ({"page_size": True}, "integer"),
                     ({"page_size": 0}, "at least 1"), ({"page_size": 101}, "at most 100"),
                     ({"order": "무작위"}, "one of"), ({"welcome": "가" * 101}, "at most 100"),
                     ({"없는설정": 1}, "not a setting")]:
        response = put(bad)
        assert response.status_code == 400 and why in response.get_json()["message"], (bad, response.get_json())
    assert put({"page_size": 50, "order": "제목순"}).status_code == 200
    settings = client.get("/notes/").get_json()["settings"]
    assert settings == {"page_size": 50, "welcome": "메모장입니다", "order": "제목순"}
    assert "설정 변경" in git(config.content_repo, "log", "-1", "--format=%s")


# -- state-database tables ----------------------------------------------------------------------------------------
@exercises("madang_migrate")
def test_migrations_run_once_from_the_recorded_version(tmp_path):
    config = make_config(tmp_path)
    notes.CALLS.clear()
    first = create_app(config, extra_plugins=(notes,))
    madang = first.extensions["madang"]
    assert madang.plugins.schema_versions(madang.db)["notes"] == 2
    assert hook_calls("madang_migrate") == [], "new to this database: recorded, nothing to migrate"
    with madang.db.session() as session:
        session.get(PluginSchema, "notes").version = 1  # as if version 1 of the plugin had run here
        session.add(notes.NoteRow(path="plugins/notes/a.md", title="  공백 있는 제목  "))
    close(first)
    second = create_app(config, extra_plugins=(notes,))
    madang = second.extensions["madang"]
    assert hook_calls("madang_migrate") == [1]
    assert madang.plugins.schema_versions(madang.db)["notes"] == 2
    with madang.db.session() as session:
        assert session.scalars(select(notes.NoteRow.title)).all() == ["공백 있는 제목"]
    close(second)
    third = create_app(config, extra_plugins=(notes,))
    assert hook_calls("madang_migrate") == [1], "not again"
    close(third)


# -- the plugin's own files ---------------------------------------------------------------------------------------
def test_plugin_files_are_committed_under_its_own_prefix_only(app, client, admin_headers, config):
    response = client.post("/notes/" + quote("주간 회의"), json={"text": "월요일 10시"}, headers=admin_headers)
    assert response.status_code == 201
    line = git(config.content_repo, "-c", "core.quotePath=false", "log", "-1", "--format=%an|%s|",
               "--name-only").split("\n")
    assert line[0] == "관리자|메모: 주간 회의|" and "plugins/notes/주간 회의.md" in line
    from wiki import api

    with app.test_request_context():
        assert api.read_plugin_file("notes", "주간 회의.md").decode() == "# 주간 회의\n\n월요일 10시\n"
        assert api.list_plugin_files("notes") == ["주간 회의.md"]
        for bad in ["../../pages/대문.md", "/site/acl.json", "a//b.md", "하위/", "./x.md", "a\\b.md"]:
            with pytest.raises(InvalidPath):
                api.commit_plugin_files("notes", {bad: "x"}, "나쁜 경로", who=None)
        with pytest.raises(PluginError):
            api.commit_plugin_files("없는플러그인", {"a.md": "x"}, "없음", who=None)
    set_enabled(client, admin_headers, "notes", False)
    with app.test_request_context(), pytest.raises(PluginError, match="disabled"):
        api.commit_plugin_files("notes", {"b.md": "x"}, "꺼진 뒤", who=None)


# -- plugins use only the public API ------------------------------------------------------------------------------
def wiki_imports(path: Path) -> list[str]:
    """Modules of `wiki` a source file imports, other than wiki.api."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if re.match(r"wiki(\.|$)", alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and re.match(r"wiki(\.|$)", node.module):
            if node.module == "wiki":
                found += [f"wiki.{alias.name}" for alias in node.names]
            else:
                found.append(node.module)
    return [name for name in found if name != "wiki.api"]


def test_plugins_import_nothing_from_wiki_but_the_public_api(tmp_path):
    fixtures = [p for p in (ROOT / "tests" / "plugins").rglob("*.py")  # the fixture plugins, not the tests
                if not p.name.startswith("test_") and p.name != "conftest.py"]
    sources = list((ROOT / "plugins").rglob("*.py")) + fixtures
    assert any(p.name == "plugin.py" for p in sources)
    offenders = {str(p.relative_to(ROOT)): wiki_imports(p) for p in sources if wiki_imports(p)}
    assert not offenders, f"plugins must import only wiki.api: {offenders}"
    sneaky = tmp_path / "plugin.py"
    sneaky.write_text("from wiki import store\nimport wiki.pages\nfrom wiki.web.ui import asset\n"
                      "from wiki.api import t\n")
    assert wiki_imports(sneaky) == ["wiki.store", "wiki.pages", "wiki.web.ui"], "the check does catch them"


# -- vetoes before a commit ----------------------------------------------------------------------------------------
@exercises("madang_before_commit")
def test_a_plugin_may_refuse_a_change_before_it_is_committed(broken_app):
    client = broken_app.test_client()
    make = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    headers = {"Authorization": "Bearer " + make.get_json()["token"]}
    head = broken_app.extensions["madang"].store.head()
    refused = client.put(f"/api/v1/pages/{quote('공지/안내')}", json={"markdown": "# 안내\n\n금지어 포함\n"},
                         headers=headers)
    assert refused.status_code == 400 and refused.get_json()["path"] == "pages/공지/안내.md"
    assert broken_app.extensions["madang"].store.head() == head, "nothing was committed"
    assert ["pages/공지/안내.md"] in hook_calls("madang_before_commit")
    # the broken plugin's own failure in the same hook is logged against it and does not block the save
    revision = put_page(client, headers, "공지/안내", "# 안내\n\n괜찮은 글\n")
    repo = broken_app.extensions["madang"].config.content_repo
    assert git(repo, "log", "-1", "--format=%H").strip() == revision
    failures = broken_app.extensions["madang"].plugins.failures
    assert any(f.plugin == "broken" and f.hook == "madang_before_commit" for f in failures)


# -- page assets and sign-out --------------------------------------------------------------------------------------
@exercises("madang_page_assets")
def test_plugins_add_their_own_scripts_and_styles_to_every_page_and_a_failure_costs_only_theirs(broken_app):
    client = broken_app.test_client()
    anonymous = client.get("/").text
    assert '<link rel="stylesheet" href="/notes/notes.css">' in anonymous
    assert "/notes/notes.js" not in anonymous, "the plugin offers its script to signed-in people only"
    assert "elsewhere.example" not in anonymous, "a foreign URL is dropped"
    sign_in(client, "admin", ADMIN_PASSWORD)
    for page in ("/", "/changes", "/pages", "/settings"):
        text = client.get(page).text
        assert '<script src="/notes/notes.js" defer></script>' in text, page
    failures = broken_app.extensions["madang"].plugins.failures
    assert any(f.plugin == "broken" and f.hook == "madang_page_assets" for f in failures)


@exercises("madang_signed_out")
def test_plugins_hear_when_a_person_signs_out_here_or_everywhere(broken_app):
    client = broken_app.test_client()
    sign_in(client, "admin", ADMIN_PASSWORD)
    token = csrf_from(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert hook_calls("madang_signed_out") == [("admin", False)]
    assert client.get("/settings").status_code in (302, 303, 401), "the session is over despite the broken plugin"
    sign_in(client, "admin", ADMIN_PASSWORD)
    token = csrf_from(client.get("/settings").text)
    assert client.post("/settings/sign-out-everywhere", data={"csrf_token": token}).status_code == 303
    assert hook_calls("madang_signed_out") == [("admin", False), ("admin", True)]
    failures = broken_app.extensions["madang"].plugins.failures
    assert any(f.plugin == "broken" and f.hook == "madang_signed_out" for f in failures)


def test_a_plugin_view_may_own_its_authorization_header_and_the_core_then_ignores_it(app, admin_headers):
    client = app.test_client()
    basic = {"Authorization": "Basic bGF1bmNoZXI6c2VjcmV0"}  # an OAuth client's credentials, not a Madang token
    answer = client.post("/notes/own-auth", headers=basic)
    assert answer.status_code == 200 and answer.get_json() == {"authorization": basic["Authorization"], "user": None}
    assert client.post("/notes/공지", json={"text": "x"}, headers=basic).status_code == 401, "elsewhere it is ours"
    as_admin = client.post("/notes/own-auth", headers=admin_headers).get_json()
    assert as_admin["user"] is None, "a Madang token sent there is not read as one either"
    sign_in(client, "admin", ADMIN_PASSWORD)
    with_session = client.post("/notes/own-auth", headers=basic)
    assert with_session.status_code == 200 and with_session.get_json()["user"] is None, "nor is the session cookie"


@exercises("madang_admin_sections")
def test_plugins_add_sections_to_the_admin_console_in_their_place(broken_app):
    client = broken_app.test_client()
    sign_in(client, "admin", ADMIN_PASSWORD)
    console = client.get("/admin/users").text
    menu = console[console.index('class="admin-nav'):console.index("admin-body")]
    assert '<a href="/notes/">메모 관리</a>' in menu
    assert menu.index("/admin/users") < menu.index("/notes/") < menu.index("/admin/acl"), "order 25: after users"
    assert '<a class="button" href="/notes/">메모 관리</a>' in client.get("/admin").text
    failures = broken_app.extensions["madang"].plugins.failures
    assert any(f.plugin == "broken" and f.hook == "madang_admin_sections" for f in failures)
