"""Files and images shared in a conversation, against a real server: upload (limits, blocked types), members
receive the message live, only members fetch the bytes (others 404), images inline and the rest as downloads,
a deleted message's file is gone, a retried upload is stored once."""
from __future__ import annotations

import struct
import zlib

import requests

from tests.plugins.messenger.support import Chat, Site

API = "/api/v1/messenger"


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (red pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def upload(site: Site, username: str, conversation: int, name: str, data: bytes, **form) -> requests.Response:
    return requests.post(f"{site.url}{API}/conversations/{conversation}/files", headers=site.headers(username),
                         files={"file": (name, data)}, data=form, timeout=15)


def test_an_image_and_a_file_reach_members_and_only_members_fetch_them(site: Site, chats):
    conversation = site.conversation("kimmj", ["leesy"], title="자료 공유방")
    lee = chats(site, "leesy")
    sent = upload(site, "kimmj", conversation, "현장 사진.png", png(), text="현장 사진입니다", client_id="사진-1")
    assert sent.status_code == 201, sent.text
    image = sent.json()
    assert image["kind"] == "file" and image["text"] == "현장 사진입니다"
    assert image["file"]["name"] == "현장 사진.png" and image["file"]["image"] is True
    assert image["file"]["type"] == "image/png" and image["file"]["size"] == len(png())
    assert lee.next("message") == image  # live, like any message
    assert upload(site, "kimmj", conversation, "현장 사진.png", png(), client_id="사진-1").json() == image  # once

    report = "2026년 3분기 민원 처리 현황\n".encode() * 50
    document = upload(site, "leesy", conversation, "민원 현황.hwp", report).json()
    assert document["file"]["image"] is False and document["text"] == ""

    # members: the bytes, images inline with their type, other files as a download
    got = requests.get(site.url + image["file"]["url"], headers=site.headers("leesy"), timeout=10)
    assert got.status_code == 200 and got.content == png() and got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Disposition"].startswith("inline")
    got = requests.get(site.url + document["file"]["url"], headers=site.headers("kimmj"), timeout=10)
    assert got.content == report and got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%EB%AF%BC%EC%9B%90" in got.headers["Content-Disposition"]

    # others: 404 as for a file that does not exist; anonymous: 401
    site.user("parkjh")
    for url in (image["file"]["url"], document["file"]["url"], f"{API}/files/999999"):
        outsider = requests.get(site.url + url, headers=site.headers("parkjh"), timeout=10)
        assert outsider.status_code == 404 and outsider.json()["error"] == "not_found"
        assert "민원" not in outsider.text
    assert requests.get(site.url + image["file"]["url"], timeout=10).status_code == 401
    # in the history too, and after leaving, 이서연 can no longer fetch it
    history = site.messages("leesy", conversation)["items"]
    assert [m["file"]["name"] for m in history] == ["현장 사진.png", "민원 현황.hwp"]
    site.call("POST", f"{API}/conversations/{conversation}/leave", "leesy")
    assert requests.get(site.url + image["file"]["url"], headers=site.headers("leesy"), timeout=10).status_code == 404


def test_refused_uploads_store_nothing(site: Site):
    conversation = site.conversation("choiyj", ["jungdh"], title="업로드 제한 시험")
    for name, data, status, error in (("설치.exe", b"MZ" + b"\x00" * 100, 415, "unsupported_type"),
                                      ("매크로.PS1", b"Write-Host 1", 415, "unsupported_type"),
                                      ("빈 파일.txt", b"", 400, "invalid_input")):
        answer = upload(site, "choiyj", conversation, name, data)
        assert answer.status_code == status and answer.json()["error"] == error, answer.text
        assert len(answer.json()["message"]) > 10
    site.user("parkjh")
    assert upload(site, "parkjh", conversation, "남의 방.txt", b"hello").status_code == 404
    missing = requests.post(f"{site.url}{API}/conversations/{conversation}/files", headers=site.headers("choiyj"),
                            data={"text": "파일 없음"}, timeout=10)
    assert missing.status_code == 400 and "'file'" in missing.json()["message"]
    # over the plugin's limit (set to 1 MiB by the admin)
    site.settings({"max_file_mib": 1})
    try:
        big = upload(site, "choiyj", conversation, "큰 파일.zip", b"\x00" * (1024 * 1024 + 1))
        assert big.status_code == 413 and big.json()["error"] == "too_large" and "1 MiB" in big.json()["message"]
    finally:
        site.settings({})
    # a picture that is not one is served as a download, never rendered
    fake = upload(site, "choiyj", conversation, "사진.png", b"<script>alert(1)</script>").json()
    assert fake["file"]["image"] is False and fake["file"]["type"] == "application/octet-stream"
    assert site.messages("jungdh", conversation)["items"] == [fake]


def test_deleting_a_file_message_removes_the_file(site: Site, chats):
    conversation = site.conversation("jungdh", ["choiyj"], title="삭제 시험")
    choi: Chat = chats(site, "choiyj")
    shared = upload(site, "jungdh", conversation, "잘못 올린 사진.png", png(3, 3)).json()
    assert choi.next("message")["id"] == shared["id"]
    url = site.url + shared["file"]["url"]
    assert requests.get(url, headers=site.headers("choiyj"), timeout=10).status_code == 200
    deleted = site.call("DELETE", f"{API}/messages/{shared['id']}", "jungdh")
    assert deleted["deleted"] and deleted["file"] is None
    assert choi.next("message_updated")["file"] is None
    assert requests.get(url, headers=site.headers("jungdh"), timeout=10).status_code == 404
