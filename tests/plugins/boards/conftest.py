"""Helpers for the boards' tests: an app whose only enabled built-in plugin is boards (the search plugin's Korean
analyser would cost seconds a commit), people with tokens, boards and posts made through the API."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_config

ROOT = Path(__file__).resolve().parents[3]


def only_boards(config) -> None:
    from wiki.plugins import PLUGINS_FILE
    from wiki.store import Author, ContentStore

    names = sorted(d.name for d in (ROOT / "plugins").iterdir() if (d / "plugin.py").exists())
    document = {name: {"enabled": name == "boards"} for name in names}
    store = ContentStore(config.content_repo, config.branch)
    store.commit({PLUGINS_FILE: (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()},
                 Author("테스트", "test@localhost"), "게시판만 켬 (테스트)")
    store.close()


@pytest.fixture
def config(tmp_path: Path):
    config = make_config(tmp_path)
    only_boards(config)
    return config


@pytest.fixture
def people(make_user):
    """Staff of the city hall: 김민준 (홍보과), 이서연 (총무과), 박지훈 (감사관실, reader of the audit board)."""
    return {"minjun": make_user("minjun", "김민준", ["홍보과"]),
            "seoyeon": make_user("seoyeon", "이서연", ["총무과"]),
            "jihun": make_user("jihun", "박지훈", ["감사관실"])}


@pytest.fixture
def make_board(client, admin_headers):
    def make(slug: str = "notice", name: str = "공지사항", **rules) -> dict:
        response = client.post("/api/v1/boards", json={"slug": slug, "name": name, **rules}, headers=admin_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def write_post(client):
    def write(headers: dict, slug: str = "notice", title: str = "2026년 시무식 안내", markdown: str = "본문입니다.",
              status: int = 201, **extra) -> dict:
        response = client.post(f"/api/v1/boards/{slug}/posts",
                               json={"title": title, "markdown": markdown, **extra}, headers=headers)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    return write
