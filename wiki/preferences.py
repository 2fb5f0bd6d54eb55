"""A person's preferences (state database): interface language, time zone, editor options.

Read on every signed-in request that shows words (the language), so a read is one primary-key look-up; a person
who never saved any gets the defaults without a row being written.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .db import Database
from .errors import InvalidInput
from .models import UserPreference

LANGUAGES = ("ko", "en")
DEFAULT_TIMEZONE = "Asia/Seoul"
# the zones offered first in the settings form; any IANA zone is accepted
COMMON_TIMEZONES = ("Asia/Seoul", "UTC", "Asia/Tokyo", "Asia/Shanghai", "Asia/Singapore", "Europe/London",
                    "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Australia/Sydney")


@dataclass(frozen=True)
class UserPreferences:
    language: str = ""  # "" follows the browser
    timezone: str = DEFAULT_TIMEZONE
    editor_preview: bool = True

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIMEZONE)

    def to_json(self) -> dict:
        return {"language": self.language, "timezone": self.timezone, "editor_preview": self.editor_preview}


DEFAULTS = UserPreferences()


def validate(language: object = None, timezone: object = None, editor_preview: object = None) -> dict:
    """The given fields, checked; None means 'leave as it is'."""
    values: dict = {}
    if language is not None:
        if language not in ("", *LANGUAGES):
            raise InvalidInput("'language' must be 'ko', 'en' or '' (follow the browser).")
        values["language"] = language
    if timezone is not None:
        if not isinstance(timezone, str) or timezone not in _zones():
            raise InvalidInput("'timezone' must be an IANA time zone such as 'Asia/Seoul'.")
        values["timezone"] = timezone
    if editor_preview is not None:
        if not isinstance(editor_preview, bool):
            raise InvalidInput("'editor_preview' must be true or false.")
        values["editor_preview"] = editor_preview
    return values


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones()) | {"UTC"}
    return _ZONES


def timezone_choices() -> list[str]:
    rest = sorted(z for z in _zones() if "/" in z and z not in COMMON_TIMEZONES and not z.startswith("Etc/"))
    return [*COMMON_TIMEZONES, *rest]


class Preferences:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, user_id: int | None) -> UserPreferences:
        if user_id is None:
            return DEFAULTS
        with self.db.session() as session:
            row = session.get(UserPreference, user_id)
            if row is None:
                return DEFAULTS
            return UserPreferences(row.language or "", row.timezone or DEFAULT_TIMEZONE, bool(row.editor_preview))

    def update(self, user_id: int, **changes: object) -> UserPreferences:
        values = validate(**changes)
        with self.db.session() as session:
            row = session.get(UserPreference, user_id)
            if row is None:
                row = UserPreference(user_id=user_id, language="", timezone=DEFAULT_TIMEZONE, editor_preview=True,
                                     updated_at=datetime.now(UTC))
                session.add(row)
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = datetime.now(UTC)
            return UserPreferences(row.language or "", row.timezone, bool(row.editor_preview))
