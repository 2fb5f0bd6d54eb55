"""One permission function for every question: may this person do this to this thing.

Rules live in the content repository (`site/acl.json`, versioned): a site default and rules by page-path prefix,
the longest matching prefix winning. Principals: anonymous, staff (anyone signed in), group:NAME, user:NAME,
role:admin / role:editor / role:reader. Admins may do everything; a reader never edits or administers, even where
a rule lets staff do it.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from .auth import Principal
from .errors import InvalidInput
from .paths import attachment_from_file, page_from_file
from .store import ContentStore

ACL_FILE = "site/acl.json"
ACTIONS = ("read", "edit", "admin")
DEFAULT_RULES: dict = {"default": {"read": ["anonymous"], "edit": ["staff"], "admin": []}, "rules": []}
PRINCIPAL = re.compile(r"^(anonymous|staff|role:(admin|editor|reader)|(group|user):[^\s,:][^,:]{0,199})$")


@dataclass(frozen=True)
class Rule:
    prefix: str
    read: frozenset[str]
    edit: frozenset[str]
    admin: frozenset[str]


class Permissions:
    def __init__(self, store: ContentStore) -> None:
        self.store = store
        self._cache: tuple[str | None, str | None, Rule, dict[str, Rule]] | None = None

    def _rules(self) -> tuple[Rule, dict[str, Rule]]:
        """The parsed rules, re-read only when the branch head moved and the rules file's blob changed."""
        head = self.store.head()
        cached = self._cache
        if cached is not None and cached[0] == head:
            return cached[2], cached[3]
        blob = self.store.blob_id(head, ACL_FILE)
        if cached is not None and cached[1] == blob:
            self._cache = (head, blob, cached[2], cached[3])
            return cached[2], cached[3]
        data = json.loads(self.store.read_blob(blob)) if blob else DEFAULT_RULES
        default, rules = parse_rules(data)
        self._cache = (head, blob, default, {rule.prefix: rule for rule in rules})
        return self._cache[2], self._cache[3]

    def rule_for(self, page_path: str) -> Rule:
        """The rule of the longest prefix that is the page or one of its folders: one dictionary look-up per
        level of the path, however many rules there are (prefixes always end at a '/')."""
        default, by_prefix = self._rules()
        parts = page_path.split("/")
        for depth in range(len(parts), 0, -1):
            rule = by_prefix.get("/".join(parts[:depth]) + "/")
            if rule is not None:
                return rule
        return default

    def can(self, who: Principal | None, action: str, page_path: str) -> bool:
        """The one check: every read and write path asks it."""
        if who is not None and who.is_admin:
            return True
        if action != "read" and who is not None and not who.may_edit:
            return False
        rule = self.rule_for(page_path)
        allowed = getattr(rule, action)
        principals = who.principals if who is not None else {"anonymous"}
        if action == "edit" and not self.can(who, "read", page_path):
            return False
        return bool(allowed & principals)

    def can_file(self, who: Principal | None, action: str, file_path: str) -> bool:
        """Permission on a repository file: pages and attachments follow their page; the rest is admin-only."""
        page = page_from_file(file_path)
        if page is None:
            attachment = attachment_from_file(file_path)
            page = attachment[0] if attachment else None
        if page is None:
            return who is not None and who.is_admin
        return self.can(who, action, page)

    def document(self) -> dict:
        blob = self.store.blob_id(None, ACL_FILE)
        return json.loads(self.store.read_blob(blob)) if blob else DEFAULT_RULES


def parse_rules(data: dict) -> tuple[Rule, list[Rule]]:
    """Validate a rules document; InvalidInput says what is wrong."""
    if not isinstance(data, dict):
        raise InvalidInput("The rules must be an object with 'default' and 'rules'.")
    default = _rule("", data.get("default") or {})
    items = data.get("rules") or []
    if not isinstance(items, list):
        raise InvalidInput("'rules' must be a list.")
    rules = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("prefix"), str):
            raise InvalidInput("Every rule needs a non-empty 'prefix'.")
        # page paths are NFC: a prefix typed on a system that sends NFD (macOS) must still match them
        prefix = unicodedata.normalize("NFC", item["prefix"]).strip().strip("/").strip()
        if not prefix:
            raise InvalidInput("Every rule needs a non-empty 'prefix'.")
        rules.append(_rule(prefix + "/", item))
    rules.sort(key=lambda r: len(r.prefix), reverse=True)
    return default, rules


def _rule(prefix: str, item: dict) -> Rule:
    values = {}
    for action in ACTIONS:
        principals = item.get(action, [])
        if not isinstance(principals, list) or not all(isinstance(p, str) for p in principals):
            raise InvalidInput(f"'{action}' must be a list of principals such as 'staff' or 'group:hr'.")
        values[action] = frozenset(principals)
    return Rule(prefix, values["read"], values["edit"], values["admin"])


def validate_rules(data: object) -> dict:
    """What an admin saves (API and /admin/acl): parse_rules' checks, and every principal spelled as one of
    the known kinds, so a typo ('stafff', 'group hr') is refused instead of silently matching nobody.
    Returns the document to store."""
    if not isinstance(data, dict):
        raise InvalidInput("The rules must be an object with 'default' and 'rules'.")
    parse_rules(data)
    for item in [data.get("default") or {}, *(data.get("rules") or [])]:
        for action in ACTIONS:
            for principal in item.get(action, []):
                if not PRINCIPAL.match(unicodedata.normalize("NFC", principal)):
                    raise InvalidInput(f"'{principal[:80]}' is not a principal: use anonymous, staff, group:NAME, "
                                       "user:NAME or role:admin / role:editor / role:reader.")
    default = {a: list((data.get("default") or {}).get(a, [])) for a in ACTIONS}
    rules = []
    for item in data.get("rules") or []:
        rule = {"prefix": unicodedata.normalize("NFC", item["prefix"]).strip().strip("/").strip() + "/"}
        rule.update({a: list(item.get(a, [])) for a in ACTIONS})
        rules.append(rule)
    return {"default": default, "rules": rules}


def principals_text(values: list[str]) -> str:
    """Principals as the admin table shows them: comma-separated."""
    return ", ".join(values)


def parse_principals(text: str) -> list[str]:
    """'staff, group:hr' (commas or new lines) as a list; spaces inside a name are kept."""
    parts = [unicodedata.normalize("NFC", p).strip() for p in re.split(r"[,\n]", text or "")]
    return [p for p in parts if p]
