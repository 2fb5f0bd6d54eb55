"""@username in posts and comments: found in the text (outside code), linked to the person's profile when such a
person exists, and listed for the person named (GET /api/v1/boards/mentions)."""
from __future__ import annotations

import re

MENTION_RE = re.compile(r"(?<![\w@./\\\[])@([a-z0-9][a-z0-9._-]{0,63})")
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>!#|~])")
CODE_RE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)


def _outside_code(markdown: str) -> list[tuple[bool, str]]:
    """The text cut into (is_code, piece), so that `@admin` in code is left alone."""
    out, last = [], 0
    for match in CODE_RE.finditer(markdown):
        out += [(False, markdown[last:match.start()]), (True, match.group(0))]
        last = match.end()
    return [*out, (False, markdown[last:])]


def _name(match: re.Match) -> str:
    return match.group(1).rstrip(".-_")


def mentioned(markdown: str) -> list[str]:
    """The user names a text mentions, in order, each once."""
    found: dict[str, None] = {}
    for is_code, piece in _outside_code(markdown or ""):
        if not is_code:
            for match in MENTION_RE.finditer(piece):
                if _name(match):
                    found[_name(match)] = None
    return list(found)


def link_mentions(markdown: str, people: dict[str, str]) -> str:
    """The text with each @username of a known person (`people`: username -> name) as a link to their profile."""
    if not people:
        return markdown

    def replace(match: re.Match) -> str:
        username = _name(match)
        if username not in people:
            return match.group(0)
        tail = match.group(1)[len(username):]
        label = MARKDOWN_PUNCTUATION.sub(r"\\\1", people[username])
        return f"[@{label}](/people/{username}){tail}"

    return "".join(piece if is_code else MENTION_RE.sub(replace, piece) for is_code, piece in _outside_code(markdown))
