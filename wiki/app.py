"""The application factory: wires the store, the state database, the views and the web layer together."""
from __future__ import annotations

import fcntl
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import logredact, markup
from .acl import Permissions
from .audit import AuditLog
from .auth import Accounts
from .config import ROOT, Config
from .db import Database
from .directory import LdapDirectory, LdapSettings
from .notifications import Notifications
from .orgchart import DirectoryOrgChart, RepositoryOrgChart
from .pages import Wiki
from .plugins import PluginHost
from .signin import SignIn
from .store import ContentStore
from .throttle import SignInThrottle, ThrottlePolicy
from .views import HistoryView, PagesView, ViewRunner

log = logging.getLogger("madang")
socketio = SocketIO()
csrf = CSRFProtect()


@dataclass
class Madang:
    """Everything a request handler needs, kept on app.extensions['madang']."""

    config: Config
    store: ContentStore
    db: Database
    views: ViewRunner
    acl: Permissions
    accounts: Accounts
    wiki: Wiki
    plugins: PluginHost
    audit: AuditLog
    throttle: SignInThrottle
    orgchart: RepositoryOrgChart | DirectoryOrgChart  # the chart people see: the directory's when LDAP is set
    directory: LdapDirectory | None = None
    signin: SignIn | None = None  # the one sign-in path (/login and POST /api/v1/auth/token)
    notifications: Notifications | None = None  # mentions, replies, messages (wiki.api.notify)


def create_app(config: Config | None = None, extra_plugins: tuple = ()) -> Flask:
    """The Flask app; `extra_plugins` registers plugin modules directly (tests use it for fixture plugins)."""
    config = config or Config.from_env()
    config.instance_dir.mkdir(parents=True, exist_ok=True)
    default_theme = ROOT / "themes" / "default"  # wiki/web/theming.py puts the chosen theme in front of it
    app = Flask("madang", template_folder=str(default_theme / "templates"),
                static_folder=str(default_theme / "static"), static_url_path="/static",
                instance_path=str(config.instance_dir))
    app.config.update(
        SECRET_KEY=config.secret_key or _instance_secret(config.instance_dir),
        MAX_CONTENT_LENGTH=config.max_upload_bytes + 1024 * 1024,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.session_hours),
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies, SESSION_COOKIE_NAME="madang_session",
        WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None, JSON_SORT_KEYS=False,
        TESTING=config.testing,
    )
    app.json.ensure_ascii = False
    logredact.install()  # request lines in the log keep no query values (tickets, codes, tokens, searches)
    if config.trusted_proxies:  # behind a reverse proxy: the person's address is the proxy's X-Forwarded-For
        n = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    madang = build_core(config, extra_plugins)
    app.extensions["madang"] = madang
    csrf.init_app(app)
    socketio.init_app(app, message_queue=config.redis_url or None, async_mode="threading",
                      cors_allowed_origins=[],  # a whole page may travel in one co-editing event: room for it
                      max_http_buffer_size=4 * config.max_page_bytes + 65536,
                      async_handlers=False)  # a socket's events run in its own thread, in order: no thread each
    from .web import register

    register(app)
    return app


@contextmanager
def start_lock(instance_dir: Path) -> Iterator[None]:
    """An exclusive lock on a file of the instance folder while the state database's tables are created and
    plugins migrate: worker processes starting together (gunicorn -w 4) then never run a migration twice. It
    covers one machine; nodes sharing a PostgreSQL database should be started one first."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    with open(instance_dir / "start.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_core(config: Config, extra_plugins: tuple = ()) -> Madang:
    """The core without Flask: usable from scripts, benchmarks and tests."""
    store = ContentStore(config.content_repo, config.branch)
    plugins = PluginHost(store, ROOT / "plugins", extra_plugins)
    db = Database(config.database_url)
    with start_lock(config.instance_dir):  # several processes starting at once: one creates and migrates
        db.create_all()  # after the plugins are imported, so their tables exist too
        plugins.migrate(db)
    acl = Permissions(store)
    views = ViewRunner(store, db, [HistoryView(), PagesView(markup.extract_links)])
    register_plugin_views(plugins, views, config)
    views.catch_up()
    accounts = Accounts(db, config.argon2_time_cost, config.argon2_memory_kib)
    _ensure_admin(accounts, config)
    wiki = Wiki(config, store, db, views, acl)
    wiki.before_commit.append(lambda changes, who: plugins.hook("madang_before_commit").veto(changes=changes,
                                                                                        who=who))
    wiki.after_commit.append(lambda result: plugins.hook("madang_after_commit")(commit=result))
    wiki.revision_visible.append(lambda path, revision, who: False not in plugins.hook("madang_revision_visible")(
        path=path, revision=revision, who=who))
    audit, throttle = AuditLog(db), SignInThrottle(db, ThrottlePolicy.from_config(config))
    directory = ldap_directory(config)
    orgchart = DirectoryOrgChart(directory, config.ldap_orgchart_minutes) if directory else RepositoryOrgChart(store)
    signin = SignIn(accounts, throttle, audit, directory, config.ldap_default_role)
    return Madang(config, store, db, views, acl, accounts, wiki, plugins, audit, throttle, orgchart, directory,
                  signin, Notifications(db))


def ldap_directory(config: Config) -> LdapDirectory | None:
    """The staff directory when MADANG_LDAP_URL and MADANG_LDAP_USER_BASE are set."""
    if not config.ldap_configured:
        return None
    settings = LdapSettings(config.ldap_url, config.ldap_user_base, config.ldap_group_base, config.ldap_bind_dn,
                            config.ldap_bind_password, department_base=config.ldap_department_base,
                            timeout=config.ldap_timeout)
    if config.ldap_user_filter:
        settings.user_filter = config.ldap_user_filter
    return LdapDirectory(settings)


def register_plugin_views(plugins: PluginHost, views: ViewRunner, config: Config) -> None:
    """Every installed plugin's views are registered; a disabled (or broken) plugin's views are paused and
    catch up from their watermark once it is enabled again. A view with `configure(config)` learns the site's
    configuration (e.g. the search index folder) before its first catch-up, so scripts and the CLI work without
    Flask."""
    owners = plugins.view_owners
    for plugin, plugin_views in plugins.call_installed("madang_views"):
        for view in plugin_views or ():
            name = getattr(view, "name", None)
            if not isinstance(name, str) or not name or name in owners or any(v.name == name for v in views.views):
                plugins.mark_broken(plugin, "madang_views", ValueError(f"a view needs a unique name, not {name!r}"))
                continue
            if callable(getattr(view, "configure", None)):
                view.configure(config)
            views.register(view)
            owners[name] = plugin
    views.active = lambda view: view.name not in owners or plugins.enabled(owners[view.name])


def _ensure_admin(accounts: Accounts, config: Config) -> None:
    """API.md: on first start with an empty state database, create `admin`."""
    if accounts.count():
        return
    password = config.admin_password or secrets.token_urlsafe(12)
    accounts.create("admin", password, "관리자", "admin@localhost", is_admin=True)
    if not config.admin_password:
        print(f"Madang: created the account 'admin' with the password {password} (shown once).", flush=True)


def _instance_secret(instance_dir: Path) -> str:
    """A secret key kept in the instance folder (never in the content repository), made on first start."""
    path = instance_dir / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
