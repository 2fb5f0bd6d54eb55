"""Co-authors in commit messages, written and read as `Co-authored-by: Name <email>` trailers — the convention
git hosts show — so a page written together names everyone in plain git, not only in Madang."""
from __future__ import annotations

import re
from collections.abc import Iterable

from .store import Author

TRAILER = "Co-authored-by"
_LINE = re.compile(rf"^{TRAILER}:\s*(?P<name>[^<>\n]*?)\s*<(?P<email>[^<>\s]+)>\s*$", re.I | re.M)
_UNSAFE = re.compile(r"[<>\r\n\x00-\x1f\x7f]")


def coauthors_in(message: str | None) -> list[Author]:
    """Everyone a message names as co-author, in order, each once (by e-mail)."""
    seen: dict[str, Author] = {}
    for match in _LINE.finditer(message or ""):
        email = match["email"]
        seen.setdefault(email.lower(), Author(match["name"] or email, email))
    return list(seen.values())


def with_coauthors(message: str, author: Author, coauthors: Iterable[Author]) -> str:
    """The message with a trailer block for each co-author who is not the author and not named already."""
    named = {a.email.lower() for a in coauthors_in(message)} | {author.email.lower()}
    lines = []
    for person in coauthors:
        name, email = _UNSAFE.sub("", person.name).strip(), _UNSAFE.sub("", person.email).strip()
        if email and email.lower() not in named:
            named.add(email.lower())
            lines.append(f"{TRAILER}: {name or email} <{email}>")
    if not lines:
        return message
    return message.rstrip("\n") + "\n\n" + "\n".join(lines)


def summary_of(message: str | None) -> str:
    """The message without its co-author trailers (what a history line shows beside the names)."""
    return _LINE.sub("", message or "").rstrip()
