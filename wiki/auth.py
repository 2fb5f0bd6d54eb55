"""Accounts (local and from the LDAP directory), roles, password hashes (Argon2id), API tokens and local groups.

Passwords and tokens are never logged or stored in clear; a token is kept as its SHA-256. An account made by a
directory sign-in has no password hash: the directory checks its password every time.

Roles: `admin` may do everything; `editor` edits wherever the rules let them; `reader` never edits or
administers, whatever the rules say (wiki/acl.py). Rules may name a role as `role:editor`.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from .db import Database
from .errors import AlreadyExists, InvalidInput, NotFound, Unauthorized
from .models import AccountProfile, ApiToken, ApiTokenUse, LocalGroup, User

if TYPE_CHECKING:
    from .directory import DirectoryPerson

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
ROLES = ("admin", "editor", "reader")
SOURCES = ("local", "ldap")
GROUP_NAME = re.compile(r"^[\w.-]{1,64}$")  # local groups: letters (Korean too), digits, '.', '_', '-'
TOKEN_USE_GRANULARITY = timedelta(minutes=5)  # 'last used' is written at most this often per token
MAX_TOKEN_DAYS = 366


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
    role: str = "editor"

    @property
    def effective_role(self) -> str:
        return "admin" if self.is_admin else (self.role if self.role in ROLES else "reader")

    @property
    def may_edit(self) -> bool:
        """A reader never edits, whatever the rules say."""
        return self.effective_role != "reader"

    @functools.cached_property
    def principals(self) -> frozenset[str]:
        """Computed once per person per request: every permission check asks for it."""
        return frozenset({"anonymous", "staff", f"user:{self.username}", f"role:{self.effective_role}",
                          *(f"group:{g}" for g in self.groups)})


@dataclass
class AccountInfo:
    """An account as the settings, profile and admin screens show it."""

    user_id: int
    username: str
    name: str
    email: str
    department: str
    department_id: str
    title: str
    phone: str
    groups: list[str]
    role: str
    source: str
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None

    def to_json(self) -> dict:
        return {"username": self.username, "name": self.name, "email": self.email, "department": self.department,
                "department_id": self.department_id, "title": self.title, "phone": self.phone,
                "groups": list(self.groups), "role": self.role, "source": self.source, "active": self.active,
                "created": self.created_at.isoformat(),
                "last_sign_in": self.last_sign_in_at.isoformat() if self.last_sign_in_at else None}


@dataclass
class TokenInfo:
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and _aware(self.expires_at) > now()

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "created": self.created_at.isoformat(),
                "expires": self.expires_at.isoformat(),
                "last_used": self.last_used_at.isoformat() if self.last_used_at else None,
                "revoked": self.revoked_at.isoformat() if self.revoked_at else None, "active": self.active}


@dataclass
class GroupInfo:
    name: str
    title: str
    description: str
    local: bool  # defined at /admin/groups (else only seen on accounts, e.g. from the directory)
    members: int


def now() -> datetime:
    return datetime.now(UTC)


def principal_of(user: User, profile: AccountProfile | None = None) -> Principal:
    role = "admin" if user.is_admin else (profile.role if profile is not None else "editor")
    return Principal(user.username, user.name, user.email, user.department or "", tuple(user.groups or ()),
                     bool(user.is_admin), user.id, role)


def _principal(session, user: User) -> Principal:
    return principal_of(user, session.get(AccountProfile, user.id))


def validate_role(role: object) -> str:
    if role not in ROLES:
        raise InvalidInput("'role' must be one of: admin, editor, reader.")
    return role  # type: ignore[return-value]


def validate_group_name(name: object) -> str:
    """A local group's name: it appears in rules as group:NAME."""
    text = unicodedata.normalize("NFC", name.strip()) if isinstance(name, str) else ""
    if not GROUP_NAME.match(text):
        raise InvalidInput("A group name is 1 to 64 letters, digits, '.', '_' or '-' (no spaces).")
    return text


def validate_groups(groups: object) -> list[str]:
    """Group names on an account: text without commas or control characters (directory names may have spaces)."""
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise InvalidInput("'groups' must be a list of group names such as [\"hr\"].")
    clean = []
    for group in groups:
        text = unicodedata.normalize("NFC", group).strip()
        if not text or len(text) > 200 or "," in text or any(unicodedata.category(c)[0] == "C" for c in text):
            raise InvalidInput(f"'{text[:50]}' is not a valid group name.")
        if text not in clean:
            clean.append(text)
    return sorted(clean)


def _clip(value: str | None, limit: int) -> str:
    text = "".join(ch for ch in (value or "") if unicodedata.category(ch)[0] != "C")
    return text.strip()[:limit]


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
        self._noted: dict[int, datetime] = {}  # token id -> when this process last wrote its use

    def create(self, username: str, password: str, name: str, email: str, department: str = "",
               groups: list[str] | None = None, is_admin: bool = False, role: str | None = None) -> Principal:
        username = validate_username(username)
        role = validate_role(role) if role is not None else ("admin" if is_admin else "editor")
        is_admin = is_admin or role == "admin"
        groups = validate_groups(list(groups or []))
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
                        groups=groups, is_admin=is_admin, created_at=now())
            session.add(user)
            session.flush()
            profile = AccountProfile(user_id=user.id, role=role, source="local", title="", phone="",
                                     department_id="")
            session.add(profile)
            return principal_of(user, profile)

    def count(self) -> int:
        with self.db.session() as session:
            return len(session.scalars(select(User.id)).all())

    def get(self, username: str) -> Principal | None:
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
            return _principal(session, user) if user else None

    def get_by_id(self, user_id: int) -> tuple[Principal, int] | None:
        """The principal and its session version (bumped by 'sign out everywhere')."""
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None or not user.active:
                return None
            return _principal(session, user), user.session_version

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
            return _principal(session, user)

    def issue_token(self, principal: Principal, days: int, name: str = "") -> tuple[str, datetime]:
        token, info = self.create_token(principal, days, name)
        return token, info.expires_at

    def create_token(self, principal: Principal, days: int, name: str = "") -> tuple[str, TokenInfo]:
        """A new API token (returned this once; only its SHA-256 is kept) and what the lists show of it."""
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise InvalidInput(f"A token lasts 1 to {MAX_TOKEN_DAYS} days.")
        token = "mdg_" + secrets.token_urlsafe(32)
        expires = now() + timedelta(days=days)
        with self.db.session() as session:
            row = ApiToken(user_id=principal.user_id, token_hash=_digest(token), name=name[:200],
                           created_at=now(), expires_at=expires)
            session.add(row)
            session.flush()
            return token, _token_info(row, None)

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
            principal = _principal(session, user)
            token_id = row.id
        self._note_use(token_id)
        return principal

    def _note_use(self, token_id: int) -> None:
        """Remember when a token was last used (at most every few minutes). Two first uses at the same moment
        both try to insert the row: the loser's note is redundant, not an error. A process that noted the token
        lately skips the database altogether."""
        moment = now()
        noted = self._noted.get(token_id)
        if noted is not None and moment - noted < TOKEN_USE_GRANULARITY:
            return
        self._noted[token_id] = moment
        try:
            with self.db.session() as session:
                use = session.get(ApiTokenUse, token_id)
                if use is None:
                    session.add(ApiTokenUse(token_id=token_id, last_used_at=moment))
                elif moment - _aware(use.last_used_at) >= TOKEN_USE_GRANULARITY:
                    use.last_used_at = moment
        except IntegrityError:
            pass

    def revoke_token(self, token: str) -> TokenInfo | None:
        """Revoke the token itself (DELETE /api/v1/auth/token); what it was, for the audit log."""
        with self.db.session() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
            if row is not None and row.revoked_at is None:
                row.revoked_at = now()
                return _token_info(row, None)
            return None

    def tokens(self, user_id: int, include_inactive: bool = True) -> list[TokenInfo]:
        """A person's tokens, newest first, with when each was last used."""
        with self.db.session() as session:
            rows = session.execute(
                select(ApiToken, ApiTokenUse.last_used_at).outerjoin(ApiTokenUse, ApiTokenUse.token_id == ApiToken.id)
                .where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())).all()
            items = [_token_info(row, used) for row, used in rows]
        return items if include_inactive else [item for item in items if item.active]

    def revoke_token_id(self, user_id: int, token_id: int) -> TokenInfo:
        """Revoke one of the person's own tokens (the settings page); NotFound for anyone else's."""
        with self.db.session() as session:
            row = session.get(ApiToken, token_id)
            if row is None or row.user_id != user_id:
                raise NotFound("There is no such token.")
            if row.revoked_at is None:
                row.revoked_at = now()
            return _token_info(row, None)

    def revoke_all_tokens(self, user_id: int) -> int:
        with self.db.session() as session:
            rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id,
                                                          ApiToken.revoked_at.is_(None))).all()
            for row in rows:
                row.revoked_at = now()
            return len(rows)

    def bump_session_version(self, user_id: int) -> None:
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user:
                user.session_version += 1


    # -- accounts from the directory -------------------------------------------------------------------------
    def source_of(self, username: str) -> str | None:
        """'local' when the name has a local password, 'ldap' for a directory account, None when unknown."""
        try:
            username = validate_username(username)
        except InvalidInput:
            return None
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                return None
            return "local" if user.password_hash else "ldap"

    def sync_directory_person(self, person: DirectoryPerson, default_role: str = "editor") -> Principal:
        """Create or update the account of a person the directory has just accepted.

        Name, e-mail, department, title, phone and groups come from the directory; local groups (defined at
        /admin/groups) that an admin gave the account stay. A name held by a local account (one with a
        password) is never taken over by the directory, and a disabled account stays disabled."""
        username = validate_username(person.username)
        try:
            return self._sync(username, person, default_role)
        except IntegrityError:  # the same person's first sign-in in two requests at once: the other one won
            return self._sync(username, person, default_role)

    def _sync(self, username: str, person: DirectoryPerson, default_role: str) -> Principal:
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is not None and (user.password_hash or not user.active):
                raise Unauthorized("The user name or password is wrong.")
            local = set(session.scalars(select(LocalGroup.name)).all())
            if user is None:
                user = User(username=username, name="", email="", password_hash=None, groups=[], is_admin=False,
                            created_at=now())
                session.add(user)
                session.flush()
                profile = AccountProfile(user_id=user.id, role=validate_role(default_role), source="ldap")
                session.add(profile)
            else:
                profile = session.get(AccountProfile, user.id)
                if profile is None:
                    profile = AccountProfile(user_id=user.id, role=default_role, source="ldap")
                    session.add(profile)
            user.name = _clip(person.name, 200) or username
            user.email = _clip(person.email, 320)
            user.department = _clip(person.department, 200)
            kept = {g for g in (user.groups or []) if g in local}
            user.groups = sorted(kept | {_clip(g, 200) for g in person.groups if _clip(g, 200)})
            profile.source, profile.title, profile.phone = "ldap", _clip(person.title, 200), _clip(person.phone, 64)
            profile.department_id = _clip(person.department_id, 200)
            session.flush()
            return principal_of(user, profile)

    def mark_signed_in(self, user_id: int) -> None:
        with self.db.session() as session:
            profile = session.get(AccountProfile, user_id)
            if profile is None:
                profile = AccountProfile(user_id=user_id, role="editor", source="local")
                session.add(profile)
            profile.last_sign_in_at = now()

    # -- accounts for admins and profiles ---------------------------------------------------------------------
    def account(self, username: str) -> AccountInfo | None:
        """Any account, active or not (admin screens, profiles)."""
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
            return _account_info(user, session.get(AccountProfile, user.id)) if user else None

    def accounts_by_username(self, usernames: list[str]) -> list[AccountInfo]:
        if not usernames:
            return []
        with self.db.session() as session:
            users = session.scalars(select(User).where(User.username.in_(usernames[:1000]))).all()
            return [_account_info(u, session.get(AccountProfile, u.id)) for u in users]

    def list_accounts(self, query: str = "", limit: int = 50, after: str | None = None,
                      group: str | None = None) -> tuple[list[AccountInfo], str | None]:
        """Accounts by user name; `query` matches user name, name, e-mail or department; `after` pages."""
        needle = unicodedata.normalize("NFC", query or "").strip().lower()
        stmt = select(User).order_by(User.username)
        if after:
            stmt = stmt.where(User.username > after)
        if needle:
            like = f"%{_escape_like(needle)}%"
            stmt = stmt.where(or_(*(func.lower(column).like(like, escape="\\")
                                    for column in (User.username, User.name, User.email, User.department))))
        items: list[AccountInfo] = []
        with self.db.session() as session:
            for user in session.scalars(stmt.limit(limit + 1 if group is None else 100_000)):
                if group is not None and group not in (user.groups or []):
                    continue
                items.append(_account_info(user, session.get(AccountProfile, user.id)))
                if len(items) > limit:
                    break
        more = len(items) > limit
        items = items[:limit]
        return items, (items[-1].username if more else None)

    def update(self, username: str, *, groups: list[str] | None = None, role: str | None = None,
               active: bool | None = None, name: str | None = None, email: str | None = None,
               department: str | None = None) -> tuple[AccountInfo, dict]:
        """Change an account (admins); returns it and what changed (for the audit log). Disabling an account
        or changing its role or groups ends its sessions at once."""
        if role is not None:
            validate_role(role)
        if groups is not None:
            groups = validate_groups(groups)
        if active is not None and not isinstance(active, bool):
            raise InvalidInput("'active' must be true or false.")
        for label, value, limit in (("name", name, 200), ("email", email, 320), ("department", department, 200)):
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                raise InvalidInput(f"The {label} must be text of at most {limit} characters.")
        changed: dict = {}
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
            if user is None:
                raise NotFound(f"There is no account '{username}'.")
            profile = session.get(AccountProfile, user.id)
            if profile is None:
                profile = AccountProfile(user_id=user.id, role="admin" if user.is_admin else "editor",
                                         source="local" if user.password_hash else "ldap")
                session.add(profile)
            current_role = "admin" if user.is_admin else profile.role
            if role is not None and role != current_role:
                changed["role"] = [current_role, role]
                user.is_admin = role == "admin"
                profile.role = role
            if groups is not None and groups != sorted(user.groups or []):
                changed["groups"] = [sorted(user.groups or []), groups]
                user.groups = groups
            if active is not None and active != user.active:
                changed["active"] = [user.active, active]
                user.active = active
            for attribute, value in (("name", name), ("email", email), ("department", department)):
                if value is not None and value.strip() != getattr(user, attribute):
                    changed[attribute] = [getattr(user, attribute), value.strip()]
                    setattr(user, attribute, value.strip() or (user.username if attribute == "name" else ""))
            if {"role", "groups", "active"} & set(changed):
                user.session_version += 1
            session.flush()
            return _account_info(user, profile), changed

    # -- local groups -----------------------------------------------------------------------------------------
    def groups(self) -> list[GroupInfo]:
        """Local groups and every group some account has (directory groups included), with member counts."""
        counts: dict[str, int] = {}
        with self.db.session() as session:
            for groups in session.scalars(select(User.groups).where(User.active.is_(True))):
                for group in groups or []:
                    counts[group] = counts.get(group, 0) + 1
            local = {g.name: g for g in session.scalars(select(LocalGroup))}
        names = sorted(set(counts) | set(local))
        return [GroupInfo(n, local[n].title if n in local else "", local[n].description if n in local else "",
                          n in local, counts.get(n, 0)) for n in names]

    def group(self, name: str) -> GroupInfo | None:
        return next((g for g in self.groups() if g.name == name), None)

    def create_group(self, name: str, title: str = "", description: str = "") -> GroupInfo:
        name = validate_group_name(name)
        with self.db.session() as session:
            if session.get(LocalGroup, name) is not None:
                raise AlreadyExists(f"The group '{name}' already exists.")
            session.add(LocalGroup(name=name, title=_clip(title, 200), description=(description or "")[:2000],
                                   created_at=now()))
        return GroupInfo(name, _clip(title, 200), (description or "")[:2000], True, 0)

    def delete_group(self, name: str) -> int:
        """Remove a local group and its memberships; the number of accounts that lost it."""
        with self.db.session() as session:
            group = session.get(LocalGroup, name)
            if group is None:
                raise NotFound(f"There is no local group '{name}'.")
            session.delete(group)
            touched = 0
            for user in session.scalars(select(User)):
                if name in (user.groups or []):
                    user.groups = [g for g in user.groups if g != name]
                    user.session_version += 1
                    touched += 1
            return touched

    def set_member(self, group: str, username: str, member: bool) -> bool:
        """Add or remove one account from a group; True when something changed."""
        info = self.account(username)
        if info is None:
            raise NotFound(f"There is no account '{username}'.")
        groups = set(info.groups)
        new = groups | {group} if member else groups - {group}
        if new == groups:
            return False
        self.update(info.username, groups=sorted(new))
        return True


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _account_info(user: User, profile: AccountProfile | None) -> AccountInfo:
    role = "admin" if user.is_admin else (profile.role if profile else "editor")
    source = profile.source if profile else ("local" if user.password_hash else "ldap")
    return AccountInfo(user.id, user.username, user.name, user.email, user.department or "",
                       profile.department_id if profile else "", profile.title if profile else "",
                       profile.phone if profile else "", sorted(user.groups or []), role, source, bool(user.active),
                       user.created_at, profile.last_sign_in_at if profile else None)


def _token_info(row: ApiToken, last_used: datetime | None) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.created_at, row.expires_at, last_used, row.revoked_at)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
