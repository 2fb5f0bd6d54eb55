"""The privacy-officer role: who may read the report (with its CSV export) and withhold revisions.

A plugin setting lists principals (`group:privacy-officers`, `user:kim`, `role:editor`), comma- or space-separated;
administrators always may. Everyone else gets 403 (signed in) or 401 (anonymous) on those routes; the policy and
the allow-list stay the administrators' alone.
"""
from __future__ import annotations

import re

from wiki.api import Forbidden, Principal, Unauthorized, current_user, plugin_settings

from . import NAME

PRINCIPAL = r"(?:group|user|role):[^\s,]+"
SETTING_PATTERN = rf"^[\s,]*(?:{PRINCIPAL}[\s,]*)*$"


def officers(setting: str | None = None) -> frozenset[str]:
    """The principals the setting names (malformed words are left out: they can never match anyone)."""
    text = plugin_settings(NAME).get("officers", "") if setting is None else setting
    return frozenset(word for word in re.split(r"[\s,]+", text or "") if re.fullmatch(PRINCIPAL, word))


def is_officer(who: Principal | None) -> bool:
    """Admins, and anyone one of whose principals (user, groups, role) the setting names."""
    if who is None:
        return False
    return who.is_admin or bool(who.principals & officers())


def require_officer() -> Principal:
    """The person asking when a privacy officer (or an admin); otherwise Unauthorized or Forbidden."""
    who = current_user()
    if who is None:
        raise Unauthorized("Sign in as a privacy officer. 개인정보 담당자로 로그인하세요.")
    if not is_officer(who):
        raise Forbidden("Only privacy officers and administrators may do this. "
                        "개인정보 담당자와 관리자만 할 수 있습니다.")
    return who
