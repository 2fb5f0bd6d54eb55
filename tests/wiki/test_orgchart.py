"""The org chart from the content repository: validation, tree, search, versioned edits."""
from __future__ import annotations

import json

import pytest

from tests.conftest import git
from wiki.errors import InvalidInput
from wiki.orgchart import ORGCHART_FILE, OrgChart, RepositoryOrgChart, skeleton
from wiki.store import Author, ContentStore

CHART = {
    "departments": [
        {"id": "cityhall", "name": "서울특별시청", "parent": None},
        {"id": "admin", "name": "행정국", "parent": "cityhall"},
        {"id": "general", "name": "총무과", "parent": "admin"},
        {"id": "jongno", "name": "종로구청", "parent": None},
    ],
    "people": [
        {"username": "kimcs", "name": "김철수", "title": "주무관", "department": "general",
         "phone": "02-2133-0001", "email": "kimcs@seoul.go.kr"},
        {"username": "parkjm", "name": "박지민", "title": "팀장", "department": "jongno"},
    ],
}


def test_skeleton_has_city_hall_bureaus_and_25_district_offices():
    chart = OrgChart(skeleton())
    seoul = chart.roots()[0]
    names = [d.name for d in seoul.children]
    assert "서울특별시청" in names and "종로구청" in names and "강동구청" in names
    assert len([n for n in names if n.endswith("구청")]) == 25


def test_tree_ancestors_and_search():
    chart = OrgChart(CHART)
    assert [d.name for d in chart.ancestors("general")] == ["서울특별시청", "행정국", "총무과"]
    assert [p.name for p in chart.by_id["general"].people] == ["김철수"]
    assert [p.username for p in chart.search("행정국")] == ["kimcs"]
    assert [p.username for p in chart.search("박지")] == ["parkjm"]
    assert [p.username for p in chart.search("팀장")] == ["parkjm"]
    assert chart.search("  ") == []


@pytest.mark.parametrize("broken,words", [
    ({"departments": [{"id": "a", "name": "가"}, {"id": "a", "name": "나"}]}, "same id"),
    ({"departments": [{"id": "a", "name": "가", "parent": "없음"}]}, "does not exist"),
    ({"departments": [{"id": "a", "name": "가", "parent": "b"}, {"id": "b", "name": "나", "parent": "a"}]}, "loop"),
    ({"departments": [], "people": [{"username": "x", "department": "없는부서"}]}, "does not exist"),
    ({"departments": [], "people": [{"username": "x"}, {"username": "x"}]}, "same user name"),
    ({"departments": [{"id": "", "name": "가"}]}, "may not be empty"),
    ([], "must be an object"),
])
def test_invalid_charts_are_refused_with_a_reason(broken, words):
    with pytest.raises(InvalidInput) as caught:
        OrgChart(broken)
    assert words in caught.value.message


def test_repository_chart_is_versioned_and_reread_when_it_changes(tmp_path):
    store = ContentStore(tmp_path / "repo")
    charts = RepositoryOrgChart(store)
    assert len(charts.chart().roots()) == 1  # the skeleton until an admin saves one
    store.commit({ORGCHART_FILE: RepositoryOrgChart.serialize(CHART)}, Author("관리자", "admin@seoul.go.kr"),
                 "조직도 갱신")
    assert [d.name for d in charts.chart().roots()] == ["서울특별시청", "종로구청"]
    log = git(tmp_path / "repo", "log", "--format=%an %s", "--", ORGCHART_FILE)
    assert log.strip() == "관리자 조직도 갱신"
    stored = json.loads(git(tmp_path / "repo", "show", f"main:{ORGCHART_FILE}"))
    assert stored["people"][0]["name"] == "김철수"
