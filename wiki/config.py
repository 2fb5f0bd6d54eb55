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
    admin_password: str = ""
    branch: str = "main"
    theme: str = "default"
    secret_key: str = ""
    max_page_bytes: int = 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    max_message_chars: int = 500
    token_days: int = 30
    session_hours: int = 12
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    secure_cookies: bool = False
    testing: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.content_repo = Path(self.content_repo)
        self.search_index = Path(self.search_index)
        self.instance_dir = Path(self.instance_dir)
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_dir / 'madang.sqlite3'}"

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
        }
        values.update(overrides)
        return cls(**values)
