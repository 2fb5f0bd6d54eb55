"""Fixtures of the co-editing tests: one real `python app.py` for all of them (its org chart holds a few 서울시
staff, its rules keep `비밀/` to 이서연 and let only 김민준 edit `공지/`, and every other built-in plugin is off),
and `editors`: real python-socketio clients on /coedit, closed after each test."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.plugins.coedit.support import close_all
from tests.plugins.messenger.support import DEPARTMENTS, PEOPLE, ROOT, Site
from wiki.plugins import PLUGINS_FILE
from wiki.store import Author, ContentStore

RULES = {"default": {"read": ["anonymous"], "edit": ["staff"], "admin": []},
         "rules": [{"prefix": "비밀", "read": ["user:leesy"], "edit": ["user:leesy"]},
                   {"prefix": "공지", "read": ["staff"], "edit": ["user:kimmj"]}]}


def prepare_repository(content_repo: Path, settings: dict | None = None) -> None:
    """The org chart, the rules, and every built-in plugin but co-editing off."""
    names = sorted(d.name for d in (ROOT / "plugins").iterdir() if (d / "plugin.py").exists())
    plugins = {name: {"enabled": name == "coedit"} for name in names}
    plugins["coedit"]["settings"] = {"draft_seconds": 1, **(settings or {})}
    store = ContentStore(content_repo, "main")
    store.commit({PLUGINS_FILE: (json.dumps(plugins, indent=2, sort_keys=True) + "\n").encode(),
                  "site/acl.json": json.dumps(RULES, ensure_ascii=False).encode(),
                  "site/orgchart.json": json.dumps({"departments": DEPARTMENTS, "people": PEOPLE},
                                                   ensure_ascii=False).encode()},
                 Author("테스트", "test@localhost"), "공동 편집 시험 준비")
    store.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coedit")
    prepare_repository(folder / "content_repo")
    server = LiveServer(folder)
    yield Site(server)
    server.stop()


@pytest.fixture
def editors():
    """`open(site, username, path)`: an Editor joined to the page; all closed after the test."""
    opened = []

    def open_editor(site: Site, username: str, path: str, **kwargs):
        from plugins.coedit.remote import Editor

        editor = Editor(site.url, site.user(username), path, **kwargs)
        opened.append(editor)
        return editor

    yield open_editor
    close_all(opened)
