"""The admin console (HTML, admins only): overview, plugins, theme and site health.

Every change made here is a commit in the content repository (site/plugins.json, site/theme.json) by the admin
who made it, and each screen shows the history of its file. The health screen can rebuild a view in a
background thread and shows its progress; `python -m wiki.cli rebuild-views` does the same from a shell.
"""
from __future__ import annotations

import logging
import os
import platform
import subprocess
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, jsonify, redirect, render_template, request, url_for

from ..api import MADANG_VERSION, localized
from ..errors import EditConflict, InvalidInput, NotFound, Unauthorized
from ..plugins import PLUGINS_FILE, settings_from_form
from . import admin_nav, i18n
from .admin_nav import admin_section
from .admin_words import WORDS
from .api_auth import require_admin
from .context import core
from .i18n import t
from .plugin_routes import change_plugin
from .theming import THEME_FILE, change_theme, themes

bp = Blueprint("admin_ui", __name__, url_prefix="/admin")
api = Blueprint("api_admin_health", __name__, url_prefix="/api/v1/admin/health")

i18n.add_catalog(WORDS)
admin_section("admin_ui.index", "console.index", 10)
admin_section("admin_ui.plugins", "console.plugins", 15)
admin_section("admin_ui.theme", "console.theme", 70)
admin_section("admin_ui.health", "console.health", 80)

log = logging.getLogger("madang.admin")
HISTORY_ROWS = 20
JOBS = "madang_rebuilds"  # app.extensions key: the view rebuilds this process runs


@bp.before_request
def _admins_only():
    require_admin()


@bp.errorhandler(Unauthorized)
def _sign_in_first(exc: Unauthorized):
    flash(t("login.required"), "info")
    return redirect(url_for("ui.login", next=request.full_path.rstrip("?") if request.method == "GET" else
                            url_for("admin_ui.index")))


# -- overview ---------------------------------------------------------------------------------------------------
@bp.get("/")
def index_slash():
    return redirect(url_for("admin_ui.index"), 308)


@bp.get("")
def index():
    host = core().plugins
    statuses = view_states()
    summary = {"installed": len(host.plugins), "enabled": len(host.plugins) - len(host.disabled_names()),
               "broken": len(host.broken), "failures": len(host.failures), "theme": themes().current(),
               "commits": core().store.count_commits(),
               "behind": sum(1 for s in statuses if s["state"] in ("lagging", "failed"))}
    sections = [s for s in admin_nav.sections() if s["url"] != url_for("admin_ui.index")]
    return render_template("admin/index.html", summary=summary, sections=sections)


# -- plugins ----------------------------------------------------------------------------------------------------
def plugin_rows() -> list[dict]:
    host = core().plugins
    rows = []
    for name in sorted(host.plugins):
        info = host.plugins[name]
        rows.append({"name": name, "title": localized(info.title), "description": localized(info.description),
                     "version": info.version, "origin": info.origin, "enabled": host.enabled(name),
                     "broken": host.broken.get(name), "has_settings": bool(info.settings_schema.get("properties")),
                     "source": info.source, "schema_version": info.schema_version})
    return rows


@bp.get("/plugins")
def plugins():
    host = core().plugins
    return render_template("admin/plugins.html", rows=plugin_rows(), load_errors=host.load_errors,
                           failures=list(host.failures), history=host.history(HISTORY_ROWS),
                           history_path=PLUGINS_FILE)


def setting_fields(name: str, values: dict, problems: dict) -> list[dict]:
    """The settings form, built from the plugin's schema: one field per property."""
    schema = core().plugins.plugins[name].settings_schema
    fields = []
    for key, spec in schema.get("properties", {}).items():
        kind = spec.get("type", "string")
        widget = "select" if "enum" in spec else {"boolean": "checkbox", "integer": "number",
                                                   "number": "number"}.get(kind, "text")
        problem = problems.get(key)
        field_id = f"setting-{name}-{key}"
        help_text = localized(spec.get("description"))
        described = [f"{field_id}-help"] if help_text or spec.get("default") is not None else []
        described += [f"{field_id}-error"] if problem else []
        fields.append({
            "key": key, "id": field_id, "widget": widget, "kind": kind, "described": " ".join(described),
            "label": localized(spec.get("title")) or key, "help": help_text,
            "value": values.get(key, spec.get("default")), "options": spec.get("enum", []),
            "default": default_text(spec.get("default")), "step": "1" if kind == "integer" else "any",
            "min": spec.get("minimum"), "max": spec.get("maximum"), "maxlength": spec.get("maxLength"),
            "error": problem_text(kind, problem) if problem else None,
        })
    return fields


def default_text(value: object) -> str | None:
    if isinstance(value, bool):
        return t("console.setting.true" if value else "console.setting.false")
    return None if value is None else str(value)


def problem_text(kind: str, problem: tuple[str, dict]) -> str:
    code, details = problem
    if code == "type":
        details = {"type": t(f"console.setting.type.{kind}")}
    return t(f"console.setting.error.{code}", **details)


def plugin_page(name: str, values: dict | None = None, problems: dict | None = None, status: int = 200):
    host = core().plugins
    if name not in host.plugins:
        raise NotFound(f"No plugin named '{name}' is installed.")
    row = next(r for r in plugin_rows() if r["name"] == name)
    fields = setting_fields(name, values if values is not None else host.settings(name), problems or {})
    failures = [f for f in host.failures if f.plugin == name]
    return render_template("admin/plugin.html", plugin=row, fields=fields, failures=failures,
                           invalid=bool(problems)), status


@bp.get("/plugins/<name>")
def plugin(name: str):
    return plugin_page(name)


@bp.post("/plugins/<name>/state")
def plugin_state(name: str):
    who = require_admin()
    enabled = request.form.get("enabled") == "1"
    try:
        result = change_plugin(who, name, enabled=enabled)
    except EditConflict:
        flash(t("console.conflict"), "error")
    else:
        key = "console.plugins.enabled_flash" if enabled else "console.plugins.disabled_flash"
        flash(t(key, name=name) if result.changed else t("console.plugins.unchanged_flash"), "success")
    return redirect(back_to(url_for("admin_ui.plugins")), 303)


@bp.post("/plugins/<name>/settings")
def plugin_settings(name: str):
    who = require_admin()
    host = core().plugins
    if name not in host.plugins:
        raise NotFound(f"No plugin named '{name}' is installed.")
    values, problems = settings_from_form(host.plugins[name].settings_schema, request.form)
    if problems:
        shown = {**host.settings(name), **values, **{k: request.form.get(k, "") for k in problems}}
        return plugin_page(name, shown, problems, 400)
    saved = host.state().get(name, {}).get("settings", {})
    try:
        result = change_plugin(who, name, settings={**(saved if isinstance(saved, dict) else {}), **values})
    except EditConflict:
        flash(t("console.conflict"), "error")
        return redirect(url_for("admin_ui.plugin", name=name), 303)
    except InvalidInput:  # a saved value the schema no longer accepts: show the form again
        return plugin_page(name, values, {}, 400)
    flash(t("console.plugins.saved_flash", name=name) if result.changed else t("console.plugins.unchanged_flash"),
          "success")
    return redirect(url_for("admin_ui.plugin", name=name), 303)


def back_to(default: str) -> str:
    """The admin page a form came from (the 'next' field), never another site."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/admin") and not parts.scheme and not parts.netloc and "\\" not in target:
        return target
    return default


# -- theme ------------------------------------------------------------------------------------------------------
@bp.get("/theme")
def theme():
    registry = themes()
    choices = [{"name": item.name, "title": localized(item.title) or item.name,
                "description": localized(item.description)} for item in registry.available().values()]
    return render_template("admin/theme.html", choices=choices, current=registry.current(),
                           history=registry.history(HISTORY_ROWS), history_path=THEME_FILE)


@bp.post("/theme")
def theme_save():
    who = require_admin()
    name = request.form.get("theme", "")
    change_theme(who, name)
    flash(t("console.theme.saved_flash", name=name), "success")
    return redirect(url_for("admin_ui.theme"), 303)


# -- health -----------------------------------------------------------------------------------------------------
@dataclass
class RebuildJob:
    view: str
    total: int
    done: int = 0
    state: str = "running"  # running, done, failed
    error: str = ""
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    thread: threading.Thread | None = None

    @property
    def percent(self) -> int:
        return min(100, int(self.done * 100 / self.total)) if self.total else 100


def rebuild_jobs(app: Flask | None = None) -> dict[str, RebuildJob]:
    return (app or current_app).extensions.setdefault(JOBS, {})


def start_rebuild(app: Flask, name: str) -> RebuildJob | None:
    """Rebuild one view in a background thread; None when it is being rebuilt already."""
    madang = app.extensions["madang"]
    jobs = rebuild_jobs(app)
    running = jobs.get(name)
    if running is not None and running.state == "running":
        return None
    job = RebuildJob(name, madang.store.count_commits())

    def progress(view: str, count: int) -> None:
        if view == name:
            job.done += count

    def run() -> None:
        try:
            madang.views.rebuild(name, progress)
            failure = madang.views.failures.get(name)
            if failure:
                raise RuntimeError(failure)
            job.state = "done"
        except Exception as exc:  # noqa: BLE001 (shown on the health screen)
            log.exception("rebuilding the view %s failed", name)
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.seconds = time.monotonic() - job.started

    job.thread = threading.Thread(target=run, name=f"rebuild-{name}", daemon=True)
    jobs[name] = job
    job.thread.start()
    return job


def view_states() -> list[dict]:
    madang = core()
    owners = madang.plugins.view_owners
    by_name = {view.name: view for view in madang.views.views}
    rows = []
    for status in madang.views.status():
        view = by_name[status.name]
        active = madang.views.active(view)
        failure = madang.views.failures.get(status.name)
        state = ("paused" if not active else "failed" if failure else "lagging" if status.behind else "ok")
        rows.append({"name": status.name, "plugin": owners.get(status.name), "watermark": status.watermark,
                     "head": status.head, "behind": status.behind, "failure": failure, "state": state,
                     "active": active})
    return rows


@lru_cache(maxsize=1)
def git_version() -> str:
    try:
        out = subprocess.run(["git", "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.strip().removeprefix("git version ")


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def folder_size(path: Path) -> int:
    total = 0
    stack = [str(path)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return total


def health_report() -> dict:
    """Everything the health screen shows (and GET /api/v1/admin/health answers)."""
    madang = core()
    store, host = madang.store, madang.plugins
    versions = {"Madang": MADANG_VERSION, "Python": platform.python_version(), "git": git_version()}
    for package in ("Flask", "Werkzeug", "Jinja2", "SQLAlchemy", "pluggy", "GitPython", "Flask-SocketIO",
                    "mistune", "Whoosh"):
        versions[package] = package_version(package)
    plugin_lines = []
    for plugin, lines in host.hook("madang_health").each():
        for line in lines or ():
            plugin_lines.append({"plugin": plugin, "label": localized(line.get("label")),
                                 "value": str(line.get("value", "")), "ok": bool(line.get("ok", True))})
    return {
        "versions": versions,
        "repository": {"path": str(store.path), "branch": store.branch, "head": store.head(),
                       "commits": store.count_commits(), "size_bytes": folder_size(store.path)},
        "database": {"dialect": madang.db.engine.dialect.name,
                     "url": madang.db.engine.url.render_as_string(hide_password=True)},
        "realtime": {"message_queue": bool(madang.config.redis_url)},
        "theme": themes().current(),
        "views": view_states(),
        "plugins": {"installed": sorted(host.plugins), "enabled": sorted(n for n in host.plugins
                                                                          if host.enabled(n)),
                    "broken": dict(host.broken),
                    "load_errors": [{"source": s, "message": m} for s, m in host.load_errors],
                    "failures": [{"when": f.when.isoformat(), "plugin": f.plugin, "hook": f.hook,
                                  "message": f.message} for f in host.failures],
                    "health": plugin_lines},
    }


@bp.get("/health")
def health():
    report = health_report()
    jobs = rebuild_jobs()
    running = any(job.state == "running" for job in jobs.values())
    return render_template("admin/health.html", report=report, jobs=jobs, running=running)


@bp.post("/health/views/<name>/rebuild")
def rebuild_view(name: str):
    require_admin()
    views = {row["name"]: row for row in view_states()}
    if name not in views:
        raise NotFound(f"No view named '{name}'.")
    if not views[name]["active"]:
        flash(t("console.health.rebuild_paused", name=name), "error")
    elif start_rebuild(current_app._get_current_object(), name) is None:
        flash(t("console.health.rebuild_running", name=name), "info")
    else:
        flash(t("console.health.rebuild_started", name=name), "info")
    return redirect(url_for("admin_ui.health") + "#views", 303)


@api.get("")
def health_json():
    require_admin()
    return jsonify(health_report())
