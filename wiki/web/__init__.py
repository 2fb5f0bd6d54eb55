"""The web layer: it only calls the core. One place maps errors to HTTP answers."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from . import admin_nav, api_auth, api_pages, errors, feeds, openapi, plugin_routes, security, ui

    security.register(app)
    admin_nav.register(app)
    errors.register(app)
    app.register_blueprint(api_auth.bp)
    app.register_blueprint(api_pages.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(plugin_routes.bp)
    plugin_routes.register_plugin_blueprints(app)
