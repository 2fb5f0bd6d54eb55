"""The registry of systems: one JSON document per system under `plugins/launcher/systems/` in the content
repository (one commit per change, authored by the admin), read through a cache keyed by the folder's blobs, so a
page view costs one ref read and a dictionary look-up. Client secrets live in the state database, never here."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from wiki.api import InvalidInput, NotFound, commit_plugin_files, core

from . import NAME
from .models import ClientSecret

FOLDER = "systems"
PREFIX = f"plugins/{NAME}/{FOLDER}/"
PROTOCOLS = ("oidc", "cas", "link")
PRINCIPAL_RE = re.compile(r"^(staff|user:[^\s:]+|group:[^\s:]+|role:(reader|editor|admin))$")
ID_RE = re.compile(r"^[0-9a-f]{8,32}$")


@dataclass(frozen=True)
class System:
    id: str
    name: str
    url: str
    protocol: str
    groups: tuple[str, ...]
    category: str = ""
    icon: str = ""
    description: str = ""
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    service_patterns: tuple[str, ...] = ()
    backchannel_logout_uri: str = ""
    single_logout: bool = False
    refresh_tokens: bool = False
    public_client: bool = False
    client_id: str = ""
    search_text: str = field(default="", compare=False)

    def to_json(self) -> dict:
        out = {"id": self.id, "name": self.name, "url": self.url, "protocol": self.protocol,
               "groups": list(self.groups), "category": self.category, "icon": self.icon,
               "description": self.description}
        if self.protocol == "oidc":
            out.update(client_id=self.client_id, redirect_uris=list(self.redirect_uris),
                       post_logout_redirect_uris=list(self.post_logout_redirect_uris),
                       backchannel_logout_uri=self.backchannel_logout_uri, refresh_tokens=self.refresh_tokens,
                       public_client=self.public_client)
        if self.protocol == "cas":
            out.update(service_patterns=list(self.service_patterns), single_logout=self.single_logout)
        return out

    def allows(self, principals: frozenset[str]) -> bool:
        """May a person with these principals see and open it? Only the groups listed (admins are no exception:
        administering the wiki is not a licence for the payroll system)."""
        return any(p in principals for p in self.groups)

    def matches_service(self, service: str) -> bool:
        return any(fnmatchcase(service, pattern) for pattern in self.service_patterns)


def from_document(data: dict) -> System:
    s = System(id=data["id"], name=data["name"], url=data["url"], protocol=data["protocol"],
               groups=tuple(data.get("groups") or ()), category=data.get("category") or "",
               icon=data.get("icon") or "", description=data.get("description") or "",
               redirect_uris=tuple(data.get("redirect_uris") or ()),
               post_logout_redirect_uris=tuple(data.get("post_logout_redirect_uris") or ()),
               service_patterns=tuple(data.get("service_patterns") or ()),
               backchannel_logout_uri=data.get("backchannel_logout_uri") or "",
               single_logout=bool(data.get("single_logout")), refresh_tokens=bool(data.get("refresh_tokens")),
               public_client=bool(data.get("public_client")), client_id=data.get("client_id") or "")
    text = " ".join((s.name, s.category, s.description)).casefold()
    return System(**{**s.__dict__, "search_text": text})


# -- the cache ------------------------------------------------------------------------------------------------------
class _Cache:
    """Systems by head; documents by blob (a changed head re-reads only what changed, usually nothing); the
    visible list by (systems, principals). Bounded, thread-safe enough: values are immutable and replaced whole."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.head: str | None = None
        self.blobs: tuple = ()
        self.systems: tuple[System, ...] = ()
        self.by_id: dict[str, System] = {}
        self.docs: dict[str, System] = {}
        self.visible: dict[frozenset[str], tuple[System, ...]] = {}


_caches: dict[int, _Cache] = {}


def _cache() -> _Cache:
    store = core().store
    return _caches.setdefault(id(store), _Cache())


def all_systems() -> tuple[System, ...]:
    """Every registered system, sorted by category then name."""
    cache, store = _cache(), core().store
    head = store.head()
    if head == cache.head:
        return cache.systems
    listing = tuple(store.list_files(PREFIX, head))
    if listing != cache.blobs:
        docs = {}
        for path, blob in listing:
            if not path.endswith(".json"):
                continue
            found = cache.docs.get(blob)
            if found is None:
                try:
                    found = from_document(json.loads(store.read_blob(blob)))
                except (ValueError, KeyError, TypeError):
                    continue  # a hand-edited file that is not a system: left out, not fatal
            docs[blob] = found
        systems = tuple(sorted(docs.values(), key=lambda s: (s.category, s.name, s.id)))
        with cache.lock:
            cache.docs, cache.blobs, cache.systems = docs, listing, systems
            cache.by_id = {s.id: s for s in systems}
            cache.visible = {}
    cache.head = head
    return cache.systems


def get(system_id: str) -> System | None:
    all_systems()
    return _cache().by_id.get(system_id)


def by_client_id(client_id: str) -> System | None:
    return next((s for s in all_systems() if s.protocol == "oidc" and s.client_id == client_id), None)


def visible_to(principals: frozenset[str]) -> tuple[System, ...]:
    systems, cache = all_systems(), _cache()
    found = cache.visible.get(principals)
    if found is None:
        found = tuple(s for s in systems if s.allows(principals))
        if len(cache.visible) > 2000:
            cache.visible = {}
        cache.visible[principals] = found
    return found


# -- validation -----------------------------------------------------------------------------------------------------
def _text(data: dict, key: str, limit: int, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"'{key}' must be text.", field=key)
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"'{key}' is required.", field=key)
    if len(value) > limit or any(ord(ch) < 32 for ch in value):
        raise InvalidInput(f"'{key}' must be at most {limit} characters, on one line.", field=key)
    return value


def _url(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{key}' must be an absolute http(s) address.", field=key)
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment or len(value) > 2000 \
            or any(ord(ch) <= 32 for ch in value):
        raise InvalidInput(f"'{key}': '{value[:200]}' is not an absolute http(s) address without a fragment.",
                           field=key)
    return value


def _list(data: dict, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list) or len(value) > 50:
        raise InvalidInput(f"'{key}' must be a list (at most 50 entries).", field=key)
    return value


def validate(data: dict, system_id: str, client_id: str = "") -> dict:
    """A system document from what an admin sent; every mistake a clear InvalidInput naming the field."""
    name, url = _text(data, "name", 100, required=True), _url(data.get("url"), "url")
    protocol = data.get("protocol")
    if protocol not in PROTOCOLS:
        raise InvalidInput("'protocol' must be one of oidc, cas, link.", field="protocol")
    icon = _text(data, "icon", 300)
    if icon and "://" in icon:
        raise InvalidInput("'icon' is an emoji or short text, or an address on this site ('/...', 'data:image/...'):"
                           " the pages allow no images from other sites.", field="icon")
    groups = _list(data, "groups")
    for principal in groups:
        if not isinstance(principal, str) or not PRINCIPAL_RE.match(principal):
            raise InvalidInput(f"'groups': '{str(principal)[:80]}' is not a principal (staff, group:NAME, "
                               "user:NAME, role:reader|editor|admin).", field="groups")
    if not groups:
        raise InvalidInput("'groups' must name at least one principal who may use the system (e.g. staff).",
                           field="groups")
    doc = {"id": system_id, "name": name, "url": url,
           "protocol": protocol, "groups": sorted(set(groups)), "category": _text(data, "category", 50),
           "icon": icon, "description": _text(data, "description", 300)}
    if protocol == "oidc":
        uris = [_url(u, "redirect_uris") for u in _list(data, "redirect_uris")]
        if not uris:
            raise InvalidInput("An OpenID Connect system needs 'redirect_uris' (at least one).",
                               field="redirect_uris")
        doc.update(client_id=client_id, redirect_uris=uris,
                   post_logout_redirect_uris=[_url(u, "post_logout_redirect_uris")
                                              for u in _list(data, "post_logout_redirect_uris")],
                   backchannel_logout_uri=(_url(data["backchannel_logout_uri"], "backchannel_logout_uri")
                                           if data.get("backchannel_logout_uri") else ""),
                   refresh_tokens=bool(data.get("refresh_tokens")), public_client=bool(data.get("public_client")))
    elif protocol == "cas":
        patterns = _list(data, "service_patterns")
        for pattern in patterns:
            _url(pattern.replace("*", "x") if isinstance(pattern, str) else pattern, "service_patterns")
        if not patterns:
            raise InvalidInput("A CAS system needs 'service_patterns' (e.g. 'https://erp.example.kr/*').",
                               field="service_patterns")
        doc.update(service_patterns=[p.strip() for p in patterns], single_logout=bool(data.get("single_logout")))
    return doc


# -- changes (admins) -------------------------------------------------------------------------------------------------
def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret(session, system_id: str, client_id: str) -> str:
    secret = secrets.token_urlsafe(32)
    session.execute(delete(ClientSecret).where(ClientSecret.system_id == system_id))
    session.add(ClientSecret(system_id=system_id, client_id=client_id, secret_hash=digest(secret),
                             created=datetime.now(UTC)))
    return secret


def _commit(doc: dict | None, system_id: str, message: str, who) -> str:
    path = f"{FOLDER}/{system_id}.json"
    content = None if doc is None else json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return commit_plugin_files(NAME, {path: content}, message, who=who).revision


def create(data: dict, who) -> dict:
    """Register a system: one commit; an OIDC client's secret (unless public) is returned this once."""
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object.")
    system_id = secrets.token_hex(6)
    client_id = f"madang-{system_id}" if data.get("protocol") == "oidc" else ""
    doc = validate(data, system_id, client_id)
    out: dict = {"id": system_id}
    secret = None
    if client_id:
        out["client_id"] = client_id
        if not doc.get("public_client"):
            with core().db.session() as session:
                secret = _new_secret(session, system_id, client_id)
            out["client_secret"] = secret
    try:
        out["revision"] = _commit(doc, system_id, f"런처: 시스템 등록 — {doc['name']}", who)
    except Exception:
        _forget_secret(system_id)
        raise
    return out


def update(system_id: str, data: dict, who) -> dict:
    current = get(system_id) if ID_RE.match(system_id or "") else None
    if current is None:
        raise NotFound(f"No system '{system_id[:40]}' is registered.")
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object.")
    merged = {**current.to_json(), **{k: v for k, v in data.items() if k != "rotate_secret"}}
    client_id = current.client_id or (f"madang-{system_id}" if merged.get("protocol") == "oidc" else "")
    doc = validate(merged, system_id, client_id if merged.get("protocol") == "oidc" else "")
    out: dict = {"id": system_id}
    if doc["protocol"] == "oidc":
        out["client_id"] = client_id
        with core().db.session() as session:
            has = session.scalar(select(ClientSecret).where(ClientSecret.system_id == system_id))
            if doc.get("public_client"):
                session.execute(delete(ClientSecret).where(ClientSecret.system_id == system_id))
            elif has is None or data.get("rotate_secret") is True:
                out["client_secret"] = _new_secret(session, system_id, client_id)
    else:
        _forget_secret(system_id)
    out["revision"] = _commit(doc, system_id, f"런처: 시스템 변경 — {doc['name']}", who)
    if current.client_id and (doc["protocol"] != "oidc" or data.get("rotate_secret") is True):
        from .tokens import revoke_client

        revoke_client(current.client_id)  # no longer an OIDC client, or its secret was compromised
    return out


def remove(system_id: str, who) -> dict:
    current = get(system_id) if ID_RE.match(system_id or "") else None
    if current is None:
        raise NotFound(f"No system '{system_id[:40]}' is registered.")
    revision = _commit(None, system_id, f"런처: 시스템 삭제 — {current.name}", who)
    _forget_secret(system_id)
    if current.client_id:
        from .tokens import revoke_client

        revoke_client(current.client_id)
    return {"revision": revision}


def _forget_secret(system_id: str) -> None:
    with core().db.session() as session:
        session.execute(delete(ClientSecret).where(ClientSecret.system_id == system_id))


def check_secret(client_id: str, secret: str) -> bool:
    import hmac

    with core().db.session() as session:
        row = session.scalar(select(ClientSecret).where(ClientSecret.client_id == client_id))
        return row is not None and hmac.compare_digest(row.secret_hash, digest(secret or ""))
