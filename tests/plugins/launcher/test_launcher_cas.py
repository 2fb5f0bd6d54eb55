"""CAS 3.0 against a real server process, driven by python-cas (CASClient versions 2 and 3) as an old system
would: tickets single-use and short-lived, services matched against the registered patterns."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cas import CASClient

from tests.plugins.launcher.sso import age, browser, make_person, register

SERVICE = "http://127.0.0.1:9/erp/login?next=%2F%EA%B8%89%EC%97%AC"  # the old system's own address (never reached)


@pytest.fixture
def site(server):
    admin = server.token()
    make_person(server.url, admin, "kim", "김민수", ["회계과", "인사과"])
    make_person(server.url, admin, "lee", "이영희", ["총무과"])
    erp = register(server.url, admin, name="회계 시스템", url="http://127.0.0.1:9/erp/", protocol="cas",
                   service_patterns=["http://127.0.0.1:9/erp/*"], groups=["group:회계과"])
    return server, erp


def cas(server, version: int = 3, service: str = SERVICE) -> CASClient:
    return CASClient(version=version, service_url=service, server_url=f"{server.url}/cas/")


def ticket_for(person: requests.Session, client: CASClient) -> str:
    answer = person.get(client.get_login_url(), allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    location = answer.headers["Location"]
    assert location.startswith(SERVICE.split("?")[0])
    ticket = parse_qs(urlsplit(location).query)["ticket"][0]
    assert ticket.startswith("ST-")
    return ticket


def test_sign_in_through_cas_with_attributes(site):
    server, _erp = site
    kim = browser(server.url, "kim", "비밀번호-12345")
    client = cas(server)
    user, attributes, _pgt = client.verify_ticket(ticket_for(kim, client))
    assert user == "kim"
    assert attributes["name"] == "김민수" and attributes["email"] == "kim@seoul.go.kr"
    assert attributes["department"] == "인사과" and attributes["groups"] == ["인사과", "회계과"]
    old = cas(server, version=2)  # /cas/serviceValidate
    user, _attributes, _pgt = old.verify_ticket(ticket_for(kim, old))
    assert user == "kim"
    items = kim.get(f"{server.url}/api/v1/launcher/systems", timeout=10).json()["items"]
    assert items[0]["name"] == "회계 시스템" and items[0]["last_used"]


def test_refused_tickets_and_services_say_why(site, tmp_path):
    server, _erp = site
    kim = browser(server.url, "kim", "비밀번호-12345")
    client = cas(server)
    ticket = ticket_for(kim, client)
    assert client.verify_ticket(ticket)[0] == "kim"
    assert client.verify_ticket(ticket)[0] is None  # replayed
    assert b'code="INVALID_TICKET"' in client.get_verification_response(ticket)
    assert b"used already" in client.get_verification_response(ticket)

    stale = ticket_for(kim, client)
    age(tmp_path, "launcher_cas_tickets")
    response = client.get_verification_response(stale)
    assert b'code="INVALID_TICKET"' in response and b"expired" in response

    ticket = ticket_for(kim, client)
    other = cas(server, service="http://127.0.0.1:9/erp/other")
    response = other.get_verification_response(ticket)
    assert b'code="INVALID_SERVICE"' in response
    assert client.verify_ticket(ticket)[0] is None  # a failed validation used the ticket up too

    forged = client.get_verification_response("ST-위조된-티켓")
    assert b'code="INVALID_TICKET"' in forged and b"not recognised" in forged
    assert b'code="INVALID_REQUEST"' in requests.get(f"{server.url}/cas/serviceValidate", timeout=10).content

    unknown = kim.get(cas(server, service="https://evil.example/steal").get_login_url(), allow_redirects=False,
                      timeout=10)
    assert unknown.status_code == 400 and "https://evil.example/steal" in unknown.text
    lee = browser(server.url, "lee", "비밀번호-12345")
    refused = lee.get(client.get_login_url(), allow_redirects=False, timeout=10)
    assert refused.status_code == 403 and "회계 시스템" in refused.text and "Location" not in refused.headers
    anonymous = requests.get(client.get_login_url(), allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next=")


def test_cas_logout_ends_the_sessions_and_offers_to_sign_out_of_madang(site):
    server, _erp = site
    kim = browser(server.url, "kim", "비밀번호-12345")
    client = cas(server)
    client.verify_ticket(ticket_for(kim, client))
    page = kim.get(client.get_logout_url(SERVICE), timeout=10)
    assert page.status_code == 200 and 'action="/logout"' in page.text and SERVICE.replace("&", "&amp;") in page.text
