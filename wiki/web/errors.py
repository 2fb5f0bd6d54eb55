"""The one place where errors become HTTP answers: JSON for the API, a page for people."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import MadangError

GENERIC = {400: "invalid_input", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "invalid_input",
           413: "too_large", 415: "unsupported_type", 429: "rate_limited"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/cas/") \
        or request.accept_mimetypes.best == "application/json"


def answer(status: int, body: dict):
    if wants_json():
        response = jsonify(body)
    else:
        response = render_template("error.html", status=status, error=body), status
        return response
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(MadangError)
    def _madang(exc: MadangError):
        response = answer(exc.status, exc.to_dict())
        if exc.status == 401 and wants_json():
            response.headers["WWW-Authenticate"] = 'Bearer realm="madang"'
        return response

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return answer(400, {"error": "invalid_input",
                            "message": "The form's security token is missing or expired; reload the page and "
                                       "try again (your text is still in the form)."})

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = {404: "There is nothing at this address.",
                   405: "This address does not accept that method.",
                   413: "The request body is too large."}.get(status, exc.description or exc.name)
        return answer(status, {"error": GENERIC.get(status, "error"), "message": message})
