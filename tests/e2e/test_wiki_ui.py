"""Browser scenarios: sign in, write a Korean page with live preview, edit it, read its history and diff."""
from __future__ import annotations

import base64
from urllib.parse import quote, unquote

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ADMIN_PASSWORD

PAGE = "행정포털/사용법"
WAIT = 10
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                       "hQGAhKmMIQAAAABJRU5ErkJggg==")
LONG_PAGE = ("# 사용법\n\n## 첫째\n" + "아주 긴 한국어 문장이 작은 화면에서도 알맞게 줄바꿈되어야 합니다. " * 4
             + "\n\n| 항목 | 설명 |\n|---|---|\n| 가입 | 정보화과에 신청합니다 |\n\n"
             + "```python\nprint('안녕하세요, 아주 긴 코드 줄은 가로로 스크롤되어야 하고 넘치면 안 됩니다')\n```\n"
             + "\n## 둘째\n끝\n")


def wait(browser, timeout: float = WAIT) -> WebDriverWait:
    return WebDriverWait(browser, timeout)


def sign_in(browser, username: str = "admin", password: str = ADMIN_PASSWORD) -> None:
    browser.get(browser.base_url + "/login?next=/")
    browser.find_element(By.ID, "login-username").send_keys(username)
    browser.find_element(By.ID, "login-password").send_keys(password + Keys.ENTER)
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".user-name")))


def replace_text(browser, text: str) -> None:
    """Type into the editor as a person would: select everything, then type the new Korean text."""
    area = browser.find_element(By.ID, "editor-text")
    area.click()
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(text)


def preview_shows(browser, text: str) -> None:
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "preview"), text))


def save(browser, summary: str) -> None:
    browser.find_element(By.ID, "editor-message").send_keys(summary)
    browser.find_element(By.ID, "editor-save").click()
    wait(browser).until(lambda b: unquote(b.current_url).endswith("/wiki/" + PAGE))


def upload_from_editor(browser, file) -> None:
    """The editor's upload button: the file goes to the API and its Markdown lands at the cursor."""
    file.write_bytes(PNG)
    browser.find_element(By.ID, "editor-upload").send_keys(str(file))
    area = browser.find_element(By.ID, "editor-text")
    wait(browser).until(lambda b: f"![{file.name}](attachment:{file.name})" in area.get_attribute("value"))
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#preview img"))


def test_write_edit_and_compare_a_korean_page(browser, tmp_path):
    sign_in(browser)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko"

    box = browser.find_element(By.ID, "new-path")
    box.send_keys(PAGE + Keys.ENTER)
    wait(browser).until(lambda b: unquote(b.current_url).endswith(f"/wiki/{PAGE}/edit"))
    assert "파일은 문서를 처음 저장한 뒤에 올릴 수 있습니다" in browser.page_source

    replace_text(browser, "# 사용법\n\n## 시작하기\n행정포털에 오신 것을 환영합니다.\n\n"
                          "## 자주 묻는 질문\n- **비밀번호**는 정보화과에 문의하세요.\n")
    preview_shows(browser, "환영합니다")
    preview_shows(browser, "자주 묻는 질문")
    assert browser.find_element(By.CSS_SELECTOR, "#preview strong").text == "비밀번호"
    save(browser, "처음 작성")
    assert browser.find_element(By.ID, "page-title").text == "사용법"
    assert "환영합니다" in browser.find_element(By.CSS_SELECTOR, ".page-body").text

    browser.find_element(By.LINK_TEXT, "편집").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "editor-upload")))
    replace_text(browser, "# 사용법\n\n## 시작하기\n행정포털에 오신 것을 환영해요.\n\n"
                          "## 자주 묻는 질문\n- **비밀번호**는 정보화과에 문의하세요.\n- 목차는 오른쪽에 있습니다.\n")
    preview_shows(browser, "환영해요")
    upload_from_editor(browser, tmp_path / "약도.png")
    save(browser, "말투 고침")
    image = browser.find_element(By.CSS_SELECTOR, ".page-body > p > img")
    assert image.get_attribute("naturalWidth") == "1", "the attachment is served and displayed"
    assert "환영해요" in browser.find_element(By.CSS_SELECTOR, ".page-body").text
    assert len(browser.find_elements(By.CSS_SELECTOR, ".toc-list li")) == 2
    browser.save_screenshot("/tmp/madang-page.png")

    browser.find_element(By.LINK_TEXT, "역사").click()
    rows = wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".history-table tbody tr"))
    assert len(rows) == 2
    assert "말투 고침" in rows[0].text and "처음 작성" in rows[1].text
    old_link = rows[1].find_element(By.CSS_SELECTOR, "td.rev a").get_attribute("href")

    browser.find_element(By.CSS_SELECTOR, ".history-form button[type=submit]").click()
    deleted = wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.diff-sbs del.diff-del")))
    inserted = browser.find_element(By.CSS_SELECTOR, "table.diff-sbs ins.diff-ins")
    assert "합니다" in deleted.text and "해요" in inserted.text
    assert "목차는 오른쪽에 있습니다." in browser.find_element(By.CSS_SELECTOR, "tr.diff-add").text
    browser.save_screenshot("/tmp/madang-diff.png")

    browser.get(old_link)
    banner = wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".banner-old")))
    assert "옛 판을 보고 있습니다" in banner.text
    body = browser.find_element(By.CSS_SELECTOR, ".page-body").text
    assert "환영합니다" in body and "환영해요" not in body


def test_phone_layout_and_language_switch(browser, live_server):
    """On a phone-sized screen nothing overflows sideways; the language toggle switches to English and back."""
    token = live_server.token()
    requests.put(f"{live_server.url}/api/v1/pages/{quote(PAGE)}", timeout=10,
                 headers={"Authorization": f"Bearer {token}"},
                 json={"markdown": LONG_PAGE}).raise_for_status()
    browser.set_window_size(390, 844)
    browser.get(browser.base_url + "/wiki/" + quote(PAGE))
    wait(browser).until(ec.presence_of_element_located((By.ID, "page-title")))
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    browser.save_screenshot("/tmp/madang-phone.png")

    browser.find_element(By.CSS_SELECTOR, '.lang-switch a[lang="en"]').click()
    wait(browser).until(lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert unquote(browser.current_url).endswith("/wiki/" + PAGE)
    assert "History" in browser.page_source
    browser.find_element(By.CSS_SELECTOR, '.lang-switch a[lang="ko"]').click()
    wait(browser).until(lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko")
