"""Request lines in the server's log keep their query's names but not its values: a CAS ticket, an OAuth code, a
token in a link or what someone searched for is nobody's business in a log file."""
from __future__ import annotations

import logging
import re

KEEP = frozenset({"limit", "rev", "from", "to", "type", "sort", "lang", "v", "page"})  # harmless and useful
_QUERY = re.compile(r"\?([^\s\"]*)")


def redact_query(text: str) -> str:
    """`GET /cas/serviceValidate?ticket=ST-abc&service=x HTTP/1.1` → `...?ticket=…&service=… HTTP/1.1`."""

    def one(match: re.Match) -> str:
        parts = []
        for pair in match.group(1).split("&"):
            name, sep, _value = pair.partition("=")
            parts.append(pair if not sep or name.lower() in KEEP else f"{name}=…")
        return "?" + "&".join(parts)

    return _QUERY.sub(one, text)


class RedactQueries(logging.Filter):
    """For the `werkzeug` logger, which writes each request line of `python app.py`'s server."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact_query(arg) if isinstance(arg, str) and "?" in arg else arg
                                for arg in record.args)
        elif isinstance(record.msg, str) and "?" in record.msg and not record.args:
            record.msg = redact_query(record.msg)
        return True


def install() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueries) for f in logger.filters):
        logger.addFilter(RedactQueries())
