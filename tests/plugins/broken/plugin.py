"""A fixture plugin with bugs: its hooks raise, so the tests can see the host contain and name them."""
from __future__ import annotations

from wiki.api import hookimpl

NAME = "broken"


@hookimpl
def madang_plugin_info():
    return {"name": NAME, "title": {"ko": "고장 난 플러그인", "en": "Broken plugin"}, "version": "0.1"}


@hookimpl
def madang_nav_items(user):
    raise RuntimeError("메뉴를 만들다 실패했습니다")


@hookimpl
def madang_after_commit(commit):
    raise ValueError("커밋 뒤처리 실패")


@hookimpl
def madang_health():
    raise RuntimeError("상태를 알 수 없습니다")


@hookimpl
def madang_search_types():
    raise RuntimeError("검색 종류 실패")


@hookimpl
def madang_before_commit(changes, who):
    raise RuntimeError("검사 도중 실패")


@hookimpl
def madang_page_assets(user):
    raise RuntimeError("자원 목록 실패")


@hookimpl
def madang_signed_out(who, everywhere):
    raise RuntimeError("로그아웃 알림 실패")


@hookimpl
def madang_admin_sections(user):
    raise RuntimeError("관리 메뉴 실패")
