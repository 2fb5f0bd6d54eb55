"""ldap3 against a real OpenLDAP slapd started by the test on a loopback port."""
from __future__ import annotations

import pytest

from tests.support.slapd import GROUPS, PEOPLE, start_slapd
from wiki.directory import DirectoryUnavailable, LdapDirectory, LdapSettings
from wiki.errors import Unauthorized


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    server = start_slapd(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


@pytest.fixture
def directory(slapd) -> LdapDirectory:
    return LdapDirectory(LdapSettings(slapd.url, PEOPLE, GROUPS, timeout=2))


def test_person_signs_in_with_directory_password_and_gets_attributes(directory):
    person = directory.authenticate("leeyh", "영희-비밀번호-2")
    assert person.name == "이영희"
    assert person.email == "leeyh@seoul.go.kr"
    assert person.department == "인사과"
    assert person.title == "팀장"
    assert person.groups == ["editors", "hr"]


def test_district_office_member_has_district_group(directory):
    person = directory.authenticate("parkjm", "지민-비밀번호-3")
    assert person.department == "종로구청 민원여권과"
    assert person.groups == ["district-jongno"]


@pytest.mark.parametrize("username,password", [
    ("leeyh", "틀린-비밀번호"),
    ("nobody", "영희-비밀번호-2"),
    ("leeyh", ""),
    ("", "영희-비밀번호-2"),
])
def test_wrong_credentials_are_refused(directory, username, password):
    with pytest.raises(Unauthorized):
        directory.authenticate(username, password)


@pytest.mark.parametrize("username", ["*", "lee*", "leeyh)(uid=*", "*)(|(uid=*", "leeyh\\2a", "leeyh\x00"])
def test_filter_injection_in_user_name_finds_nobody(directory, username):
    with pytest.raises(Unauthorized):
        directory.authenticate(username, "영희-비밀번호-2")


def test_directory_down_gives_a_clear_error(slapd, tmp_path):
    directory = LdapDirectory(LdapSettings("ldap://127.0.0.1:1", PEOPLE, GROUPS, timeout=2))
    with pytest.raises(DirectoryUnavailable) as caught:
        directory.authenticate("leeyh", "영희-비밀번호-2")
    assert "local accounts" in caught.value.message


def test_org_chart_comes_from_the_directory(slapd):
    from tests.support.slapd import DEPARTMENTS
    from wiki.orgchart import OrgChart

    directory = LdapDirectory(LdapSettings(slapd.url, PEOPLE, GROUPS, department_base=DEPARTMENTS, timeout=2))
    chart = OrgChart(directory.org_chart())
    assert sorted(d.name for d in chart.roots()) == ["강남구청", "서울특별시청", "종로구청"]
    assert [d.name for d in chart.ancestors("cityhall-hr")] == ["서울특별시청", "행정국", "인사과"]
    assert [p.name for p in chart.by_id["jongno-civil"].people] == ["박지민"]
    assert [p.username for p in chart.search("강남")] == ["choiss"]
