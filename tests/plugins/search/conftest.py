"""Helpers for the search plugin's tests: put pages and files through the API, search through the API."""
from __future__ import annotations

import pytest


@pytest.fixture
def put_page(client, admin_headers):
    def put(path: str, markdown: str, headers: dict | None = None) -> str:
        response = client.put(f"/api/v1/pages/{path}", json={"markdown": markdown}, headers=headers or admin_headers)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()["revision"]

    return put


@pytest.fixture
def put_file(client, admin_headers):
    def put(page: str, name: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        response = client.put(f"/api/v1/pages/{page}/attachments/{name}", data=data,
                              headers={**admin_headers, "Content-Type": content_type})
        assert response.status_code == 201, response.get_json()

    return put


@pytest.fixture
def search(client):
    def run(q: str, headers: dict | None = None, status: int = 200, **params) -> dict:
        response = client.get("/api/v1/search", query_string={"q": q, **params}, headers=headers or {})
        assert response.status_code == status, response.get_json()
        return response.get_json()

    return run


def paths(answer: dict) -> list[str]:
    return [hit["path"] for hit in answer["hits"]]
