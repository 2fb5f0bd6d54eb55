"""The co-editing plugin's hook implementations (see README.md beside this file)."""
from __future__ import annotations

from flask import Blueprint

from wiki.api import hookimpl

from . import NAME, models  # noqa: F401  (models: the drafts table)

bp = Blueprint("coedit", __name__, static_folder="static", static_url_path="/coedit/static")


@hookimpl
def madang_plugin_info() -> dict:
    return {"name": NAME, "title": {"ko": "공동 편집", "en": "Co-editing"},
            "description": {"ko": "여러 사람이 한 문서를 동시에 편집하고, 저장하면 git에 공동 저자가 모두 남습니다",
                            "en": "Several people edit one page at once; saving records every co-author in git"},
            "version": "1.0", "schema_version": 1}


@hookimpl
def madang_blueprints() -> list:
    return [bp]


@hookimpl
def madang_socketio(socketio) -> None:
    from .sockets import register

    register(socketio)


@hookimpl
def madang_after_commit(commit) -> None:
    """A commit may have changed a page being edited: the watcher merges it into the live text at once."""
    from .watcher import WAKE

    WAKE.set()


@hookimpl
def madang_page_assets(user) -> list[dict]:
    """The co-editing client for signed-in people; it wakes only on the edit page and then loads the rest."""
    if user is None:
        return []
    return [{"script": "/coedit/static/coedit.js"}, {"style": "/coedit/static/coedit.css"}]


@hookimpl
def madang_settings_schema() -> dict:
    return {"type": "object", "properties": {
        "allow_watchers": {"type": "boolean", "default": False,
                           "title": {"ko": "읽기 전용 참관 허용", "en": "Allow read-only watchers"},
                           "description": {"ko": "편집 권한이 없고 읽을 수만 있는 사람도 실시간으로 지켜볼 수 있습니다",
                                           "en": "People who may read but not edit a page may watch it live"}},
        "max_edits_per_second": {"type": "integer", "default": 30, "minimum": 1, "maximum": 1000,
                                 "title": {"ko": "한 연결의 초당 최대 편집 수",
                                           "en": "Edits per second per connection"}},
        "draft_seconds": {"type": "integer", "default": 2, "minimum": 1, "maximum": 600,
                          "title": {"ko": "초안 저장 간격(초)", "en": "Seconds before the draft is written"}},
    }}


@hookimpl
def madang_health() -> list[dict]:
    from sqlalchemy import func, select

    from wiki.api import core

    from .models import Draft
    from .sessions import SESSIONS

    with core().db.session() as session:
        count = session.scalar(select(func.count()).select_from(Draft)) or 0
    people = sum(len(s.participants) for s in list(SESSIONS.values()))
    return [{"label": {"ko": "공동 편집 중인 문서", "en": "Pages being co-edited"},
             "value": f"{len(SESSIONS):,} ({people:,})", "ok": True},
            {"label": {"ko": "저장되지 않은 초안", "en": "Unsaved drafts"}, "value": f"{count:,}", "ok": True}]
