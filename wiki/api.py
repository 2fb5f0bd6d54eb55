"""The core's public API for plugins: the one module a plugin imports from `wiki`.

Everything here is a promise to plugin authors; everything else in `wiki/` may change.
"""
from __future__ import annotations

import pluggy
from flask import current_app, g

from .auth import Principal
from .errors import (
    AlreadyExists,
    EditConflict,
    Forbidden,
    InvalidInput,
    InvalidPath,
    MadangError,
    NotFound,
    PageNotFound,
    PluginError,
    TooLarge,
    Unauthorized,
    UnsupportedType,
)
from .store import Author, CommitResult, LoggedCommit, RawChange

hookimpl = pluggy.HookimplMarker("madang")

__all__ = [
    "AlreadyExists", "Author", "CommitResult", "EditConflict", "Forbidden", "InvalidInput", "InvalidPath",
    "LoggedCommit", "MadangError", "NotFound", "PageNotFound", "PluginError", "Principal", "RawChange", "TooLarge",
    "Unauthorized", "UnsupportedType", "core", "current_user", "hookimpl", "plugin_settings",
]


def core():
    """The running site's core objects (store, db, wiki, acl, accounts, plugins, ...)."""
    return current_app.extensions["madang"]


def current_user() -> Principal | None:
    """The person asking in this request (None when anonymous)."""
    return g.get("user")


def plugin_settings(name: str) -> dict:
    """A plugin's settings: its schema's defaults overlaid with what the admin saved."""
    return core().plugins.settings(name)
