"""The launcher plugin's hook implementations."""
from __future__ import annotations

from wiki.api import add_catalog, hookimpl

from . import (
    NAME,
    models,  # noqa: F401  (registers the tables)
)
from .words import WORDS

add_catalog(WORDS)


@hookimpl
def madang_plugin_info() -> dict:
    return {"name": NAME, "title": {"ko": "업무 시스템 런처", "en": "SSO launcher"},
            "description": {"ko": "한 번 로그인으로 권한 있는 업무 시스템을 엽니다 (OpenID Connect, CAS, 링크)",
                            "en": "One sign-in opens every business system a person may use (OpenID Connect, "
                                  "CAS, links)"},
            "version": "1.0", "schema_version": 1}


@hookimpl
def madang_blueprints() -> list:
    from .api import bp as api_bp
    from .cas import bp as cas_bp
    from .oidc import bp as oidc_bp
    from .ui import bp as ui_bp

    return [api_bp, ui_bp, oidc_bp, cas_bp]


@hookimpl
def madang_nav_items(user) -> list[dict]:
    if user is None:
        return []
    return [{"label": {"ko": "업무 시스템", "en": "Systems"}, "url": "/launcher", "order": 15}]


@hookimpl
def madang_admin_sections(user) -> list[dict]:
    return [{"label": {"ko": "업무 시스템 관리", "en": "Business systems"}, "url": "/launcher/admin", "order": 85}]


@hookimpl
def madang_page_assets(user) -> list[dict]:
    """The compact header menu (a script that fills a drop-down from /api/v1/launcher/systems)."""
    if user is None:
        return []
    return [{"script": "/launcher/static/menu.js"}, {"style": "/launcher/static/launcher.css"}]


@hookimpl
def madang_signed_out(who, everywhere) -> None:
    """End the person's sessions with the systems and tell those that support logout (in the background): on a
    plain sign-out only those this browser opened (its session's `launcher_sid`), else all of them."""
    from flask import session

    from .logout import sign_out_of_systems

    if everywhere:
        sign_out_of_systems(who.username)
    elif session.get("launcher_sid"):
        sign_out_of_systems(who.username, sid=session["launcher_sid"])


@hookimpl
def madang_settings_schema() -> dict:
    return {"type": "object", "properties": {
        "issuer": {"type": "string", "default": "", "maxLength": 300, "pattern": r"^(https?://[^\s#?]+[^/\s#?])?$",
                   "title": {"ko": "OIDC 발급자(issuer) 주소", "en": "OIDC issuer address"},
                   "description": {"ko": "비워 두면 요청받은 주소를 씁니다", "en": "Empty: the address asked"}},
        "code_seconds": {"type": "integer", "default": 60, "minimum": 10, "maximum": 600,
                         "title": {"ko": "인가 코드 유효 시간(초)", "en": "Authorization code life (s)"}},
        "ticket_seconds": {"type": "integer", "default": 10, "minimum": 5, "maximum": 300,
                           "title": {"ko": "CAS 티켓 유효 시간(초)", "en": "CAS ticket life (s)"}},
        "access_token_seconds": {"type": "integer", "default": 3600, "minimum": 60, "maximum": 86400,
                                 "title": {"ko": "액세스 토큰 유효 시간(초)", "en": "Access token life (s)"}},
        "refresh_token_days": {"type": "integer", "default": 30, "minimum": 1, "maximum": 365,
                               "title": {"ko": "갱신 토큰 유효 기간(일)", "en": "Refresh token life (days)"}},
    }}


@hookimpl
def madang_openapi_paths() -> dict:
    from .openapi import PATHS

    return PATHS


@hookimpl
def madang_migrate(db, from_version) -> None:
    """Version 1 is the first: its tables are created from the models. Later versions add their steps here."""


@hookimpl
def madang_health() -> list[dict]:
    from . import registry

    return [{"label": {"ko": "등록된 업무 시스템", "en": "Registered systems"},
             "value": f"{len(registry.all_systems()):,}", "ok": True}]
