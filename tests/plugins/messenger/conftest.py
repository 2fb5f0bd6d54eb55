"""Fixtures of the messenger's tests: one real server for the module, Socket.IO clients closed after each test
(helpers: support.py). Core modules are imported here only: support.py is held to the plugins' rule."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.plugins.messenger.support import DEPARTMENTS, PEOPLE, ROOT, Chat, Site, close_all
from tests.support.cluster import two_processes
from wiki.plugins import PLUGINS_FILE
from wiki.store import Author, ContentStore


def prepare_repository(content_repo: Path) -> None:
    """The org chart, and every built-in plugin but the messenger off."""
    names = sorted(d.name for d in (ROOT / "plugins").iterdir() if (d / "plugin.py").exists())
    plugins = {name: {"enabled": name == "messenger"} for name in names}
    store = ContentStore(content_repo, "main")
    store.commit({PLUGINS_FILE: (json.dumps(plugins, indent=2, sort_keys=True) + "\n").encode(),
                  "site/orgchart.json": json.dumps({"departments": DEPARTMENTS, "people": PEOPLE},
                                                   ensure_ascii=False).encode()},
                 Author("테스트", "test@localhost"), "메신저 시험 준비")
    store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("messenger")
    prepare_repository(folder / "content_repo")
    server = LiveServer(folder)
    yield Site(server)
    server.stop()


@pytest.fixture
def chats():
    """Chat clients closed after the test."""
    opened: list[Chat] = []

    def open_chat(site: Site, username: str, **kwargs) -> Chat:
        chat = Chat(site.url, token=site.user(username), **kwargs)
        opened.append(chat)
        return chat

    yield open_chat
    close_all(opened)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("messenger-cluster")
    prepare_repository(folder / "content_repo")
    with two_processes(folder) as (one, two):
        yield Site(one), Site(two)


CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def chromium(profile: Path):
    """A real headless Chromium (Selenium 4) with its own profile: its own cookies, its own person."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail("Chromium and chromedriver are not installed: ./scripts/test installs them (Debian packages "
                    "chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", f"--user-data-dir={profile}",
                     "--window-size=1280,900", "--lang=ko-KR"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ko-KR,ko"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(20)
    return browser


def _browser(tmp_path_factory, name: str):
    profile = tmp_path_factory.mktemp(name)
    browser = chromium(profile)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """The module's browser."""
    yield from _browser(tmp_path_factory, "chromium-messenger")


@pytest.fixture
def second_driver(tmp_path_factory):
    """Another browser, for the other person of a conversation."""
    yield from _browser(tmp_path_factory, "chromium-messenger-2")
