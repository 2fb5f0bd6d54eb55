"""The messenger plugin's hook implementations (see README.md beside this file)."""
from __future__ import annotations

from pathlib import Path

from wiki.api import add_catalog, hookimpl

from . import NAME, models  # noqa: F401  (models: the tables)

add_catalog({
    "messenger.title": {"ko": "메신저", "en": "Messenger"},
    "messenger.connection": {"ko": "연결 상태", "en": "Connection"},
    "messenger.search": {"ko": "대화 검색", "en": "Search messages"},
    "messenger.new": {"ko": "새 대화", "en": "New conversation"},
    "messenger.find_people": {"ko": "이름·부서로 찾기", "en": "Find by name or department"},
    "messenger.department_none": {"ko": "부서 전체 초대 (선택)", "en": "Invite a whole department (optional)"},
    "messenger.title_optional": {"ko": "대화방 이름 (선택)", "en": "Title (optional)"},
    "messenger.start": {"ko": "대화 시작", "en": "Start"},
    "messenger.manage": {"ko": "대화방 관리", "en": "Manage"},
    "messenger.rename": {"ko": "이름 바꾸기", "en": "Rename"},
    "messenger.username": {"ko": "사용자 ID", "en": "User name"},
    "messenger.add": {"ko": "초대", "en": "Add"},
    "messenger.leave": {"ko": "나가기", "en": "Leave"},
    "messenger.older": {"ko": "이전 메시지", "en": "Older messages"},
    "messenger.placeholder": {"ko": "메시지 입력 (Enter 전송, Shift+Enter 줄바꿈)",
                              "en": "Message (Enter sends, Shift+Enter for a new line)"},
    "messenger.send": {"ko": "보내기", "en": "Send"},
    "messenger.attach": {"ko": "파일·사진 보내기", "en": "Share a file or image"},
    "messenger.notify": {"ko": "알림 켜기", "en": "Turn on notifications"},
})


@hookimpl
def madang_plugin_info() -> dict:
    return {"name": NAME, "title": {"ko": "메신저", "en": "Messenger"},
            "description": {"ko": "조직도 기반 실시간 대화 (1:1, 부서·그룹 대화, 읽음 표시, 검색)",
                            "en": "Org-chart based real-time chat (one-to-one, departments and groups, read "
                                  "markers, search)"},
            "version": "1.2", "schema_version": 3}


@hookimpl
def madang_migrate(db, from_version) -> None:
    from .migrations import migrate

    migrate(db, from_version)


@hookimpl
def madang_settings_schema() -> dict:
    from .flood import DEFAULTS

    return {"type": "object", "properties": {
        "flood_burst": {"type": "integer", "default": DEFAULTS["flood_burst"], "minimum": 1, "maximum": 10_000,
                        "title": {"ko": "연속 전송 허용 수", "en": "Messages a person may send in a row"}},
        "flood_per_minute": {"type": "integer", "default": DEFAULTS["flood_per_minute"], "minimum": 1,
                             "maximum": 100_000,
                             "title": {"ko": "분당 전송 한도 (1인)", "en": "Messages a minute per person, sustained"}},
        "max_file_mib": {"type": "integer", "default": 20, "minimum": 1, "maximum": 200,
                         "title": {"ko": "첨부 파일 최대 크기 (MiB)", "en": "Largest shared file (MiB)"}}}}


@hookimpl
def madang_blueprints() -> list:
    from .routes import bp

    return [bp]


@hookimpl
def madang_socketio(socketio) -> None:
    from .sockets import register

    register(socketio)


@hookimpl
def madang_nav_items(user) -> list:
    if user is None:
        return []
    return [{"label": {"ko": "메신저", "en": "Messenger"}, "url": "/messenger", "order": 30}]


STATIC = Path(__file__).resolve().parent / "static"


def _versioned(name: str) -> str:
    """The static file's address with its modification time, so browsers fetch a changed file at once."""
    try:
        version = int((STATIC / name).stat().st_mtime)
    except OSError:
        version = 0
    return f"/messenger/static/{name}?v={version}"


@hookimpl
def madang_page_assets(user) -> list[dict]:
    """The compact panel (badge, recent conversations, quick reply, browser notifications) on every page of a
    signed-in person; with the vendored Socket.IO client first when it is there (else the panel polls)."""
    if user is None:
        return []
    assets = [{"style": _versioned("panel.css")}]
    if (STATIC / "vendor" / "socket.io.min.js").exists():
        assets.append({"script": _versioned("vendor/socket.io.min.js")})
    return [*assets, {"script": _versioned("panel.js")}]


@hookimpl
def madang_openapi_paths() -> dict:
    from .openapi import PATHS

    return PATHS


@hookimpl
def madang_health() -> list[dict]:
    from sqlalchemy import func, select

    from wiki.api import core

    from .models import Message, Presence

    with core().db.session() as session:
        count = session.scalar(select(func.count()).select_from(Message)) or 0
        sockets = session.scalar(select(func.count()).select_from(Presence)) or 0
    return [{"label": {"ko": "메시지", "en": "Messages"}, "value": f"{count:,}", "ok": True},
            {"label": {"ko": "연결된 소켓", "en": "Open sockets"}, "value": f"{sockets:,}", "ok": True}]
