"""The application factory: wires the store, the state database, the views and the web layer together."""
from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from . import markup
from .acl import Permissions
from .auth import Accounts
from .config import ROOT, Config
from .db import Database
from .pages import Wiki
from .store import ContentStore
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


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    config.instance_dir.mkdir(parents=True, exist_ok=True)
    theme = ROOT / "themes" / config.theme
    app = Flask("madang", template_folder=str(theme / "templates"), static_folder=str(theme / "static"),
                static_url_path="/static", instance_path=str(config.instance_dir))
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
    madang = build_core(config)
    app.extensions["madang"] = madang
    csrf.init_app(app)
    socketio.init_app(app, message_queue=config.redis_url or None, async_mode="threading",
                      cors_allowed_origins=[])
    from .web import register

    register(app)
    return app


def build_core(config: Config) -> Madang:
    """The core without Flask: usable from scripts, benchmarks and tests."""
    db = Database(config.database_url)
    db.create_all()
    store = ContentStore(config.content_repo, config.branch)
    acl = Permissions(store)
    views = ViewRunner(store, db, [HistoryView(), PagesView(markup.extract_links)])
    views.catch_up()
    accounts = Accounts(db, config.argon2_time_cost, config.argon2_memory_kib)
    _ensure_admin(accounts, config)
    wiki = Wiki(config, store, db, views, acl)
    return Madang(config, store, db, views, acl, accounts, wiki)


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
