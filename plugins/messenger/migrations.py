"""Schema steps for state databases made by an older messenger (`madang_migrate`); each is safe to run twice."""
from __future__ import annotations

from sqlalchemy import inspect, text


def migrate(db, from_version: int) -> None:
    if from_version < 2:
        _change_counter(db)
    if from_version < 3:
        _image_previews(db)


def _change_counter(db) -> None:
    """Version 2: the change counter (`?changed_after=`). A message's first change number is its seq: every
    message stored before counts as changed once, in order, and the conversation's counter starts at its last."""
    columns = {c["name"] for c in inspect(db.engine).get_columns("messenger_messages")}
    with db.engine.begin() as connection:
        if "change_no" not in columns:
            connection.execute(text("ALTER TABLE messenger_conversations ADD COLUMN last_change INTEGER "
                                    "NOT NULL DEFAULT 0"))
            connection.execute(text("ALTER TABLE messenger_messages ADD COLUMN change_no INTEGER NOT NULL DEFAULT 0"))
        connection.execute(text("UPDATE messenger_messages SET change_no = seq WHERE change_no = 0"))
        connection.execute(text("UPDATE messenger_conversations SET last_change = last_seq WHERE last_change = 0"))
        connection.execute(text("CREATE INDEX IF NOT EXISTS ix_messenger_messages_change "
                                "ON messenger_messages (conversation_id, change_no)"))


def _image_previews(db) -> None:
    """Version 3: images' size and preview. Images shared before have neither: they are shown as they are."""
    columns = {c["name"] for c in inspect(db.engine).get_columns("messenger_files")}
    blob = "BYTEA" if db.engine.dialect.name == "postgresql" else "BLOB"
    with db.engine.begin() as connection:
        for name, kind in (("width", "INTEGER"), ("height", "INTEGER"), ("preview", blob)):
            if name not in columns:
                connection.execute(text(f"ALTER TABLE messenger_files ADD COLUMN {name} {kind}"))
