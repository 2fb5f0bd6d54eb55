"""State-database tables of the launcher: what must never be in git (client secrets, signing keys, codes, tickets,
tokens) and what is per person (favourites, recent use, open sessions). The registry itself is documents in the
content repository (registry.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wiki.api import Base, UTCDateTime


class ClientSecret(Base):
    """An OIDC client's secret, as a SHA-256 digest: it is 256 random bits, so a slow hash adds nothing."""

    __tablename__ = "launcher_client_secrets"
    system_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime)


class SigningKey(Base):
    """RS256 keys for ID tokens: one `current`, the one before it `previous` (still in the JWKS), older `retired`."""

    __tablename__ = "launcher_signing_keys"
    kid: Mapped[str] = mapped_column(String(40), primary_key=True)
    private_jwk: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthCode(Base):
    """An authorization code (by digest): single use (`used`), short-lived (`expires`)."""

    __tablename__ = "launcher_auth_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80), index=True)
    username: Mapped[str] = mapped_column(String(200))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    nonce: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    code_challenge: Mapped[str | None] = mapped_column(String(128), nullable=True)
    code_challenge_method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    sid: Mapped[str] = mapped_column(String(64), default="")
    auth_time: Mapped[int] = mapped_column(Integer, default=0)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class OAuthToken(Base):
    """Access and refresh tokens (by digest) issued to a client for a person."""

    __tablename__ = "launcher_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(80), index=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    scope: Mapped[str] = mapped_column(Text, default="")
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    sid: Mapped[str] = mapped_column(String(64), default="")
    code_hash: Mapped[str] = mapped_column(String(64), default="", index=True)  # revoked if the code is replayed
    issued: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_in: Mapped[int] = mapped_column(Integer)
    refresh_expires: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    access_revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    refresh_revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class CasTicket(Base):
    """A CAS service ticket: consumed by its first validation, whatever the outcome."""

    __tablename__ = "launcher_cas_tickets"
    ticket: Mapped[str] = mapped_column(String(80), primary_key=True)
    service: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(200))
    system_id: Mapped[str] = mapped_column(String(40))
    sid: Mapped[str] = mapped_column(String(64), default="")  # the Madang browser session that asked for it
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class OpenSession(Base):
    """A system a person signed in to through the launcher, until they sign out of Madang (single logout)."""

    __tablename__ = "launcher_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    system_id: Mapped[str] = mapped_column(String(40))
    protocol: Mapped[str] = mapped_column(String(10))
    sid: Mapped[str] = mapped_column(String(64), default="")  # OIDC sid claim
    service: Mapped[str] = mapped_column(Text, default="")  # CAS service URL
    ticket: Mapped[str] = mapped_column(String(80), default="")  # CAS SessionIndex
    opened: Mapped[datetime] = mapped_column(UTCDateTime)
    ended: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)


class Mark(Base):
    """One person's relation to one system: favourite (and its place), last use."""

    __tablename__ = "launcher_marks"
    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    system_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    favourite: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    last_used: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
