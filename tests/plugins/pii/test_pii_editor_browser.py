"""The editor's live check in a real browser: masked findings appear while typing, "mask them" fixes the text."""
from __future__ import annotations

from urllib.parse import unquote

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ADMIN_PASSWORD
from tests.e2e.conftest import browser, driver  # noqa: F401 (the shared headless Chromium)

RRN = "900101-1234568"


def test_editor_shows_masked_findings_and_masks_them(browser):  # noqa: F811
    wait = WebDriverWait(browser, 10)
    browser.get(browser.base_url + "/login?next=/")
    browser.find_element(By.ID, "login-username").send_keys("admin")
    browser.find_element(By.ID, "login-password").send_keys(ADMIN_PASSWORD + Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".user-name")))
    browser.get(browser.base_url + "/wiki/민원/명단/edit")
    area = wait.until(ec.presence_of_element_located((By.ID, "editor-text")))
    panel = browser.find_element(By.ID, "pii-panel")
    assert not panel.is_displayed()
    area.click()
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(f"# 명단\n\n| 이름 | 번호 | 연락처 |\n| 홍길동 | {RRN} | ０１０－１２３４－５６７８ |\n")
    wait.until(lambda b: panel.is_displayed() and "900101-1******" in panel.text)
    assert RRN not in panel.text and "010-****-****" in panel.text
    browser.find_element(By.ID, "pii-mask").click()
    value = area.get_attribute("value")
    assert "| 홍길동 | 900101-1****** | 010-****-**** |" in value and RRN not in value
    wait.until(lambda b: not panel.is_displayed())
    browser.find_element(By.ID, "editor-save").click()
    wait.until(lambda b: unquote(b.current_url).endswith("/wiki/민원/명단"))
    assert "900101-1******" in browser.find_element(By.CSS_SELECTOR, ".page-body").text
