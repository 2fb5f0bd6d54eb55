"""Every hook a plugin may implement, in one module (pluggy). Each docstring states the arguments and the return,
with an example; the plugin authors' guide in the README has a section per hook, and a test fails when a hook
lacks its section or its test.

A plugin is a module (usually `plugins/<name>/plugin.py`) with functions decorated by `wiki.api.hookimpl`.
Hooks are called only for enabled plugins.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("madang")


@hookspec
def madang_plugin_info() -> dict:
    """Describe the plugin: `{"name", "title", "description", "version"}`; `title`/`description` may be dicts
    by language (`{"ko": ..., "en": ...}`).

    Example: `return {"name": "boards", "title": {"ko": "게시판", "en": "Boards"}, "version": "1.0"}`
    """


@hookspec
def madang_blueprints() -> list:
    """Flask blueprints the plugin brings. They are registered at start for every installed plugin and answer
    404 while the plugin is disabled.

    Example: `return [bp]` where `bp = Blueprint("boards", __name__, url_prefix="/boards")`
    """


@hookspec
def madang_nav_items(user) -> list[dict]:
    """Menu entries for the header, for this person (a `Principal` or None): `[{"label", "url", "order"}]`.

    Example: `return [{"label": {"ko": "게시판", "en": "Boards"}, "url": "/boards", "order": 20}]`
    """


@hookspec
def madang_after_commit(commit) -> None:
    """Called after every commit through the write door with a `CommitResult` (`revision`, `merged`).
    Keep it quick; heavy work belongs in a view (`madang_views`), which catches up by watermark.

    Example: `notify_watchers(commit.revision)`
    """


@hookspec
def madang_views() -> list:
    """Views derived from commits (objects with `name`, `reset(session)`, `apply(session, store, commits)`),
    kept caught up by watermark like the core's.

    Example: `return [SearchIndexView(index_dir)]`
    """


@hookspec
def madang_settings_schema() -> dict:
    """The plugin's settings as a JSON-Schema object; the admin console builds its form from it and validates
    submitted settings against it.

    Example: `return {"type": "object", "properties": {"page_size": {"type": "integer", "default": 20}}}`
    """


@hookspec
def madang_search_types() -> list[dict]:
    """Document types the plugin adds to search results: `[{"type", "label"}]`.

    Example: `return [{"type": "post", "label": {"ko": "게시글", "en": "Post"}}]`
    """
