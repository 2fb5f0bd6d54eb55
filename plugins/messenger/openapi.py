"""The OpenAPI description of the messenger's REST routes (merged into /api/openapi.json)."""
from __future__ import annotations

S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
ERROR = {"type": "object", "required": ["error", "message"], "properties": {"error": S, "message": S}}
MESSAGE = {"type": "object", "required": ["id", "conversation", "sender", "text", "date", "client_id"], "properties": {
    "id": I, "conversation": I, "seq": {"type": "integer", "description": "1, 2, 3 ... within the conversation"},
    "sender": S, "text": {"type": "string", "description": "empty when deleted"},
    "date": {"type": "string", "format": "date-time"}, "client_id": S, "edited": {"type": "boolean"},
    "deleted": {"type": "boolean"}, "edited_at": {"type": ["string", "null"], "format": "date-time"},
    "mentions": {"type": "array", "items": S, "description": "@user names of members mentioned"},
    "links": {"type": "array", "items": S, "description": "wiki page paths linked ([[path]] or /wiki/path)"},
    "kind": {"enum": ["text", "file"]},
    "change": {"type": "integer", "description": "the conversation's change number when the message was stored, "
                                                 "edited or deleted last (catch up with changed_after)"},
    "file": {"type": ["object", "null"], "description": "the shared file of a `file` message (null once deleted)",
             "properties": {"id": I, "name": S, "size": I, "type": S, "url": S,
                            "preview": {"type": ["string", "null"], "description": "images: a small preview's URL"},
                            "width": {"type": ["integer", "null"], "description": "images: upright width (px)"},
                            "height": {"type": ["integer", "null"], "description": "images: upright height (px)"},
                            "image": {"type": "boolean", "description": "a raster image: shown inline"}}}}}
MEMBER = {"type": "object", "properties": {"username": S, "name": S, "last_read_id": I}}
CONVERSATION = {"type": "object", "required": ["id", "title", "kind", "members", "unread"], "properties": {
    "id": I, "title": S, "custom_title": S, "kind": {"enum": ["direct", "group"]}, "created_by": S,
    "created_at": {"type": "string", "format": "date-time"}, "members": {"type": "array", "items": MEMBER},
    "last_read_id": I, "unread": I, "last_message": {"oneOf": [MESSAGE, {"type": "null"}]}}}
PAGE = {"type": "object", "required": ["items", "next"], "properties": {
    "items": {"type": "array", "items": MESSAGE}, "next": {"type": ["string", "null"]},
    "previous": {"type": ["string", "null"]},
    "last_change": {"type": "integer", "description": "with changed_after: the highest change in this answer "
                                                      "(or changed_after itself when nothing changed)"}}}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict:
    return {code: _json(ERROR, "error") for code in codes}


def _param(name: str, description: str, schema: dict | None = None, where: str = "query",
           required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema or S,
            "description": description}


CONV_ID = _param("conversation_id", "A conversation's id", I, "path")
MEMBERS = {"members": {"type": "array", "items": S, "description": "user names"},
           "department": {"type": "string", "description": "an org chart department id: its people (and its "
                                                           "sub-departments') join"}}
BASE = "/api/v1/messenger"

PATHS = {
    f"{BASE}/conversations": {
        "post": {"summary": "Start a conversation (one-to-one: reused when it exists, answered 200)",
                 "requestBody": _body({**MEMBERS, "title": S}),
                 "responses": {"201": _json(CONVERSATION, "created"), "200": _json(CONVERSATION, "existing"),
                               **_errors("400", "401")}},
        "get": {"summary": "The caller's conversations, newest activity first, with unread counts",
                "responses": {"200": _json({"type": "object", "properties": {
                    "items": {"type": "array", "items": CONVERSATION}, "unread_total": I,
                    "next": {"type": "null"}}}), **_errors("401")}}},
    f"{BASE}/conversations/{{conversation_id}}": {
        "parameters": [CONV_ID],
        "get": {"summary": "One conversation (members only)",
                "responses": {"200": _json(CONVERSATION), **_errors("401", "404")}},
        "patch": {"summary": "Rename a group conversation", "requestBody": _body({"title": S}, ["title"]),
                  "responses": {"200": _json(CONVERSATION), **_errors("400", "401", "404")}}},
    f"{BASE}/conversations/{{conversation_id}}/members": {
        "parameters": [CONV_ID],
        "post": {"summary": "Add people (or a department) to a group conversation", "requestBody": _body(MEMBERS),
                 "responses": {"200": _json(CONVERSATION), **_errors("400", "401", "404")}}},
    f"{BASE}/conversations/{{conversation_id}}/leave": {
        "parameters": [CONV_ID],
        "post": {"summary": "Leave a conversation",
                 "responses": {"200": _json({"type": "object", "properties": {"left": I}}),
                               **_errors("401", "404")}}},
    f"{BASE}/conversations/{{conversation_id}}/messages": {
        "parameters": [CONV_ID],
        "get": {"summary": "Messages in order: after=<id> (0 or absent: from the start) pages forward, "
                           "before=<id>|latest pages backwards, changed_after=<change> gives what changed since",
                "parameters": [_param("after", "Messages after this id (catch-up: the last id seen)"),
                               _param("cursor", "Same as after (the previous answer's next)"),
                               _param("before", "The messages before this id, or 'latest'"),
                               _param("changed_after", "The messages stored, edited or deleted after this change "
                                      "number, in the order of those changes (a reconnect's catch-up)",
                                      {"type": "integer", "minimum": 0}),
                               _param("limit", "At most this many (default 50)", {"type": "integer",
                                                                                  "minimum": 1, "maximum": 500})],
                "responses": {"200": _json(PAGE), **_errors("400", "401", "404")}},
        "post": {"summary": "Send a message (as the socket's send): the same client_id again stores nothing "
                            "and answers the first message (200); 429 with Retry-After when the person sends faster "
                            "than the flood limit; 413 over 10,000 characters",
                 "requestBody": _body({"client_id": S, "text": S}, ["client_id", "text"]),
                 "responses": {"201": _json(MESSAGE, "stored"), "200": _json(MESSAGE, "stored before"),
                               **_errors("400", "401", "404", "413", "429")}}},
    f"{BASE}/conversations/{{conversation_id}}/read": {
        "parameters": [CONV_ID],
        "post": {"summary": "Move the caller's read marker forward (to message, or to the newest)",
                 "requestBody": _body({"message": I}),
                 "responses": {"200": _json({"type": "object", "properties": {"conversation": I,
                                                                               "last_read_id": I}}),
                               **_errors("400", "401", "404")}}},
    f"{BASE}/conversations/{{conversation_id}}/files": {
        "parameters": [CONV_ID],
        "post": {"summary": "Share a file or image (multipart `file`; optional `client_id`, `text` as a caption): "
                            "stored with its message; 413 over the size limit, 415 for blocked types",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["file"], "properties": {
                         "file": {"type": "string", "format": "binary"}, "client_id": S, "text": S}}}}},
                 "responses": {"201": _json(MESSAGE, "stored"), "200": _json(MESSAGE, "stored before"),
                               **_errors("400", "401", "404", "413", "415", "429")}}},
    f"{BASE}/files/{{file_id}}": {
        "parameters": [_param("file_id", "A shared file's id", I, "path")],
        "get": {"summary": "A shared file's bytes, for members of its conversation only (others: 404); images "
                           "inline, other files as a download (`?download` forces it); `?preview`: an image's "
                           "small preview (WebP, at most 640 px) when it has one, else the image",
                "parameters": [_param("preview", "Present: the image's preview"),
                               _param("download", "Present: always as a download")],
                "responses": {"200": {"description": "the file",
                                      "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                           "format": "binary"}}}},
                              **_errors("401", "404")}}},
    f"{BASE}/messages/{{message_id}}": {
        "parameters": [_param("message_id", "A message's id", I, "path")],
        "patch": {"summary": "Edit one's own message (shown as edited)", "requestBody": _body({"text": S}, ["text"]),
                  "responses": {"200": _json(MESSAGE), **_errors("400", "401", "403", "404")}},
        "delete": {"summary": "Delete one's own message (shown as deleted)",
                   "responses": {"200": _json(MESSAGE), **_errors("400", "401", "403", "404")}}},
    f"{BASE}/unread": {
        "get": {"summary": "Unread counts: total and by conversation id",
                "responses": {"200": _json({"type": "object", "properties": {
                    "total": I, "conversations": {"type": "object", "additionalProperties": I}}}),
                    **_errors("401")}}},
    f"{BASE}/panel": {
        "get": {"summary": "What the compact panel of every page starts with: the caller, unread counts, and the "
                           "form token for its REST fallback",
                "responses": {"200": _json({"type": "object", "properties": {
                    "me": S, "csrf": S, "unread": {"type": "object", "properties": {
                        "total": I, "conversations": {"type": "object", "additionalProperties": I}}}}}),
                    **_errors("401")}}},
    f"{BASE}/search": {
        "get": {"summary": "Messages containing every word, in the caller's conversations only, newest first",
                "parameters": [_param("q", "Words", required=True), _param("conversation", "Only this one"),
                               _param("limit", "At most this many (default 50)", I)],
                "responses": {"200": _json({"type": "object", "properties": {
                    "items": {"type": "array", "items": MESSAGE}, "next": {"type": "null"}}}),
                    **_errors("400", "401")}}},
    f"{BASE}/presence": {
        "get": {"summary": "Presence of people: online, away or offline",
                "parameters": [_param("users", "Comma-separated user names", required=True)],
                "responses": {"200": _json({"type": "object", "additionalProperties": {
                    "enum": ["online", "away", "offline"]}}), **_errors("401")}}},
}
