"""Signing in, in one place: the sign-in form (/login) and the token exchange (POST /api/v1/auth/token) both call
`SignIn.sign_in(username, password, address)`.

Order: the throttle first (a locked account or address is refused before any password is checked, and repeated
failures are slowed); then the local account (so the local admin signs in while the directory is down); then,
when LDAP is configured and the name is not a local account's, the directory: bind as the person, and create or
update their account from the directory's attributes (no password hash is stored). Every outcome is audited with
the user name and address, never the password.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from .audit import AuditLog
from .auth import Accounts, Principal, validate_username
from .directory import DirectoryUnavailable, LdapDirectory
from .errors import InvalidInput, Unauthorized
from .throttle import SignInThrottle

MAX_USERNAME, MAX_PASSWORD = 200, 1024
WRONG = "The user name or password is wrong."


class SignIn:
    def __init__(self, accounts: Accounts, throttle: SignInThrottle, audit: AuditLog,
                 directory: LdapDirectory | None = None, default_role: str = "editor",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.accounts, self.throttle, self.audit = accounts, throttle, audit
        self.directory = directory
        self.default_role = default_role
        self.sleep = sleep

    def sign_in(self, username: str, password: str, address: str) -> Principal:
        """The person, or Unauthorized (wrong name or password), RateLimited (locked for a while, with
        retry_after), DirectoryUnavailable (LDAP down and the name is not a local account's), InvalidInput
        (fields too long)."""
        username, password, address = username or "", password or "", (address or "")[:64]
        if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
            raise InvalidInput(f"The user name is at most {MAX_USERNAME} characters and the password at most "
                               f"{MAX_PASSWORD}.")
        shown = audit_name(username)
        delay = self.throttle.check(username, address)  # raises RateLimited while locked
        if delay > 0:
            self.sleep(delay)
        try:
            principal, method = self._check(username, password)
        except Unauthorized:
            locked = self.throttle.failed(username, address)
            self.audit.record("sign_in_failed", "", shown, address)
            if locked:
                self.audit.record("sign_in_locked", "", shown, address, keys=locked)
            raise
        except DirectoryUnavailable as exc:
            self.audit.record("sign_in_error", "", shown, address, reason=exc.code)
            raise
        self.throttle.succeeded(username)
        self.accounts.mark_signed_in(principal.user_id)
        self.audit.record("sign_in", principal.username, principal.username, address, method=method)
        return principal

    def _check(self, username: str, password: str) -> tuple[Principal, str]:
        try:
            return self.accounts.authenticate(username, password), "local"
        except Unauthorized:
            if self.directory is None or not password or self.accounts.source_of(username) == "local":
                raise
        try:
            name = validate_username(username)
        except InvalidInput as exc:  # nothing outside [a-z0-9._-] ever reaches the directory's filters
            raise Unauthorized(WRONG) from exc
        person = self.directory.authenticate(name, password)
        return self.accounts.sync_directory_person(person, self.default_role), "ldap"


def audit_name(username: str) -> str:
    """The user name as the audit log keeps it: as typed when it could be a user name; otherwise (a password
    typed into the name field, an injection attempt) only that it was not one."""
    try:
        return validate_username(username)
    except InvalidInput:
        return f"(invalid user name, {len(username)} characters)"
