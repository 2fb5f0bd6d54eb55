"""Markdown to safe HTML for a page, cached by blob id and by which linked pages exist."""
from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import quote

from .. import markup
from .context import core, user

_CACHE: OrderedDict = OrderedDict()
_LINKS: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 5000


def page_url(path: str) -> str:
    return "/wiki/" + quote(path, safe="/")


def edit_url(path: str) -> str:
    return page_url(path) + "/edit"


def attachment_url(path: str, name: str) -> str:
    return page_url(path) + "/attachments/" + quote(name, safe="")


def _remember(cache: OrderedDict, key, value) -> None:
    with _LOCK:
        cache[key] = value
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)


def _recall(cache: OrderedDict, key):
    with _LOCK:
        value = cache.get(key)
        if value is not None:
            cache.move_to_end(key)
        return value


def render(markdown: str, path: str, blob: str | None = None) -> markup.Rendered:
    """Render for page `path`; with a blob id the result is cached (red links are part of the key)."""
    if blob is None:
        return _render(markdown, path, None)
    links = _recall(_LINKS, blob)
    if links is None:
        links = markup.extract_links(markdown)
        _remember(_LINKS, blob, links)
    existing = _visible_existing(links)
    key = (blob, path, existing)
    rendered = _recall(_CACHE, key)
    if rendered is None:
        rendered = _render(markdown, path, existing)
        _remember(_CACHE, key, rendered)
    return rendered


def _visible_existing(links: list[str]) -> frozenset:
    """Linked pages that exist *for this reader*: a page they may not read is drawn as missing, so a link
    never reveals it."""
    if not links:
        return frozenset()
    acl, who = core().acl, user()
    return frozenset(p for p in core().wiki.existing(links) if acl.can(who, "read", p))


def _render(markdown: str, path: str, existing: frozenset | None) -> markup.Rendered:
    if existing is None:
        existing = _visible_existing(markup.extract_links(markdown))
    return markup.render(markdown, page_exists=lambda p: p in existing, page_url=page_url, edit_url=edit_url,
                         attachment_url=lambda name: attachment_url(path, name))
