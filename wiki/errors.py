"""Errors with a meaning. The core raises these; one handler in the web layer maps them to HTTP."""
from __future__ import annotations


class MadangError(Exception):
    """Base of every error Madang turns into an HTTP answer."""

    status = 400
    code = "invalid_input"

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message, **self.extra}


class InvalidInput(MadangError):
    status, code = 400, "invalid_input"


class InvalidPath(MadangError):
    status, code = 400, "invalid_path"


class NotFound(MadangError):
    status, code = 404, "not_found"


class PageNotFound(NotFound):
    pass


class RevisionNotFound(NotFound):
    pass


class Unauthorized(MadangError):
    status, code = 401, "unauthorized"


class Forbidden(MadangError):
    status, code = 403, "forbidden"


class EditConflict(MadangError):
    """Overlapping edits: carries the three texts so the person's own text is never lost."""

    status, code = 409, "edit_conflict"

    def __init__(self, path: str, base: str, theirs: str, yours: str, theirs_revision: str = "") -> None:
        super().__init__(
            f"'{path}' was changed by someone else in the same place; "
            "compare both versions and save again.",
            path=path, base=base, theirs=theirs, yours=yours, theirs_revision=theirs_revision,
        )
        self.path, self.base, self.theirs, self.yours = path, base, theirs, yours
        self.theirs_revision = theirs_revision


class AlreadyExists(MadangError):
    status, code = 409, "already_exists"


class TooLarge(MadangError):
    status, code = 413, "too_large"


class UnsupportedType(MadangError):
    status, code = 415, "unsupported_type"


class RateLimited(MadangError):
    status, code = 429, "rate_limited"


class StoreBusy(MadangError):
    """The content repository stayed locked by other writers for too long."""

    status, code = 503, "busy"


class PluginError(MadangError):
    """A plugin failed inside a hook: names the plugin and the hook so admins know what to disable."""

    status, code = 500, "plugin_error"

    def __init__(self, plugin: str, hook: str, message: str) -> None:
        super().__init__(f"The plugin '{plugin}' failed in {hook}: {message}", plugin=plugin, hook=hook)
        self.plugin, self.hook = plugin, hook
