"""The anonymous whole-page cache never serves stale or someone else's page."""
from __future__ import annotations

from urllib.parse import quote

from wiki.web import pagecache

PATH = "행정포털/사용법"
URL = "/wiki/" + quote(PATH)


def save(client, headers, text):
    response = client.put("/api/v1/pages/" + quote(PATH), json={"markdown": text}, headers=headers)
    assert response.status_code in (200, 201), response.get_json()


def test_anonymous_views_are_served_again_until_anything_is_committed(client, admin_headers):
    save(client, admin_headers, "# 사용법\n\n첫 판\n")
    before = len(pagecache._CACHE)
    first = client.get(URL)
    assert first.status_code == 200 and "첫 판" in first.get_data(as_text=True)
    assert len(pagecache._CACHE) == before + 1
    again = client.get(URL)
    assert again.get_data() == first.get_data()
    save(client, admin_headers, "# 사용법\n\n둘째 판\n")
    assert "둘째 판" in client.get(URL).get_data(as_text=True)


def test_a_rule_change_takes_effect_for_cached_pages(client, admin_headers):
    save(client, admin_headers, "# 사용법\n\n공개 문서\n")
    assert client.get(URL).status_code == 200
    rules = {"default": {"read": ["staff"], "edit": ["staff"]}, "rules": []}
    assert client.put("/api/v1/admin/acl", json=rules, headers=admin_headers).status_code == 200
    assert client.get(URL).status_code in (302, 401, 404)


def test_signed_in_people_and_languages_get_their_own_page(client, admin_headers, make_user):
    save(client, admin_headers, "# 사용법\n\n내용\n")
    anonymous = client.get(URL).get_data(as_text=True)
    english = client.get(URL, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert english != anonymous
    kim = make_user("kimcs", "김철수")
    signed_in = client.get(URL, headers=kim).get_data(as_text=True)
    assert signed_in != anonymous
    assert client.get(URL).get_data(as_text=True) == anonymous
