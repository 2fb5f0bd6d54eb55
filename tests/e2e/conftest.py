"""A real headless Chromium driven by Selenium 4, against `python app.py` (the live_server fixture)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def driver(tmp_path_factory: pytest.TempPathFactory):
    """One browser for the whole run (starting Chromium is the slow part); each test signs in afresh."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail("Chromium and chromedriver are not installed: ./scripts/test installs them (Debian packages "
                    "chromium, chromium-driver)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", f"--user-data-dir={profile}", "--window-size=1280,900", "--lang=ko-KR"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ko-KR,ko"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(20)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(driver, live_server):
    """The shared browser, pointed at this test's server, with no cookies left from an earlier test."""
    driver.set_window_size(1280, 900)
    driver.get(live_server.url + "/api/openapi.json")
    driver.delete_all_cookies()
    driver.base_url = live_server.url
    return driver
