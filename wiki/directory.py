"""Sign-in against the organisation's LDAP directory with ldap3: bind as the person, read who they are.

The directory is found by a search (service account or anonymous), the password is checked by binding as the
person's own DN, and name, e-mail, department, title, phone and groups come from the directory. User input only
ever reaches a filter escaped, and an empty password is refused before any bind (an empty simple bind would be
an anonymous bind that 'succeeds').
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ldap3 import NONE, SUBTREE, Connection, Server
from ldap3.core.exceptions import (
    LDAPBindError,
    LDAPException,
    LDAPInvalidCredentialsResult,
    LDAPSocketOpenError,
)
from ldap3.utils.conv import escape_filter_chars

from .errors import MadangError, Unauthorized


class DirectoryUnavailable(MadangError):
    status, code = 503, "directory_unavailable"


UNREACHABLE = "The staff directory (LDAP) cannot be reached right now; local accounts can still sign in."


@dataclass
class LdapSettings:
    url: str
    user_base: str
    group_base: str = ""
    bind_dn: str = ""
    bind_password: str = field(default="", repr=False)  # never in repr(), so never in a log
    user_filter: str = "(&(objectClass=inetOrgPerson)(uid={username}))"
    group_filter: str = "(&(objectClass=groupOfNames)(member={dn}))"
    department_base: str = ""
    timeout: int = 5  # seconds; ldap3 packs it as an integer socket option


@dataclass
class DirectoryPerson:
    username: str
    dn: str
    name: str
    email: str
    department: str = ""
    title: str = ""
    phone: str = ""
    groups: list[str] = field(default_factory=list)
    department_id: str = ""  # departmentNumber: the org chart's department id


PERSON_ATTRIBUTES = ["uid", "cn", "displayName", "mail", "ou", "title", "telephoneNumber", "departmentNumber"]


class LdapDirectory:
    def __init__(self, settings: LdapSettings) -> None:
        self.settings = settings

    def _connection(self, user: str | None = None, password: str | None = None) -> Connection:
        # A Server object per connection: ldap3 remembers a failed address and skips it for a while, so a shared
        # one would keep refusing sign-ins for seconds after the directory is back. Making one does no I/O.
        server = Server(self.settings.url, get_info=NONE, connect_timeout=self.settings.timeout)
        return Connection(server, user=user, password=password, receive_timeout=self.settings.timeout,
                          raise_exceptions=True, read_only=True)

    def authenticate(self, username: str, password: str) -> DirectoryPerson:
        """The person if the directory accepts the password; Unauthorized or DirectoryUnavailable otherwise."""
        if not username or not password or len(username) > 256 or len(password) > 1024:
            raise Unauthorized("The user name or password is wrong.")
        try:
            person = self._find(username)
        except LDAPBindError as exc:  # the service account itself was refused: a setting, not the person
            raise DirectoryUnavailable("The staff directory (LDAP) refused Madang's own account; tell the "
                                       "administrators. Local accounts can still sign in.") from exc
        except LDAPSocketOpenError as exc:
            raise DirectoryUnavailable(UNREACHABLE) from exc
        except LDAPException as exc:
            raise DirectoryUnavailable(f"The staff directory (LDAP) answered with an error: {type(exc).__name__}."
                                       ) from exc
        if person is None:
            raise Unauthorized("The user name or password is wrong.")
        try:
            with self._connection(person.dn, password) as conn:
                conn.bind()
            return person
        except (LDAPBindError, LDAPInvalidCredentialsResult) as exc:
            raise Unauthorized("The user name or password is wrong.") from exc
        except LDAPSocketOpenError as exc:
            raise DirectoryUnavailable(UNREACHABLE) from exc
        except LDAPException as exc:
            raise DirectoryUnavailable(f"The staff directory (LDAP) answered with an error: {type(exc).__name__}."
                                       ) from exc

    def org_chart(self) -> dict:
        """The directory's departments and people in the shape of `site/orgchart.json`."""
        settings = self.settings
        try:
            with self._connection(settings.bind_dn or None, settings.bind_password or None) as conn:
                departments = _department_document(conn, settings.department_base) \
                    if settings.department_base else []
                conn.search(settings.user_base, "(objectClass=inetOrgPerson)", SUBTREE,
                            attributes=PERSON_ATTRIBUTES, paged_size=1000)
                known = {d["id"] for d in departments}
                people = [{"username": _first(e, "uid"), "name": _first(e, "displayName") or _first(e, "cn"),
                           "title": _first(e, "title"), "phone": _first(e, "telephoneNumber"),
                           "email": _first(e, "mail"),
                           "department": d if (d := _first(e, "departmentNumber")) in known else ""}
                          for e in conn.entries if _first(e, "uid")]
        except LDAPException as exc:
            raise DirectoryUnavailable("The staff directory (LDAP) cannot be reached right now.") from exc
        return {"departments": departments, "people": people}

    def _find(self, username: str) -> DirectoryPerson | None:
        settings = self.settings
        query = settings.user_filter.format(username=escape_filter_chars(username))
        with self._connection(settings.bind_dn or None, settings.bind_password or None) as conn:
            conn.search(settings.user_base, query, SUBTREE, size_limit=2,
                        attributes=PERSON_ATTRIBUTES)
            if len(conn.entries) != 1:
                return None
            entry = conn.entries[0]
            person = DirectoryPerson(
                username=_first(entry, "uid") or username, dn=entry.entry_dn,
                name=_first(entry, "displayName") or _first(entry, "cn") or username,
                email=_first(entry, "mail"), department=_first(entry, "ou"), title=_first(entry, "title"),
                phone=_first(entry, "telephoneNumber"), department_id=_first(entry, "departmentNumber"))
            if settings.group_base:
                group_query = settings.group_filter.format(dn=escape_filter_chars(person.dn))
                conn.search(settings.group_base, group_query, SUBTREE, attributes=["cn"])
                person.groups = sorted(_first(g, "cn") for g in conn.entries if _first(g, "cn"))
            return person


def _first(entry, attribute: str) -> str:
    try:
        values = entry[attribute].values
    except (KeyError, IndexError, AttributeError):
        return ""
    return str(values[0]) if values else ""


def _department_document(conn: Connection, base: str) -> list[dict]:
    """organizationalUnit entries under base: id = ou, name = description, parent = the enclosing unit."""
    conn.search(base, "(objectClass=organizationalUnit)", SUBTREE, attributes=["ou", "description"])
    by_dn = {entry.entry_dn.lower(): entry for entry in conn.entries if entry.entry_dn.lower() != base.lower()}
    departments = []
    for dn, entry in by_dn.items():
        parent_dn = dn.split(",", 1)[1] if "," in dn else ""
        parent = by_dn.get(parent_dn)
        departments.append({"id": _first(entry, "ou"), "name": _first(entry, "description") or _first(entry, "ou"),
                            "parent": _first(parent, "ou") if parent is not None else None})
    return departments
