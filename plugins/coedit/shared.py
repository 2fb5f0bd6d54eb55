"""A page's session kept in Redis, for several processes (`MADANG_REDIS_URL`): any process may take an edit.

The page's lock is a Redis lock (and a local one, for this process's threads). Taking it loads the session's
state — text, version, the git base, who contributed, the draft bookkeeping — and releasing it writes the state
back with the versions made meanwhile, so the code in sessions.py runs unchanged. Versions are kept in a list
(the last `HISTORY`), edit ids in two rotating hashes (the last 2,000–4,000 versions' ids), participants in a hash
that names their process; a process that stops refreshing its heartbeat key loses its participants. The keys
expire an hour after the last change; the draft in the state database outlives them.
"""
from __future__ import annotations

import json
import threading
import time
import uuid

import redis

from . import drafts
from .sessions import PROCESS, PageSession, Participant, read_page
from .sync import HISTORY, SharedText, SyncError, Version

TTL = 3600  # seconds the state of a page nobody edits stays in Redis
ALIVE = 15  # seconds a process's heartbeat key lives; the watcher refreshes it every second
SEEN_BUCKET = 2000  # versions per hash of edit ids
_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def client(url: str) -> redis.Redis:
    with _clients_lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(url)
        return _clients[url]


def heartbeat(url: str) -> None:
    client(url).set(f"madang:coedit:proc:{PROCESS}", "1", ex=ALIVE)


class RedisText(SharedText):
    """SharedText whose older versions and edit ids are read from Redis when needed."""

    def __init__(self, text: str, version: int, session: SharedSession) -> None:
        super().__init__(text, version)
        self.session = session
        self.made: list[Version] = []

    def since(self, version: int) -> list[Version] | None:
        need = self.version - version
        if need == 0:
            return []
        if need < 0 or need > HISTORY:
            return None
        made = [v for v in self.made if v.number > version]
        older = need - len(made)
        rows = self.session.r.lrange(self.session.key("hist"), -older, -1) if older > 0 else []
        steps = [Version(n, p, b, i, c) for n, p, b, i, c in (json.loads(row) for row in rows)] + made
        if len(steps) != need or (steps and steps[0].number != version + 1):
            return None
        return steps

    def duplicate(self, username: str, edit_id: str | None) -> Version | None:
        found = super().duplicate(username, edit_id)
        if found is not None or not edit_id:
            return found
        bucket = self.version // SEEN_BUCKET
        for number in (bucket, bucket - 1):
            row = self.session.r.hget(self.session.key(f"seen:{number}"), f"{username}\n{edit_id}")
            if row is not None:
                n, p, b, i = json.loads(row)
                return Version(n, p, b, i)
        return None

    def _commit(self, new_text: str, username: str, edit_id: str | None, max_bytes: int | None) -> Version:
        step = super()._commit(new_text, username, edit_id, max_bytes)
        self.made.append(step)
        return step


class SharedLock:
    """Reentrant for the thread holding it; the outermost acquisition loads the state, its release stores it."""

    def __init__(self, session: SharedSession) -> None:
        self.session = session
        self.local = threading.RLock()
        self.depth = 0
        self.remote = None
        self.waiting = 0  # this process's threads waiting for the page

    def __enter__(self) -> SharedLock:
        self.waiting += 1
        self.local.acquire()
        self.waiting -= 1
        if self.depth == 0:
            remote = self.session.r.lock(self.session.key("lock"), timeout=30, blocking_timeout=30,
                                         sleep=0.001, thread_local=False)  # polled: a page's edits queue here
            if not remote.acquire():
                self.local.release()
                raise SyncError("busy", "The page is busy; try again in a moment.")
            self.remote = remote
            try:
                self.session.load()
            except Exception:
                remote.release()
                self.local.release()
                raise
        self.depth += 1
        return self

    def __exit__(self, *exc) -> None:
        self.depth -= 1
        deferred: list = []
        try:
            if self.depth == 0:
                try:
                    self.session.store()
                finally:
                    self.remote.release()
                    self.remote = None
                    deferred, self.session.deferred = self.session.deferred, []
        finally:
            self.local.release()
        if self.depth == 0 and self.waiting:
            time.sleep(0.002)  # fairness: the other processes poll the lock every millisecond; let them have a turn
        if deferred:
            from .sessions import send_deferred

            send_deferred(deferred)


class SharedSession(PageSession):
    r: redis.Redis
    deferred: list
    loaded: dict  # the state as loaded, to write back only what changed
    loaded_contributors: dict

    @classmethod
    def open(cls, path: str, url: str) -> SharedSession:
        session = cls(path, SharedText(""), "", None, None)
        session.r = client(url)
        session.deferred = []  # events to emit once the lock is released
        session.lock = SharedLock(session)  # type: ignore[assignment]
        return session

    @property
    def room(self) -> str:
        return f"coedit:{self.path}"

    def key(self, part: str) -> str:
        return f"madang:coedit:{self.path}:{part}"

    # -- the state -----------------------------------------------------------------------------------------------
    def load(self) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.hgetall(self.key("doc"))
        pipe.hgetall(self.key("contrib"))
        raw_doc, raw_contrib = pipe.execute()
        doc = {k.decode(): v.decode("utf-8") for k, v in raw_doc.items()}
        self.loaded = dict(doc)  # empty for a new session: all of it is written
        if not doc:  # the first process to open the page: from git, as a one-process session starts
            text, revision, blob = read_page(self.path)
            doc = {"text": text, "version": "0", "base_text": text, "base_revision": revision or "",
                   "base_blob": blob or "", "epoch": uuid.uuid4().hex, "saves": "0", "dirty_since": "",
                   "last_change": "0", "offer": json.dumps(drafts.newest(self.path, text))}
        self.shared = RedisText(doc["text"], int(doc["version"]), self)
        self.base_text = doc["base_text"]
        self.base_revision, self.base_blob = doc["base_revision"] or None, doc["base_blob"] or None
        self.epoch, self.saves = doc["epoch"], int(doc["saves"])
        self.dirty_since = float(doc["dirty_since"]) if doc["dirty_since"] else None
        self.last_change = float(doc["last_change"])
        self.offer = json.loads(doc["offer"])
        self.contributors = {k.decode(): tuple(json.loads(v)) for k, v in raw_contrib.items()}
        self.loaded_contributors = dict(self.contributors)

    def store(self) -> None:
        """Write back what changed (nothing at all for a look that changed nothing: the watcher's, every second)."""
        shared: RedisText = self.shared  # type: ignore[assignment]
        doc = {"text": shared.text, "version": str(shared.version), "base_text": self.base_text,
               "base_revision": self.base_revision or "", "base_blob": self.base_blob or "", "epoch": self.epoch,
               "saves": str(self.saves), "dirty_since": "" if self.dirty_since is None else repr(self.dirty_since),
               "last_change": repr(self.last_change), "offer": json.dumps(self.offer)}
        changed = {k: v for k, v in doc.items() if self.loaded.get(k) != v}
        if not changed and not shared.made and self.contributors == self.loaded_contributors:
            return
        pipe = self.r.pipeline(transaction=True)
        if changed:
            pipe.hset(self.key("doc"), mapping=changed)
        for step in shared.made:
            pipe.rpush(self.key("hist"), json.dumps([step.number, step.patch, step.by, step.edit_id, step.compact]))
            if step.edit_id:
                seen = self.key(f"seen:{step.number // SEEN_BUCKET}")
                pipe.hset(seen, f"{step.by}\n{step.edit_id}",
                          json.dumps([step.number, step.patch, step.by, step.edit_id]))
                pipe.expire(seen, TTL)
        shared.made = []
        pipe.ltrim(self.key("hist"), -HISTORY, -1)
        pipe.delete(self.key("contrib"))
        if self.contributors:
            pipe.hset(self.key("contrib"), mapping={u: json.dumps(list(ne)) for u, ne in self.contributors.items()})
        for part in ("doc", "hist", "contrib", "people"):
            pipe.expire(self.key(part), TTL)
        pipe.execute()

    # -- who is there, in every process ----------------------------------------------------------------------------
    def people(self) -> list[dict]:
        rows = {k.decode(): json.loads(v) for k, v in self.r.hgetall(self.key("people")).items()}
        procs = sorted({row["proc"] for row in rows.values()})
        alive = dict(zip(procs, self.r.mget([f"madang:coedit:proc:{p}" for p in procs]), strict=True)) if procs else {}
        dead = [sid for sid, row in rows.items() if alive.get(row["proc"]) is None and row["proc"] != PROCESS]
        if dead:
            self.r.hdel(self.key("people"), *dead)
        return [{k: v for k, v in row.items() if k not in ("proc", "at")} for sid, row in sorted(rows.items(),
                key=lambda item: item[1]["at"]) if sid not in dead and not (row["proc"] == PROCESS
                                                                             and sid not in self.participants)]

    def entered(self, participant: Participant) -> None:
        self.r.set(f"madang:coedit:proc:{PROCESS}", "1", ex=ALIVE)
        self.r.hset(self.key("people"), participant.sid, json.dumps({**participant.to_dict(), "proc": PROCESS,
                                                                     "at": time.time()}))

    def exited(self, sid: str) -> None:
        self.r.hdel(self.key("people"), sid)
