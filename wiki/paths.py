"""Page paths: Unicode (Korean first) names checked once, mapped to files of the content repository.

Layout of the content repository (documented in the README):
    pages/<page path>.md               the page's Markdown
    attachments/<page path>.files/<name>  files attached to the page
    site/                              site settings (rules, plugins, theme)
"""
from __future__ import annotations

import unicodedata

from .errors import InvalidPath

PAGES_DIR = "pages/"
ATTACHMENTS_DIR = "attachments/"
PAGE_SUFFIX = ".md"
FILES_SUFFIX = ".files"  # attachments/<page>.files/<name>: no page part may end so, so nothing ever clashes
MAX_SEGMENT_BYTES = 240  # file systems allow 255 bytes a name; leave room for the suffix
MAX_PATH_BYTES = 1000
FORBIDDEN_CHARS = set('\\#|[]<>?*"')
# Segment names the HTTP routes use after a page path (`/api/v1/pages/{path}/history`, `/wiki/{path}/edit`).
RESERVED_SEGMENTS = frozenset({"edit", "history", "diff", "blame", "move", "revert", "attachments", "backlinks",
                               "raw", "delete", "upload"})


def _check_segment(segment: str, whole: str) -> None:
    if not segment:
        raise InvalidPath(f"'{whole}' has an empty part; remove the doubled or trailing '/'.")
    if segment.startswith("."):
        raise InvalidPath(f"A page name part may not start with '.': '{segment}'.")
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise InvalidPath(
            f"The name part '{segment[:20]}…' is too long: at most {MAX_SEGMENT_BYTES} bytes "
            f"(about {MAX_SEGMENT_BYTES // 3} Korean characters)."
        )
    for ch in segment:
        if ch in FORBIDDEN_CHARS:
            raise InvalidPath(f"A page name may not contain '{ch}'.")
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise InvalidPath("A page name may not contain control or invisible characters.")
    if segment.lower() in RESERVED_SEGMENTS:
        raise InvalidPath(f"'{segment}' is a reserved word and cannot be used as a page name part.")
    if segment != segment.strip():
        raise InvalidPath("A page name part may not start or end with a space.")
    for suffix in (PAGE_SUFFIX, FILES_SUFFIX):
        if segment.lower().endswith(suffix):
            # page `a` is the file pages/a.md and its files are in attachments/a.files/: a part `a.md` or
            # `a.files` would make those a folder of another page as well
            raise InvalidPath(f"A page name part may not end in '{suffix}': '{segment}'.")


def normalize_page_path(raw: str) -> str:
    """Return the canonical (NFC, trimmed) form of a page path or raise InvalidPath."""
    if not isinstance(raw, str):
        raise InvalidPath("A page path must be text.")
    # only spaces are trimmed: a tab or line break in an address is refused below, never silently dropped
    path = unicodedata.normalize("NFC", raw).strip(" ").strip("/")
    if not path:
        raise InvalidPath("A page path may not be empty.")
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        raise InvalidPath(f"The page path is too long: at most {MAX_PATH_BYTES} bytes.")
    for segment in path.split("/"):
        _check_segment(segment, path)
    return path


def normalize_attachment_name(raw: str) -> str:
    """An attachment name is one path segment with the same rules as a page name part."""
    name = unicodedata.normalize("NFC", raw or "").strip(" ")
    if not name or "/" in name:
        raise InvalidPath("An attachment name must be one non-empty name without '/'.")
    if name.startswith("."):
        raise InvalidPath("An attachment name may not start with '.'.")
    if len(name.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise InvalidPath(f"The attachment name is too long: at most {MAX_SEGMENT_BYTES} bytes.")
    if any(ch in FORBIDDEN_CHARS or unicodedata.category(ch)[0] == "C" for ch in name):
        raise InvalidPath("An attachment name may not contain control characters or any of \\#|[]<>?*\".")
    return name


def page_file(path: str) -> str:
    return f"{PAGES_DIR}{path}{PAGE_SUFFIX}"


def attachment_dir(path: str) -> str:
    return f"{ATTACHMENTS_DIR}{path}{FILES_SUFFIX}/"


def attachment_file(path: str, name: str) -> str:
    return f"{ATTACHMENTS_DIR}{path}{FILES_SUFFIX}/{name}"


def page_from_file(file_path: str) -> str | None:
    """The page path a repository file holds, or None when it is not a page file."""
    if file_path.startswith(PAGES_DIR) and file_path.endswith(PAGE_SUFFIX):
        return file_path[len(PAGES_DIR):-len(PAGE_SUFFIX)]
    return None


def attachment_from_file(file_path: str) -> tuple[str, str] | None:
    """(page path, attachment name) for an attachment file, else None."""
    if not file_path.startswith(ATTACHMENTS_DIR):
        return None
    folder, _, name = file_path[len(ATTACHMENTS_DIR):].rpartition("/")
    if not name or not folder.endswith(FILES_SUFFIX) or len(folder) == len(FILES_SUFFIX):
        return None
    return folder[:-len(FILES_SUFFIX)], name


def title_of(path: str) -> str:
    return path.rsplit("/", 1)[-1]
