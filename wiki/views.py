"""Views: tables derived from commits, each with a watermark (the last commit it applied).

A view catches up from its watermark at start and after every commit, and can be dropped and rebuilt. Each
batch is applied in one transaction that first moves the watermark with a compare-and-swap, so a crash halfway
is harmless and two processes catching up at once never apply a commit twice.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import Database
from .models import CommitRow, CurrentPage, PageLink, PageRevision, ViewState
from .paths import page_from_file, title_of
from .store import ContentStore, LoggedCommit, RawChange

BATCH = 500
DEFERRED_INTERVAL = 1.0  # seconds between background rounds for deferred views (search)
BACKGROUND_REST = 0.5  # after each background batch, rest half as long as it took (at most 2/3 of a core)
log = logging.getLogger("madang.views")
H1_RE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)


class View(Protocol):
    name: str

    def reset(self, session: Session) -> None:
        """Forget everything the view derived (before a rebuild)."""

    def apply(self, session: Session, store: ContentStore, commits: list[LoggedCommit]) -> None:
        """Apply commits (oldest first) in the caller's transaction."""


@dataclass
class ViewStatus:
    name: str
    watermark: str
    head: str
    behind: int


class ViewRunner:
    """Keeps every registered view caught up with the content repository's head."""

    def __init__(self, store: ContentStore, db: Database, views: Iterable[View] = ()) -> None:
        self.store, self.db = store, db
        self.views: list[View] = list(views)
        self.active: Callable[[View], bool] = lambda view: True  # the plugin host turns off disabled plugins' views
        self.failures: dict[str, str] = {}
        self._lock = threading.Lock()  # the quick views (history, pages): requests wait for these
        self._deferred_lock = threading.Lock()  # the deferred ones (search): never held by a request's catch-up
        self._seen: dict[str, tuple] = {}
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None

    def register(self, view: View) -> None:
        self.views.append(view)
        self._seen = {}

    def catch_up(self, progress: Callable[[str, int], None] | None = None, everything: bool = False) -> None:
        """Bring the views to the head. Cheap when nothing changed: one ref read.

        Views marked `deferred = True` (costly ones, like the search index) are brought up in a background
        thread so that a save does not wait for them, unless `everything` is asked for (a search that must see
        the latest commit, the CLI, a rebuild). A view that fails is logged and left behind (its status says so)
        instead of failing the request that a commit or a read is serving. Quick and deferred views have locks
        of their own, so a long search backlog never holds up the quick views every request needs."""
        head = self.store.head()
        if head is None:
            return
        views = [view for view in self.views if self.active(view)]
        quick = [view for view in views if not getattr(view, "deferred", False)]
        deferred = [view for view in views if getattr(view, "deferred", False)]
        self._catch_up_set("quick", quick, head, progress, self._lock)
        if everything:
            self._catch_up_set("deferred", deferred, head, progress, self._deferred_lock)
        elif deferred and self._seen.get("deferred", (None,))[0] != head:
            self._kick()

    def _catch_up_set(self, kind: str, views: list[View], head: str, progress, lock: threading.Lock) -> None:
        key = (head, tuple(view.name for view in views))
        if not views or self._seen.get(kind) == key:
            return
        with lock:
            healthy = True
            for mark, group in self._by_watermark(views).items():
                if mark != head:
                    healthy = self._catch_up_group(group, mark, head, progress) and healthy
            if healthy:
                self._seen[kind] = key

    def _kick(self) -> None:
        """Wake the background thread that catches up deferred views (started on first use)."""
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._background, name="madang-views", daemon=True)
            self._worker.start()
        self._wake.set()

    def _background(self) -> None:
        """At most one round every DEFERRED_INTERVAL seconds: saves made meanwhile are applied together, so a
        costly view (the search index commits its segments) pays its fixed cost once, not once a save.

        A long backlog (a big import, a rebuild) must not starve the requests of this process: the thread runs at
        a lower OS priority and rests between batches (BACKGROUND_REST of the time the batch took)."""
        _lower_thread_priority()
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                head = self.store.head()
                deferred = [view for view in self.views if self.active(view) and getattr(view, "deferred", False)]
                if head:
                    self._catch_up_set("deferred", deferred, head, _Pacer(self._deferred_lock),
                                       self._deferred_lock)
            except Exception:  # noqa: BLE001 (the thread must live on; failures are in self.failures)
                log.exception("background catch-up failed")
            time.sleep(DEFERRED_INTERVAL)

    def _by_watermark(self, views: list[View]) -> dict[str, list[View]]:
        """Views that stand at the same commit share one `git log` stream (after a save: all of them)."""
        groups: dict[str, list[View]] = {}
        for view in views:
            groups.setdefault(self._watermark(view.name), []).append(view)
        return groups

    def _catch_up_group(self, group: list[View], mark: str, head: str, progress) -> bool:
        expected = {view.name: mark for view in group}
        pending, fallback, healthy = list(group), [], True
        size = min(getattr(view, "batch_size", BATCH) for view in group)
        for batch in self._batches(mark, head, size):
            for view in list(pending):
                try:
                    if self._apply_batch(view, expected[view.name], batch):
                        expected[view.name] = batch[-1].info.revision
                        if progress:
                            progress(view.name, len(batch))
                    else:  # another process moved this view first: follow it on its own
                        pending.remove(view)
                        fallback.append(view)
                except Exception as exc:  # noqa: BLE001 (one broken view must not take the site down)
                    pending.remove(view)
                    healthy = False
                    self._failed(view, exc)
            if not pending:
                break
        for view in pending:
            self.failures.pop(view.name, None)
        for view in fallback:
            try:
                self._catch_up_view(view, head, progress)
                self.failures.pop(view.name, None)
            except Exception as exc:  # noqa: BLE001
                healthy = False
                self._failed(view, exc)
        return healthy

    def _failed(self, view: View, exc: Exception) -> None:
        log.exception("view %s could not catch up", view.name, exc_info=exc)
        self.failures[view.name] = f"{type(exc).__name__}: {exc}"

    def _batches(self, mark: str, head: str, size: int = BATCH):
        """Commits in batches; each batch is one transaction, so a slow view (search) asks for small ones to keep
        the state database's write lock short (SQLite has one writer at a time)."""
        batch: list[LoggedCommit] = []
        for logged in self.store.log(mark or None, head):
            batch.append(logged)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _catch_up_view(self, view: View, head: str, progress) -> None:
        while True:
            watermark = self._watermark(view.name)
            if watermark == head:
                return
            done = True
            batch: list[LoggedCommit] = []
            for logged in self.store.log(watermark or None, head):
                batch.append(logged)
                if len(batch) >= BATCH:
                    done = False
                    break
            if not batch:
                return
            if not self._apply_batch(view, watermark, batch):
                continue  # another process moved the watermark first: re-read it, it may not be at head yet
            if progress:
                progress(view.name, len(batch))
            if done:
                return

    def _apply_batch(self, view: View, watermark: str, batch: list[LoggedCommit]) -> bool:
        if getattr(view, "applies_outside_transaction", False):
            return self._apply_outside(view, watermark, batch)
        with self.db.session() as session:
            moved = session.execute(
                update(ViewState).where(ViewState.name == view.name, ViewState.revision == watermark)
                .values(revision=batch[-1].info.revision)
            ).rowcount
            if not moved:
                session.rollback()  # another process applied it first
                return False
            view.apply(session, self.store, batch)
            return True

    def _apply_outside(self, view: View, watermark: str, batch: list[LoggedCommit]) -> bool:
        """For a view that keeps nothing in the state database and applies idempotently (the search index,
        updated by document id): do the slow work first, then move the watermark in a short transaction, so
        SQLite's one write lock is never held while it indexes. Two processes may both apply a batch; the
        second application changes nothing."""
        if self._watermark(view.name) != watermark:
            return False
        view.apply(None, self.store, batch)
        with self.db.session() as session:
            return bool(session.execute(
                update(ViewState).where(ViewState.name == view.name, ViewState.revision == watermark)
                .values(revision=batch[-1].info.revision)).rowcount)

    def _watermark(self, name: str) -> str:
        with self.db.session() as session:
            state = session.get(ViewState, name)
            if state is not None:
                return state.revision
        try:
            with self.db.session() as session:  # a write as the first statement: no stale read to upgrade
                session.add(ViewState(name=name, revision=""))
        except IntegrityError:
            pass  # another process created it at the same moment
        with self.db.session() as session:
            return session.get(ViewState, name).revision

    def rebuild(self, name: str | None = None, progress: Callable[[str, int], None] | None = None) -> None:
        """Drop and re-derive one view (or all) from the whole history."""
        with self._lock, self._deferred_lock:
            for view in self.views:
                if name in (None, view.name):
                    with self.db.session() as session:
                        view.reset(session)
                        session.merge(ViewState(name=view.name, revision=""))
            self._seen = {}
        self.catch_up(progress, everything=True)

    def status(self) -> list[ViewStatus]:
        head = self.store.head() or ""
        result = []
        for view in self.views:
            mark = self._watermark(view.name)
            behind = 0
            if head and mark != head:
                rng = f"{mark}..{head}" if mark else head
                behind = int(self.store._git("rev-list", "--count", rng).stdout)
            result.append(ViewStatus(view.name, mark, head, behind))
        return result


class _Pacer:
    """Called after each batch of the background catch-up: rests in proportion to the work just done, so the GIL
    and the CPU go to requests for a share of the time. It lets go of the deferred views' lock while it rests: a
    search that must see the latest commit does the rest of the catch-up itself meanwhile (the watermark's
    compare-and-swap keeps the two from applying a batch twice)."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock, self.since = lock, time.monotonic()

    def __call__(self, _view: str, _count: int) -> None:
        worked = time.monotonic() - self.since
        self.lock.release()
        try:
            time.sleep(min(BACKGROUND_REST * worked, 1.0))
        finally:
            self.lock.acquire()
        self.since = time.monotonic()


def _lower_thread_priority() -> None:
    """On Linux a thread is a task with its own nice value: background view work yields the CPU to requests."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: pacing alone then
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def title_from_markdown(path: str, markdown: str) -> str:
    """The first level-1 heading, else the last part of the path."""
    match = H1_RE.search(markdown[:4000])
    return match.group(1).strip() if match else title_of(path)


class HistoryView:
    """Site-wide changes and the per-page history index, so a page's history costs its own revisions."""

    name = "history"

    def reset(self, session: Session) -> None:
        session.execute(delete(PageRevision))
        session.execute(delete(CommitRow))

    def apply(self, session: Session, store: ContentStore, commits: list[LoggedCommit]) -> None:
        seq = session.scalar(select(func.max(CommitRow.seq))) or 0
        for logged in commits:
            seq += 1
            info = logged.info
            paths = sorted({c.path for c in logged.changes} | {c.old_path for c in logged.changes if c.old_path})
            session.add(CommitRow(seq=seq, revision=info.revision, author_name=info.author.name,
                                  author_email=info.author.email, date=info.date, message=info.message,
                                  paths=paths))
            for change in logged.changes:
                for row in _revision_rows(store, seq, logged, change):
                    session.add(row)


def _revision_rows(store: ContentStore, seq: int, logged: LoggedCommit, change: RawChange) -> list[PageRevision]:
    new_page = page_from_file(change.path)
    old_page = page_from_file(change.old_path) if change.old_path else None
    info = logged.info
    common = dict(seq=seq, revision=info.revision, author_name=info.author.name,
                  author_email=info.author.email, date=info.date, message=info.message)
    old_size = store.blob_size(change.old_blob) if int(change.old_blob, 16) else 0
    new_size = store.blob_size(change.new_blob) if int(change.new_blob, 16) else 0
    rows = []
    if change.status == "R" and old_page and new_page:
        rows.append(PageRevision(path=new_page, status="R", other_path=old_page, blob=change.new_blob,
                                 size=new_size, size_delta=new_size - old_size, **common))
        # after the R row, so that following the move backwards skips it
        rows.append(PageRevision(path=old_page, status="X", other_path=new_page, blob=change.old_blob,
                                 size=0, size_delta=-old_size, **common))
        return rows
    if change.status == "R":  # moved into or out of pages/: treat as delete + add
        if old_page:
            rows.append(PageRevision(path=old_page, status="D", blob=change.old_blob, size=0,
                                     size_delta=-old_size, **common))
        if new_page:
            rows.append(PageRevision(path=new_page, status="A", blob=change.new_blob, size=new_size,
                                     size_delta=new_size, **common))
        return rows
    if new_page is None:
        return rows
    status = {"A": "A", "D": "D"}.get(change.status, "M")
    blob = change.old_blob if status == "D" else change.new_blob
    size = 0 if status == "D" else new_size
    rows.append(PageRevision(path=new_page, status=status, blob=blob, size=size,
                             size_delta=size - old_size, **common))
    return rows


class PagesView:
    """The pages that exist now, their titles, and the wiki links between them."""

    name = "pages"

    def __init__(self, extract_links: Callable[[str], list[str]]) -> None:
        self.extract_links = extract_links

    def reset(self, session: Session) -> None:
        session.execute(delete(PageLink))
        session.execute(delete(CurrentPage))

    def apply(self, session: Session, store: ContentStore, commits: list[LoggedCommit]) -> None:
        latest: dict[str, tuple[LoggedCommit, str | None]] = {}
        for logged in commits:
            for change in logged.changes:
                if change.old_path and page_from_file(change.old_path):
                    latest[page_from_file(change.old_path)] = (logged, None)
                page = page_from_file(change.path)
                if page:
                    latest[page] = (logged, None if change.status == "D" else change.new_blob)
        for page, (logged, blob) in latest.items():
            session.execute(delete(PageLink).where(PageLink.source == page))
            current = session.get(CurrentPage, page)
            if blob is None:
                if current is not None:
                    session.delete(current)
                continue
            self._upsert(session, store, page, blob, logged, current)

    def _upsert(self, session: Session, store: ContentStore, page: str, blob: str, logged: LoggedCommit,
                current: CurrentPage | None) -> None:
        data = store.read_blob(blob)
        text = data.decode("utf-8", "replace")
        values = dict(title=title_from_markdown(page, text), blob=blob, revision=logged.info.revision,
                      date=logged.info.date, author_name=logged.info.author.name,
                      author_email=logged.info.author.email, size=len(data))
        if current is None:
            session.add(CurrentPage(path=page, **values))
        else:
            for key, value in values.items():
                setattr(current, key, value)
        for target in dict.fromkeys(self.extract_links(text)):
            session.add(PageLink(source=page, target=target))
