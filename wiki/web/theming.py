"""Themes: `themes/<name>/templates/` and `themes/<name>/static/` override the `default` theme's files.

The admin picks the theme in the console: a commit to `site/theme.json` (`{"theme": "<name>"}`), seen by every
worker on its next request like the plugins' state. Templates are looked up in the chosen theme first, then in
`default`, then in the plugins' blueprints; `@<theme>/name` names one theme's file explicitly, so a theme can
extend the default's template it replaces (`{% extends "@default/base.html" %}`). Static files likewise:
`/static/<path>` comes from the chosen theme, else from `default`, and `/static/@default/<path>` is always the
default's (a theme's CSS may `@import` it and add its own rules).

Jinja caches compiled templates by name; each one remembers which theme it came from and reports itself out of
date when the theme changes (`TEMPLATES_AUTO_RELOAD` is on so that Jinja asks), so switching costs one reload.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    jsonify,
    request,
    send_from_directory,
)
from jinja2 import BaseLoader, Environment, TemplateNotFound
from jinja2.loaders import split_template_path
from werkzeug.security import safe_join

from ..auth import Principal
from ..config import ROOT
from ..errors import InvalidInput
from ..plugins import file_history
from ..store import CommitInfo, CommitResult, ContentStore
from .api_auth import require_admin
from .context import core, json_body

log = logging.getLogger("madang.themes")
THEME_FILE = "site/theme.json"
THEMES_DIR = ROOT / "themes"
DEFAULT_THEME = "default"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
EXTENSION = "madang_themes"

bp = Blueprint("api_theme", __name__, url_prefix="/api/v1/admin/theme")


@dataclass(frozen=True)
class Theme:
    name: str
    title: str | dict
    description: str | dict
    path: Path

    @property
    def templates(self) -> Path:
        return self.path / "templates"

    @property
    def static(self) -> Path:
        return self.path / "static"


class Themes:
    """The installed themes (folders under themes/) and the chosen one (site/theme.json)."""

    def __init__(self, store: ContentStore, root: Path = THEMES_DIR, fallback: str = DEFAULT_THEME) -> None:
        self.store, self.root, self.fallback = store, Path(root), fallback
        self._available: tuple[float, dict[str, Theme]] = (-1.0, {})
        self._chosen: tuple[str | None, str | None, str] = ("unread", None, fallback)

    def available(self) -> dict[str, Theme]:
        """Theme folders, re-scanned when the themes folder changes."""
        try:
            stamp = self.root.stat().st_mtime
        except OSError:
            return {}
        if stamp != self._available[0]:
            found = {}
            for folder in sorted(self.root.iterdir()):
                if folder.is_dir() and NAME_RE.match(folder.name) and (
                        (folder / "templates").is_dir() or (folder / "static").is_dir()):
                    found[folder.name] = self._describe(folder)
            self._available = (stamp, found)
        return self._available[1]

    @staticmethod
    def _describe(folder: Path) -> Theme:
        meta: dict = {}
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads((folder / "theme.json").read_text("utf-8"))
        meta = meta if isinstance(meta, dict) else {}
        return Theme(folder.name, meta.get("title", folder.name), meta.get("description", ""), folder)

    def chosen(self) -> str:
        """The theme the admin chose (else the configured one, else default), re-read when site/theme.json's
        blob changes; a theme that is not installed (any more) falls back the same way."""
        head = self.store.head()
        revision, blob, name = self._chosen
        if head != revision:
            new_blob = self.store.blob_id(head, THEME_FILE) if head else None
            if new_blob != blob or revision == "unread":
                name = self._parse(new_blob)
            self._chosen = (head, new_blob, name)
        available = self.available()
        for candidate in (name, self.fallback, DEFAULT_THEME):
            if candidate in available:
                return candidate
        return DEFAULT_THEME

    def _parse(self, blob: str | None) -> str:
        if not blob:
            return self.fallback
        try:
            data = json.loads(self.store.read_blob(blob))
            return str(data["theme"])
        except (ValueError, KeyError, TypeError):
            log.error("%s is not {\"theme\": name}: using the %s theme", THEME_FILE, self.fallback)
            return self.fallback

    def current(self) -> str:
        """The chosen theme, read once per request."""
        if has_request_context():
            name = g.get("madang_theme")
            if name is None:
                name = g.madang_theme = self.chosen()
            return name
        return self.chosen()

    def search_order(self, name: str | None = None) -> list[Theme]:
        available = self.available()
        order = [name or self.current(), DEFAULT_THEME]
        return [available[n] for n in dict.fromkeys(order) if n in available]

    def history(self, limit: int = 20) -> list[CommitInfo]:
        return file_history(self.store, THEME_FILE, limit)


class ThemeLoader(BaseLoader):
    """Templates from the current theme, then the default theme; `@<theme>/<name>` from that theme only."""

    def __init__(self, themes: Themes) -> None:
        self.themes = themes

    def get_source(self, environment: Environment, template: str):
        pinned = template.startswith("@")
        if pinned:
            theme_name, _, name = template[1:].partition("/")
            candidates = [self.themes.available()[theme_name]] if theme_name in self.themes.available() else []
        else:
            name = template
            candidates = self.themes.search_order()
        current = None if pinned else self.themes.current()
        pieces = split_template_path(name)
        for theme in candidates:
            path = theme.templates.joinpath(*pieces)
            if not path.is_file():
                continue
            source = path.read_text("utf-8")
            mtime = path.stat().st_mtime

            def uptodate(path: Path = path, mtime: float = mtime) -> bool:
                if current is not None and self.themes.current() != current:
                    return False  # another theme was chosen: look the name up again
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return source, str(path), uptodate
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for theme in self.themes.available().values():
            if theme.templates.is_dir():
                names |= {p.relative_to(theme.templates).as_posix() for p in theme.templates.rglob("*.html")}
        return sorted(names)


def themes() -> Themes:
    return current_app.extensions[EXTENSION]


def resolve_static(filename: str) -> tuple[Path, str] | None:
    """(folder, relative path) of a static file in the current theme or the default (`@theme/` pins one)."""
    registry = themes()
    if filename.startswith("@"):
        name, _, rest = filename[1:].partition("/")
        candidates = [registry.available()[name]] if name in registry.available() else []
    else:
        rest, candidates = filename, registry.search_order()
    for theme in candidates:
        path = safe_join(str(theme.static), rest)
        if path is not None and os.path.isfile(path):
            return theme.static, rest
    return None


def themed_static(filename: str):
    found = resolve_static(filename)
    if found is None:
        abort(404)
    folder, rest = found
    return send_from_directory(folder, rest, max_age=current_app.get_send_file_max_age(rest))


def asset_version(name: str) -> str:
    """A version for a static file's address: which theme it comes from and when it changed, so browsers
    fetch the new file as soon as the theme or the file changes."""
    found = resolve_static(name)
    if found is None:
        return "0"
    folder, rest = found
    try:
        return f"{folder.parent.name}-{int((folder / rest).stat().st_mtime)}"
    except OSError:
        return "0"


def change_theme(who: Principal, name: str) -> CommitResult:
    """Choose the site's theme: a commit to site/theme.json by `who`."""
    if name not in themes().available():
        raise InvalidInput(f"No theme named '{name}' is installed.", theme=name)
    text = json.dumps({"theme": name}, ensure_ascii=False, indent=2) + "\n"
    result = core().wiki.commit({THEME_FILE: text.encode("utf-8")}, who, f"테마: {name}")
    core().audit.record("theme_changed", who.username, name, request.remote_addr or "", revision=result.revision)
    return result


def theme_json(theme: Theme) -> dict:
    return {"name": theme.name, "title": theme.title, "description": theme.description}


@bp.get("")
def get_theme():
    require_admin()
    registry = themes()
    return jsonify({"theme": registry.current(),
                    "items": [theme_json(theme) for theme in registry.available().values()]})


@bp.put("")
def put_theme():
    who = require_admin()
    name = json_body().get("theme")
    if not isinstance(name, str):
        raise InvalidInput("'theme' must be the name of an installed theme.")
    return jsonify({"revision": change_theme(who, name).revision})


def register(app: Flask) -> None:
    """Theme-aware templates and static files; call before any blueprint is registered."""
    registry = Themes(app.extensions["madang"].store, THEMES_DIR, app.extensions["madang"].config.theme)
    app.extensions[EXTENSION] = registry
    app.config["TEMPLATES_AUTO_RELOAD"] = True  # so Jinja asks each cached template whether the theme changed
    if "jinja_env" in app.__dict__:
        app.jinja_env.auto_reload = True
    app.jinja_loader = ThemeLoader(registry)  # type: ignore[assignment]  (Flask's loader is a cached property)
    app.view_functions["static"] = themed_static
    app.register_blueprint(bp)
