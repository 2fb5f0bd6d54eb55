"""Co-editing in real Chromium: two people (two browsers) type into one page at once, one of them in Korean,
including a synthetic IME composition (compositionstart … compositionend) during which incoming edits must wait;
both end with the same text, see each other, and the save names the other as co-author in git."""
from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import git
from tests.e2e.conftest import CHROMEDRIVER, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
PAGE = "공동/회의록"
PASSWORD = "비밀번호-12345"
WAIT = 15


@pytest.fixture(scope="module")
def vendor():
    """The client's third-party code (socket.io-client, diff-match-patch), fetched once from npm."""
    subprocess.run([str(ROOT / "plugins" / "coedit" / "fetch-vendor")], check=True, timeout=120)
    assert (ROOT / "plugins/coedit/static/vendor/diff_match_patch.js").exists()


@pytest.fixture
def second_browser(tmp_path):
    """Another Chromium with its own profile: a second person at another desk."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                     "--window-size=1280,900", "--lang=ko-KR"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield browser
    browser.quit()
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def sign_in_and_edit(browser, url: str, username: str) -> None:
    browser.get(url + "/login?next=/wiki/" + PAGE + "/edit")
    browser.find_element(By.ID, "login-username").send_keys(username)
    browser.find_element(By.ID, "login-password").send_keys(PASSWORD + Keys.ENTER)
    WebDriverWait(browser, WAIT).until(
        lambda b: b.execute_script("return !!(window.madangCoedit && window.madangCoedit.joined)"))


def value(browser) -> str:
    return browser.execute_script("return document.getElementById('editor-text').value")


def settled(browser) -> bool:
    return browser.execute_script(
        "var s = window.madangCoedit, d = s.doc; return s.joined && !d.inflight && "
        "Object.keys(d.waiting).length === 0 && d.confirmed === document.getElementById('editor-text').value")


def test_two_people_type_into_one_page_one_in_korean(browser, second_browser, live_server, vendor):
    admin = {"Authorization": f"Bearer {live_server.token()}"}
    for username, name in (("kimmj", "김민준"), ("leesy", "이서연")):
        requests.post(live_server.url + "/api/v1/admin/users", headers=admin, timeout=10, json={
            "username": username, "password": PASSWORD, "name": name,
            "email": f"{username}@seoul.go.kr"}).raise_for_status()
    requests.put(f"{live_server.url}/api/v1/pages/{PAGE}", headers=admin, timeout=10,
                 json={"markdown": "# 회의록\n\n"}).raise_for_status()
    first_window = browser.current_window_handle
    browser.switch_to.new_window("window")  # closed at the end, so its unsaved-changes prompt never lingers
    kim, lee = browser, second_browser
    try:
        sign_in_and_edit(kim, live_server.url, "kimmj")
        sign_in_and_edit(lee, live_server.url, "leesy")
        WebDriverWait(kim, WAIT).until(lambda b: "이서연" in b.find_element(By.CLASS_NAME, "coedit-panel").text)
        assert "김민준" in lee.find_element(By.CLASS_NAME, "coedit-panel").text

        # both type at once: 김민준 in English at the end of the title line, 이서연 in Korean at the end
        kim_area, lee_area = kim.find_element(By.ID, "editor-text"), lee.find_element(By.ID, "editor-text")
        kim_area.click()
        kim_area.send_keys(Keys.CONTROL, Keys.HOME)
        kim_area.send_keys(Keys.END)
        lee_area.click()
        lee_area.send_keys(Keys.CONTROL, Keys.END)

        def kim_types():
            for word in ("(draft)", " of", " Monday"):
                kim_area.send_keys(word)

        def lee_types():
            for word in ("참석자: ", "김민준, ", "이서연\n"):
                lee_area.send_keys(word)

        threads = [threading.Thread(target=kim_types), threading.Thread(target=lee_types)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        expected = "# 회의록(draft) of Monday\n\n참석자: 김민준, 이서연\n"
        WebDriverWait(kim, WAIT).until(lambda b: settled(b) and value(b) == expected)
        WebDriverWait(lee, WAIT).until(lambda b: settled(b) and value(b) == expected)
        # each sees where the other's cursor is
        WebDriverWait(kim, WAIT).until(lambda b: b.find_elements(By.CSS_SELECTOR, '.coedit-caret[data-name="이서연"]'))

        # 김민준 composes a Korean syllable with an input method while 이서연 types: the textarea is left alone
        kim.execute_script("""
            var area = document.getElementById('editor-text');
            area.focus();
            area.setSelectionRange(area.value.length, area.value.length);
            area.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));
            area.setRangeText('ㅎ', area.value.length, area.value.length, 'end');
            area.dispatchEvent(new InputEvent('input', {data: 'ㅎ', inputType: 'insertCompositionText',
                                                        isComposing: true, bubbles: true}));""")
        lee_area.send_keys(Keys.CONTROL, Keys.HOME)
        lee_area.send_keys("[회의] ")
        WebDriverWait(kim, WAIT).until(lambda b: b.execute_script(
            "return Object.keys(window.madangCoedit.doc.waiting).length > 0"))  # it arrived, and waits
        assert value(kim) == expected + "ㅎ"  # not broken up, not moved, not duplicated
        kim.execute_script("""
            var area = document.getElementById('editor-text');
            area.setRangeText('한', area.value.length - 1, area.value.length, 'end');
            area.dispatchEvent(new InputEvent('input', {data: '한', inputType: 'insertCompositionText',
                                                        isComposing: true, bubbles: true}));
            area.dispatchEvent(new CompositionEvent('compositionend', {data: '한'}));
            area.dispatchEvent(new InputEvent('input', {data: '한', inputType: 'insertText', bubbles: true}));""")
        expected = "[회의] # 회의록(draft) of Monday\n\n참석자: 김민준, 이서연\n한"
        WebDriverWait(kim, WAIT).until(lambda b: settled(b) and value(b) == expected)
        WebDriverWait(lee, WAIT).until(lambda b: settled(b) and value(b) == expected)
        assert kim.execute_script("return document.getElementById('editor-text').selectionStart") == len(expected)

        # an emoji changed into another one (JavaScript counts it as two UTF-16 units; Python as one character)
        kim.execute_script("""
            var area = document.getElementById('editor-text');
            area.setRangeText('🙂', area.value.length, area.value.length, 'end');
            area.dispatchEvent(new InputEvent('input', {inputType: 'insertText', bubbles: true}));""")
        WebDriverWait(lee, WAIT).until(lambda b: value(b).endswith("한🙂"))
        kim.execute_script("""
            var area = document.getElementById('editor-text');
            area.setRangeText('🙃', area.value.length - 2, area.value.length, 'end');
            area.dispatchEvent(new InputEvent('input', {inputType: 'insertText', bubbles: true}));""")
        expected += "🙃"
        WebDriverWait(kim, WAIT).until(lambda b: settled(b) and value(b) == expected)
        WebDriverWait(lee, WAIT).until(lambda b: settled(b) and value(b) == expected)

        # 이서연 saves with the editor's own button: one commit, 김민준 named as co-author
        lee.find_element(By.ID, "editor-message").send_keys("회의록 함께 작성")
        lee.find_element(By.ID, "editor-save").click()
        WebDriverWait(lee, WAIT).until(lambda b: unquote(b.current_url).endswith("/wiki/" + PAGE))
        log = git(live_server.tmp_path / "content_repo", "log", "-1", "--format=%an%n%B")
        assert log.startswith("이서연\n회의록 함께 작성\n") and "Co-authored-by: 김민준 <kimmj@seoul.go.kr>" in log
        page = requests.get(f"{live_server.url}/api/v1/pages/{PAGE}", headers=admin, timeout=10).json()
        assert page["markdown"] == expected
    finally:
        browser.close()
        browser.switch_to.window(first_window)
