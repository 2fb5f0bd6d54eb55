"""Plugins on the web: their blueprints (404 while disabled) and the admin API that enables them."""
from __future__ import annotations

import json

from flask import Blueprint, Flask, abort, jsonify

from ..errors import InvalidInput, NotFound
from ..plugins import PLUGINS_FILE
from .api_auth import require_admin
from .context import core, json_body

bp = Blueprint("api_plugins", __name__, url_prefix="/api/v1/admin/plugins")


def register_plugin_blueprints(app: Flask) -> None:
    """Every installed plugin's blueprints are registered once; a guard answers 404 while it is disabled."""
    host = app.extensions["madang"].plugins
    for impl in host.pm.hook.madang_blueprints.get_hookimpls():
        name = impl.plugin_name
        for blueprint in impl.function() or ():
            blueprint.before_request(_guard(name))
            app.register_blueprint(blueprint)


def _guard(name: str):
    def check():
        if not core().plugins.enabled(name):
            abort(404)
    return check


def plugin_json(name: str) -> dict:
    host = core().plugins
    info = host.plugins[name]
    return {"name": name, "title": info.title, "description": info.description, "version": info.version,
            "builtin": info.builtin, "enabled": host.enabled(name), "settings": host.settings(name),
            "settings_schema": info.settings_schema}


@bp.get("")
def list_plugins():
    require_admin()
    return jsonify({"items": [plugin_json(name) for name in sorted(core().plugins.plugins)]})


@bp.put("/<name>")
def change_plugin(name: str):
    who = require_admin()
    host = core().plugins
    if name not in host.plugins:
        raise NotFound(f"No plugin named '{name}' is installed.")
    data = json_body()
    enabled = data.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidInput("'enabled' must be true or false.")
    settings = data.get("settings")
    if settings is not None:
        settings = validate_settings(host.plugins[name].settings_schema, settings)
    document = host.document_with(name, enabled, settings)
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    verb = {True: "켬", False: "끔"}.get(enabled, "설정 변경")
    result = core().wiki.commit({PLUGINS_FILE: text.encode("utf-8")}, who, f"플러그인 {name}: {verb}")
    core().audit.record("plugin_changed", who.username, name, enabled=enabled, settings=settings)
    return jsonify({"revision": result.revision})


def validate_settings(schema: dict, settings: object) -> dict:
    """Check submitted settings against the plugin's declared schema (types and known keys)."""
    if not isinstance(settings, dict):
        raise InvalidInput("'settings' must be an object.")
    properties = schema.get("properties", {})
    types = {"string": str, "integer": int, "boolean": bool, "number": (int, float), "array": list,
             "object": dict}
    for key, value in settings.items():
        if key not in properties:
            raise InvalidInput(f"The plugin has no setting '{key}'.")
        expected = types.get(properties[key].get("type", ""), object)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise InvalidInput(f"The setting '{key}' must be of type {properties[key].get('type')}.")
        if "enum" in properties[key] and value not in properties[key]["enum"]:
            raise InvalidInput(f"The setting '{key}' must be one of {properties[key]['enum']}.")
    return settings
