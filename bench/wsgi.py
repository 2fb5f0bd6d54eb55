"""The Madang app for gunicorn, built from MADANG_* variables exactly as `wiki.app:create_app()` would be:
`gunicorn -w 2 --threads 8 bench.wsgi:app`. It only adds a ready mark so the benchmark knows every worker is up."""
from __future__ import annotations

from wiki.app import create_app
from wiki.serving import settle

from .server import mark_ready

app = create_app()
settle()
mark_ready()
