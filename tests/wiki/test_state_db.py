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


def _holding_a_write(database: Database):
    """A thread that has written and not committed yet (it holds SQLite's write lock) until `release` is set."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with database.writing() as session:
            session.execute(insert(_notes).values(text="먼저 쓰는 중"))
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(30)
    return thread, release


def test_a_writer_waits_its_turn_instead_of_meeting_the_lock(database):
    holder, release = _holding_a_write(database)
    errors: list[Exception] = []

    def second() -> None:
        try:
            with database.writing() as session:
                session.execute(insert(_notes).values(text="차례를 기다린 메모"))
        except OperationalError as exc:
            errors.append(exc)

    waiter = threading.Thread(target=second)
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive(), "the second writer must wait while the first holds the write"
    release.set()
    holder.join(30)
    waiter.join(30)
    assert errors == []
    with database.session() as session:
        assert sorted(session.execute(select(_notes.c.text)).scalars()) == ["먼저 쓰는 중", "차례를 기다린 메모"]


def test_a_plain_session_meets_the_lock(database):
    """The control: without the turn, a second writer hits SQLite's lock (and would poll in its busy handler)."""
    holder, release = _holding_a_write(database)
    try:
        with pytest.raises(OperationalError, match="locked"), database.session() as session:
            session.execute(insert(_notes).values(text="끼어드는 메모"))
    finally:
        release.set()
        holder.join(30)


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
