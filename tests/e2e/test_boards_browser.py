"""Boards in a real Chromium: an admin makes a board in the console, writes a post in the wiki's editor (live
preview, @mention linked), attaches a photo and a video, and sees the gallery, the HTML5 player and a comment."""
from __future__ import annotations

import base64

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ADMIN_PASSWORD

WAIT = 15
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                       "hQGAhKmMIQAAAABJRU5ErkJggg==")


def wait(browser) -> WebDriverWait:
    return WebDriverWait(browser, WAIT)


def test_write_a_post_with_a_gallery_a_video_and_a_comment(browser, tmp_path):
    browser.get(browser.base_url + "/login?next=/boards")
    browser.find_element(By.ID, "login-username").send_keys("admin")
    browser.find_element(By.ID, "login-password").send_keys(ADMIN_PASSWORD + Keys.ENTER)
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".user-name")))
    browser.get(browser.base_url + "/boards")
    browser.find_element(By.XPATH, "//summary[contains(., '게시판 만들기')]").click()
    browser.find_element(By.NAME, "slug").send_keys("gu-news")
    browser.find_element(By.NAME, "name").send_keys("구청 소식")
    browser.find_element(By.XPATH, "//button[contains(., '게시판 만들기')]").click()
    wait(browser).until(lambda b: b.current_url.endswith("/boards/gu-news"))

    browser.find_element(By.LINK_TEXT, "글쓰기").click()
    area = wait(browser).until(ec.presence_of_element_located((By.ID, "editor-text")))
    browser.find_element(By.NAME, "title").send_keys("봄맞이 꽃길 걷기 행사")
    area.send_keys("**4월 5일** 행사 사진과 영상입니다. 문의는 @admin 에게.\n\n![꽃길](attachment:꽃길.png)")
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#preview strong"))
    assert browser.find_element(By.CSS_SELECTOR, "#preview strong").text == "4월 5일"
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, '#preview a[href="/people/admin"]'))
    assert not browser.find_elements(By.CSS_SELECTOR, ".coedit-panel")  # a post is not a wiki page
    photo, video = tmp_path / "꽃길.png", tmp_path / "행사.mp4"
    photo.write_bytes(PNG)
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
    browser.find_element(By.NAME, "files").send_keys(f"{photo}\n{video}")
    browser.find_element(By.XPATH, "//button[contains(., '등록')]").click()

    gallery = wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".boards-gallery img")))
    wait(browser).until(lambda b: gallery.get_attribute("naturalWidth") == "1")  # served and displayed
    inline = browser.find_element(By.CSS_SELECTOR, ".markdown-body img")
    assert inline.get_attribute("alt") == "꽃길"
    player = browser.find_element(By.CSS_SELECTOR, "video.boards-video")
    assert player.get_attribute("controls") is not None and player.get_attribute("src").endswith(".mp4")
    served = browser.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => done([r.status, r.headers.get('content-type')]));",
        player.get_attribute("src"))
    assert served == [200, "video/mp4"]

    box = browser.find_element(By.ID, "c-text-top")
    box.send_keys("사진 잘 봤습니다!")
    box.find_element(By.XPATH, "./ancestor::form//button[@type='submit']").click()
    wait(browser).until(lambda b: "#c-" in b.current_url)
    assert "사진 잘 봤습니다!" in wait(browser).until(ec.presence_of_element_located((By.ID, "comments"))).text
    browser.find_element(By.LINK_TEXT, "목록으로").click()
    row = wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".boards-table tbody tr")))
    assert "봄맞이 꽃길 걷기 행사" in row.text and "[1]" in row.text
