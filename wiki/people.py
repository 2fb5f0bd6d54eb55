"""People: a colleague's profile and search, from the org chart and the accounts together, and their recent edits.

A person may be in the org chart (the directory's, or `site/orgchart.json`), have an account, or both; the
profile joins them by user name. Their recent edits come from the `commits` view by author e-mail, each commit
showing only the files the viewer may read (as /changes does), so a profile never reveals a restricted page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from .acl import Permissions
from .auth import AccountInfo, Accounts, Principal
from .db import Database
from .models import CommitRow
from .orgchart import OrgChart, Person

EDIT_SCAN = 500  # commits by the person read at most to fill a profile's list


@dataclass
class Profile:
    username: str
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""
    department_id: str = ""
    department_path: list[dict] = field(default_factory=list)  # [{id, name}], outermost first
    department_text: str = ""  # as the account or directory names it, when the chart does not know it
    groups: list[str] = field(default_factory=list)
    role: str = ""
    source: str = ""  # "local" | "ldap" | "" (in the chart only)
    in_chart: bool = False

    @property
    def department(self) -> str:
        return " > ".join(d["name"] for d in self.department_path) or self.department_text

    def to_json(self, with_role: bool = False) -> dict:
        data = {"username": self.username, "name": self.name, "title": self.title, "email": self.email,
                "phone": self.phone, "department": self.department_path[-1]["name"] if self.department_path
                else self.department_text, "department_id": self.department_id,
                "department_path": [d["name"] for d in self.department_path], "groups": list(self.groups)}
        if with_role:
            data["role"] = self.role
        return data


def profile(chart: OrgChart, accounts: Accounts, username: str) -> Profile | None:
    name = (username or "").strip()
    person = chart.by_username.get(name)
    account = accounts.account(name)
    if account is not None and not account.active:
        account = None
    if person is None and account is None:
        return None
    return _join(chart, person, account)


def search(chart: OrgChart, accounts: Accounts, query: str, limit: int = 50) -> list[Profile]:
    """People whose name, title, user name or department matches: the chart's first, then accounts the chart
    does not list (local accounts while the chart is still the skeleton)."""
    if not (query or "").strip():
        return []
    results = profiles_of(chart, accounts, chart.search(query, limit))
    seen = {p.username for p in results}
    if len(results) < limit:
        extra, _ = accounts.list_accounts(query, limit=limit)
        results += [_join(chart, chart.by_username.get(a.username), a) for a in extra
                    if a.active and a.username not in seen]
    return results[:limit]


def profiles_of(chart: OrgChart, accounts: Accounts, persons: list[Person]) -> list[Profile]:
    """Chart entries as profiles, with what their accounts add (groups, a directory department)."""
    by_account = {a.username: a for a in accounts.accounts_by_username([p.username for p in persons])}
    return [_join(chart, person, by_account.get(person.username)) for person in persons]


def _join(chart: OrgChart, person: Person | None, account: AccountInfo | None) -> Profile:
    department_id = (account.department_id if account and account.department_id else "") or \
        (person.department if person else "")
    path = [{"id": d.id, "name": d.name} for d in chart.ancestors(department_id)] if department_id else []
    return Profile(
        username=person.username if person else account.username,
        name=(person.name if person else "") or (account.name if account else ""),
        title=(person.title if person else "") or (account.title if account else ""),
        email=(person.email if person else "") or (account.email if account else ""),
        phone=(person.phone if person else "") or (account.phone if account else ""),
        department_id=department_id, department_path=path,
        department_text=(account.department if account else "") or department_id,
        groups=list(account.groups) if account else [], role=account.role if account else "",
        source=account.source if account else "", in_chart=person is not None)


@dataclass
class Edit:
    revision: str
    date: datetime
    message: str
    paths: list[str]


def recent_edits(db: Database, acl: Permissions, viewer: Principal | None, email: str,
                 limit: int = 20) -> list[Edit]:
    """The person's newest commits (by author e-mail) with only the files the viewer may read; commits with
    none left are skipped and a commit that also touched unreadable files keeps its message to itself, exactly
    as in /changes (messages name paths)."""
    if not email:
        return []
    edits: list[Edit] = []
    with db.session() as session:
        rows = session.scalars(select(CommitRow).where(CommitRow.author_email == email)
                               .order_by(CommitRow.seq.desc()).limit(EDIT_SCAN)).all()
    for row in rows:
        visible = [p for p in row.paths if acl.can_file(viewer, "read", p)]
        if visible:
            partial = len(visible) < len(row.paths)
            edits.append(Edit(row.revision, row.date, "" if partial else row.message, visible))
            if len(edits) >= limit:
                break
    return edits
