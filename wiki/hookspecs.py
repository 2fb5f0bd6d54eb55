"""Every hook a plugin may implement, in one module (pluggy). Each docstring states the arguments and the return,
with an example; docs/plugins.md has a section per hook, and tests/wiki/test_plugins_docs.py fails when a hook
lacks its section or a test that exercises it.

A plugin is a module (usually `plugins/<name>/plugin.py`) with functions decorated by `wiki.api.hookimpl`.
Hooks are called only for enabled plugins, each plugin on its own: one that raises is logged as a `PluginError`
naming it and the hook, and the others still answer. Registration hooks (`madang_blueprints`, `madang_views`,
`madang_socketio`, `madang_migrate`) are called once at start for every installed plugin; what they register stays
silent (404, paused, refused) while the plugin is disabled.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("madang")


@hookspec
def madang_plugin_info() -> dict:
    """Describe the plugin. Called once when the plugin is loaded, whether or not it is enabled.

    Returns a dict: `name` (the plugin's id: lower-case letters, digits, `_`, `-`), `title` and `description`
    (text, or a dict by language `{"ko": ..., "en": ...}`), `version` (text), optionally `schema_version` (an
    integer, the version of its state-database tables, see `madang_migrate`) and `enabled_by_default` (built-in
    plugins only; a plugin installed from a package always starts disabled).

    Example: `return {"name": "boards", "title": {"ko": "게시판", "en": "Boards"}, "version": "1.0"}`
    """


@hookspec
def madang_blueprints() -> list:
    """Flask blueprints the plugin brings (routes, and their `template_folder` / `static_folder`). Called once
    at start for every installed plugin; every route of the blueprints answers 404 while the plugin is disabled.

    Returns a list of `flask.Blueprint`.

    Example: `return [Blueprint("boards", __name__, url_prefix="/boards", template_folder="templates")]`
    """


@hookspec
def madang_nav_items(user) -> list[dict]:
    """Menu entries for the site's header, for this person (a `Principal`, or None when anonymous). Called for
    every page that shows the header, so keep it cheap.

    Returns `[{"label", "url", "order"}]`: `label` is text or `{"ko": ..., "en": ...}`, `order` sorts the entries
    (smaller first, default 50).

    Example: `return [{"label": {"ko": "게시판", "en": "Boards"}, "url": "/boards", "order": 20}]`
    """


@hookspec
def madang_after_commit(commit) -> None:
    """Called after every commit through the write door with a `CommitResult` (`revision`, `merged`).
    Keep it quick; heavy work belongs in a view (`madang_views`), which catches up by watermark.

    Returns nothing.

    Example: `notify_watchers(commit.revision)`
    """


@hookspec
def madang_before_commit(changes, who) -> None:
    """Called before every commit through the write door, with the files about to change (`{path: bytes or
    None}`, None deletes) and the person (`Principal` or None). Raise a `MadangError` subclass (e.g. a 422 with
    findings) to refuse the change: nothing is committed and the person gets that error. Any other exception is a
    plugin failure: it is logged against the plugin, and the commit goes on.

    Returns nothing.

    Example: `if b"900101-1234567" in changes.get(path, b""): raise PersonalDataFound(findings)`
    """


@hookspec
def madang_views() -> list:
    """Views derived from commits (objects with `name`, `reset(session)`, `apply(session, store, commits)`),
    kept caught up by watermark like the core's. Called once at start for every installed plugin; a disabled
    plugin's views are paused and catch up from their watermark when it is enabled again.

    Returns a list of view objects.

    Example: `return [SearchIndexView(index_dir)]`
    """


@hookspec
def madang_settings_schema() -> dict:
    """The plugin's settings as a JSON-Schema object; the admin console builds its form from it and validates
    submitted settings against it. Supported property types: `string`, `integer`, `number`, `boolean`, and `enum`
    on any of them; `default`, `title` and `description` (text or `{"ko", "en"}`), `minimum`, `maximum`,
    `minLength`, `maxLength`, `pattern`. Called once when the plugin is loaded.

    Returns a dict `{"type": "object", "properties": {...}}`.

    Example: `return {"type": "object", "properties": {"page_size": {"type": "integer", "default": 20}}}`
    """


@hookspec
def madang_search_types() -> list[dict]:
    """Document types the plugin adds to search results, for the search plugin's filters.

    Returns `[{"type", "label"}]`, `label` as text or `{"ko", "en"}`.

    Example: `return [{"type": "post", "label": {"ko": "게시글", "en": "Post"}}]`
    """


@hookspec
def madang_socketio(socketio) -> None:
    """Register Socket.IO handlers. Called once at start for every installed plugin with the app's SocketIO
    wrapped for this plugin: handlers registered through its `on(event, namespace=None)` (or `event`,
    `on_event`) do nothing while the plugin is disabled and refuse new connections. Everything else (`emit`,
    `send`, `on_namespace`, ...) is the real SocketIO; decorate a class-based namespace's methods with
    `wiki.api.socket_handler(name)` for the same guard.

    Returns nothing.

    Example:

        @socketio.on("message", namespace="/chat")
        def message(data):
            emit("message", data, to=data["room"])
    """


@hookspec
def madang_migrate(db, from_version) -> None:
    """Bring the plugin's state-database tables from `from_version` to the `schema_version` its
    `madang_plugin_info` declares. Called once at start (and by `python -m wiki.cli migrate`) for an installed
    plugin whose recorded version is older; new tables are created from the models before, and a plugin seen for
    the first time is recorded at its declared version without a call. `db` is the `Database`
    (`db.engine`, `db.session()`); make each step safe to run twice.

    Returns nothing; the host records the new version when it returns.

    Example:

        if from_version < 2:
            with db.engine.begin() as conn:
                conn.execute(text("ALTER TABLE board_posts ADD COLUMN pinned BOOLEAN DEFAULT 0"))
    """


@hookspec
def madang_openapi_paths() -> dict:
    """OpenAPI 3.1 path items for the plugin's `/api/` routes, merged into `GET /api/openapi.json` while the
    plugin is enabled (every API route must be described there).

    Returns `{"/api/v1/boards": {"get": {...}}}`.

    Example: `return {"/api/v1/boards": {"get": {"summary": "List boards", "responses": {"200": {...}}}}}`
    """


@hookspec
def madang_health() -> list[dict]:
    """Lines for the admin console's health page about the plugin's own state (an index, a queue, a directory).

    Returns `[{"label", "value", "ok"}]`: `label` as text or `{"ko", "en"}`, `value` text, `ok` false to
    highlight a problem.

    Example: `return [{"label": {"ko": "검색 색인 문서 수", "en": "Indexed documents"}, "value": "1,024", "ok": True}]`
    """


@hookspec
def madang_revision_visible(path, revision, who) -> bool | None:
    """May the content of page `path` as it was at `revision` (a full commit id) be shown to `who` (a `Principal`
    or None)? Asked by the core on every read of an old revision: a page at `?rev=`, its text for a diff or a
    revert, blame at a revision, an attachment now or at `?rev=` (then with the page's path), the current page on
    every view (so answer from memory). One False from any plugin hides it: the reader gets 404 `not_found`
    saying the revision was withheld. A plugin that raises is logged and left out (the read goes on).

    Returns False to hide, True or None to let it be shown.

    Example: `return not is_suppressed(path, revision)`
    """


@hookspec
def madang_search_documents(path, data) -> dict | None:
    """A search document for a file of the content repository that is neither a page nor a page's attachment
    (a board post under `plugins/boards/...`). Called by the search plugin's index view while it catches up, for
    every such file added or changed (`data` its bytes); a deleted file's document is removed by its path. Keep it
    quick and pure: it may run in a background thread, outside any request.

    Returns None when the plugin does not index the file, else `{"type", "title", "text" or "markdown", "url",
    "acl"}` plus optionally `"path"` (what readers see and filter by; default the file's path): `type` one of the
    plugin's `madang_search_types`, `acl` the key `madang_search_can_read` is asked about for each hit.

    Example: `return {"type": "post", "title": meta["title"], "markdown": body, "url": f"/boards/{slug}/{id}",
    "acl": slug}`
    """


@hookspec
def madang_search_can_read(type, acl, who) -> bool | None:
    """May `who` (a `Principal` or None) see a search hit of a type the plugin declared? Asked by the search plugin
    for every hit, count and suggestion it would show, with the hit's `type` and the `acl` key its document gave.
    A hit of a plugin's type stays hidden unless some plugin says True and none says False.

    Returns True or False for the plugin's own types, None for the others.

    Example: `return may_read_board(acl, who) if type in ("post", "comment") else None`
    """


@hookspec
def madang_page_assets(user) -> list[dict]:
    """Scripts and style sheets a plugin adds to every HTML page (a messenger badge, a co-editing client, a
    header menu), for this person (a `Principal`, or None when anonymous). Called for every page, so keep it cheap;
    the page cache of anonymous readers stores the result with the page (it changes with plugin settings, which
    are commits, so the cache follows).

    Returns `[{"script": url} | {"style": url}]`; scripts are loaded with `defer`, after the core's own script, in
    plugin order. URLs must be the site's own (the content security policy allows no other origin).

    Example: `return [{"script": "/messenger/static/panel.js"}, {"style": "/messenger/static/panel.css"}] if user
    else []`
    """


@hookspec
def madang_signed_out(who, everywhere) -> None:
    """Called when a person ends their Madang session: `who` (a `Principal`) pressed "sign out" (`everywhere`
    False), chose "sign out everywhere" or an admin ended all their sessions (`everywhere` True). The person is
    signed out whatever a plugin does; the SSO launcher uses it to tell the systems the person opened to sign out
    too. Keep it quick: work that talks to other servers belongs in a background thread. A plugin that raises is
    logged and left out (the sign-out goes on). On a plain sign-out it is called just before that browser's
    session is cleared, so `flask.session` still identifies it.

    Returns nothing.

    Example: `notify_systems_in_background(who.username)`
    """


@hookspec
def madang_admin_sections(user) -> list[dict]:
    """Sections the plugin adds to the admin console's menu (beside users, groups, rules, plugins...), for the
    admin asking (a `Principal`). Called for every console page, so keep it cheap. The plugin's own routes still
    check who may use them.

    Returns `[{"label", "url", "order"}]`: `label` as text or `{"ko", "en"}`, `url` a path of this site, `order`
    places it among the core's sections (10 overview, 20 users, 40 rules, 60 audit, 70 theme; default 80).

    Example: `return [{"label": {"ko": "시스템 관리", "en": "Systems"}, "url": "/launcher/admin", "order": 85}]`
    """
