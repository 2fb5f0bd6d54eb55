"""RS256 signing keys in the state database (never in git): created on first use, rotatable; the JWKS publishes
the current key and the one before it, so tokens signed just before a rotation still verify. Uses joserfc, the JOSE
library Authlib's own OpenID Connect code signs with (authlib.jose is deprecated in Authlib 1.9)."""
from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from wiki.api import core

from .models import SigningKey

_parsed: dict[str, RSAKey] = {}


def _load(row: SigningKey) -> RSAKey:
    key = _parsed.get(row.kid)
    if key is None:
        key = RSAKey.import_key(json.loads(row.private_jwk))
        _parsed[row.kid] = key
    return key


def _new_row(session) -> SigningKey:
    kid = secrets.token_hex(8)
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)
    row = SigningKey(kid=kid, private_jwk=json.dumps(key.as_dict(private=True)), state="current",
                     created=datetime.now(UTC))
    session.add(row)
    return row


def current() -> RSAKey:
    """The key new ID tokens are signed with (one indexed query; the parsed key is kept in memory)."""
    with core().db.session() as session:
        row = session.scalar(select(SigningKey).where(SigningKey.state == "current")
                             .order_by(SigningKey.created.desc()).limit(1))
        if row is None:
            row = _new_row(session)
            session.flush()
        return _load(row)


def rotate() -> str:
    """A new current key; the old current becomes previous (still published), the old previous retired."""
    with core().db.session() as session:
        for row in session.scalars(select(SigningKey).where(SigningKey.state.in_(("current", "previous")))):
            row.state = "previous" if row.state == "current" else "retired"
        return _new_row(session).kid


def published() -> KeySet:
    """The public keys relying parties verify with: current and previous."""
    current()
    with core().db.session() as session:
        rows = list(session.scalars(select(SigningKey).where(SigningKey.state.in_(("current", "previous")))
                                    .order_by(SigningKey.created.desc())))
        return KeySet([_load(row) for row in rows])


def jwks() -> dict:
    return published().as_dict(private=False)


def listing() -> list[dict]:
    with core().db.session() as session:
        return [{"kid": r.kid, "state": r.state, "created": r.created}
                for r in session.scalars(select(SigningKey).order_by(SigningKey.created.desc()).limit(10))]
