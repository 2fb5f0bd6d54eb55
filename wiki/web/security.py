"""Who is asking (token or session), CSRF for cookie-authenticated changes, and strict UTF-8 addresses.

A session ends when it has not been used for `session_hours` (the signed cookie's age, checked by Flask), when it
is `session_absolute_hours` old however much it is used (the sign-in time is kept in the session), and when the
person signs out everywhere (the account's session version moves on).
"""
from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, g, make_response, request, session

from ..errors import InvalidInput, InvalidPath, RateLimited, Unauthorized
from .context import core

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = {"/api/v1/auth/token"}


def register(app: Flask) -> None:
    from ..app import csrf

    @app.before_request
    def _identify():
        _check_utf8()
        g.user, g.via_token = None, False
        if _foreign_authorization():
            return  # anonymous to the core, and nothing ambient (cookie) to protect with a CSRF token
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("Send the token as 'Authorization: Bearer <token>'.")
            g.user, g.via_token = core().accounts.principal_for_token(token.strip()), True
        elif "uid" in session:
            found = core().accounts.get_by_id(session["uid"])
            if found and found[1] == session.get("ver") and _fresh():
                g.user = found[0]
            else:
                _end_session()
        if _needs_csrf():
            csrf.protect()

    @app.errorhandler(RateLimited)
    def _rate_limited(exc: RateLimited):
        """429 with Retry-After (seconds), as HTTP clients expect; the body says it for people."""
        from .errors import answer

        response = make_response(answer(exc.status, exc.to_dict()))
        response.headers["Retry-After"] = str(max(1, int(exc.extra.get("retry_after") or 60)))
        return response

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if response.mimetype == "text/html":
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
                "base-uri 'none'; frame-ancestors 'self'; form-action 'self'")
        return response


FOREIGN_AUTHORIZATION = "_madang_foreign_authorization"


def foreign_authorization(view: Callable) -> Callable:
    """Mark a view whose `Authorization` header is not a Madang token but the view's own business (an OAuth
    client's Basic credentials, a Bearer token a plugin issued): the core leaves the header to the view, and the
    request is anonymous to the core — the session cookie is not read either, so no CSRF token is asked."""
    setattr(view, FOREIGN_AUTHORIZATION, True)
    return view


def _foreign_authorization() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(view is not None and getattr(view, FOREIGN_AUTHORIZATION, False))


def _needs_csrf() -> bool:
    """Changes authenticated by the session cookie need the CSRF token; token-authenticated and anonymous API
    calls carry no ambient authority, so they do not."""
    if request.method not in UNSAFE or g.via_token or request.path in CSRF_EXEMPT:
        return False
    if request.path.startswith("/api/"):
        return g.user is not None
    return True


def _check_utf8() -> None:
    environ = request.environ
    page_address = request.path.startswith("/api/v1/pages") or request.path.startswith("/wiki/")
    # Werkzeug's own server and test client decode %XX in PATH_INFO with errors="replace" (%FF becomes U+FFFD),
    # so the request line as sent (REQUEST_URI / RAW_URI) is checked as well.
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    try:
        environ.get("PATH_INFO", "").encode("latin-1", "replace").decode("utf-8")
        unquote_to_bytes(raw_uri.encode("latin-1", "replace")).decode("utf-8")
        unquote_to_bytes(environ.get("QUERY_STRING", "")).decode("utf-8")
    except UnicodeDecodeError as exc:
        if page_address:
            raise InvalidPath("The address is not valid UTF-8.") from exc
        raise InvalidInput("The address is not valid UTF-8.") from exc
    if page_address and any(unicodedata.category(ch) == "Cc" for ch in request.path):
        # a line break would not even match a route (a bare 404); say what is wrong instead
        raise InvalidPath("A page name may not contain control or invisible characters.")


def sign_in(principal, version: int) -> None:
    session.clear()
    session.permanent = True
    session["uid"], session["ver"], session["iat"] = principal.user_id, version, int(time.time())


def _fresh() -> bool:
    """Within the absolute lifetime. A session from before the sign-in time was kept gets it now."""
    signed_in = session.get("iat")
    if not isinstance(signed_in, int):
        session["iat"] = int(time.time())
        return True
    return time.time() - signed_in < core().config.session_absolute_hours * 3600


def _end_session() -> None:
    """Forget who was signed in, keeping the language chosen."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
