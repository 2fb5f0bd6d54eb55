"""Test helpers for the SSO protocols: a person's browser (requests, signed in through the /login form) and the
state database of a real server process (to let time pass for a code or ticket without sleeping)."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy


def browser(url: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = session.post(f"{url}/login", data={"csrf_token": token, "username": username, "password": password},
                          timeout=10, allow_redirects=False)
    assert answer.status_code == 303, answer.text[:500]
    return session


def sign_out(session: requests.Session, url: str) -> None:
    page = session.get(f"{url}/launcher", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert session.post(f"{url}/logout", data={"csrf_token": token}, timeout=10,
                        allow_redirects=False).status_code == 303


def make_person(url: str, admin: str, username: str, name: str, groups: list[str],
                password: str = "비밀번호-12345") -> None:
    answer = requests.post(f"{url}/api/v1/admin/users", headers={"Authorization": f"Bearer {admin}"}, timeout=10,
                           json={"username": username, "password": password, "name": name, "department": "인사과",
                                 "email": f"{username}@seoul.go.kr", "groups": groups})
    assert answer.status_code == 201, answer.text


def register(base: str, admin: str, **fields) -> dict:
    answer = requests.post(f"{base}/api/v1/admin/launcher/systems", json=fields, timeout=10,
                           headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def age(tmp_path: Path, table: str, seconds: int = 3600) -> None:
    """Move every row's `expires` of a launcher table into the past, as if that much time had gone by."""
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'instance' / 'madang.sqlite3'}")
    past = (datetime.now(UTC) - timedelta(seconds=seconds)).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f"UPDATE {table} SET expires = :past"), {"past": past})
    engine.dispose()
