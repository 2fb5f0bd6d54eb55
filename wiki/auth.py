"""Local accounts, password hashes (Argon2id) and API tokens. Passwords and tokens are never logged or stored
in clear; a token is kept as its SHA-256."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from .db import Database
from .errors import AlreadyExists, InvalidInput, Unauthorized
from .models import ApiToken, User

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


@dataclass(frozen=True)
class Principal:
    """Who is asking: what permission checks and commit authorship need, detached from the database."""

    username: str
    name: str
    email: str
    department: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)
    is_admin: bool = False
    user_id: int | None = None

    @property
    def principals(self) -> set[str]:
        return {"anonymous", "staff", f"user:{self.username}", *(f"group:{g}" for g in self.groups)}


def now() -> datetime:
    return datetime.now(UTC)


def principal_of(user: User) -> Principal:
    return Principal(user.username, user.name, user.email, user.department or "", tuple(user.groups or ()),
                     bool(user.is_admin), user.id)


def validate_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not name or len(name) > 64 or not set(name) <= USERNAME_CHARS:
        raise InvalidInput("A user name is 1 to 64 characters: lower-case letters, digits, '.', '_' or '-'.")
    return name


class Accounts:
    """Local accounts in the state database."""

    def __init__(self, db: Database, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self.db = db
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        self._dummy_hash = self.hasher.hash(secrets.token_hex(8))

    def create(self, username: str, password: str, name: str, email: str, department: str = "",
               groups: list[str] | None = None, is_admin: bool = False) -> Principal:
        username = validate_username(username)
        if not password or len(password) < 8 or len(password) > 1024:
            raise InvalidInput("A password must be 8 to 1024 characters long.")
        for label, value, limit in (("name", name, 200), ("email", email, 320), ("department", department, 200)):
            if value is None or len(value) > limit:
                raise InvalidInput(f"The {label} is missing or longer than {limit} characters.")
        with self.db.session() as session:
            if session.scalar(select(User).where(User.username == username)):
                raise AlreadyExists(f"The user '{username}' already exists.")
            user = User(username=username, name=name.strip() or username, email=email.strip(),
                        password_hash=self.hasher.hash(password), department=department or "",
                        groups=list(groups or []), is_admin=is_admin, created_at=now())
            session.add(user)
            session.flush()
            return principal_of(user)

    def count(self) -> int:
        with self.db.session() as session:
            return len(session.scalars(select(User.id)).all())

    def get(self, username: str) -> Principal | None:
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
            return principal_of(user) if user else None

    def get_by_id(self, user_id: int) -> tuple[Principal, int] | None:
        """The principal and its session version (bumped by 'sign out everywhere')."""
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None or not user.active:
                return None
            return principal_of(user), user.session_version

    def authenticate(self, username: str, password: str) -> Principal:
        """Check a password; the same work is done for unknown users so timing reveals nothing."""
        try:
            username = validate_username(username)
        except InvalidInput:
            username = ""
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == username)) if username else None
            stored = user.password_hash if user and user.active and user.password_hash else self._dummy_hash
            try:
                self.hasher.verify(stored, password or "")
                ok = user is not None and stored is not self._dummy_hash
            except (VerificationError, InvalidHashError):
                ok = False
            if not ok:
                raise Unauthorized("The user name or password is wrong.")
            if self.hasher.check_needs_rehash(stored):
                user.password_hash = self.hasher.hash(password)
            return principal_of(user)

    def issue_token(self, principal: Principal, days: int, name: str = "") -> tuple[str, datetime]:
        token = "mdg_" + secrets.token_urlsafe(32)
        expires = now() + timedelta(days=days)
        with self.db.session() as session:
            session.add(ApiToken(user_id=principal.user_id, token_hash=_digest(token), name=name[:200],
                                 created_at=now(), expires_at=expires))
        return token, expires

    def principal_for_token(self, token: str) -> Principal:
        with self.db.session() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
            if row is None or row.revoked_at is not None:
                raise Unauthorized("The API token is unknown or has been revoked.")
            if _aware(row.expires_at) <= now():
                raise Unauthorized("The API token has expired; create a new one.")
            user = session.get(User, row.user_id)
            if user is None or not user.active:
                raise Unauthorized("The API token's account is disabled.")
            return principal_of(user)

    def revoke_token(self, token: str) -> None:
        with self.db.session() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
            if row is not None and row.revoked_at is None:
                row.revoked_at = now()

    def bump_session_version(self, user_id: int) -> None:
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user:
                user.session_version += 1


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
