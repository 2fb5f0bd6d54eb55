"""Every read path asks the board's read rule; a board or post the caller may not read is 404, and bad input is
refused with a clear 4xx before anything is written."""
from __future__ import annotations

import json

SECRET = "감사 결과 비공개 보고"


def restricted(client, admin_headers, people, make_board, write_post) -> dict:
    make_board("audit", "감사 게시판", read=["group:감사관실"], post=["group:감사관실"], comment=["group:감사관실"])
    post = write_post(people["jihun"], slug="audit", title=SECRET, markdown=f"{SECRET} 본문",
                      poll={"question": "조치 방안", "choices": ["경고", "징계"]})
    client.post(f"/api/v1/boards/audit/posts/{post['id']}/comments", json={"markdown": f"{SECRET} 댓글"},
                headers=people["jihun"])
    put = client.put(f"/api/v1/boards/audit/posts/{post['id']}/attachments/보고서.pdf", data=b"%PDF-1.4 secret",
                     headers={**people["jihun"], "Content-Type": "application/pdf"})
    assert put.status_code == 201, put.get_json()
    return post


def test_a_restricted_board_is_invisible_to_others(client, admin_headers, people, make_board, write_post):
    post = restricted(client, admin_headers, people, make_board, write_post)
    pid = post["id"]
    reads = ["/api/v1/boards/audit", "/api/v1/boards/audit/posts", f"/api/v1/boards/audit/posts/{pid}",
             f"/api/v1/boards/audit/posts/{pid}/comments", f"/api/v1/boards/audit/posts/{pid}/votes",
             f"/api/v1/boards/audit/posts/{pid}/history", f"/api/v1/boards/audit/posts/{pid}/diff",
             f"/api/v1/boards/audit/posts/{pid}/attachments/보고서.pdf", "/boards/audit",
             f"/boards/audit/{pid}", f"/boards/audit/{pid}/history", "/boards/audit/feed.atom",
             f"/boards/audit/{pid}/edit", "/boards/audit/new"]
    for who in (people["minjun"], {}):
        assert [b["slug"] for b in client.get("/api/v1/boards", headers=who).get_json()["items"]] == []
        assert SECRET not in client.get("/boards", headers=who).get_data(as_text=True)
        for url in reads:
            response = client.get(url, headers=who)
            assert response.status_code == 404, (url, response.status_code)
            assert SECRET not in response.get_data(as_text=True)
        writes = [("post", "/api/v1/boards/audit/posts", {"title": "t", "markdown": "m"}),
                  ("post", f"/api/v1/boards/audit/posts/{pid}/comments", {"markdown": "m"}),
                  ("post", f"/api/v1/boards/audit/posts/{pid}/votes", {"choices": [0]}),
                  ("put", f"/api/v1/boards/audit/posts/{pid}", {"title": "t"}),
                  ("delete", f"/api/v1/boards/audit/posts/{pid}", None),
                  ("put", f"/api/v1/boards/audit/posts/{pid}/likes", None)]
        for method, url, body in writes:
            response = getattr(client, method)(url, json=body, headers=who)
            assert response.status_code == 404, (method, url, response.status_code)
    # the member reads all of it
    member = people["jihun"]
    assert [b["slug"] for b in client.get("/api/v1/boards", headers=member).get_json()["items"]] == ["audit"]
    assert client.get(f"/api/v1/boards/audit/posts/{pid}", headers=member).get_json()["title"] == SECRET
    file = client.get(f"/api/v1/boards/audit/posts/{pid}/attachments/보고서.pdf", headers=member)
    assert file.status_code == 200 and file.data == b"%PDF-1.4 secret"
    assert SECRET in client.get("/boards/audit/feed.atom", headers=member).get_data(as_text=True)


def test_posting_needs_the_post_rule_and_a_sign_in(client, people, make_board, write_post):
    make_board("news", "구청 소식", read=["anonymous"], post=["group:홍보과"], comment=["staff"])
    write_post(people["seoyeon"], slug="news", status=403)
    write_post({}, slug="news", status=401)
    post = write_post(people["minjun"], slug="news", title="구청 소식 1호")
    # anonymous readers see a public board, its posts and its feed, but do not comment
    assert client.get(f"/api/v1/boards/news/posts/{post['id']}").status_code == 200
    assert client.get("/boards/news/feed.atom").status_code == 200
    assert client.post(f"/api/v1/boards/news/posts/{post['id']}/comments", json={"markdown": "익명"}).status_code \
        == 401


def test_empty_or_oversized_posts_are_refused_and_nothing_is_written(client, madang, admin_headers, people,
                                                                      make_board, write_post):
    make_board()
    head = madang.store.head()
    write_post(people["minjun"], title="", status=400)
    write_post(people["minjun"], title="   ", status=400)
    write_post(people["minjun"], markdown="", status=400)
    write_post(people["minjun"], markdown="  \n ", status=400)
    write_post(people["minjun"], title="가" * 201, status=413)
    write_post(people["minjun"], markdown="가" * 100_001, status=413)
    write_post(people["minjun"], tags="태그" * 20, status=400)
    write_post(people["minjun"], pinned_until="내일", status=400)
    response = client.post("/api/v1/boards/notice/posts", data="not json", headers=people["minjun"])
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_input"
    assert madang.store.head() == head
    assert client.post("/api/v1/boards", json={"slug": "대문자 X", "name": "x"}, headers=admin_headers).status_code \
        == 400
    assert client.post("/api/v1/boards", json={"slug": "ok", "name": "x", "read": ["모두"]},
                       headers=admin_headers).status_code == 400


def test_attachments_limits_and_blocked_types(client, madang, admin_headers, people, make_board, write_post):
    make_board()
    post = write_post(people["minjun"])
    base = f"/api/v1/boards/notice/posts/{post['id']}/attachments"
    head = madang.store.head()
    blocked = client.put(f"{base}/설치.exe", data=b"MZ", headers={**people["minjun"],
                                                                 "Content-Type": "application/octet-stream"})
    assert blocked.status_code == 415 and blocked.get_json()["error"] == "unsupported_type"
    client.put("/api/v1/admin/plugins/boards", json={"settings": {"max_attachment_mb": 1}}, headers=admin_headers)
    head = madang.store.head()
    big = client.put(f"{base}/큰사진.jpg", data=b"\xff" * (1024 * 1024 + 1),
                     headers={**people["minjun"], "Content-Type": "image/jpeg"})
    assert big.status_code == 413 and big.get_json()["error"] == "too_large"
    assert client.put(f"{base}/사진.png", data=b"\x89PNG", headers={**people["seoyeon"],
                                                                  "Content-Type": "image/png"}).status_code == 403
    assert madang.store.head() == head
    ok = client.put(f"{base}/사진.png", data=b"\x89PNG", headers={**people["minjun"], "Content-Type": "image/png"})
    assert ok.status_code == 201 and ok.get_json()["size"] == 4
    video = client.put(f"{base}/행사.mp4", data=b"\x00\x00\x00\x18ftyp", headers=people["minjun"])
    assert video.status_code == 201
    got = client.get(f"/api/v1/boards/notice/posts/{post['id']}", headers=people["seoyeon"]).get_json()
    assert [(a["name"], a["kind"]) for a in got["attachments"]] == [("사진.png", "image"), ("행사.mp4", "video")]
    image = client.get(f"{base}/사진.png", headers=people["seoyeon"])
    assert image.mimetype == "image/png" and image.data == b"\x89PNG"
    page = client.get(f"/boards/notice/{post['id']}", headers=people["seoyeon"]).get_data(as_text=True)
    assert "<video" in page and "boards-gallery" in page
    assert client.delete(f"{base}/사진.png", headers=people["minjun"]).status_code == 200
    assert client.get(f"{base}/사진.png", headers=people["seoyeon"]).status_code == 404
    assert json.dumps(got, ensure_ascii=False)
