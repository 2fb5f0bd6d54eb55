"""A revision withheld by the personal-data guard (issue 11) is neither shown, counted nor suggested by search."""
from __future__ import annotations

from tests.support.hooks import exercises


def paths(answer: dict) -> list[str]:
    return [hit["path"] for hit in answer["hits"]]


@exercises("madang_revision_visible")
def test_a_withheld_revision_is_neither_shown_nor_counted(client, admin_headers, put_page, search):
    response = client.put("/api/v1/admin/plugins/pii", json={"enabled": True}, headers=admin_headers)
    assert response.status_code == 200, response.get_json()
    withheld = put_page("민원/접수명단", "# 민원 접수 명단\n\n접수자 명단과 연락처, 비상연락망을 적어 둡니다.")
    put_page("민원/안내", "# 민원 안내\n\n접수자 명단은 담당 부서가 따로 보관합니다.")
    answer = search("접수자 명단")
    assert sorted(paths(answer)) == ["민원/안내", "민원/접수명단"] and answer["total"] == 2

    response = client.post("/api/v1/admin/pii/suppress", headers=admin_headers,
                           json={"path": "민원/접수명단", "revision": withheld, "reason": "연락처 노출"})
    assert response.status_code == 201, response.get_json()
    answer = search("접수자 명단")
    assert paths(answer) == ["민원/안내"] and answer["total"] == 1 and answer["total_exact"] is True
    assert "비상연락망" not in str(answer)
    nothing = search("비상연락망")
    assert nothing["total"] == 0 and nothing["hits"] == [] and nothing["suggestion"] is None
    assert search("비상연락만")["suggestion"] is None  # the close word lives only in the withheld revision
    page = client.get("/search", query_string={"q": "비상연락망"}, headers=admin_headers).get_data(as_text=True)
    assert "민원/접수명단" not in page

    # the next revision is not withheld: found again, at that revision
    current = put_page("민원/접수명단", "# 민원 접수 명단\n\n접수자 명단은 가렸습니다. 비상연락망은 게시판에.")
    answer = search("비상연락망")
    assert paths(answer) == ["민원/접수명단"] and answer["hits"][0]["revision"] == current
    assert answer["total"] == 1
