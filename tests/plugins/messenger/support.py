"""Helpers of the messenger's tests (conftest.py holds the fixtures).

They run against real `python app.py` processes with the real Socket.IO client: one server for the module
(started on a content repository whose org chart holds a few 서울시 staff and whose other built-in plugins are
off, so that nothing but the messenger costs time), accounts made through the API, and `Chat`: a
python-socketio client whose events are queued, so tests wait for them (bounded) instead of sleeping.
"""
from __future__ import annotations

import contextlib
import functools
import queue
import threading
import time
import uuid
from pathlib import Path

import requests
import socketio

from tests.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "비밀번호-12345"
WAIT = 15  # seconds: the bound of every wait for an event (never a timed assertion)
DEPARTMENTS = [
    {"id": "seoul", "name": "서울특별시", "parent": None},
    {"id": "cityhall", "name": "서울특별시청", "parent": "seoul"},
    {"id": "digital", "name": "디지털정책관", "parent": "cityhall"},
    {"id": "digital-data", "name": "데이터전략팀", "parent": "digital"},
    {"id": "jongno", "name": "종로구청", "parent": "seoul"},
]
PEOPLE = [
    {"username": "kimmj", "name": "김민준", "title": "주무관", "department": "digital"},
    {"username": "leesy", "name": "이서연", "title": "팀장", "department": "digital-data"},
    {"username": "parkjh", "name": "박지훈", "title": "주무관", "department": "digital-data"},
    {"username": "choiyj", "name": "최유진", "title": "과장", "department": "jongno"},
    {"username": "jungdh", "name": "정다현", "title": "주무관", "department": "jongno"},
]


class Site:
    """A running server and what the tests need of it: accounts, tokens, REST calls."""

    def __init__(self, server: LiveServer) -> None:
        self.server, self.url = server, server.url
        self.admin = {"Authorization": f"Bearer {server.token()}"}
        self.tokens: dict[str, str] = {}

    def user(self, username: str) -> str:
        """The account (made once, named as in the org chart) and a token for it."""
        if username not in self.tokens:
            name = next((p["name"] for p in PEOPLE if p["username"] == username), username)
            response = requests.post(self.url + "/api/v1/admin/users", headers=self.admin, timeout=10, json={
                "username": username, "password": PASSWORD, "name": name, "email": f"{username}@seoul.go.kr"})
            assert response.status_code in (201, 409), response.text
            self.tokens[username] = self.server.token(username, PASSWORD)
        return self.tokens[username]

    def headers(self, username: str) -> dict:
        return {"Authorization": f"Bearer {self.user(username)}"}

    def call(self, method: str, path: str, username: str | None, status: int | tuple = 200, **kwargs):
        headers = self.headers(username) if username else {}
        response = requests.request(method, self.url + path, headers=headers, timeout=15, **kwargs)
        expected = status if isinstance(status, tuple) else (status,)
        assert response.status_code in expected, (response.status_code, response.text)
        return response.json()

    def conversation(self, creator: str, members: list[str], **extra) -> int:
        for username in [creator, *members]:
            self.user(username)
        answer = self.call("POST", "/api/v1/messenger/conversations", creator, (200, 201),
                           json={"members": members, **extra})
        return answer["id"]

    def settings(self, values: dict) -> None:
        """The messenger's settings, as the admin saves them in the console ({} for the defaults)."""
        response = requests.put(self.url + "/api/v1/admin/plugins/messenger", headers=self.admin, timeout=15,
                                json={"settings": values})
        assert response.ok, response.text

    def messages(self, username: str, conversation: int, **params) -> dict:
        return self.call("GET", f"/api/v1/messenger/conversations/{conversation}/messages", username,
                         params=params)


class Chat:
    """A real Socket.IO client on /messenger; every event it receives is queued by name."""

    EVENTS = ("message", "message_updated", "typing", "read", "unread", "presence", "conversation", "left")

    def __init__(self, url: str, token: str | None = None, headers: dict | None = None,
                 transports: list[str] | None = None) -> None:
        self.client = socketio.Client(reconnection=False)
        self.queues: dict[str, queue.Queue] = {name: queue.Queue() for name in self.EVENTS}
        for name in self.EVENTS:
            self.client.on(name, self._collector(name), namespace="/messenger")
        self.client.connect(url, namespaces=["/messenger"], auth={"token": token} if token else None,
                            headers=headers or {}, transports=transports or ["websocket"], wait_timeout=WAIT)

    def _collector(self, name: str):
        return lambda data: self.queues[name].put(data)

    def call(self, event: str, data: dict) -> object:
        return self.client.call(event, data, namespace="/messenger", timeout=WAIT)

    def send(self, conversation: int, text: str, client_id: str | None = None) -> dict:
        return self.call("send", {"conversation": conversation, "client_id": client_id or uuid.uuid4().hex,
                                  "text": text})

    def next(self, event: str = "message", where=lambda data: True) -> dict:
        """The next event of this name that matches (waits at most WAIT seconds for it)."""
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no '{event}' event arrived within {WAIT} s")
            try:
                data = self.queues[event].get(timeout=left)
            except queue.Empty:
                continue
            if where(data):
                return data

    def drain(self, event: str = "message") -> list:
        items = []
        while True:
            try:
                items.append(self.queues[event].get_nowait())
            except queue.Empty:
                return items

    def close(self) -> None:
        ws = getattr(self.client.eio, "ws", None)
        if ws is not None:  # the development server never answers the close frame: do not wait 3 s for it
            ws.close = functools.partial(ws.close, timeout=0.2)
        self.client.disconnect()


def close_all(chats: list[Chat]) -> None:
    """Close clients at once."""

    def close(chat: Chat) -> None:
        with contextlib.suppress(Exception):  # already gone
            chat.close()

    closers = [threading.Thread(target=close, args=(chat,)) for chat in chats]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join()
