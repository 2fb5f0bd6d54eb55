"""The state database's write turn (wiki/db.py `Database.writing`): this process's writers queue on a lock, never
on SQLite's busy handler."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select
from sqlalchemy.exc import OperationalError

from wiki.db import Database

_notes = Table("notes", MetaData(), Column("id", Integer, primary_key=True),
               Column("text", String(100)))


@pytest.fixture
def database(tmp_path):
    found = Database(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    _notes.create(found.engine)

    @event.listens_for(found.engine, "connect")
    def impatient(dbapi_connection, _record):  # a writer that finds the database busy fails at once
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    yield found
    found.engine.dispose()


def _write_from_threads(database: Database, turn: str, threads: int = 8, each: int = 25) -> list[Exception]:
    errors: list[Exception] = []
    start = threading.Barrier(threads)

    def writer(n: int) -> None:
        start.wait()
        for k in range(each):
            try:
                with getattr(database, turn)() as session:
                    session.execute(insert(_notes).values(text=f"작성자 {n}의 메모 {k}"))
                    session.execute(select(_notes.c.id).limit(1)).all()  # hold the write a little longer
            except OperationalError as exc:
                errors.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_writers_in_turn_never_meet_a_locked_database(database):
    assert _write_from_threads(database, "writing") == []
    with database.session() as session:
        assert session.execute(select(_notes.c.text)).scalars().all().count("작성자 7의 메모 24") == 1
        assert len(session.execute(select(_notes.c.id)).all()) == 8 * 25


def test_plain_sessions_do_meet_it(database):
    """The control: without the turn, concurrent writers collide (and would poll in SQLite's busy handler)."""
    errors = _write_from_threads(database, "session")
    assert errors and all("locked" in str(e) for e in errors)


def test_a_write_inside_a_write_does_not_wait_for_itself(database):
    with database.writing() as outer:
        outer.execute(insert(_notes).values(text="바깥"))
        with database.writing() as inner:
            inner.execute(select(_notes.c.id)).all()
    with database.session() as session:
        assert session.execute(select(_notes.c.text)).scalars().all() == ["바깥"]


def test_a_failed_write_leaves_nothing(database):
    with pytest.raises(RuntimeError), database.writing() as session:
        session.execute(insert(_notes).values(text="반쯤 쓴 메모"))
        raise RuntimeError("중간에 실패")
    with database.session() as session:
        assert session.execute(select(_notes.c.id)).all() == []
