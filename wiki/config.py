"""Configuration in one place: every setting has a default that works on a fresh machine."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value else default


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 5000
    content_repo: Path = ROOT / "content_repo"
    search_index: Path = ROOT / "search_index"
    instance_dir: Path = ROOT / "instance"
    database_url: str = ""
    redis_url: str = ""
    admin_password: str = field(default="", repr=False)
    branch: str = "main"
    theme: str = "default"
    secret_key: str = field(default="", repr=False)
    max_page_bytes: int = 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    max_message_chars: int = 500
    token_days: int = 30
    session_hours: int = 12  # a session unused this long ends (the signed cookie's age, refreshed on use)
    session_absolute_hours: int = 24  # and any session ends this long after signing in, used or not
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    secure_cookies: bool = False
    # reverse proxies in front of Madang whose X-Forwarded-For/-Proto/-Host are trusted (0: none, the default).
    # Without it behind a proxy every sign-in comes from the proxy's address and one address lock stops everyone.
    trusted_proxies: int = 0
    # LDAP: sign-in against the staff directory, and the org chart from it. Secrets come only from the
    # environment (never the content repository) and are kept out of repr() and so out of logs.
    ldap_url: str = ""
    ldap_user_base: str = ""
    ldap_group_base: str = ""
    ldap_department_base: str = ""
    ldap_bind_dn: str = ""
    ldap_bind_password: str = field(default="", repr=False)
    ldap_user_filter: str = ""
    ldap_timeout: int = 5
    ldap_orgchart_minutes: int = 5  # how long the directory's org chart is cached
    ldap_default_role: str = "editor"  # role of an account made by a first directory sign-in
    # sign-in throttling: failures per account and per address within the window, then a lockout
    signin_window_minutes: int = 15
    signin_account_limit: int = 5
    signin_address_limit: int = 20
    signin_lockout_minutes: int = 15
    signin_delay_per_failure: float = 0.25
    testing: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.content_repo = Path(self.content_repo)
        self.search_index = Path(self.search_index)
        self.instance_dir = Path(self.instance_dir)
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_dir / 'madang.sqlite3'}"
        if self.ldap_default_role not in ("admin", "editor", "reader"):
            raise ValueError("MADANG_LDAP_DEFAULT_ROLE must be admin, editor or reader.")

    @classmethod
    def from_env(cls, **overrides: object) -> Config:
        """Read MADANG_* variables (API.md, 'Running'); keyword overrides win."""
        values: dict = {
            "host": _env("MADANG_HOST", cls.host),
            "port": int(_env("MADANG_PORT", str(cls.port))),
            "content_repo": Path(_env("MADANG_CONTENT_REPO", str(cls.content_repo))),
            "search_index": Path(_env("MADANG_SEARCH_INDEX", str(cls.search_index))),
            "instance_dir": Path(_env("MADANG_INSTANCE_DIR", str(cls.instance_dir))),
            "database_url": _env("MADANG_DATABASE_URL", ""),
            "redis_url": _env("MADANG_REDIS_URL", ""),
            "admin_password": _env("MADANG_ADMIN_PASSWORD", ""),
            "secret_key": _env("MADANG_SECRET_KEY", ""),
            "secure_cookies": _env("MADANG_SECURE_COOKIES", "") in ("1", "true", "yes"),
            "trusted_proxies": int(_env("MADANG_TRUSTED_PROXIES", "0")),
            "session_hours": int(_env("MADANG_SESSION_HOURS", str(cls.session_hours))),
            "session_absolute_hours": int(_env("MADANG_SESSION_ABSOLUTE_HOURS", str(cls.session_absolute_hours))),
            "ldap_url": _env("MADANG_LDAP_URL", ""),
            "ldap_user_base": _env("MADANG_LDAP_USER_BASE", ""),
            "ldap_group_base": _env("MADANG_LDAP_GROUP_BASE", ""),
            "ldap_department_base": _env("MADANG_LDAP_DEPARTMENT_BASE", ""),
            "ldap_bind_dn": _env("MADANG_LDAP_BIND_DN", ""),
            "ldap_bind_password": _env("MADANG_LDAP_BIND_PASSWORD", ""),
            "ldap_user_filter": _env("MADANG_LDAP_USER_FILTER", ""),
            "ldap_timeout": int(_env("MADANG_LDAP_TIMEOUT", str(cls.ldap_timeout))),
            "ldap_orgchart_minutes": int(_env("MADANG_LDAP_ORGCHART_MINUTES", str(cls.ldap_orgchart_minutes))),
            "ldap_default_role": _env("MADANG_LDAP_DEFAULT_ROLE", cls.ldap_default_role),
            "signin_account_limit": int(_env("MADANG_SIGNIN_ACCOUNT_LIMIT", str(cls.signin_account_limit))),
            "signin_address_limit": int(_env("MADANG_SIGNIN_ADDRESS_LIMIT", str(cls.signin_address_limit))),
            "signin_lockout_minutes": int(_env("MADANG_SIGNIN_LOCKOUT_MINUTES", str(cls.signin_lockout_minutes))),
        }
        values.update(overrides)
        return cls(**values)

    @property
    def ldap_configured(self) -> bool:
        return bool(self.ldap_url and self.ldap_user_base)
