"""The launcher in real Chromium: a person signs in, finds a system by typing (the page's script filters the
tiles), stars it, finds it in the header menu (madang_page_assets' script) and opens it; a system of another group
is nowhere on the page."""
from __future__ import annotations

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.hooks import exercises

WAIT = 15


def setup_site(live_server) -> dict:
    admin = {"Authorization": f"Bearer {live_server.token()}"}
    made = requests.post(f"{live_server.url}/api/v1/admin/users", headers=admin, timeout=10, json={
        "username": "kim", "password": "비밀번호-12345", "name": "김민수", "email": "kim@seoul.go.kr",
        "groups": ["인사과"]})
    assert made.status_code == 201, made.text
    ids = {}
    for name, category, groups, description in (
            ("인사 시스템", "인사", ["group:인사과"], "인사 발령과 휴가 신청"),
            ("전자결재", "공통", ["staff"], "기안과 결재"),
            ("예산 시스템", "재정", ["group:예산과"], "예산 편성")):
        answer = requests.post(f"{live_server.url}/api/v1/admin/launcher/systems", headers=admin, timeout=10, json={
            "name": name, "url": f"{live_server.url}/api/openapi.json", "protocol": "link", "groups": groups,
            "category": category, "description": description, "icon": "🗂️"})
        assert answer.status_code == 201, answer.text
        ids[name] = answer.json()["id"]
    return ids


def visible_tiles(browser) -> list[str]:
    return [tile.find_element(By.CLASS_NAME, "launcher-name").text
            for tile in browser.find_elements(By.CSS_SELECTOR, ".launcher-all .launcher-tile") if tile.is_displayed()]


@exercises("madang_page_assets")
def test_find_star_and_open_a_system_from_the_page_and_the_header_menu(browser, live_server):
    ids = setup_site(live_server)
    browser.get(live_server.url + "/login?next=/launcher")
    browser.find_element(By.ID, "login-username").send_keys("kim")
    browser.find_element(By.ID, "login-password").send_keys("비밀번호-12345" + Keys.ENTER)
    WebDriverWait(browser, WAIT).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".launcher-all .launcher-tile"))
    assert sorted(visible_tiles(browser)) == ["인사 시스템", "전자결재"]
    assert "예산 시스템" not in browser.page_source

    browser.find_element(By.ID, "launcher-q").send_keys("휴가")
    WebDriverWait(browser, WAIT).until(lambda b: visible_tiles(b) == ["인사 시스템"])
    browser.find_element(By.ID, "launcher-q").send_keys(Keys.BACKSPACE, Keys.BACKSPACE)
    WebDriverWait(browser, WAIT).until(lambda b: len(visible_tiles(b)) == 2)

    star = browser.find_element(By.CSS_SELECTOR, f'button[formaction="/launcher/favourite/{ids["전자결재"]}"]')
    star.click()
    WebDriverWait(browser, WAIT).until(lambda b: b.find_elements(By.ID, "launcher-fav"))
    favourites = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=launcher-fav]").text
    assert "전자결재" in favourites and "인사 시스템" not in favourites

    browser.get(live_server.url + "/")
    menu = WebDriverWait(browser, WAIT).until(lambda b: b.find_element(By.CSS_SELECTOR, ".launcher-menu button"))
    assert menu.text.startswith("시스템")
    menu.click()
    WebDriverWait(browser, WAIT).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "#launcher-menu-panel li a")) == 2)
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#launcher-menu-panel li a")]
    assert links[0].endswith("★ 전자결재") and "예산 시스템" not in " ".join(links)  # favourites first
    browser.find_element(By.CSS_SELECTOR, "#launcher-menu-panel li a").click()
    WebDriverWait(browser, WAIT).until(lambda b: b.current_url.endswith("/api/openapi.json"))
