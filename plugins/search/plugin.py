"""The search plugin's hook implementations (see README.md beside this file)."""
from __future__ import annotations

from wiki.api import add_catalog, hookimpl

from . import NAME
from .synonyms import DEFAULT_FILE
from .words import WORDS

add_catalog(WORDS)


@hookimpl
def madang_plugin_info() -> dict:
    return {"name": NAME, "title": {"ko": "통합 검색", "en": "Search"},
            "description": {"ko": "문서와 첨부 파일 전문 검색 (한국어 형태소 분석, 초성, 동의어, 권한 반영)",
                            "en": "Full-text search over pages and attachments (Korean analysis, initial "
                                  "consonants, synonyms, permission-aware)"},
            "version": "1.0"}


@hookimpl
def madang_blueprints() -> list:
    from .routes import bp

    return [bp]


@hookimpl
def madang_views() -> list:
    from .view import SearchIndexView

    return [SearchIndexView()]


@hookimpl
def madang_settings_schema() -> dict:
    return {"type": "object", "properties": {
        "page_size": {"type": "integer", "default": 10, "minimum": 1, "maximum": 100,
                      "title": {"ko": "한 쪽에 보일 결과 수", "en": "Results per page"}},
        "synonyms_file": {"type": "string", "default": DEFAULT_FILE, "maxLength": 200,
                          "title": {"ko": "동의어 목록 파일 (저장소 경로)",
                                    "en": "Synonyms file (path in the content repository)"}},
    }}


@hookimpl
def madang_search_types() -> list[dict]:
    return [{"type": "page", "label": {"ko": "문서", "en": "Page"}},
            {"type": "attachment", "label": {"ko": "첨부 파일", "en": "Attachment"}}]


@hookimpl
def madang_openapi_paths() -> dict:
    from .openapi import PATHS

    return PATHS


@hookimpl
def madang_health() -> list[dict]:
    from .routes import health

    return health()
