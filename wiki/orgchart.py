"""The org chart: departments as a tree, each with its people.

Two sources behind one shape: the organisation's LDAP directory when it is configured, otherwise
`site/orgchart.json` in the content repository, which admins edit (versioned: every change says who made it).
Until an admin saves one, the chart is a skeleton of the city hall and the 25 district offices.
"""
from __future__ import annotations

import json
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import InvalidInput
from .store import ContentStore

if TYPE_CHECKING:
    from .directory import LdapDirectory

ORGCHART_FILE = "site/orgchart.json"
DISTRICTS = ("종로구", "중구", "용산구", "성동구", "광진구", "동대문구", "중랑구", "성북구", "강북구", "도봉구",
             "노원구", "은평구", "서대문구", "마포구", "양천구", "강서구", "구로구", "금천구", "영등포구", "동작구",
             "관악구", "서초구", "강남구", "송파구", "강동구")
BUREAUS = ("기획조정실", "행정국", "재무국", "도시계획국", "복지정책실", "디지털정책관")
PERSON_FIELDS = ("username", "name", "title", "department", "phone", "email")


@dataclass
class Person:
    username: str
    name: str
    title: str = ""
    department: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Department:
    id: str
    name: str
    parent: str | None = None
    children: list[Department] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def skeleton() -> dict:
    """The chart shown before an admin saves one: city hall bureaus and the 25 district offices."""
    departments = [{"id": "seoul", "name": "서울특별시", "parent": None},
                   {"id": "cityhall", "name": "서울특별시청", "parent": "seoul"}]
    departments += [{"id": f"cityhall-{i + 1:02d}", "name": name, "parent": "cityhall"}
                    for i, name in enumerate(BUREAUS)]
    departments += [{"id": f"district-{i + 1:02d}", "name": f"{name}청", "parent": "seoul"}
                    for i, name in enumerate(DISTRICTS)]
    return {"departments": departments, "people": []}


class OrgChart:
    """A validated chart: look-ups by id and username, the tree, and search."""

    def __init__(self, data: dict) -> None:
        self.departments, self.people = validate(data)
        self.by_id = {d.id: d for d in self.departments}
        self.by_username = {p.username: p for p in self.people}
        for department in self.departments:
            if department.parent:
                self.by_id[department.parent].children.append(department)
        for person in self.people:
            if person.department in self.by_id:
                self.by_id[person.department].people.append(person)

    def roots(self) -> list[Department]:
        return [d for d in self.departments if not d.parent]

    def ancestors(self, department_id: str) -> list[Department]:
        chain, current = [], self.by_id.get(department_id)
        while current is not None:
            chain.append(current)
            current = self.by_id.get(current.parent) if current.parent else None
        return list(reversed(chain))

    def department_name(self, department_id: str) -> str:
        department = self.by_id.get(department_id)
        return department.name if department else department_id

    def search(self, query: str, limit: int = 50) -> list[Person]:
        """People whose name, title, user name or department (or a parent department) contains the query."""
        needle = _fold(query)
        if not needle:
            return []
        found = []
        for person in self.people:
            names = [d.name for d in self.ancestors(person.department)] or [person.department]
            haystack = _fold(" ".join([person.name, person.title, person.username, *names]))
            if needle in haystack:
                found.append(person)
                if len(found) >= limit:
                    break
        return found


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").casefold().strip()


def validate(data: object) -> tuple[list[Department], list[Person]]:
    """Departments with unique ids and existing parents, no cycles; people with unique user names."""
    if not isinstance(data, dict):
        raise InvalidInput("The org chart must be an object with 'departments' and 'people'.")
    raw_departments, raw_people = data.get("departments") or [], data.get("people") or []
    if not isinstance(raw_departments, list) or not isinstance(raw_people, list):
        raise InvalidInput("'departments' and 'people' must be lists.")
    departments = [_department(item) for item in raw_departments]
    ids = [d.id for d in departments]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Two departments have the same id.")
    known = set(ids)
    for department in departments:
        if department.parent and department.parent not in known:
            raise InvalidInput(f"Department '{department.name}' names a parent '{department.parent}' that does "
                               "not exist.")
    _check_cycles(departments)
    people = [_person(item, known) for item in raw_people]
    usernames = [p.username for p in people]
    if len(set(usernames)) != len(usernames):
        raise InvalidInput("Two people have the same user name.")
    return departments, people


def _department(item: object) -> Department:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("name"), str):
        raise InvalidInput("Every department needs an 'id' and a 'name' (text).")
    if not item["id"].strip() or not item["name"].strip():
        raise InvalidInput("A department's id and name may not be empty.")
    parent = item.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise InvalidInput(f"The parent of '{item['name']}' must be a department id.")
    return Department(id=item["id"].strip(), name=item["name"].strip()[:200], parent=parent or None)


def _person(item: object, departments: set[str]) -> Person:
    if not isinstance(item, dict) or not isinstance(item.get("username"), str) or not item["username"].strip():
        raise InvalidInput("Every person needs a 'username'.")
    values = {key: item.get(key, "") for key in PERSON_FIELDS}
    if not all(isinstance(v, str) and len(v) <= 320 for v in values.values()):
        raise InvalidInput(f"The fields of '{item['username']}' must be text of at most 320 characters.")
    if values["department"] and values["department"] not in departments:
        raise InvalidInput(f"'{item['username']}' belongs to a department that does not exist: "
                           f"'{values['department']}'.")
    values["name"] = values["name"] or values["username"]
    return Person(**{k: v.strip() for k, v in values.items()})


def _check_cycles(departments: list[Department]) -> None:
    parents = {d.id: d.parent for d in departments}
    for start in parents:
        seen, current = set(), start
        while current:
            if current in seen:
                raise InvalidInput(f"The departments form a loop at '{current}'.")
            seen.add(current)
            current = parents.get(current)


class RepositoryOrgChart:
    """The chart kept in the content repository; re-parsed only when its blob changes."""

    source = "repository"

    def __init__(self, store: ContentStore) -> None:
        self.store = store
        self._cache: tuple[str | None, OrgChart] | None = None

    def chart(self) -> OrgChart:
        blob = self.store.blob_id(None, ORGCHART_FILE)
        if self._cache is None or self._cache[0] != blob:
            data = json.loads(self.store.read_blob(blob)) if blob else skeleton()
            self._cache = (blob, OrgChart(data))
        return self._cache[1]

    def document(self) -> dict:
        blob = self.store.blob_id(None, ORGCHART_FILE)
        return json.loads(self.store.read_blob(blob)) if blob else skeleton()

    @staticmethod
    def serialize(data: dict) -> bytes:
        """Validate, then the file's bytes (pretty, Korean kept readable in `git diff`)."""
        validate(data)
        return (json.dumps({"departments": data.get("departments") or [], "people": data.get("people") or []},
                           ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class DirectoryOrgChart:
    """The chart from the LDAP directory, kept for a few minutes (every page view would otherwise search the
    whole directory). While the directory is down the last chart is served; with none yet, the error rises."""

    source = "directory"

    def __init__(self, directory: LdapDirectory, minutes: float = 5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.directory = directory
        self.ttl = minutes * 60
        self.clock = clock
        self._lock = threading.Lock()
        self._cache: tuple[float, OrgChart] | None = None

    def chart(self) -> OrgChart:
        cached = self._cache
        if cached is not None and self.clock() - cached[0] < self.ttl:
            return cached[1]
        with self._lock:  # one refresh at a time; the others wait for it rather than all asking the directory
            cached = self._cache
            if cached is not None and self.clock() - cached[0] < self.ttl:
                return cached[1]
            from .directory import DirectoryUnavailable

            try:
                chart = OrgChart(self.directory.org_chart())
            except (DirectoryUnavailable, InvalidInput):
                if cached is None:
                    raise
                chart = cached[1]  # stale but useful; try again after another ttl
            self._cache = (self.clock(), chart)
            return chart

    def invalidate(self) -> None:
        self._cache = None
