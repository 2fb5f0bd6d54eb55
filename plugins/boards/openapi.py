"""The OpenAPI description of /api/v1/boards... (merged into /api/openapi.json)."""
from __future__ import annotations

S = {"type": "string"}
INT = {"type": "integer"}
OBJ = {"type": "object"}
ERROR = {"type": "object", "required": ["error", "message"], "properties": {"error": S, "message": S}}
PRINCIPALS = {"type": "array", "items": S, "description": "anonymous, staff, group:NAME, user:NAME"}
BOARD = {"type": "object", "required": ["slug", "name", "description"], "properties": {
    "slug": S, "name": S, "description": S, "order": INT, "archived": {"type": "boolean"},
    "read": PRINCIPALS, "post": PRINCIPALS, "comment": PRINCIPALS, "moderate": PRINCIPALS,
    "may_post": {"type": "boolean"}}}
BOARD_IN = {"type": "object", "properties": {
    "slug": S, "name": S, "description": S, "read": PRINCIPALS, "post": PRINCIPALS, "comment": PRINCIPALS,
    "moderate": PRINCIPALS, "order": INT, "archived": {"type": "boolean"}}}
AUTHOR = {"type": "object", "properties": {"username": S, "name": S, "email": S}}
TIME = {"type": ["string", "null"], "format": "date-time"}
POLL_IN = {"type": "object", "required": ["question", "choices"], "properties": {
    "question": S, "choices": {"type": "array", "items": S, "minItems": 2, "maxItems": 20},
    "multiple": {"type": "boolean"}, "anonymous": {"type": "boolean"}, "closes": TIME,
    "results": {"enum": ["always", "closed"], "description": "results visible always, or only once closed"},
    "questions": {"type": "array", "items": S, "maxItems": 10, "description": "optional free-text questions"}}}
POLL = {"type": "object", "required": ["question", "choices", "closes", "voted"], "properties": {
    "question": S, "closes": TIME, "voted": {"type": "boolean"}, "closed": {"type": "boolean"},
    "multiple": {"type": "boolean"}, "anonymous": {"type": "boolean"},
    "choices": {"type": "array", "items": {"type": "object", "properties": {
        "text": S, "votes": {"type": ["integer", "null"]}, "voters": {"type": "array", "items": S}}}}}}
POST_IN = {"type": "object", "required": ["title", "markdown"], "properties": {
    "title": S, "markdown": S, "tags": {"type": "array", "items": S}, "pinned_until": TIME, "poll": POLL_IN}}
POST_ITEM = {"type": "object", "required": ["id", "title", "author", "date", "pinned", "comments", "reads", "likes"],
             "properties": {"id": S, "title": S, "author": AUTHOR, "date": TIME, "pinned": {"type": "boolean"},
                            "comments": INT, "reads": INT, "likes": INT,
                            "new": {"type": "boolean", "description": "written since the caller's last visit"}}}
POST = {"type": "object", "required": ["id", "title", "markdown", "html", "author", "date", "revision", "tags"],
        "properties": {"id": S, "title": S, "markdown": S, "html": S, "author": AUTHOR, "date": TIME,
                       "revision": S, "tags": {"type": "array", "items": S}, "poll": POLL,
                       "attachments": {"type": "array", "items": OBJ}, "reads": INT, "likes": INT}}
COMMENT = {"type": "object", "properties": {"id": S, "parent": {"type": ["string", "null"]}, "author": AUTHOR,
                                            "date": TIME, "markdown": S, "html": S}}
REV = {"type": "object", "properties": {"revision": S}}
MENTION = {"type": "object", "required": ["board", "post", "title", "author", "date", "url"], "properties": {
    "board": S, "board_name": S, "post": S, "comment": {"type": ["string", "null"]}, "title": S, "author": AUTHOR,
    "date": TIME, "url": S}}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": S}
PID = {"name": "post_id", "in": "path", "required": True, "schema": S}
CID = {"name": "cid", "in": "path", "required": True, "schema": S}
FNAME = {"name": "name", "in": "path", "required": True, "schema": S}


def ok(schema: dict, code: str = "200", *errors: str) -> dict:
    out = {code: {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    for status in ("400", "401", "403", "404", *errors):
        out[status] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    return out


def json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def op(summary: str, responses: dict, params: list | None = None, body: dict | None = None) -> dict:
    out = {"summary": summary, "tags": ["boards"], "responses": responses, "parameters": params or []}
    if body is not None:
        out["requestBody"] = json_body(body)
    return out


def page_of(item: dict) -> dict:
    return {"type": "object", "required": ["items", "next"],
            "properties": {"items": {"type": "array", "items": item}, "next": {"type": ["string", "null"]}}}


B = "/api/v1/boards/{slug}"
P = B + "/posts/{post_id}"
C = P + "/comments"
PAGING = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
          {"name": "cursor", "in": "query", "schema": S}]
PATHS = {
    "/api/v1/boards": {
        "get": op("The boards the caller may read", ok({"type": "object", "properties": {
            "items": {"type": "array", "items": BOARD}}}),
            [{"name": "archived", "in": "query", "schema": S, "description": "1: archived boards too"}]),
        "post": op("Create a board (admins)", ok(BOARD, "201", "409"), body=BOARD_IN)},
    "/api/v1/boards/mentions": {
        "get": op("The caller's mentions (@username in posts and comments), newest first, on boards the caller may "
                  "read; each person is also notified once through the core's notifications",
                  ok(page_of(MENTION)), [{"name": "limit", "in": "query", "schema": {
                      "type": "integer", "minimum": 1, "maximum": 500}}, PAGING[1]])},
    B: {"get": op("One board", ok(BOARD), [SLUG]),
        "put": op("Change a board's settings: name, rules, order, archived (admins)", ok(BOARD), [SLUG], BOARD_IN)},
    B + "/posts": {
        "get": op("Posts, pinned first then newest (with `tag`: that tag's posts, newest first); `next` is the "
                  "cursor of the following page", ok(page_of(POST_ITEM)),
                  [SLUG, *PAGING, {"name": "tag", "in": "query", "schema": S}]),
        "post": op("Write a post", ok({"type": "object", "properties": {"id": S, "revision": S}}, "201", "413"),
                   [SLUG], POST_IN)},
    B + "/preview": {"post": op("The editor's live preview: Markdown rendered as a saved post would be (mentions "
                                "linked; `post` resolves its attachments)", ok({"type": "object", "properties": {
                                    "html": S}}), [SLUG, {"name": "post", "in": "query", "schema": S}],
                                {"type": "object", "required": ["markdown"], "properties": {"markdown": S}})},
    B + "/visit": {"put": op("Mark the board seen now (posts after it are `new` in the list until the next visit)",
                             ok({"type": "object", "properties": {"previous": TIME}}), [SLUG])},
    P: {"get": op("One post (counts one read per person)", ok(POST),
                  [SLUG, PID, {"name": "rev", "in": "query", "schema": S}]),
        "put": op("Edit a post (author or moderator)", ok(REV, "200", "413"), [SLUG, PID],
                  {"type": "object", "properties": {**POST_IN["properties"], "message": S}}),
        "delete": op("Delete a post with its comments and files (author or moderator)", ok(REV), [SLUG, PID])},
    P + "/history": {"get": op("The post's revisions, newest first", ok(page_of(OBJ)), [SLUG, PID])},
    P + "/diff": {"get": op("The post between two revisions", ok({"type": "object", "properties": {
        "from": S, "to": S, "ops": {"type": "array"}, "html": S}}), [SLUG, PID,
        {"name": "from", "in": "query", "schema": S}, {"name": "to", "in": "query", "schema": S}])},
    P + "/likes": {"put": op("Like the post", ok(OBJ), [SLUG, PID]),
                   "delete": op("Take the like back", ok(OBJ), [SLUG, PID])},
    P + "/votes": {"get": op("The poll and its results (when visible)", ok(POLL), [SLUG, PID]),
                   "post": op("Vote once; a second vote answers 409", ok(POLL, "201", "409"), [SLUG, PID],
                              {"type": "object", "required": ["choices"],
                               "properties": {"choices": {"type": "array", "items": INT},
                                              "answers": {"type": "array", "items": S,
                                                          "description": "one text a free-text question"}}})},
    P + "/attachments/{name}": {
        "get": op("An attached file", {"200": {"description": "the file"},
                                       "404": {"description": "error", "content": {
                                           "application/json": {"schema": ERROR}}}}, [SLUG, PID, FNAME]),
        "put": {**op("Attach a file (raw body)", ok(REV, "201", "413", "415"), [SLUG, PID, FNAME]),
                "requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {
                    "type": "string", "format": "binary"}}}}},
        "delete": op("Remove an attached file", ok(REV), [SLUG, PID, FNAME])},
    C: {"get": op("Comments and replies, oldest first", ok(page_of(COMMENT)), [SLUG, PID]),
        "post": op("Comment, or reply to a comment (one level)", ok(
            {"type": "object", "properties": {"id": S, "revision": S}}, "201"), [SLUG, PID],
            {"type": "object", "required": ["markdown"], "properties": {"markdown": S, "parent": S}})},
    C + "/{cid}": {"put": op("Edit a comment (author or moderator)", ok(REV), [SLUG, PID, CID],
                             {"type": "object", "required": ["markdown"], "properties": {"markdown": S}}),
                   "delete": op("Delete a comment and its replies", ok(REV), [SLUG, PID, CID])},
}
