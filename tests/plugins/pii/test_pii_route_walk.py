"""Withheld revisions and attachments on every read path: the walk over app.url_map (like tests/wiki's permission
walk), as an ordinary reader and as an admin, finds the numbers' digits in no response body."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.conftest import ADMIN_PASSWORD, make_config, token_for
from tests.support.hooks import builtins_off
from wiki.app import create_app

OLD = "민원/처리"  # its first revision held numbers, the second masked them; the first is withheld
CURRENT = "민원/현재"  # its current revision holds a number and is withheld
WITH_FILE, FILE = "민원/첨부", "원본 명단.txt"  # a current attachment holding a number, withheld
NUMBERS = {"rrn_old": "900101-1234568", "mobile_old": "010-4821-7735", "rrn_current": "851203-2456781",
           "rrn_file": "770707-1357913"}
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def forms(number: str) -> set[str]:
    """Every way a response could carry the number: as written, digits only, the part after the first group."""
    groups = number.split("-")
    return {number, "".join(groups), "-".join(groups[1:]), "".join(groups[1:])}


LEAKS = sorted(set().union(*(forms(n) for n in NUMBERS.values())))


def assert_no_digits(response, where: str) -> None:
    text = response.get_data(as_text=True)
    for leak in LEAKS:
        assert leak not in text, (where, leak, response.status_code)


@pytest.fixture
def app(tmp_path):
    config = make_config(tmp_path)
    builtins_off(config)
    app = create_app(config)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(client, 'admin', ADMIN_PASSWORD)}"}
    for plugin in ("pii", "search"):
        response = client.put(f"/api/v1/admin/plugins/{plugin}", json={"enabled": True}, headers=headers)
        assert response.status_code == 200, response.get_json()
    yield app
    app.extensions["madang"].store.close()
    app.extensions["madang"].db.engine.dispose()


@pytest.fixture
def withheld(client, admin_headers):
    def put(path: str, markdown: str) -> str:
        response = client.put(f"/api/v1/pages/{quote(path)}", json={"markdown": markdown}, headers=admin_headers)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()["revision"]

    def suppress(path: str, revision: str, reason: str) -> None:
        response = client.post("/api/v1/admin/pii/suppress", headers=admin_headers,
                               json={"path": path, "revision": revision, "reason": reason})
        assert response.status_code == 201, response.get_json()

    first = put(OLD, f"# 처리\n\n민원인 주민등록번호 {NUMBERS['rrn_old']}\n연락처 {NUMBERS['mobile_old']}\n")
    second = put(OLD, "# 처리\n\n민원인 주민등록번호 900101-1******\n연락처 (가림)\n")
    current = put(CURRENT, f"# 현재\n\n| 이름 | 번호 |\n| --- | --- |\n| 김민원 | {NUMBERS['rrn_current']} |\n")
    put(WITH_FILE, "# 첨부\n\n원본 명단을 붙였습니다.\n")
    response = client.put(
        f"/api/v1/pages/{quote(WITH_FILE)}/attachments/{quote(FILE)}",
        data=f"이름,번호\n박민원,{NUMBERS['rrn_file']}\n".encode(),
        headers={**admin_headers, "Content-Type": "text/plain"})
    assert response.status_code == 201, response.get_json()
    attached = response.get_json()["revision"]
    # before withholding, the walk's own requests do show the numbers (so the walk below can fail)
    seen = client.get(f"/api/v1/pages/{quote(OLD)}?rev={first}", headers=admin_headers).get_data(as_text=True)
    assert NUMBERS["rrn_old"] in seen
    assert NUMBERS["rrn_current"] in client.get(f"/wiki/{quote(CURRENT)}").get_data(as_text=True)
    assert NUMBERS["rrn_file"].encode() in client.get(f"/wiki/{quote(WITH_FILE)}/attachments/{quote(FILE)}").data
    suppress(OLD, first, "민원인 주민등록번호 노출")
    suppress(CURRENT, current, "표에 주민등록번호")
    suppress(WITH_FILE, attached, "첨부 명단")
    return {"first": first, "second": second, "current": current, "attached": attached}


def addresses(app, page: str) -> list[str]:
    values = {"path": quote(page, safe="/"), "name": quote(FILE), "filename": "x.css", "username": "admin",
              "lang": "ko"}
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            found.append(ARGUMENT.sub(lambda m: values.get(m.group(1), "1"), rule.rule))
    return found


def test_no_read_path_serves_a_withheld_number(app, client, admin_headers, make_user, withheld):
    reader = make_user("reader.choi", "최열람")
    r = withheld
    queries = ["", f"?rev={r['first']}&from={r['first']}&to={r['second']}&render=html&limit=500&view=inline",
               f"?rev={r['current']}&q={quote('주민등록번호')}&prefix={quote('민원')}",
               f"?rev={r['attached']}&q={quote('박민원')}&type=attachment", f"?q={quote('김민원')}"]
    checked, statuses = set(), {}
    for page in (OLD, CURRENT, WITH_FILE):
        for address in addresses(app, page):
            for query in queries:
                if address + query in checked:
                    continue
                checked.add(address + query)
                for who, headers in (("reader", reader), ("admin", admin_headers)):
                    response = client.get(address + query, headers=headers)
                    assert response.status_code < 500, (address + query, who, response.status_code)
                    assert_no_digits(response, f"{who} {address}{query}")
                    statuses[address + query] = response.status_code
    assert len(checked) > 300
    # the walk did reach the pages: the withheld ones answer 404, what is not withheld is served
    assert statuses[f"/api/v1/pages/{quote(CURRENT)}"] == 404
    assert statuses[f"/wiki/{quote(CURRENT)}"] == 404
    assert statuses[f"/api/v1/pages/{quote(OLD)}"] == 200  # the masked second revision
    assert statuses[f"/api/v1/pages/{quote(WITH_FILE)}/attachments/{quote(FILE)}"] == 404
    assert statuses[f"/wiki/{quote(WITH_FILE)}/attachments/{quote(FILE)}"] == 404
    assert statuses["/api/v1/search" + queries[4]] == 200 and statuses["/feeds/changes.atom"] == 200
    # reads by other means agree: the guard's report shows only masked values
    report = client.get("/api/v1/admin/pii/report", headers=admin_headers).get_json()["items"]
    assert {(i["path"], i["kind"]) for i in report} >= {(OLD, "rrn"), (CURRENT, "rrn"), (WITH_FILE, "rrn")}
    assert all(i["suppressed"] for i in report)
