"""The messenger as a plugin, in process: while an admin has it disabled, its routes answer 404 and its socket
namespace refuses connections; enabled again, it works at once."""
from __future__ import annotations

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
