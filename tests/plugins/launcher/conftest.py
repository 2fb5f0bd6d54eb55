"""Helpers for the launcher's tests: an app (and a real server process) whose only enabled built-in plugin is the
launcher, people in groups, systems registered through the admin API."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import LiveServer, make_config

ROOT = Path(__file__).resolve().parents[3]


def only_launcher(content_repo: Path, branch: str = "main") -> None:
    from wiki.plugins import PLUGINS_FILE
    from wiki.store import Author, ContentStore

    names = sorted(d.name for d in (ROOT / "plugins").iterdir() if (d / "plugin.py").exists())
    document = {name: {"enabled": name == "launcher"} for name in names}
    store = ContentStore(content_repo, branch)
    store.commit({PLUGINS_FILE: (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()},
                 Author("테스트", "test@localhost"), "런처만 켬 (테스트)")
    store.close()


@pytest.fixture
def config(tmp_path: Path):
    config = make_config(tmp_path)
    only_launcher(config.content_repo, config.branch)
    return config


@pytest.fixture
def server(tmp_path: Path):
    """`python app.py` as a real process, the launcher the only plugin enabled."""
    only_launcher(tmp_path / "content_repo")
    live = LiveServer(tmp_path)
    yield live
    live.stop()


HR = {"name": "인사 시스템", "url": "https://hr.example.kr/", "protocol": "link", "groups": ["group:인사과"],
      "category": "인사", "icon": "👥", "description": "인사 발령과 휴가"}
MAIL = {"name": "전자우편", "url": "https://mail.example.kr/", "protocol": "link", "groups": ["staff"],
        "category": "공통", "icon": "✉️", "description": "기관 메일"}


def register(client, headers: dict, **fields) -> dict:
    response = client.post("/api/v1/admin/launcher/systems", json=fields, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()
