"""The server's log keeps request lines without query values: a CAS ticket or an OAuth code sent in a link, or a
search term, never reaches `server.log`."""
from __future__ import annotations

import time

import requests

from wiki.logredact import redact_query


def test_query_values_are_redacted_but_names_and_harmless_ones_kept():
    line = 'GET /cas/serviceValidate?ticket=ST-비밀&service=https%3A%2F%2Fx&limit=20 HTTP/1.1'
    assert redact_query(line) == 'GET /cas/serviceValidate?ticket=…&service=…&limit=20 HTTP/1.1'
    assert redact_query("GET /wiki/행정포털 HTTP/1.1") == "GET /wiki/행정포털 HTTP/1.1"
    assert redact_query("GET /search?q=주민번호+900101&flag HTTP/1.1") == "GET /search?q=…&flag HTTP/1.1"


def test_the_real_servers_log_holds_no_ticket_or_search_term(live_server):
    secret = "ST-이것은비밀티켓-7f3a9c"
    requests.get(f"{live_server.url}/cas/serviceValidate", params={"ticket": secret, "service": "https://x/"},
                 timeout=10)
    requests.get(f"{live_server.url}/search", params={"q": "홍길동 연락처"}, timeout=10)
    requests.get(f"{live_server.url}/api/v1/pages", params={"limit": 5}, timeout=10)
    log = live_server.tmp_path / "server.log"
    deadline = time.monotonic() + 10
    while "limit=5" not in log.read_text("utf-8", "replace") and time.monotonic() < deadline:
        time.sleep(0.05)
    text = log.read_text("utf-8", "replace")
    assert "/cas/serviceValidate?ticket=…&service=…" in text and "limit=5" in text
    assert "이것은비밀티켓" not in text and "7f3a9c" not in text
    assert "%ED%99%8D" not in text and "홍길동" not in text
