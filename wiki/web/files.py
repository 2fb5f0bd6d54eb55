"""Serving attachments so that uploaded HTML or SVG can never run script on the site's origin."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp",
                "video/mp4", "video/webm", "video/ogg", "audio/mpeg", "audio/ogg", "audio/wav",
                "application/pdf", "text/plain"}
SANDBOXED_INLINE = {"image/svg+xml"}


def attachment_response(data: bytes, kind: str, name: str) -> Response:
    """Images, media, PDF and text inline; SVG inline under a script-free sandbox; everything else downloads."""
    disposition = "inline"
    if kind == "text/plain":
        kind = "text/plain; charset=utf-8"
    elif kind not in INLINE_TYPES and kind not in SANDBOXED_INLINE:
        disposition = "attachment"
        if kind.startswith("text/") or "html" in kind or "xml" in kind or "javascript" in kind:
            kind = "application/octet-stream"
    response = Response(data, content_type=kind)
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self' data:; " \
        "style-src 'unsafe-inline'; media-src 'self'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
