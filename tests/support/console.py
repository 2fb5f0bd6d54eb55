"""Helpers for tests that use the HTML screens: CSRF tokens, signing in, posting a form."""
from __future__ import annotations

import html
import re

PASSWORD = "비밀번호-12345"


def csrf_from(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client, username: str, password: str):
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "username": username, "password": password,
                                           "next": "/"})
    assert response.status_code == 303, response.text
    return response


def post_form(client, page: str, action: str, data: dict):
    """Post a form of `page` (its CSRF token included) to `action`."""
    token = csrf_from(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data})


def text_of(markup: str) -> str:
    """The visible text of some HTML, spaces collapsed (for 'the page says ...' checks)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()
