"""Sign-in throttling: repeated failures per account and per address are slowed, then refused for a while.

Counts live in the state database so every worker process sees the same numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .db import Database
from .errors import RateLimited
from .models import SignInFailure


@dataclass
class ThrottlePolicy:
    window: timedelta = timedelta(minutes=15)
    account_limit: int = 5
    address_limit: int = 20
    lockout: timedelta = timedelta(minutes=15)
    delay_per_failure: float = 0.25
    max_delay: float = 2.0

    @classmethod
    def from_config(cls, config) -> ThrottlePolicy:
        return cls(window=timedelta(minutes=config.signin_window_minutes),
                   account_limit=config.signin_account_limit, address_limit=config.signin_address_limit,
                   lockout=timedelta(minutes=config.signin_lockout_minutes),
                   delay_per_failure=config.signin_delay_per_failure)


class SignInThrottle:
    def __init__(self, db: Database, policy: ThrottlePolicy | None = None) -> None:
        self.db = db
        self.policy = policy or ThrottlePolicy()

    def keys(self, username: str, address: str) -> list[str]:
        return [f"user:{(username or '').strip().lower()[:200]}", f"ip:{address or '-'}"]

    def check(self, username: str, address: str, now: datetime | None = None) -> float:
        """Raise RateLimited while locked; otherwise the delay (seconds) to wait before checking the password."""
        now = now or datetime.now(timezone.utc)
        failures = 0
        with self.db.session() as session:
            for key in self.keys(username, address):
                row = session.get(SignInFailure, key)
                if row is None:
                    continue
                if row.locked_until and row.locked_until > now:
                    minutes = max(1, math.ceil((row.locked_until - now).total_seconds() / 60))
                    raise RateLimited(f"Too many failed sign-ins. Try again in {minutes} minute(s).",
                                      retry_after=int((row.locked_until - now).total_seconds()) + 1)
                if now - row.window_start <= self.policy.window:
                    failures = max(failures, row.count)
        return min(self.policy.max_delay, max(0, failures - 1) * self.policy.delay_per_failure)

    def failed(self, username: str, address: str, now: datetime | None = None) -> list[str]:
        """Count a failure; the keys ('user:NAME', 'ip:ADDRESS') that this failure has just locked."""
        now = now or datetime.now(timezone.utc)
        locked: list[str] = []
        limits = (self.policy.account_limit, self.policy.address_limit)
        with self.db.session() as session:
            for key, limit in zip(self.keys(username, address), limits, strict=True):
                row = session.get(SignInFailure, key)
                if row is None or now - row.window_start > self.policy.window:
                    if row is None:
                        row = SignInFailure(key=key, count=0, window_start=now)
                        session.add(row)
                    row.count, row.window_start, row.locked_until = 0, now, None
                row.count += 1
                if row.count >= limit:
                    if row.locked_until is None or row.locked_until <= now:
                        locked.append(key)
                    row.locked_until = now + self.policy.lockout
        return locked

    def succeeded(self, username: str) -> None:
        """A correct password clears the account's count (not the address's)."""
        with self.db.session() as session:
            row = session.get(SignInFailure, self.keys(username, "")[0])
            if row is not None:
                session.delete(row)
