"""The compact panel on every page (hook madang_page_assets), in a real headless Chromium against the real server:
the badge appears and counts up as a colleague's messages arrive, a mention raises a browser notification, the
panel lists the conversation, opening it marks it read (the badge goes), the quick reply reaches the colleague, and
after a spell offline the open conversation shows what was sent and edited meanwhile. Anonymous readers get no
panel."""
from __future__ import annotations

import requests

from tests.plugins.messenger.support import PASSWORD, WAIT, Site
from tests.support.hooks import exercises

# the test's stand-in for the browser's Notification API, "granted", recording what the page shows
RECORD_NOTIFICATIONS = """
window.__notes = [];
window.Notification = function (title, options) { window.__notes.push({title: title, body: options.body}); };
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
"""


@exercises("madang_page_assets")
def test_the_badge_counts_notifies_and_the_quick_reply_sends(site: Site, chats, driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    anonymous = requests.get(site.url + "/", timeout=10).text
    assert "panel.js" not in anonymous and "panel.css" not in anonymous

    conversation = site.conversation("leesy", ["kimmj"], title="패널 시험방")
    colleague = chats(site, "leesy")
    driver.get(site.url + "/login")
    driver.find_element(By.NAME, "username").send_keys("kimmj")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD + Keys.ENTER)
    wait = WebDriverWait(driver, WAIT)
    wait.until(lambda d: "/login" not in d.current_url)
    driver.get(site.url + "/")
    button = wait.until(lambda d: d.find_element(By.ID, "mp-button"))
    badge = driver.find_element(By.ID, "mp-badge")
    assert not badge.is_displayed()
    driver.execute_script(RECORD_NOTIFICATIONS)
    if driver.execute_script("return !!window.io"):  # real time: wait until the panel's socket is connected
        wait.until(lambda d: colleague.call("who", {"usernames": ["kimmj"]})["kimmj"] == "online")

    colleague.send(conversation, "@kimmj 오후 회의 자료 확인 부탁드립니다")
    wait.until(lambda d: badge.is_displayed() and badge.text == "1")
    colleague.send(conversation, "회의실은 3층입니다")
    wait.until(lambda d: badge.text == "2")
    if driver.execute_script("return !!window.io"):  # the notifications come with the live messages
        notes = wait.until(lambda d: len(d.execute_script("return window.__notes")) >= 2
                           and d.execute_script("return window.__notes"))
        assert "언급" in notes[0]["title"] and "이서연" in notes[0]["title"]
        assert notes[0]["body"] == "@kimmj 오후 회의 자료 확인 부탁드립니다"
        assert "새 메시지" in notes[1]["title"]

    button.click()
    # .text is empty while the panel slides in (not yet displayed): wait for it to be shown
    listed = f'#mp-list a[data-id="{conversation}"]'
    link = wait.until(lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, listed) if "패널 시험방" in e.text),
                                     None))
    assert "2" in link.find_element(By.CLASS_NAME, "mp-count").text
    link.click()
    wait.until(lambda d: "회의실은 3층입니다" in d.find_element(By.ID, "mp-messages").text)
    wait.until(lambda d: not badge.is_displayed())  # opened: read
    assert site.call("GET", "/api/v1/messenger/unread", "kimmj")["total"] == 0

    driver.find_element(By.ID, "mp-text").send_keys("네, 확인했습니다" + Keys.ENTER)
    received = colleague.next("message", where=lambda m: m["sender"] == "kimmj")
    assert received["text"] == "네, 확인했습니다" and received["conversation"] == conversation
    wait.until(lambda d: "네, 확인했습니다" in d.find_element(By.ID, "mp-messages").text)

    # offline for a while (DevTools closes the socket): what was sent and edited meanwhile shows after the
    # reconnect, in the conversation still open in the panel
    if not driver.execute_script("return !!window.io"):
        raise AssertionError("the Socket.IO client was not fetched (scripts/fetch-socketio-client)")
    third = [m for m in site.messages("kimmj", conversation)["items"] if m["text"] == "회의실은 3층입니다"][0]
    offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", offline)
    try:
        wait.until(lambda d: colleague.call("who", {"usernames": ["kimmj"]})["kimmj"] == "offline")
        colleague.call("edit", {"id": third["id"], "text": "회의실이 5층으로 바뀌었습니다"})
        colleague.send(conversation, "늦지 마세요")
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**offline, "offline": False})
    wait.until(lambda d: "5층으로 바뀌었습니다" in d.find_element(By.ID, "mp-messages").text
               and "늦지 마세요" in d.find_element(By.ID, "mp-messages").text)
    assert "3층입니다" not in driver.find_element(By.ID, "mp-messages").text
