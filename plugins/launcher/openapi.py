"""The OpenAPI description of the launcher's /api/ routes (merged into /api/openapi.json)."""
from __future__ import annotations

S = {"type": "string"}
B = {"type": "boolean"}
OBJ = {"type": "object"}
STRINGS = {"type": "array", "items": S}
ERROR = {"type": "object", "required": ["error", "message"], "properties": {"error": S, "message": S}}
ITEM = {"type": "object", "required": ["id", "name", "url", "category", "icon", "favourite"], "properties": {
    "id": S, "name": S, "url": S, "category": S, "icon": S, "favourite": B, "description": S, "protocol": S,
    "open_url": {"type": "string", "description": "opens the system through the launcher (audited)"},
    "position": {"type": ["integer", "null"]}, "last_used": {"type": ["string", "null"], "format": "date-time"}}}
SYSTEM_IN = {"type": "object", "required": ["name", "url", "protocol", "groups"], "properties": {
    "name": S, "url": S, "protocol": {"enum": ["oidc", "cas", "link"]},
    "groups": {"type": "array", "items": S, "description": "principals who may use it: staff, group:NAME, user:NAME"},
    "redirect_uris": STRINGS, "post_logout_redirect_uris": STRINGS, "service_patterns": STRINGS,
    "category": S, "icon": S, "description": S, "backchannel_logout_uri": S, "single_logout": B,
    "refresh_tokens": B, "public_client": B,
    "rotate_secret": {"type": "boolean", "description": "PUT only: issue a new client secret"}}}
CREATED = {"type": "object", "required": ["id"], "properties": {
    "id": S, "client_id": S, "client_secret": {"type": "string", "description": "shown this once"}, "revision": S}}
ID = {"name": "system_id", "in": "path", "required": True, "schema": S}
OAUTH_TOKEN = {"type": "object", "required": ["access_token", "token_type"], "properties": {
    "access_token": S, "token_type": S, "expires_in": {"type": "integer"}, "refresh_token": S, "id_token": S,
    "scope": S}}
CLAIMS = {"type": "object", "required": ["sub"], "properties": {
    "sub": S, "name": S, "preferred_username": S, "department": S, "groups": STRINGS, "email": S}}
FORM = {"application/x-www-form-urlencoded": {"schema": OBJ}}


def answers(schema: dict, code: str = "200", *errors: str) -> dict:
    out = {code: {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    for status in errors or ("400", "401", "403", "404"):
        out[status] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    return out


JSON_IN = {"required": True, "content": {"application/json": {"schema": SYSTEM_IN}}}

PATHS = {
    "/api/v1/launcher/systems": {"get": {
        "summary": "The systems the caller may open", "parameters": [
            {"name": "q", "in": "query", "required": False, "schema": S}],
        "responses": answers({"type": "object", "required": ["items"],
                              "properties": {"items": {"type": "array", "items": ITEM}}}, "200", "401")}},
    "/api/v1/launcher/favourites": {"put": {
        "summary": "Set the caller's favourites, in order",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["ids"], "properties": {"ids": STRINGS}}}}},
        "responses": answers({"type": "object", "properties": {"ids": STRINGS}}, "200", "400", "401")}},
    "/api/v1/admin/launcher/systems": {
        "get": {"summary": "Every registered system (admins)",
                "responses": answers({"type": "object", "properties": {"items": {"type": "array", "items": OBJ}}},
                                     "200", "401", "403")},
        "post": {"summary": "Register a system (admins): one commit to the registry", "requestBody": JSON_IN,
                 "responses": answers(CREATED, "201", "400", "401", "403")}},
    "/api/v1/admin/launcher/systems/{system_id}": {
        "put": {"summary": "Change a system (admins): one commit", "parameters": [ID], "requestBody": JSON_IN,
                "responses": answers(CREATED, "200")},
        "delete": {"summary": "Remove a system (admins): one commit; its tokens are revoked", "parameters": [ID],
                   "responses": answers({"type": "object", "properties": {"revision": S}}, "200")}},
    "/api/v1/admin/launcher/keys": {"post": {
        "summary": "Rotate the ID-token signing key (admins); the previous key stays in the JWKS",
        "responses": answers({"type": "object", "properties": {"kid": S}}, "201", "401", "403")}},
    "/api/v1/launcher/oidc/token": {"post": {
        "summary": "OpenID Connect token endpoint (RFC 6749 §3.2): authorization_code with PKCE, refresh_token",
        "requestBody": {"required": True, "content": FORM},
        "responses": answers(OAUTH_TOKEN, "200", "400", "401")}},
    "/api/v1/launcher/oidc/revoke": {"post": {
        "summary": "Token revocation (RFC 7009)", "requestBody": {"required": True, "content": FORM},
        "responses": answers(OBJ, "200", "400", "401")}},
    "/api/v1/launcher/oidc/userinfo": {
        "get": {"summary": "OpenID Connect userinfo (Authorization: Bearer <access token>)",
                "responses": answers(CLAIMS, "200", "401", "403")},
        "post": {"summary": "OpenID Connect userinfo (Authorization: Bearer <access token>)",
                 "responses": answers(CLAIMS, "200", "401", "403")}},
}
