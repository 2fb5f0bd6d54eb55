"""The boards plugin's hook implementations."""
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
    return {"name": NAME, "title": {"ko": "게시판", "en": "Boards"},
            "description": {"ko": "공지사항·정보 공유·소식·자유 게시판 (댓글, 설문, 사진·동영상)",
                            "en": "Notice, information-sharing, news and community boards (comments, polls, media)"},
            "version": "1.0"}


@hookimpl
def madang_blueprints() -> list:
    from .api import bp as api_bp
    from .ui import bp as ui_bp

    return [api_bp, ui_bp]


@hookimpl
def madang_views() -> list:
    from .index import BoardsIndexView

    return [BoardsIndexView()]


@hookimpl
def madang_nav_items(user) -> list[dict]:
    return [{"label": {"ko": "게시판", "en": "Boards"}, "url": "/boards", "order": 20}]


@hookimpl
def madang_settings_schema() -> dict:
    return {"type": "object", "properties": {
        "page_size": {"type": "integer", "default": 20, "minimum": 5, "maximum": 100,
                      "title": {"ko": "한 쪽 글 수", "en": "Posts per page"}},
        "max_post_chars": {"type": "integer", "default": 100000, "minimum": 1000, "maximum": 1000000,
                           "title": {"ko": "글 최대 글자 수", "en": "Maximum characters of a post"}},
        "max_attachment_mb": {"type": "integer", "default": 20, "minimum": 1, "maximum": 500,
                              "title": {"ko": "첨부 파일 최대 크기 (MB)", "en": "Maximum attachment size (MB)"}},
    }}


@hookimpl
def madang_search_types() -> list[dict]:
    return [{"type": "post", "label": {"ko": "게시글", "en": "Post"}},
            {"type": "comment", "label": {"ko": "댓글", "en": "Comment"}}]


@hookimpl
def madang_openapi_paths() -> dict:
    from .openapi import PATHS

    return PATHS


@hookimpl
def madang_search_documents(path: str, data: bytes) -> dict | None:
    """Posts and comments (not board settings, not attachments), from the file alone: no request needed."""
    from .index import parse_doc
    from .layout import parse

    prefix = f"plugins/{NAME}/"
    where = parse(path[len(prefix):]) if path.startswith(prefix) else None
    if where is None or where.kind not in ("post", "comment"):
        return None
    meta, markdown = parse_doc(data)
    slug, post_id = where.slug, where.post
    if where.kind == "post":
        tags = " ".join(f"#{t}" for t in meta.get("tags") or ())
        return {"type": "post", "title": str(meta.get("title") or post_id), "acl": slug,
                "markdown": markdown + ("\n\n" + tags if tags else ""), "path": f"boards/{slug}/{post_id}",
                "url": f"/boards/{slug}/{post_id}"}
    first = " ".join(markdown.split())
    return {"type": "comment", "title": "댓글: " + (first[:40] + ("…" if len(first) > 40 else "")),
            "acl": slug, "markdown": markdown, "path": f"boards/{slug}/{post_id}/{where.item}",
            "url": f"/boards/{slug}/{post_id}#c-{where.item}"}


@hookimpl
def madang_search_can_read(type: str, acl: str, who) -> bool | None:  # noqa: A002 (the hook's argument name)
    if type not in ("post", "comment"):
        return None
    from .service import get_board, may

    board = get_board(acl)
    return board is not None and may(board, "read", who)
