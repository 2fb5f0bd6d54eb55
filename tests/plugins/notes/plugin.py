"""The notes fixture plugin, registered with `create_app(config, extra_plugins=(plugin,))`.

Notes are files in the content repository under the plugin's own prefix (plugins/notes/<title>.md), written with
`commit_plugin_files`; a view keeps a table of them (a state-database model on `Base`), a class-based Socket.IO
namespace answers through `socket_handler`, and every hook call is recorded in CALLS for the tests to check.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_socketio import Namespace, emit
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from wiki.api import (
    Base,
    InvalidInput,
    commit_plugin_files,
    core,
    current_user,
    foreign_authorization,
    hookimpl,
    list_plugin_files,
    plugin_settings,
    socket_handler,
)

NAME = "notes"
PREFIX = "plugins/notes/"
CALLS: list[tuple[str, object]] = []  # (hook, argument) of every call, for the tests
bp = Blueprint("notes", __name__, url_prefix="/notes")


class NoteRow(Base):
    __tablename__ = "fixture_notes"

    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))


class NotesView:
    """The notes that exist now, from the commits under plugins/notes/."""

    name = "notes"

    def reset(self, session) -> None:
        session.execute(delete(NoteRow))

    def apply(self, session, store, commits) -> None:
        CALLS.append(("view.apply", len(commits)))
        for logged in commits:
            for change in logged.changes:
                if change.old_path and change.old_path.startswith(PREFIX):
                    session.execute(delete(NoteRow).where(NoteRow.path == change.old_path))
                if not change.path.startswith(PREFIX):
                    continue
                session.execute(delete(NoteRow).where(NoteRow.path == change.path))
                if change.status != "D":
                    text = store.read_blob(change.new_blob).decode("utf-8")
                    session.add(NoteRow(path=change.path, title=text.split("\n", 1)[0].lstrip("# ")))


def count_notes() -> int:
    with core().db.session() as session:
        return session.scalar(select(func.count()).select_from(NoteRow)) or 0


@bp.get("/")
def list_notes():
    with core().db.session() as session:
        titles = [row.title for row in session.scalars(select(NoteRow).order_by(NoteRow.path))]
    return jsonify({"titles": titles, "files": list_plugin_files(NAME), "settings": plugin_settings(NAME)})


@bp.post("/own-auth")
@foreign_authorization
def own_authorization():
    """The plugin reads the Authorization header itself (as an OAuth token endpoint would)."""
    who = current_user()
    return jsonify({"authorization": request.headers.get("Authorization"), "user": who.username if who else None})


@bp.post("/<title>")
def add_note(title: str):
    text = (request.get_json(silent=True) or {}).get("text", "")
    result = commit_plugin_files(NAME, {f"{title}.md": f"# {title}\n\n{text}\n"}, f"메모: {title}")
    return jsonify({"revision": result.revision}), 201


class NotesNamespace(Namespace):
    @socket_handler(NAME)
    def on_connect(self, auth=None):
        return True

    @socket_handler(NAME)
    def on_count(self, data):
        emit("count", {"n": count_notes()})


@hookimpl
def madang_plugin_info():
    return {"name": NAME, "title": {"ko": "메모", "en": "Notes"}, "description": "메모를 저장소에 남깁니다",
            "version": "2.0", "schema_version": 2}


@hookimpl
def madang_settings_schema():
    return {"type": "object", "properties": {
        "page_size": {"type": "integer", "title": {"ko": "한 쪽 메모 수", "en": "Notes per page"}, "default": 20,
                      "minimum": 1, "maximum": 100},
        "welcome": {"type": "string", "title": {"ko": "환영 문구", "en": "Welcome text"}, "default": "메모장입니다",
                    "maxLength": 100},
        "order": {"type": "string", "title": {"ko": "정렬", "en": "Order"}, "enum": ["최신순", "제목순"],
                  "default": "최신순"},
    }}


@hookimpl
def madang_blueprints():
    return [bp]


@hookimpl
def madang_nav_items(user):
    CALLS.append(("madang_nav_items", user.username if user else None))
    return [{"label": {"ko": "메모", "en": "Notes"}, "url": "/notes/", "order": 10}] if user else []


@hookimpl
def madang_after_commit(commit):
    CALLS.append(("madang_after_commit", commit.revision))


@hookimpl
def madang_before_commit(changes, who):
    """Refuses any file holding the word 금지어: the fixture for vetoes (e.g. the personal-data guard)."""
    CALLS.append(("madang_before_commit", sorted(changes)))
    for path, content in changes.items():
        if content is not None and "금지어".encode() in content:
            raise InvalidInput(f"'{path}' holds a forbidden word.", path=path)


@hookimpl
def madang_views():
    return [NotesView()]


@hookimpl
def madang_search_types():
    return [{"type": "note", "label": {"ko": "메모", "en": "Note"}}]


@hookimpl
def madang_migrate(db, from_version):
    CALLS.append(("madang_migrate", from_version))
    with db.session() as session:  # version 2 keeps titles without surrounding spaces
        for row in session.scalars(select(NoteRow)):
            row.title = row.title.strip()


@hookimpl
def madang_health():
    return [{"label": {"ko": "메모 수", "en": "Notes"}, "value": f"{count_notes():,}", "ok": True}]


@hookimpl
def madang_socketio(socketio):
    socketio.on_namespace(NotesNamespace("/notes"))


@hookimpl
def madang_page_assets(user):
    """A script for signed-in people and a style sheet for all, plus one foreign URL the core must drop."""
    assets = [{"style": "/notes/notes.css"}, {"script": "https://elsewhere.example/x.js"}]
    return assets + ([{"script": "/notes/notes.js"}] if user else [])


@hookimpl
def madang_signed_out(who, everywhere):
    CALLS.append(("madang_signed_out", (who.username, everywhere)))


@hookimpl
def madang_admin_sections(user):
    return [{"label": {"ko": "메모 관리", "en": "Notes admin"}, "url": "/notes/", "order": 25}]
