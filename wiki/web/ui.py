"""Pages for people (HTML). Stub: the full interface is being written."""
from __future__ import annotations

from flask import Blueprint, redirect

bp = Blueprint("ui", __name__)


@bp.get("/")
def index():
    return redirect("/api/openapi.json")


@bp.get("/changes")
def changes():
    return redirect("/api/v1/changes")
