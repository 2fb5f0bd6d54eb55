"""Attachments' text, the results page, and the index as a view (rebuild, lost folder, several writers)."""
from __future__ import annotations

import io
import multiprocessing
import shutil

from plugins.search.backend import Document
from plugins.search.query import parse
from plugins.search.whoosh_backend import WhooshBackend
from wiki.app import create_app


def paths(answer: dict) -> list[str]:
    return [hit["path"] for hit in answer["hits"]]


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in Helvetica, written by hand (offsets computed), as any PDF library would."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_attachment_text_is_found(put_page, put_file, search):
    import docx
    import openpyxl

    put_page("예산/2026", "# 2026 예산\n\n첨부 참조")
    put_file("예산/2026", "report.pdf", tiny_pdf("Quarterly budget reconciliation"), "application/pdf")
    document = docx.Document()
    document.add_paragraph("청사 리모델링 공사 계획서")
    buffer = io.BytesIO()
    document.save(buffer)
    put_file("예산/2026", "계획서.docx", buffer.getvalue())
    book = openpyxl.Workbook()
    book.active.append(["항목", "금액"])
    book.active.append(["냉난방설비교체", 120000000])
    buffer = io.BytesIO()
    book.save(buffer)
    put_file("예산/2026", "내역.xlsx", buffer.getvalue())
    put_file("예산/2026", "옛문서.txt", "구형 인코딩 민원대장".encode("cp949"))
    put_file("예산/2026", "사진.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png")
    answer = search("reconciliation")
    assert paths(answer) == ["예산/2026/report.pdf"] and answer["hits"][0]["type"] == "attachment"
    assert answer["hits"][0]["url"] == "/wiki/%EC%98%88%EC%82%B0/2026/attachments/report.pdf"
    assert paths(search("리모델링")) == ["예산/2026/계획서.docx"]
    assert paths(search("냉난방설비교체")) == ["예산/2026/내역.xlsx"]
    assert paths(search("민원대장")) == ["예산/2026/옛문서.txt"]
    assert paths(search("사진", type="attachment")) == ["예산/2026/사진.png"]  # by its name


def test_the_results_page(client, put_page):
    put_page("행정포털/사용법", "# 행정포털 사용법\n\n행정포털은 직원용 포털입니다.")
    home = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in home  # the header box points here while the plugin is on
    page = client.get("/search?q=행정포털")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<mark>행정포털</mark>" in html and "/wiki/" in html
    assert "1건" in html and 'value="행정포털"' in html
    empty = client.get("/search").get_data(as_text=True)
    assert 'name="q"' in empty
    assert client.get("/search?q=" + "가" * 201).status_code == 400
    put_page("전자결재", "# 전자결재\n\n결재 올리기")
    suggestion = client.get("/search?q=전쟈겷재").get_data(as_text=True)
    assert "이것을 찾으셨나요" in suggestion and ">전자결재</a>" in suggestion
    english = client.get("/search?q=행정포털", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Results for" in english


def test_disabled_plugin_answers_404_and_the_box_goes_back(client, admin_headers):
    response = client.put("/api/v1/admin/plugins/search", json={"enabled": False}, headers=admin_headers)
    assert response.status_code == 200, response.get_json()
    assert client.get("/search?q=x").status_code == 404
    assert client.get("/api/v1/search?q=x").status_code == 404
    assert 'action="/search"' not in client.get("/").get_data(as_text=True)


def test_rebuild_and_a_lost_index_folder(config, app, madang, put_page, search):
    put_page("가", "# 가\n\n재건축 안내문")
    madang.views.rebuild("search")
    assert paths(search("재건축")) == ["가"]
    madang.store.close()
    shutil.rmtree(config.search_index)  # the folder is lost: a new process rebuilds it from the repository
    second = create_app(config)
    try:
        answer = second.test_client().get("/api/v1/search", query_string={"q": "재건축"}).get_json()
        assert paths(answer) == ["가"]
    finally:
        second.extensions["madang"].store.close()
        second.extensions["madang"].db.engine.dispose()


def _write_five(folder: str, prefix: str) -> None:
    """One worker process writing to the shared index folder."""
    backend = WhooshBackend(folder, "bigram")
    for i in range(5):
        backend.index([Document(id=f"{prefix}{i}", type="page", path=f"{prefix}{i}", acl="x", title="동시",
                                text=f"동시 쓰기 {prefix}", url="/")])


def test_two_writer_processes_on_one_folder_wait_for_each_other(tmp_path):
    WhooshBackend(tmp_path, "bigram").count()  # create the index first, as the first process to start does
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_five, args=(str(tmp_path), prefix)) for prefix in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    page = WhooshBackend(tmp_path, "bigram").search(parse("동시"), lambda *_: True, 0, 50, 100)
    assert page.total == 10


def test_a_view_configured_without_flask_rebuilds_its_index(tmp_path):
    """What `python -m wiki.cli rebuild-views --view search` needs once build_core calls `configure(config)`."""
    from plugins.search.view import SearchIndexView
    from tests.conftest import make_config
    from wiki.store import Author, ContentStore

    config = make_config(tmp_path)
    store = ContentStore(config.content_repo)
    store.ensure()
    store.commit({"pages/가.md": "# 가\n\n스크립트에서 만든 색인".encode()}, Author("관리자", "a@b"), "첫 판")
    view = SearchIndexView()
    view.reset(None)  # before it knows its folder: remembered
    view.configure(config)
    view.apply(None, store, list(store.log(None, store.head())))
    found = view.backend.search(parse("스크립트"), lambda *_: True, 0, 10, 100)
    assert [hit.document.path for hit in found.hits] == ["가"]
    assert view.backend.watermark() == store.head()
    store.close()
