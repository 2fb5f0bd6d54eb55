"""Single logout: when a person signs out of Madang, their launcher sessions end and the systems that support it
are told — OIDC back-channel logout (a signed logout token POSTed to the system) and CAS SAML single logout (a
LogoutRequest POSTed to the service). Messages are built in the request, sent by a background thread; failures are
logged, never in the way of the sign-out."""
from __future__ import annotations

import logging
import secrets
import threading
import time
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import requests
from joserfc import jwt

from . import keys, registry, tokens

log = logging.getLogger("madang.launcher.logout")
EVENT = "http://schemas.openid.net/event/backchannel-logout"
TIMEOUT = 5


def logout_token(system, username: str, sid: str, issuer: str) -> str:
    key = keys.current()
    moment = int(time.time())
    claims = {"iss": issuer, "aud": system.client_id, "iat": moment, "exp": moment + 120,
              "jti": secrets.token_urlsafe(16), "sub": username, "events": {EVENT: {}}}
    if sid:
        claims["sid"] = sid
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"}, claims, key)


def saml_logout_request(username: str, ticket: str) -> str:
    instant = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="LR-{secrets.token_hex(16)}" Version="2.0" IssueInstant="{instant}">'
            f"<saml:NameID>{escape(username)}</saml:NameID>"
            f"<samlp:SessionIndex>{escape(ticket)}</samlp:SessionIndex></samlp:LogoutRequest>")


def messages(ended: list, issuer: str) -> list[tuple[str, dict, str]]:
    """(address, form, what) for every ended session whose system wants to hear of it."""
    out, told = [], set()
    for row in ended:
        system = registry.get(row.system_id)
        if system is None:
            continue
        if row.protocol == "oidc" and system.backchannel_logout_uri and (system.id, row.sid) not in told:
            told.add((system.id, row.sid))
            out.append((system.backchannel_logout_uri,
                        {"logout_token": logout_token(system, row.username, row.sid, issuer)}, system.name))
        elif row.protocol == "cas" and system.single_logout and row.service:
            out.append((row.service, {"logoutRequest": saml_logout_request(row.username, row.ticket)}, system.name))
    return out


def _send(batch: list[tuple[str, dict, str]]) -> None:
    for address, form, name in batch:
        try:
            answer = requests.post(address, data=form, timeout=TIMEOUT, allow_redirects=False)
            if answer.status_code >= 400:
                log.warning("single logout: %s answered %s", name, answer.status_code)
        except requests.RequestException as exc:
            log.warning("single logout: %s could not be told (%s)", name, type(exc).__name__)


def sign_out_of_systems(username: str, sid: str | None = None) -> threading.Thread | None:
    """End the person's sessions with the systems — all of them, or those one Madang browser session opened
    (`sid`) — with their tokens revoked, and tell the systems, in the background."""
    from .oidc import issuer

    ended = tokens.end_sessions(username, sid=sid)
    batch = messages(ended, issuer())
    if not batch:
        return None
    thread = threading.Thread(target=_send, args=(batch,), name="launcher-single-logout", daemon=True)
    thread.start()
    return thread
