"""The core's public API for plugins: the one module a plugin imports from `wiki`.

Everything here is a promise to plugin authors (docs/plugins.md); everything else in `wiki/` may change, and a
test fails when a plugin in `plugins/` imports any other part of `wiki`.
"""
from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

import pluggy
from flask import current_app, g

from .auth import Principal
from .db import Base, UTCDateTime
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
    RateLimited,
    TooLarge,
    Unauthorized,
    UnsupportedType,
)
from .plugins import guard_socket_handler
from .store import Author, CommitResult, LoggedCommit, RawChange
from .web.i18n import add_catalog, current_language, t

MADANG_VERSION = "0.5.0"
API_VERSION = 1  # raised when something here changes incompatibly
PLUGIN_FILES = "plugins"  # a plugin's own files in the content repository: plugins/<name>/...
ASKING = object()  # "the person asking in this request", the default of `who` arguments

hookimpl = pluggy.HookimplMarker("madang")

__all__ = [
    "API_VERSION", "AlreadyExists", "Author", "Base", "CommitResult", "EditConflict", "Forbidden", "InvalidInput",
    "InvalidPath", "LoggedCommit", "MADANG_VERSION", "MadangError", "NotFound", "PageNotFound", "PluginError",
    "RateLimited", "Principal", "RawChange", "TooLarge", "UTCDateTime", "Unauthorized", "UnsupportedType",
    "add_catalog", "blocked_upload", "can", "commit_plugin_files", "core", "current_language", "current_user",
    "foreign_authorization", "hookimpl", "list_plugin_files", "localized", "normalize_page_path", "notify",
    "plugin_enabled", "plugin_settings", "read_plugin_file", "require_admin", "revision_visible", "socket_handler",
    "t", "withheld_changed",
]


def core():
    """The running site's core objects (store, db, wiki, acl, accounts, plugins, views, audit, ...)."""
    return current_app.extensions["madang"]


def current_user() -> Principal | None:
    """The person asking in this request (None when anonymous)."""
    return g.get("user")


def require_admin() -> Principal:
    """The person asking, when an administrator; otherwise Unauthorized (anonymous) or Forbidden."""
    from .web.api_auth import require_admin as check  # the web layer's one check (imported late: no cycle)

    return check()


def can(action: str, page_path: str, who: Principal | None | object = ASKING) -> bool:
    """The one permission check ("read", "edit", "admin") on a wiki path, for the person asking by default."""
    person = current_user() if who is ASKING else who
    return core().acl.can(person, action, page_path)


def revision_visible(path: str, revision: str, who: Principal | None | object = ASKING) -> bool:
    """False when a plugin withheld page `path` as it was at `revision` (hook `madang_revision_visible`, e.g. the
    personal-data guard's suppression); for read paths a plugin serves itself (search hits, feeds)."""
    person = current_user() if who is ASKING else who
    return core().wiki.revision_visible_to(person, path, revision)


def notify(usernames: list[str] | tuple[str, ...] | set[str], kind: str, title: str, url: str = "", body: str = "",
           actor: str | None = None, source: str = "", key: str | None = None) -> int:
    """Tell people something (a mention, a reply): kept in the state database, shown at /notifications and as the
    header's badge. Tell only people who may read what `url` leads to. `actor` (default: the person asking) is
    never told; `key` makes it once per person (e.g. "boards:mention:<post id>"). Returns how many were stored."""
    if actor is None:
        who = current_user()
        actor = who.username if who else ""
    return core().notifications.notify(usernames, kind, title, url=url, body=body, actor=actor, source=source,
                                       key=key)


def foreign_authorization(view: Callable) -> Callable:
    """Decorate a plugin's machine-to-machine view whose `Authorization` header belongs to it (OAuth clients, its
    own tokens): the core then reads neither that header nor the session cookie (the request is anonymous to it,
    and needs no CSRF token)."""
    from .web.security import foreign_authorization as mark  # the web layer's own flag (imported late: no cycle)

    return mark(view)


def withheld_changed() -> None:
    """Say that a plugin withheld or released a revision: whole-page caches of every process start afresh."""
    core().wiki.withheld_changed()


def plugin_settings(name: str) -> dict:
    """A plugin's settings: its schema's defaults overlaid with what the admin saved."""
    return core().plugins.settings(name)


def plugin_enabled(name: str) -> bool:
    return core().plugins.enabled(name)


def localized(text: str | dict | None) -> str:
    """Text that may be one string or `{"ko": ..., "en": ...}`, in the reader's language (Korean first)."""
    if isinstance(text, dict):
        chosen = text.get(current_language()) or text.get("ko")
        return str(chosen or next(iter(text.values()), ""))
    return "" if text is None else str(text)


# -- the plugin's own files in the content repository -----------------------------------------------------------
def _plugin_path(plugin: str, path: str) -> str:
    """`plugins/<plugin>/<path>`, refusing anything that would leave the plugin's own folder."""
    if plugin not in core().plugins.plugins:
        raise PluginError(plugin, "commit_plugin_files", "no such plugin is installed")
    text = unicodedata.normalize("NFC", path or "")
    parts = text.split("/")
    if ("\\" in text or any(part in ("", ".", "..") for part in parts)
            or any(unicodedata.category(ch) == "Cc" for ch in text)):
        raise InvalidPath(f"'{path}' is not a file path inside the plugin's folder.")
    return f"{PLUGIN_FILES}/{plugin}/{text}"


def commit_plugin_files(plugin: str, changes: dict[str, bytes | str | None], message: str,
                        who: Principal | None | object = ASKING, parent: str | None = None) -> CommitResult:
    """Commit files under the plugin's own prefix (`plugins/<plugin>/...`) through the core's write door: one
    commit, author = `who` (the person asking by default), views and after-commit hooks follow. Values are bytes,
    text (stored as UTF-8) or None (delete). Pass `parent` (the revision you read) to have a concurrent change
    merged or raised as EditConflict instead of overwritten. Only an enabled plugin may write."""
    if not core().plugins.enabled(plugin):
        raise PluginError(plugin, "commit_plugin_files", "the plugin is disabled")
    files = {_plugin_path(plugin, path): (value.encode("utf-8") if isinstance(value, str) else value)
             for path, value in changes.items()}
    if not files:
        raise InvalidInput("Nothing to commit.")
    person = current_user() if who is ASKING else who
    return core().wiki.commit(files, person, message, parent=parent)


def read_plugin_file(plugin: str, path: str, rev: str | None = None) -> bytes | None:
    """One of the plugin's own files (None when it does not exist)."""
    return core().store.read(_plugin_path(plugin, path), rev)


def list_plugin_files(plugin: str, prefix: str = "") -> list[str]:
    """The plugin's own files under prefix (a folder, '' for all), as paths relative to its folder."""
    base = f"{PLUGIN_FILES}/{plugin}/"
    folder = base + (_plugin_path(plugin, prefix.strip("/"))[len(base):] + "/" if prefix.strip("/") else "")
    return sorted(path[len(base):] for path, _blob in core().store.list_files(folder))


# -- Socket.IO ---------------------------------------------------------------------------------------------------
def socket_handler(plugin: str) -> Callable[[Callable], Callable]:
    """Guard a Socket.IO handler (e.g. a method of a class-based Namespace) so it does nothing while the plugin
    is disabled: it returns False instead, which refuses a connection and answers an acknowledgement with False.
    Handlers registered through the `socketio` that `madang_socketio` receives are guarded already."""
    return functools.partial(guard_socket_handler, lambda: core().plugins, plugin)


# -- who is on the other end of a socket; people of the org chart (issue 7: the messenger) -------------------------
def principal_from_token(token: str | None) -> Principal | None:
    """The person an API token belongs to (None when unknown, revoked or expired): Socket.IO `auth={"token"}`."""
    if not isinstance(token, str) or not token.strip():
        return None
    try:
        return core().accounts.principal_for_token(token.strip())
    except Unauthorized:
        return None


def principal_from_session() -> Principal | None:
    """The person signed in by the request's session cookie (the Socket.IO handshake's), checked as for HTTP:
    the account is active, the session version current and the session within its absolute lifetime."""
    import time

    from flask import session

    uid = session.get("uid")
    if uid is None:
        return None
    found = core().accounts.get_by_id(uid)
    if not found or found[1] != session.get("ver"):
        return None
    signed_in = session.get("iat")
    if isinstance(signed_in, int) and time.time() - signed_in >= core().config.session_absolute_hours * 3600:
        return None
    return found[0]


def person(username: str) -> dict | None:
    """A colleague's profile (org chart and account joined): `{username, name, title, email, phone, department,
    department_id, department_path, groups}`, or None when no such person exists."""
    from . import people

    found = people.profile(core().orgchart.chart(), core().accounts, username)
    return found.to_json() if found else None


def department_members(department_id: str, include_subdepartments: bool = True) -> tuple[str, list[str]] | None:
    """A department of the org chart: `(name, [username, ...])` of its people (and its sub-departments'),
    or None when the chart has no such department."""
    chart = core().orgchart.chart()
    department = chart.by_id.get(department_id)
    if department is None:
        return None
    names, todo = [], [department]
    while todo:
        current = todo.pop(0)
        names += [p.username for p in current.people]
        if include_subdepartments:
            todo += current.children
    return department.name, names


# -- Markdown ------------------------------------------------------------------------------------------------------
def render_markdown(markdown: str, path: str, attachment_url: Callable[[str], str] | None = None) -> str:
    """The wiki's own renderer (same grammar, wiki links, sanitising) for a plugin's Markdown document: safe HTML.
    `path` is the wiki path relative links resolve against; `attachment_url(name)` maps a bare file name (an
    image `![](사진.png)`) to its address, by default the wiki page's attachment at `path`."""
    from .web import rendering

    if attachment_url is None:
        return rendering.render(markdown, path).html
    existing = rendering._visible_existing(rendering.markup.extract_links(markdown))
    return rendering.markup.render(markdown, page_exists=lambda p: p in existing, page_url=rendering.page_url,
                                   edit_url=rendering.edit_url, attachment_url=attachment_url).html


__all__ += ["render_markdown"]


# -- where pages and attachments live in the content repository (issue 11: the personal-data guard) ----------------
def blocked_upload(name: str) -> bool:
    """Whether the wiki refuses files of this name's type (programs and scripts): plugins that take files
    (boards, messenger) refuse at least these."""
    from .pages import BLOCKED_EXTENSIONS

    return "." in name and "." + name.rsplit(".", 1)[-1].lower() in BLOCKED_EXTENSIONS


def normalize_page_path(path: str) -> str:
    """A page path as the wiki stores it (NFC, no outer slashes), or `InvalidPath` saying what is wrong."""
    from .paths import normalize_page_path as normalize

    return normalize(path)


def page_file_path(path: str) -> str:
    """The repository file that holds a page's Markdown (`pages/<path>.md`)."""
    from .paths import page_file

    return page_file(path)


def attachment_folder_path(path: str) -> str:
    """The repository folder that holds a page's attachments (ends in '/')."""
    from .paths import attachment_dir

    return attachment_dir(path)


def page_of_file(file_path: str) -> tuple[str, str | None] | None:
    """`(page path, None)` for a page file, `(page path, attachment name)` for an attachment, else None."""
    from .paths import attachment_from_file, page_from_file

    page = page_from_file(file_path)
    if page:
        return page, None
    owner = attachment_from_file(file_path)
    return (owner[0], owner[1]) if owner else None


__all__ += ["attachment_folder_path", "page_file_path", "page_of_file"]


def display_names(usernames: list[str]) -> dict[str, str]:
    """`{username: name}` for many people at once (org chart first, then accounts); unknown ones keep the user
    name. One database query whatever the number."""
    chart = core().orgchart.chart()
    names = {u: chart.by_username[u].name for u in usernames if u in chart.by_username}
    missing = [u for u in usernames if u not in names]
    if missing:
        names.update({a.username: a.name or a.username for a in core().accounts.accounts_by_username(missing)})
    return {u: names.get(u) or u for u in usernames}
