"""The personal-data guard's hook implementations (see README.md beside this file)."""
from __future__ import annotations

from wiki.api import hookimpl

from . import NAME
from .models import PiiSuppression  # noqa: F401 (its table is created at start)


@hookimpl
def madang_plugin_info() -> dict:
    return {"name": NAME, "title": {"ko": "개인정보 보호", "en": "Personal-data guard"},
            "description": {"ko": "주민등록번호·전화번호 등 개인정보를 저장 전에 찾고, "
                                  "이력 전체를 점검하고, 지난 판을 감춥니다",
                            "en": "Finds resident registration and phone numbers before saving, inspects the "
                                  "whole history and withholds old revisions"},
            "version": "1.0"}


@hookimpl
def madang_blueprints() -> list:
    from .routes import bp

    return [bp]


@hookimpl
def madang_before_commit(changes, who) -> None:
    from flask import flash, g, has_request_context, request

    from .guard import check

    warned = check(changes, who)  # raises PiiDetected where the policy blocks
    if warned and has_request_context():
        g.pii_warnings = warned
        if not request.path.startswith("/api/"):
            shown = ", ".join(f"{f['masked']}" for f in warned[:5])
            flash(f"개인정보로 보이는 값이 있습니다: {shown}. 공개해도 되는지 확인하세요. "
                  f"The page seems to hold personal data.", "info")


@hookimpl
def madang_revision_visible(path, revision, who):
    from .routes import revision_visible

    return revision_visible(path, revision)


@hookimpl
def madang_admin_sections(user) -> list:
    return [{"label": {"ko": "개인정보 점검", "en": "Personal data"}, "url": "/admin/pii", "order": 88}]


@hookimpl
def madang_nav_items(user) -> list:
    from .roles import is_officer

    if not is_officer(user):
        return []
    return [{"label": {"ko": "개인정보 점검", "en": "Personal data"}, "url": "/admin/pii", "order": 90}]


@hookimpl
def madang_settings_schema() -> dict:
    from .roles import SETTING_PATTERN

    return {"type": "object", "properties": {
        "officers": {"type": "string", "default": "", "maxLength": 2000, "pattern": SETTING_PATTERN,
                     "title": {"ko": "개인정보 담당자", "en": "Privacy officers"},
                     "description": {"ko": "점검 결과를 보고 판을 감출 수 있는 사람 (예: group:privacy-officers, "
                                           "user:kim). 관리자는 언제나 할 수 있습니다.",
                                     "en": "Who may read the report and withhold revisions (e.g. "
                                           "group:privacy-officers, user:kim). Administrators always may."}}}}


@hookimpl
def madang_openapi_paths() -> dict:
    from .openapi import PATHS

    return PATHS
