"""The reference: the smallest Flask app, served with the same gunicorn settings as Madang."""
from __future__ import annotations

from flask import Flask

from .server import mark_ready

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"


mark_ready()
