"""The app for a WSGI server, built from MADANG_* variables: `gunicorn -k gthread -w 1 --threads 1000
wiki.wsgi:app` (each open socket holds a thread: see plugins/messenger/README.md)."""
from __future__ import annotations

from .app import create_app
from .serving import settle

app = create_app()
settle()
