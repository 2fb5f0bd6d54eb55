"""Unsaved live text survives a server restart: the session writes it as a draft in the state database a moment
after the typing pauses, and the next session of the page offers it back (restore merges it in; discard drops
it)."""
from __future__ import annotations

import sqlite3

from tests.conftest import LiveServer
from tests.plugins.coedit.conftest import prepare_repository
from tests.plugins.coedit.support import close_all, settle, wait_until
from tests.plugins.messenger.support import Site


def drafts_in(folder) -> list[tuple[str, str]]:
    with sqlite3.connect(folder / "instance" / "madang.sqlite3") as db:
        return db.execute("SELECT path, text FROM coedit_drafts ORDER BY id").fetchall()


def test_unsaved_text_is_offered_back_after_a_restart(tmp_path):
    from plugins.coedit.remote import Editor

    prepare_repository(tmp_path / "content_repo")
    path = "협업/초안"
    server = LiveServer(tmp_path)
    opened = []
    try:
        site = Site(server)
        site.call("PUT", f"/api/v1/pages/{path}", "kimmj", 201, json={"markdown": "# 회의 준비\n"})
        kim = Editor(site.url, site.user("kimmj"), path)
        opened.append(kim)
        kim.type(lambda t: t + "\n- 안건 1: 예산\n- 안건 2: 인력\n")
        settle([kim])
        wait_until(lambda: drafts_in(tmp_path) == [(path, "# 회의 준비\n\n- 안건 1: 예산\n- 안건 2: 인력\n")],
                   what="the draft in the state database")
    finally:
        server.stop()  # the server goes away with the editor still in the page
        close_all(opened)
    server = LiveServer(tmp_path)
    opened = []
    try:
        site = Site(server)
        lee = Editor(site.url, site.user("leesy"), path)
        opened.append(lee)
        assert lee.joined["text"] == "# 회의 준비\n"  # the committed text, and the draft offered beside it
        draft = lee.joined["draft"]
        assert draft["text"] == "# 회의 준비\n\n- 안건 1: 예산\n- 안건 2: 인력\n"
        assert draft["authors"] == [{"username": "kimmj", "name": "김민준"}]
        lee.type(lambda t: t.replace("회의 준비", "12월 회의 준비"))  # typing before restoring is kept too
        settle([lee])
        kim = Editor(site.url, site.user("kimmj"), path)
        opened.append(kim)
        assert lee.call("draft", {"path": path, "id": draft["id"], "restore": True})["overlaps"] == 0
        assert kim.next("draft")["restored"] is True
        assert settle([lee, kim]) == "# 12월 회의 준비\n\n- 안건 1: 예산\n- 안건 2: 인력\n"
        assert kim.call("draft", {"path": path, "id": draft["id"], "restore": False})["error"] == "not_found"
        saved = lee.call("save", {"path": path, "message": "초안 복원 후 저장"})
        from tests.conftest import git

        body = git(tmp_path / "content_repo", "log", "-1", "--format=%an%n%B", saved["revision"])
        assert body.startswith("이서연\n") and "Co-authored-by: 김민준 <kimmj@seoul.go.kr>" in body
        wait_until(lambda: drafts_in(tmp_path) == [], what="the drafts gone after the save")
    finally:
        close_all(opened)
        server.stop()
