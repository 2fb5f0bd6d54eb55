"""Atom feed of recent changes; entries are filtered by the reader's permissions like every list."""
from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, request, url_for

from ..paths import page_from_file
from . import rendering
from .context import core, user

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/changes.atom")
def changes_feed() -> Response:
    page = core().wiki.changes(user(), limit=50)
    feed = FeedGenerator()
    feed.id(request.url_root + "feeds/changes.atom")
    feed.title("Madang — 최근 바뀜")
    feed.link(href=request.url_root, rel="alternate")
    feed.link(href=request.url, rel="self")
    feed.language("ko")
    for item in reversed(page.items):
        row = item["row"]
        pages = [p for p in (page_from_file(x) for x in item["paths"]) if p]
        link = request.url_root.rstrip("/") + (rendering.page_url(pages[0]) if pages else url_for("ui.changes"))
        entry = feed.add_entry()
        entry.id(f"urn:git:{row.revision}")
        entry.title(f"{', '.join(pages or item['paths'])}: {row.message.splitlines()[0] if row.message else ''}")
        entry.author({"name": row.author_name})
        entry.link(href=link)
        entry.updated(row.date)
        entry.summary(row.message)
    return Response(feed.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8")
