"""The OpenAPI description of GET /api/v1/search (merged into /api/openapi.json)."""
from __future__ import annotations

S = {"type": "string"}
ERROR = {"type": "object", "required": ["error", "message"], "properties": {"error": S, "message": S}}
HIT = {"type": "object", "required": ["type", "path", "title", "snippet_html", "score", "url"], "properties": {
    "type": S, "path": S, "title": S, "snippet_html": {"type": "string", "description": "escaped text, <mark>"},
    "score": {"type": "number"}, "url": S,
    "author": {"type": "object", "properties": {"name": S, "email": S}},
    "date": {"type": ["string", "null"], "format": "date-time"}, "revision": S}}
RESULTS = {"type": "object", "required": ["total", "hits", "next"], "properties": {
    "total": {"type": "integer", "description": "matches the caller may read (a lower bound when total_exact "
                                                "is false)"},
    "total_exact": {"type": "boolean"}, "hits": {"type": "array", "items": HIT},
    "next": {"type": ["string", "null"]}, "suggestion": {"type": ["string", "null"]}}}


def _param(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema or S, "description": description}


PATHS = {"/api/v1/search": {"get": {
    "summary": "Full-text search over what the caller may read",
    "parameters": [
        _param("q", 'Words; "a phrase", -excluded, prefix*, initial consonants (ㅈㅈㄱㅈ). At most 200 characters.',
               required=True),
        _param("limit", "Hits per page (default 50)", {"type": "integer", "minimum": 1, "maximum": 500}),
        _param("cursor", "From the previous answer's next"),
        _param("type", "Only these types (page, attachment, ...; repeat or comma-separate)"),
        _param("path", "Only under this page path"),
        _param("author", "Only last changed by this person (name or e-mail)"),
        _param("from", "Changed on or after this day (YYYY-MM-DD, Seoul time)", {"type": "string", "format": "date"}),
        _param("to", "Changed on or before this day (YYYY-MM-DD, Seoul time)", {"type": "string", "format": "date"}),
        _param("sort", "relevance (default) or date (newest first)", {"enum": ["relevance", "date"]}),
    ],
    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": RESULTS}}},
                  "400": {"description": "error", "content": {"application/json": {"schema": ERROR}}}},
}}}
