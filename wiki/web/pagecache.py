"""A whole-page cache for anonymous readers, the way big wikis serve most of their traffic.

A page as an anonymous reader sees it depends only on the address, the language and the content repository's
head: pages, permission rules, plugins and theme are all commits, so any change anywhere gives a new head and a
new key; withholding a revision (not a commit) changes the core's withheld epoch, also in the key. Responses that
set a cookie, consumed a flash message or embedded a CSRF token are never stored.
"""
from __future__ import annotations

from functools import wraps

from flask import Response, g, request, session

from ..store import LRU
from .context import core, user
from .i18n import current_language

_CACHE = LRU(2000)


def _key() -> tuple | None:
    if request.method != "GET" or user() is not None or "Authorization" in request.headers:
        return None
    if "_flashes" in session:
        return None
    head = core().store.head()
    return (request.full_path, head, current_language(), core().wiki.withheld_epoch()) if head else None


def _storable(response: Response) -> bool:
    return (response.status_code == 200 and not response.direct_passthrough
            and "Set-Cookie" not in response.headers and "csrf_token" not in g)


def anonymous_page_cache(view):
    """Serve and keep whole responses for anonymous GETs (see the module docstring)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = _key()
        if key is not None:
            hit = _CACHE.get(key)
            if hit is not None:
                body, headers = hit
                return Response(body, 200, headers)
        response = view(*args, **kwargs)
        if key is not None and isinstance(response, str):
            response = Response(response, 200, content_type="text/html; charset=utf-8")
        if key is not None and isinstance(response, Response) and _storable(response):
            _CACHE.get_or(key, lambda: (response.get_data(), list(response.headers.items())))
        return response

    return wrapper
