"""The guard's tests run with every other built-in plugin off (the search plugin's analyser costs seconds a commit)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import make_config
from tests.support.hooks import builtins_off
from wiki.app import create_app


@pytest.fixture
def app(tmp_path):
    config = make_config(tmp_path)
    builtins_off(config)
    app = create_app(config)
    client = app.test_client()
    from tests.conftest import ADMIN_PASSWORD, token_for

    headers = {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}
    response = client.put("/api/v1/admin/plugins/pii", json={"enabled": True}, headers=headers)
    assert response.status_code == 200, response.get_json()
    yield app
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def set_policy(app):
    """Commit plugins/pii/policy.json (and the allow-list) as the admin page does."""

    def put(default: str = "warn", rules: list | None = None, allow: str = "") -> None:
        from wiki.api import commit_plugin_files

        with app.test_request_context():
            commit_plugin_files("pii", {"policy.json": json.dumps({"default": default, "rules": rules or []}),
                                        "allowlist.txt": allow}, "정책 (테스트)", who=None)

    return put


@pytest.fixture
def put_page(client, admin_headers):
    def put(path: str, markdown: str, status: int | tuple = (200, 201), headers: dict | None = None):
        response = client.put(f"/api/v1/pages/{path}", json={"markdown": markdown}, headers=headers or admin_headers)
        assert response.status_code in ((status,) if isinstance(status, int) else status), response.get_json()
        return response

    return put
