"""The /messenger page in a real headless Chromium, against the real server: it connects with its session cookie,
shows what a colleague sends through Socket.IO, and sends through the page (Enter) to the colleague's client."""
from __future__ import annotations

from tests.plugins.messenger.support import PASSWORD, ROOT, WAIT, Site


def open_messenger(driver, site: Site, username: str, conversation: int):
    """Sign in (unless the browser still is) and open the conversation on /messenger; answers a WebDriverWait."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(site.url + "/login")
    if driver.find_elements(By.NAME, "password"):
        driver.find_element(By.NAME, "username").send_keys(username)
        driver.find_element(By.NAME, "password").send_keys(PASSWORD + Keys.ENTER)
        WebDriverWait(driver, WAIT).until(lambda d: "/login" not in d.current_url)
    driver.get(f"{site.url}/messenger#{conversation}")
    return WebDriverWait(driver, WAIT)


def test_the_page_receives_and_sends_in_real_time(site: Site, chats, driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    conversation = site.conversation("parkjh", ["choiyj"], title="화면 시험방")
    colleague = chats(site, "choiyj")
    wait = open_messenger(driver, site, "parkjh", conversation)
    wait.until(lambda d: "화면 시험방" in d.find_element(By.ID, "m-conv-title").text)
    if (ROOT / "plugins" / "messenger" / "static" / "vendor" / "socket.io.min.js").exists():
        wait.until(lambda d: "online" in d.find_element(By.ID, "m-link").get_attribute("class"))

    colleague.send(conversation, "종로구청 최유진입니다, 확인 부탁드려요")
    wait.until(lambda d: "확인 부탁드려요" in d.find_element(By.ID, "m-messages").text)

    box = driver.find_element(By.ID, "m-text")
    box.send_keys("네, 박지훈입니다. 확인했습니다" + Keys.ENTER)
    received = colleague.next("message", where=lambda m: m["sender"] == "parkjh")
    assert received["text"] == "네, 박지훈입니다. 확인했습니다"
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, f'#m-messages li[data-id="{received["id"]}"]')) == 1)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#m-messages li.m-message")) == 2  # no duplicate
    assert site.messages("choiyj", conversation)["items"][-1]["text"] == "네, 박지훈입니다. 확인했습니다"

    # a colleague shares a picture and a document: the picture shows inline (loaded with the reader's session),
    # the document is a download link
    from tests.plugins.messenger.test_messenger_files import png, upload

    upload(site, "choiyj", conversation, "현장.png", png(4, 4), text="현장 사진")
    upload(site, "choiyj", conversation, "보고서.hwp", "보고서 본문".encode())
    wait.until(lambda d: d.execute_script(
        "var i = document.querySelector('#m-messages img.m-image'); return i && i.complete && i.naturalWidth"))
    link = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#m-messages a.m-file"))
    assert "보고서.hwp" in link.text and link.get_attribute("download") == "보고서.hwp"

    # a mention in another conversation raises a browser notification (the API stood in for, as "granted")
    if (ROOT / "plugins" / "messenger" / "static" / "vendor" / "socket.io.min.js").exists():
        from tests.plugins.messenger.test_messenger_panel import RECORD_NOTIFICATIONS

        driver.execute_script(RECORD_NOTIFICATIONS)
        other = site.conversation("jungdh", ["parkjh"], title="급한 방")
        chats(site, "jungdh").send(other, "@parkjh 급한 건입니다")
        notes = wait.until(lambda d: d.execute_script("return window.__notes.length && window.__notes"))
        assert "언급" in notes[0]["title"] and notes[0]["body"] == "@parkjh 급한 건입니다"


def test_the_page_catches_up_edits_and_deletions_made_while_it_was_offline(site: Site, chats, driver):
    """Chromium goes offline (DevTools network emulation closes the websocket), a colleague edits, deletes and
    sends meanwhile; back online the page reconnects and shows all three, each once."""
    from selenium.webdriver.common.by import By

    if not (ROOT / "plugins" / "messenger" / "static" / "vendor" / "socket.io.min.js").exists():
        raise AssertionError("the Socket.IO client was not fetched (scripts/fetch-socketio-client)")
    conversation = site.conversation("parkjh", ["choiyj"], title="오프라인 시험방")
    colleague = chats(site, "choiyj")
    first = colleague.send(conversation, "회의는 3시입니다")
    second = colleague.send(conversation, "자료는 메일로 보냈습니다")
    wait = open_messenger(driver, site, "parkjh", conversation)
    wait.until(lambda d: "자료는 메일로" in d.find_element(By.ID, "m-messages").text)
    wait.until(lambda d: "online" in d.find_element(By.ID, "m-link").get_attribute("class"))

    offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", offline)
    try:
        wait.until(lambda d: "offline" in d.find_element(By.ID, "m-link").get_attribute("class"))
        colleague.call("edit", {"id": first["id"], "text": "회의는 4시로 변경되었습니다"})
        colleague.call("delete", {"id": second["id"]})
        later = colleague.send(conversation, "회의실은 7층입니다")
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**offline, "offline": False})

    def shown(d) -> str:
        return d.find_element(By.ID, "m-messages").text

    wait.until(lambda d: "4시로 변경" in shown(d) and "7층" in shown(d) and "삭제된 메시지" in shown(d))
    assert "3시입니다" not in shown(driver) and "메일로 보냈습니다" not in shown(driver)
    ids = [e.get_attribute("data-id") for e in driver.find_elements(By.CSS_SELECTOR, "#m-messages li.m-message")]
    assert sorted(ids) == sorted({str(first["id"]), str(second["id"]), str(later["id"])})


def test_the_page_speaks_english_to_those_who_choose_it(site: Site, chats, driver):
    from selenium.webdriver.common.by import By

    conversation = site.conversation("parkjh", ["choiyj"], title="English check")
    colleague = chats(site, "choiyj")
    said = colleague.send(conversation, "회의 자료입니다")
    colleague.call("edit", {"id": said["id"], "text": "회의 자료입니다 (최종)"})
    gone = colleague.send(conversation, "잘못 보냄")
    colleague.call("delete", {"id": gone["id"]})
    open_messenger(driver, site, "parkjh", conversation)
    driver.get(f"{site.url}/language/en?next=/messenger%23{conversation}")
    try:
        wait = open_messenger(driver, site, "parkjh", conversation)
        wait.until(lambda d: "(edited)" in d.find_element(By.ID, "m-messages").text)
        shown = driver.find_element(By.ID, "m-messages").text
        assert "This message was deleted." in shown and "(수정됨)" not in shown and "삭제된" not in shown
    finally:
        driver.get(f"{site.url}/language/ko?next=/")


def test_two_people_chat_each_in_their_own_browser(site: Site, driver, second_driver):
    """박지훈 and 정다현, each in a Chromium of their own: typing shows, messages cross both ways in real time,
    each once, and the reader's read marker reaches the sender."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    if not (ROOT / "plugins" / "messenger" / "static" / "vendor" / "socket.io.min.js").exists():
        raise AssertionError("the Socket.IO client was not fetched (scripts/fetch-socketio-client)")
    conversation = site.conversation("parkjh", ["jungdh"], title="두 브라우저 대화")
    park = open_messenger(driver, site, "parkjh", conversation)
    jung = open_messenger(second_driver, site, "jungdh", conversation)
    for wait in (park, jung):
        wait.until(lambda d: "online" in d.find_element(By.ID, "m-link").get_attribute("class"))

    def messages(browser) -> list[str]:
        return [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#m-messages li.m-message .m-text")]

    box = driver.find_element(By.ID, "m-text")
    box.send_keys("다현 님, 오후 3시 민원 회의 가능하세요?")
    jung.until(lambda d: "입력 중" in d.find_element(By.ID, "m-typing").text)  # 박지훈 is typing
    box.send_keys(Keys.ENTER)
    jung.until(lambda d: messages(d) == ["다현 님, 오후 3시 민원 회의 가능하세요?"])
    second_driver.find_element(By.ID, "m-text").send_keys("네, 가능합니다. 자료 챙겨갈게요" + Keys.ENTER)
    expected = ["다현 님, 오후 3시 민원 회의 가능하세요?", "네, 가능합니다. 자료 챙겨갈게요"]
    park.until(lambda d: messages(d) == expected)
    jung.until(lambda d: messages(d) == expected)  # her own, once (acknowledged, not doubled by the echo)
    stored = site.messages("parkjh", conversation)["items"]
    assert [m["text"] for m in stored] == expected and [m["sender"] for m in stored] == ["parkjh", "jungdh"]
    # both read everything: the markers are stored as the pages report them
    park.until(lambda d: site.call("GET", f"/api/v1/messenger/conversations/{conversation}", "parkjh")[
        "unread"] == 0)
    jung.until(lambda d: site.call("GET", f"/api/v1/messenger/conversations/{conversation}", "jungdh")[
        "unread"] == 0)
