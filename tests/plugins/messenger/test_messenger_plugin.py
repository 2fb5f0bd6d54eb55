"""The messenger as a plugin, in process: while an admin has it disabled, its routes answer 404 and its socket
namespace refuses connections; enabled again, it works at once. Also its schema migrations, what a socket event
leaves for the garbage collector, and the presence sweep."""
from __future__ import annotations

from sqlalchemy import select

from wiki.app import socketio


def test_disabled_messenger_leaves_no_trace(client, admin_headers, make_user):
    kim = make_user("kimmj", "김민준")
    make_user("leesy", "이서연")
    token = kim["Authorization"].split()[1]
    created = client.post("/api/v1/messenger/conversations", json={"members": ["leesy"]}, headers=kim)
    assert created.status_code == 201, created.get_json()
    socket = socketio.test_client(client.application, namespace="/messenger", auth={"token": token})
    assert socket.is_connected("/messenger")
    socket.disconnect(namespace="/messenger")
    anonymous = socketio.test_client(client.application, namespace="/messenger")
    assert not anonymous.is_connected("/messenger")

    off = client.put("/api/v1/admin/plugins/messenger", json={"enabled": False}, headers=admin_headers)
    assert off.status_code == 200, off.get_json()
    assert client.get("/api/v1/messenger/conversations", headers=kim).status_code == 404
    assert client.get("/messenger", headers=kim).status_code == 404
    refused = socketio.test_client(client.application, namespace="/messenger", auth={"token": token})
    assert not refused.is_connected("/messenger")

    client.put("/api/v1/admin/plugins/messenger", json={"enabled": True}, headers=admin_headers)
    listed = client.get("/api/v1/messenger/conversations", headers=kim).get_json()
    assert [c["id"] for c in listed["items"]] == [created.get_json()["id"]]


def test_a_database_of_schema_1_gains_change_numbers_and_previews_on_start(tmp_path, make_user, client, admin_headers):
    """Version 1 had no change numbers (nor image previews): at start the migration adds them (each message's
    change is its seq) and sends go on numbering from there."""
    import sqlite3

    from tests.conftest import make_config
    from wiki.app import create_app

    kim = make_user("kimmj", "김민준")
    make_user("leesy", "이서연")
    conversation = client.post("/api/v1/messenger/conversations", json={"members": ["leesy"]},
                               headers=kim).get_json()["id"]
    path = f"/api/v1/messenger/conversations/{conversation}/messages"
    for n in range(3):
        assert client.post(path, json={"client_id": f"옛-{n}", "text": f"이전 판 메시지 {n}"},
                           headers=kim).status_code == 201
    madang = client.application.extensions["madang"]
    database = madang.config.instance_dir / "madang.sqlite3"
    madang.db.engine.dispose()
    with sqlite3.connect(database) as db:  # back to what version 1 made
        db.execute("DROP INDEX ix_messenger_messages_change")
        db.execute("ALTER TABLE messenger_messages DROP COLUMN change_no")
        db.execute("ALTER TABLE messenger_conversations DROP COLUMN last_change")
        for column in ("width", "height", "preview"):  # version 2 had no image previews either
            db.execute(f"ALTER TABLE messenger_files DROP COLUMN {column}")
        db.execute("UPDATE plugin_schema SET version = 1 WHERE name = 'messenger'")

    again = create_app(make_config(tmp_path)).test_client()
    try:
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT version FROM plugin_schema WHERE name = 'messenger'").fetchone() == (3,)
            files = {row[1] for row in db.execute("PRAGMA table_info(messenger_files)")}
            assert {"width", "height", "preview"} <= files
            assert db.execute("SELECT seq, change_no FROM messenger_messages ORDER BY id").fetchall() == [
                (1, 1), (2, 2), (3, 3)]
            indexes = [row[1] for row in db.execute("PRAGMA index_list(messenger_messages)")]
            assert "ix_messenger_messages_change" in indexes
        sent = again.post(path, json={"client_id": "새-1", "text": "새 판에서 보냄"}, headers=kim).get_json()
        assert (sent["seq"], sent["change"]) == (4, 4)
        page = again.get(f"{path}?changed_after=2", headers=kim).get_json()
        assert [m["text"] for m in page["items"]] == ["이전 판 메시지 2", "새 판에서 보냄"]
    finally:
        again.application.extensions["madang"].store.close()
        again.application.extensions["madang"].db.engine.dispose()


def test_socket_events_leave_no_reference_cycles_behind(client, make_user):
    """Each event's request context must be freed by reference counting, not left to the collector's full
    passes (whose pauses were the slowest deliveries under load): wiki/plugins.py `_forget_routing_failure`."""
    import gc

    kim = make_user("kimmj", "김민준")
    socket = socketio.test_client(client.application, namespace="/messenger",
                                  auth={"token": kim["Authorization"].split()[1]})
    assert socket.is_connected("/messenger")
    socket.emit("who", {"usernames": ["kimmj"]}, namespace="/messenger", callback=True)  # warm every cache
    gc.collect()
    gc.disable()
    try:
        for _ in range(40):  # within the per-person event budget (60 at once)
            assert socket.emit("who", {"usernames": ["kimmj"]}, namespace="/messenger",
                               callback=True) == {"kimmj": "online"}
        left = gc.collect()
    finally:
        gc.enable()
        socket.disconnect(namespace="/messenger")
    # what is left is werkzeug's URL matcher (a recursive closure) and the query `who` builds: ~18 an event;
    # a kept routing failure (its traceback, the frames, the request context) was ~70
    assert left < 40 * 25, f"{left} objects in cycles after 40 events"


def test_the_sockets_of_a_process_that_died_are_swept_once(app, make_user):
    """A process killed without closing its sockets leaves presence rows that no heartbeat refreshes: the next
    sweep (any process's heartbeat) removes them and names each person now offline, once."""
    from datetime import timedelta

    from plugins.messenger import presence
    from plugins.messenger.models import Presence
    from plugins.messenger.service import now

    make_user("kimmj", "김민준")
    make_user("leesy", "이서연")
    long_ago = now() - presence.STALE - timedelta(seconds=5)
    with app.app_context():
        db = app.extensions["madang"].db
        with db.session() as session:
            session.add_all([Presence(sid="죽은-프로세스-1", username="leesy", status="away", since=long_ago),
                             Presence(sid="죽은-프로세스-2", username="leesy", status="online", since=long_ago),
                             Presence(sid="죽은-프로세스-3", username="kimmj", status="online", since=long_ago),
                             Presence(sid="살아있는-탭", username="kimmj", status="away", since=now())])
        assert presence.status_of(["leesy", "kimmj"]) == {"leesy": "offline", "kimmj": "away"}
        assert presence.sweep() == [("leesy", "online")]  # 김민준 still has a live tab: not gone
        assert presence.sweep() == []  # told once
        with db.session() as session:
            assert sorted(session.scalars(select(Presence.sid))) == ["살아있는-탭"]
        # a process that stalled past STALE and was swept gets its rows back at its next beat
        presence.refresh({"살아있는-탭": "kimmj", "멈췄던-탭": "leesy"})
        assert presence.status_of(["leesy", "kimmj"]) == {"leesy": "online", "kimmj": "away"}
