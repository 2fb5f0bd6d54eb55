"""Helpers every route uses: the core, the person asking, the JSON body, paging arguments."""
from __future__ import annotations

import json

from flask import current_app, g, request

from ..app import Madang
from ..auth import Principal
from ..errors import InvalidInput

DEFAULT_LIMIT, MAX_LIMIT = 50, 500


def core() -> Madang:
    return current_app.extensions["madang"]


def user() -> Principal | None:
    return g.get("user")


def signed_out(who: Principal, everywhere: bool) -> None:
    """Tell enabled plugins a person's session ended (hook `madang_signed_out`); a failing plugin is logged and
    the sign-out stands."""
    host = getattr(core(), "plugins", None)
    if host is None:
        return
    try:
        host.hook("madang_signed_out")(who=who, everywhere=everywhere)
    except Exception:  # a plugin bug never undoes a sign-out
        current_app.logger.exception("a plugin's madang_signed_out failed")


def json_body() -> dict:
    """The request's JSON object, or a clear 400."""
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
        # JSON may escape lone surrogates ("\ud800"), which no UTF-8 text can hold: refuse them here, once,
        # rather than fail deep inside the core when the text is encoded.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object in UTF-8.")
    return data


def limit_arg() -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidInput("'limit' must be a whole number.") from exc
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidInput(f"'limit' must be between 1 and {MAX_LIMIT}.")
    return value


def text_field(data: dict, name: str, required: bool = False, limit: int = 10_000) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"'{name}' is required.")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' must be text.")
    if len(value) > limit:
        raise InvalidInput(f"'{name}' is longer than {limit} characters.")
    return value
