"""Shared fixtures: a fresh content repository and state database in a temp folder for every test."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from wiki.app import create_app
from wiki.config import Config

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "관리자-비밀번호-2026"


def make_config(tmp_path: Path, **overrides) -> Config:
    values = dict(content_repo=tmp_path / "content_repo", search_index=tmp_path / "search_index",
                  instance_dir=tmp_path / "instance", admin_password=ADMIN_PASSWORD, secret_key="test-secret",
                  argon2_time_cost=1, argon2_memory_kib=8192, testing=True)
    values.update(overrides)
    return Config(**values)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


@pytest.fixture
def app(config: Config):
    app = create_app(config)
    yield app
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def madang(app):
    return app.extensions["madang"]


def token_for(client, username: str, password: str) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


@pytest.fixture
def admin_headers(client) -> dict:
    return {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}


@pytest.fixture
def make_user(client, admin_headers):
    """Create a local account and return headers that authenticate as it."""

    def make(username: str, name: str = "", groups: list[str] | None = None, password: str = "비밀번호-12345") -> dict:
        body = {"username": username, "password": password, "name": name or username,
                "email": f"{username}@seoul.go.kr", "groups": groups or []}
        response = client.post("/api/v1/admin/users", json=body, headers=admin_headers)
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {token_for(client, username, password)}"}

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`python app.py` as a real process on a loopback port, as the README starts it."""

    def __init__(self, tmp_path: Path, extra_env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp_path = tmp_path
        env = {**os.environ, "MADANG_PORT": str(self.port), "MADANG_HOST": "127.0.0.1",
               "MADANG_CONTENT_REPO": str(tmp_path / "content_repo"),
               "MADANG_SEARCH_INDEX": str(tmp_path / "search_index"),
               "MADANG_INSTANCE_DIR": str(tmp_path / "instance"),
               "MADANG_ADMIN_PASSWORD": ADMIN_PASSWORD, **(extra_env or {})}
        self.log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.tmp_path / "server.log").read_text())
            try:
                requests.get(self.url + "/api/openapi.json", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start within 30 s")

    def token(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> str:
        response = requests.post(self.url + "/api/v1/auth/token",
                                 json={"username": username, "password": password}, timeout=10)
        response.raise_for_status()
        return response.json()["token"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def live_server(tmp_path: Path):
    server = LiveServer(tmp_path)
    yield server
    server.stop()


def git(repo: Path, *args: str) -> str:
    """The real git CLI against the content repository."""
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


# -- the staff directory: a real slapd for the whole session (tests/support/slapd.py) ---------------------------

@pytest.fixture(scope="session")
def ldap_server(tmp_path_factory):
    from tests.support.slapd import start_slapd

    server = start_slapd(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


def ldap_settings(url: str) -> dict:
    """Config fields that point Madang at a directory laid out like tests/support/slapd.py's."""
    from tests.support.slapd import DEPARTMENTS, GROUPS, PEOPLE

    return dict(ldap_url=url, ldap_user_base=PEOPLE, ldap_group_base=GROUPS, ldap_department_base=DEPARTMENTS,
                ldap_timeout=2)


@pytest.fixture
def ldap_app(tmp_path: Path, ldap_server):
    """An app whose sign-in and org chart use the real slapd (anonymous search, bind as the person)."""
    app = create_app(make_config(tmp_path, signin_delay_per_failure=0, **ldap_settings(ldap_server.url)))
    yield app
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def ldap_client(ldap_app):
    return ldap_app.test_client()


def browser_sign_in(client, username: str, password: str, next_url: str = "/", **kwargs):
    """Sign in through the /login form (with its CSRF token), as a browser does."""
    import re as _re

    page = client.get("/login", **kwargs).get_data(as_text=True)
    token = _re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password,
                                       "next": next_url}, **kwargs)


def csrf_token_of(client, url: str = "/settings") -> str:
    import re as _re

    page = client.get(url).get_data(as_text=True)
    return _re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
