"""Plugins on the web: their blueprints (404 while disabled), their Socket.IO handlers (silent while disabled),
and the admin API that enables them and changes their settings."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ..auth import Principal
from ..errors import InvalidInput, NotFound
from ..plugins import PLUGINS_FILE, PluginHost, PluginSocketIO, validate_settings
from ..store import CommitResult
from .api_auth import require_admin
from .context import core, json_body

bp = Blueprint("api_plugins", __name__, url_prefix="/api/v1/admin/plugins")
BLUEPRINT_OWNERS = "madang_plugin_blueprints"  # app.extensions key: (host, {blueprint name: plugin name})


def serves(path: str, method: str = "GET") -> bool:
    """Whether the app answers `path` now: a plugin's route only while its plugin is enabled."""
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(path, method=method)
    except HTTPException:
        return False
    host, owners = current_app.extensions.get(BLUEPRINT_OWNERS, (None, {}))
    parts = endpoint.split(".")[:-1]
    for depth in range(len(parts), 0, -1):
        owner = owners.get(".".join(parts[:depth]))
        if owner is not None and not host.enabled(owner):
            return False
    return True


def register_plugin_blueprints(app: Flask) -> None:
    """Every installed plugin's blueprints are registered once; one guard answers 404 for every route of a
    disabled plugin's blueprints (its static files included)."""
    host: PluginHost = app.extensions["madang"].plugins
    owners: dict[str, str] = {}
    for plugin, blueprints in host.call_installed("madang_blueprints"):
        for blueprint in blueprints or ():
            try:
                app.register_blueprint(blueprint)
            except Exception as exc:  # noqa: BLE001 (e.g. a name clash: that plugin is off, the site is not)
                host.mark_broken(plugin, "madang_blueprints", exc)
                continue
            owners[blueprint.name] = plugin
    app.extensions[BLUEPRINT_OWNERS] = (host, owners)

    @app.before_request
    def _plugin_guard():
        for name in request.blueprints:
            owner = owners.get(name)
            if owner is not None and not host.enabled(owner):
                abort(404)


def register_plugin_sockets(app: Flask, socketio) -> None:
    """Each installed plugin registers its Socket.IO handlers once, through a SocketIO that guards them."""
    host: PluginHost = app.extensions["madang"].plugins
    for plugin, impl in host.impls("madang_socketio", include_disabled=True):
        if plugin in host.broken:
            continue
        try:
            host.call_impl(plugin, impl, "madang_socketio", {"socketio": PluginSocketIO(socketio, host, plugin)})
        except Exception as error:  # noqa: BLE001 (logged as PluginError by call_impl)
            host.broken[plugin] = str(error)


def plugin_json(name: str) -> dict:
    host = core().plugins
    info = host.plugins[name]
    return {"name": name, "title": info.title, "description": info.description, "version": info.version,
            "builtin": info.builtin, "origin": info.origin, "enabled": host.enabled(name),
            "broken": host.broken.get(name), "settings": host.settings(name),
            "settings_schema": info.settings_schema}


def change_plugin(who: Principal, name: str, enabled: bool | None = None,
                  settings: dict | None = None) -> CommitResult:
    """One change to site/plugins.json: a commit by `who`, made against the revision the state was read at,
    so that two admins changing different plugins at once are merged rather than one undoing the other."""
    host = core().plugins
    if name not in host.plugins:
        raise NotFound(f"No plugin named '{name}' is installed.")
    if settings is not None:
        settings = validate_settings(host.plugins[name].settings_schema, settings)
    state = host.read_state()
    text = host.document_with(name, enabled, settings, state)
    verb = {True: "켬", False: "끔"}.get(enabled, "설정 변경")
    title = host.plugins[name].title
    title = str(title.get("ko") or "") if isinstance(title, dict) else str(title)  # messages stay in Korean
    message = f"플러그인 {name} ({title}): {verb}" if title and title != name else f"플러그인 {name}: {verb}"
    result = core().wiki.commit({PLUGINS_FILE: text.encode("utf-8")}, who, message, parent=state.revision)
    core().audit.record("plugin_changed", who.username, name, request.remote_addr or "", enabled=enabled,
                        settings=settings, revision=result.revision)
    return result


@bp.get("")
def list_plugins():
    require_admin()
    host = core().plugins
    return jsonify({"items": [plugin_json(name) for name in sorted(host.plugins)],
                    "load_errors": [{"source": source, "message": message} for source, message in host.load_errors]})


@bp.put("/<name>")
def put_plugin(name: str):
    who = require_admin()
    data = json_body()
    enabled = data.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidInput("'enabled' must be true or false.")
    settings = data.get("settings")
    if settings is not None and not isinstance(settings, dict):
        raise InvalidInput("'settings' must be an object.")
    result = change_plugin(who, name, enabled, settings)
    return jsonify({"revision": result.revision})
