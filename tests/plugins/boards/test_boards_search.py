"""Board posts and comments are found by the search plugin, with their own types, and only by those who may read
the board (the hooks madang_search_documents and madang_search_can_read)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import make_config
from tests.support.hooks import exercises


@pytest.fixture
def config(tmp_path):
    """Boards and search on (every other built-in plugin off)."""
    from pathlib import Path

    from wiki.plugins import PLUGINS_FILE
    from wiki.store import Author, ContentStore

    config = make_config(tmp_path)
    root = Path(__file__).resolve().parents[3] / "plugins"
    names = sorted(d.name for d in root.iterdir() if (d / "plugin.py").exists())
    store = ContentStore(config.content_repo, config.branch)
    document = {name: {"enabled": name in ("boards", "search")} for name in names}
    store.commit({PLUGINS_FILE: (json.dumps(document) + "\n").encode()}, Author("테스트", "test@localhost"), "설정")
    store.close()
    return config


def search(client, q: str, headers: dict, **params) -> list[tuple[str, str]]:
    response = client.get("/api/v1/search", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [(hit["type"], hit["url"]) for hit in response.get_json()["hits"]]


@exercises("madang_search_documents", "madang_search_can_read")
def test_posts_and_comments_are_searchable_by_their_readers_only(client, people, make_board, write_post):
    make_board("free", "자유게시판")
    make_board("audit", "감사 게시판", read=["group:감사관실"], post=["group:감사관실"], comment=["group:감사관실"])
    open_post = write_post(people["minjun"], slug="free", title="탁구 동호회 모집",
                           markdown="점심시간 탁구장에서 만나요")
    client.post(f"/api/v1/boards/free/posts/{open_post['id']}/comments",
                json={"markdown": "탁구 라켓 빌려주세요"}, headers=people["seoyeon"])
    secret = write_post(people["jihun"], slug="audit", title="탁구장 예산 감사", markdown="탁구장 비품 구매 내역 점검")
    found = search(client, "탁구", people["seoyeon"])
    assert ("post", f"/boards/free/{open_post['id']}") in found
    assert any(kind == "comment" for kind, _url in found)
    assert all("/boards/audit/" not in url for _kind, url in found)
    assert search(client, "탁구", people["seoyeon"], type="comment") == [
        (kind, url) for kind, url in found if kind == "comment"]
    assert ("post", f"/boards/audit/{secret['id']}") in search(client, "탁구장 예산", people["jihun"])
    assert search(client, "비품 구매", {}) == []
    # a deleted post leaves the index with its comments
    client.delete(f"/api/v1/boards/free/posts/{open_post['id']}", headers=people["minjun"])
    assert all("/boards/free/" not in url for _kind, url in search(client, "탁구", people["seoyeon"]))
