"""Where a board's documents live in the content repository, and the way back from a path to what it is.

Posts are sharded by the day in their id (`posts/2026/1125/<id>.md`): a board of 100,000 posts keeps every git
tree small, so reading a post or saving one never parses or rewrites a tree of 100,000 entries.

    <slug>/board.json                                      the board's settings
    <slug>/posts/<yyyy>/<mmdd>/<id>.md                     a post: a JSON header between '---' lines, then Markdown
    <slug>/posts/<yyyy>/<mmdd>/<id>/comments/<cid>.md      a comment (same format; `parent` for a reply)
    <slug>/posts/<yyyy>/<mmdd>/<id>/files/<name>           an attachment
"""
from __future__ import annotations

import re
from dataclasses import dataclass

POST_ID_RE = re.compile(r"^\d{8}-[0-9a-z-]{1,40}$")  # new_id(): 20261125-180612-123456-a1b2
COMMENT_ID_RE = re.compile(r"^[0-9a-z-]{1,48}$")


def post_folder(slug: str, post_id: str) -> str:
    """The post's own folder (comments, files), relative to the plugin's folder."""
    return f"{slug}/posts/{post_id[:4]}/{post_id[4:8]}/{post_id}"


def post_path(slug: str, post_id: str) -> str:
    return post_folder(slug, post_id) + ".md"


def comment_path(slug: str, post_id: str, cid: str) -> str:
    return f"{post_folder(slug, post_id)}/comments/{cid}.md"


def file_path(slug: str, post_id: str, name: str) -> str:
    return f"{post_folder(slug, post_id)}/files/{name}"


@dataclass(frozen=True)
class Where:
    """What a path under the plugin's folder is: kind is 'board', 'post', 'comment' or 'file'."""

    kind: str
    slug: str
    post: str = ""
    item: str = ""  # the comment's id or the file's name


def parse(rel: str) -> Where | None:
    """The path relative to plugins/boards/, read back (None: not a board document)."""
    parts = rel.split("/")
    if len(parts) == 2 and parts[1] == "board.json":
        return Where("board", parts[0])
    if len(parts) < 5 or parts[1] != "posts":
        return None
    slug, year, day = parts[0], parts[2], parts[3]
    if len(parts) == 5 and parts[4].endswith(".md"):
        post = parts[4][:-3]
        return Where("post", slug, post) if _sharded(post, year, day) else None
    if len(parts) == 7 and _sharded(parts[4], year, day):
        if parts[5] == "comments" and parts[6].endswith(".md"):
            return Where("comment", slug, parts[4], parts[6][:-3])
        if parts[5] == "files":
            return Where("file", slug, parts[4], parts[6])
    return None


def _sharded(post_id: str, year: str, day: str) -> bool:
    return bool(POST_ID_RE.match(post_id)) and post_id[:4] == year and post_id[4:8] == day
