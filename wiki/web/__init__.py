"""The web layer: it only calls the core. One place maps errors to HTTP answers."""
from __future__ import annotations

from flask import Flask

from . import accounts_words  # noqa: F401  (the header's words for the org chart and settings links)


def register(app: Flask) -> None:
    from ..app import socketio
    from . import admin_nav, admin_ui, api_auth, api_pages, errors, feeds, openapi, plugin_routes, security, theming, ui

    theming.register(app)  # first: it replaces the template loader before any template is compiled
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
    plugin_routes.register_plugin_sockets(app, socketio)
    app.register_blueprint(admin_ui.bp)
    from . import accounts_ui, admin_accounts, api_accounts  # issue 4: accounts, org chart, people, admin sections

    accounts_ui.register(app)
    app.register_blueprint(admin_accounts.bp)
    app.register_blueprint(api_accounts.bp)
    app.register_blueprint(admin_ui.api)
    from . import notifications_ui

    app.register_blueprint(notifications_ui.bp)
