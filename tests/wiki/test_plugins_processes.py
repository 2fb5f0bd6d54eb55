"""Enabling and disabling a plugin takes effect at once in every worker process, without a restart."""
from __future__ import annotations

import requests

from tests.conftest import LiveServer


def test_a_second_server_process_sees_a_plugin_switched_off_and_on_without_restart(tmp_path):
    (tmp_path / "a").mkdir()
    first = LiveServer(tmp_path / "a")
    shared = {"MADANG_CONTENT_REPO": str(tmp_path / "a" / "content_repo"),
              "MADANG_SEARCH_INDEX": str(tmp_path / "a" / "search_index"),
              "MADANG_INSTANCE_DIR": str(tmp_path / "a" / "instance")}
    (tmp_path / "b").mkdir()
    second = LiveServer(tmp_path / "b", extra_env=shared)
    try:
        headers = {"Authorization": f"Bearer {first.token()}"}
        saved = requests.put(first.url + "/api/v1/pages/행정포털", json={"markdown": "# 행정포털\n"}, headers=headers,
                             timeout=30)
        assert saved.status_code == 201, saved.text
        assert requests.get(second.url + "/search", params={"q": "행정포털"}, timeout=30).status_code == 200

        off = requests.put(first.url + "/api/v1/admin/plugins/search", json={"enabled": False}, headers=headers,
                           timeout=30)
        assert off.status_code == 200, off.text
        assert requests.get(second.url + "/search", params={"q": "행정포털"}, timeout=30).status_code == 404
        assert requests.get(second.url + "/api/v1/search", params={"q": "행정포털"}, timeout=30).status_code == 404

        on = requests.put(first.url + "/api/v1/admin/plugins/search", json={"enabled": True}, headers=headers,
                          timeout=30)
        assert on.status_code == 200, on.text
        assert requests.get(second.url + "/search", params={"q": "행정포털"}, timeout=30).status_code == 200
    finally:
        second.stop()
        first.stop()
