"""OpenAPI path items of the guard's routes."""
from __future__ import annotations

ERROR = {"type": "object", "required": ["error", "message"],
         "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
FINDING = {"type": "object", "properties": {
    "kind": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
    "masked": {"type": "string"}, "severity": {"type": "string", "enum": ["high", "medium", "low"]},
    "confidence": {"type": "string"}}}


def answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: str) -> dict:
    return {code: answer("Error", ERROR) for code in codes}


def body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


SUPPRESSION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "path": {"type": "string"}, "revision": {"type": "string"},
    "reason": {"type": "string"}, "by": {"type": "string"}, "date": {"type": "string"},
    "files": {"type": "array", "items": {"type": "string"}}}}
ITEM = {"type": "object", "properties": {
    "path": {"type": "string"}, "revision": {"type": "string"}, "kind": {"type": "string"},
    "masked": {"type": "string"}, "severity": {"type": "string"}, "author": {"type": "object"},
    "date": {"type": "string"}, "file": {"type": "string"}, "attachment": {"type": ["string", "null"]},
    "suppressed": {"type": "boolean"}}}

PATHS = {
    "/api/v1/pii/check": {"post": {
        "summary": "Find personal data in a text (masked findings)", "tags": ["pii"],
        "requestBody": body({"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}),
        "responses": {"200": answer("Findings", {"type": "object", "properties": {
            "findings": {"type": "array", "items": FINDING}}}), **errors("400")}}},
    "/api/v1/admin/pii/report": {"get": {
        "summary": "Personal data in every revision and attachment (privacy officers)", "tags": ["pii"],
        "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": t}}
                       for n, t in (("limit", "integer"), ("cursor", "string"), ("kind", "string"),
                                    ("prefix", "string"))],
        "responses": {"200": answer("Findings, newest first", {"type": "object", "properties": {
            "items": {"type": "array", "items": ITEM}, "next": {"type": ["string", "null"]},
            "total": {"type": "integer"}}}), **errors("400", "401", "403")}}},
    "/api/v1/admin/pii/report.csv": {"get": {
        "summary": "The report as CSV: UTF-8 with BOM, masked values, formula-safe cells (privacy officers)",
        "tags": ["pii"],
        "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                       for n in ("kind", "prefix")],
        "responses": {"200": {"description": "CSV file", "content": {"text/csv": {"schema": {"type": "string"}}}},
                      **errors("401", "403")}}},
    "/api/v1/admin/pii/suppress": {"post": {
        "summary": "Withhold a revision of a page from every read path (privacy officers)", "tags": ["pii"],
        "requestBody": body({"type": "object", "required": ["path", "revision", "reason"], "properties": {
            "path": {"type": "string"}, "revision": {"type": "string"}, "reason": {"type": "string"}}}),
        "responses": {"201": answer("Withheld", SUPPRESSION), **errors("400", "401", "403", "404")}}},
    "/api/v1/admin/pii/suppressions": {"get": {
        "summary": "The withheld revisions (privacy officers)", "tags": ["pii"],
        "responses": {"200": answer("Withheld revisions", {"type": "object", "properties": {
            "items": {"type": "array", "items": SUPPRESSION}}}), **errors("401", "403")}}},
}
