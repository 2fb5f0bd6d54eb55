"""The wiki itself, without HTTP: pages, history, diff, blame, revert, move, attachments.

Every method takes the person asking and checks the permission first; a page the person may not read is
answered exactly as a missing one (PageNotFound), so its existence is not revealed.
"""
from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import os
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from . import diffing
from .acl import Permissions
from .auth import Principal
from .config import Config
from .db import Database
from .errors import Forbidden, InvalidInput, PageNotFound, RevisionNotFound, TooLarge, UnsupportedType
from .models import CommitRow, CurrentPage, PageLink, PageRevision
from .paths import (
    attachment_dir,
    attachment_file,
    attachment_from_file,
    normalize_attachment_name,
    normalize_page_path,
    page_file,
    page_from_file,
)
from .store import LRU, Author, CommitResult, ContentStore
from .trailers import coauthors_in, summary_of, with_coauthors
from .views import ViewRunner, title_from_markdown

BLOCKED_EXTENSIONS = {".exe", ".bat", ".cmd", ".com", ".scr", ".msi", ".ps1", ".vbs", ".jar", ".dll"}
ANONYMOUS_AUTHOR = Author("Anonymous", "anonymous@localhost")


@dataclass
class PageRecord:
    path: str
    title: str
    markdown: str
    revision: str
    blob: str
    author: Author
    date: datetime
    at: str  # the commit the page was read at


@dataclass
class SaveResult:
    path: str
    revision: str
    merged: bool
    created: bool
    changed: bool


@dataclass
class Page:
    """A page of items and the cursor of the next page (None at the end)."""

    items: list
    next: str | None


def encode_cursor(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict:
    if not cursor:
        return {}
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict):
            raise ValueError
        return data
    except ValueError as exc:
        raise InvalidInput("The cursor is not valid; start again without it.") from exc


def cursor_field(state: dict, key: str, kind: type, default=None):
    """One field of a decoded cursor, of the expected type (a cursor comes from the client: never trust it)."""
    value = state.get(key, default)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise InvalidInput("The cursor is not valid; start again without it.")
    return value


def clean_message(message: str | None, default: str, limit: int = 500) -> str:
    """Commit messages are one person's words: drop control characters that could break logs and parsers."""
    text = "".join(ch for ch in (message or "") if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = text.strip()[:limit]
    return text or default


def author_of(who: Principal | None) -> Author:
    return Author(who.name, who.email) if who else ANONYMOUS_AUTHOR


class Wiki:
    def __init__(self, config: Config, store: ContentStore, db: Database, views: ViewRunner,
                 acl: Permissions) -> None:
        self.config, self.store, self.db, self.views, self.acl = config, store, db, views, acl
        self.after_commit: list[Callable[[CommitResult], None]] = []
        self.before_commit: list[Callable[[dict, Principal | None], None]] = []
        # plugins asked whether an old revision of a page may be shown (madang_revision_visible; wired in app.py)
        self.revision_visible: list[Callable[[str, str, Principal | None], bool]] = []
        self._memo = LRU(20_000)

    # -- permission -------------------------------------------------------------------------------------------
    def require(self, who: Principal | None, action: str, path: str) -> None:
        if self.acl.can(who, action, path):
            return
        if action == "read" or not self.acl.can(who, "read", path):
            raise PageNotFound(f"There is no page '{path}'.")
        if who is None:
            from .errors import Unauthorized

            raise Unauthorized("Sign in to change this page.")
        raise Forbidden(f"You may not {action} '{path}'.")

    # -- reading ----------------------------------------------------------------------------------------------
    def get(self, who: Principal | None, path: str, rev: str | None = None) -> PageRecord:
        """The page now, or as it was at `rev` (also from before a move, under the name it had then)."""
        path = normalize_page_path(path)
        self.require(who, "read", path)
        self.views.catch_up()
        if not rev:
            record = self._current(path)
            self._require_visible(who, path, record.revision)
            return record
        at = self.store.resolve(rev)
        name = path if self.store.blob_id(at, page_file(path)) else self._name_at(path, at)
        blob = self.store.blob_id(at, page_file(name)) if name else None
        if blob is None or (name != path and not self.acl.can(who, "read", name)):
            raise PageNotFound(f"There is no page '{path}' at revision {rev}.")
        self._require_visible(who, name, at)  # a withheld revision (personal data) is not shown
        last = self._last_change(name, at)
        text = self.store.read_blob(blob).decode("utf-8", "replace")
        return PageRecord(path=name, title=title_from_markdown(name, text), markdown=text,
                          revision=last.revision if last else at, blob=blob,
                          author=Author(last.author_name, last.author_email) if last else ANONYMOUS_AUTHOR,
                          date=last.date if last else datetime.now(UTC), at=at)

    def _require_visible(self, who: Principal | None, path: str, revision: str) -> None:
        """Revisions, the current one included, may be withheld by plugins (the personal-data guard's suppression
        list): any check that answers False hides the revision from this read (blame at a revision goes through
        `get`, diffs and reverts through `text_at`)."""
        if not self.revision_visible_to(who, path, revision):
            raise PageNotFound(f"Revision {revision[:10]} of '{path}' has been withheld (it held personal data).")

    def revision_visible_to(self, who: Principal | None, path: str, revision: str) -> bool:
        return not any(check(path, revision, who) is False for check in self.revision_visible)

    def withheld_epoch(self) -> int:
        """Changes whenever a plugin withholds or releases a revision, in any process (a file's mtime in the
        instance folder): caches of whole pages key on it, since withholding is not a commit."""
        try:
            return self._withheld_marker().stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def withheld_changed(self) -> None:
        marker = self._withheld_marker()
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        os.utime(marker, ns=(time.time_ns(), max(time.time_ns(), self.withheld_epoch() + 1)))

    def _withheld_marker(self) -> Path:
        return Path(self.config.instance_dir) / "withheld.epoch"

    def _current(self, path: str) -> PageRecord:
        """The hot path of every page view: one primary-key read of the current-pages view and one blob."""
        with self.db.session() as session:
            row = session.get(CurrentPage, path)
        if row is None:
            raise PageNotFound(f"There is no page '{path}'.")
        text = self.store.read_blob(row.blob).decode("utf-8", "replace")
        return PageRecord(path=path, title=row.title, markdown=text, revision=row.revision, blob=row.blob,
                          author=Author(row.author_name, row.author_email), date=row.date, at=row.revision)

    def exists(self, path: str) -> bool:
        with self.db.session() as session:
            return session.get(CurrentPage, path) is not None

    def existing(self, paths: Iterable[str]) -> set[str]:
        """Which of these pages exist now (for red links); remembered until the next commit."""
        paths = tuple(dict.fromkeys(paths))
        if not paths:
            return set()
        return set(self._at_head("existing", paths, lambda: frozenset(self._existing(paths))))

    def _existing(self, paths: tuple[str, ...]) -> list[str]:
        with self.db.session() as session:
            return list(session.scalars(select(CurrentPage.path).where(CurrentPage.path.in_(paths))))

    def _at_head(self, kind: str, key: object, compute: Callable[[], object]):
        """Memoise a view read for the current head: any commit, by any process, gives a new head and so
        new answers; views are caught up before this is asked."""
        return self._memo.get_or((kind, self.store.head(), key), compute)

    def _seq_of(self, revision: str) -> int | None:
        with self.db.session() as session:
            return session.scalar(select(CommitRow.seq).where(CommitRow.revision == revision))

    def _last_change(self, path: str, at: str) -> PageRevision | None:
        seq = self._seq_of(at)
        with self.db.session() as session:
            query = select(PageRevision).where(PageRevision.path == path)
            if seq is not None:
                query = query.where(PageRevision.seq <= seq)
            return session.scalar(query.order_by(PageRevision.id.desc()).limit(1))

    def history(self, who: Principal | None, path: str, limit: int = 50, cursor: str | None = None) -> Page:
        """Newest first, following moves back to the page's earlier names (those the person may read)."""
        path = normalize_page_path(path)
        self.require(who, "read", path)
        self.views.catch_up()
        state = decode_cursor(cursor)
        current, upper = cursor_field(state, "p", str, path), cursor_field(state, "i", int)
        if current != path and not self.acl.can(who, "read", current):
            raise InvalidInput("The cursor is not valid; start again without it.")
        items: list[PageRevision] = []
        with self.db.session() as session:
            while len(items) <= limit:
                query = select(PageRevision).where(PageRevision.path == current)
                if upper is not None:
                    query = query.where(PageRevision.id < upper)
                rows = session.scalars(query.order_by(PageRevision.id.desc()).limit(limit + 1 - len(items))).all()
                if not rows:
                    break
                moved = False
                for row in rows:
                    items.append(row)
                    if row.status == "R" and row.other_path:
                        current, upper, moved = row.other_path, row.id, True
                        break
                if moved and not self.acl.can(who, "read", current):
                    break  # the page came from a place this person may not read: its past stays there
                if not moved:
                    upper = rows[-1].id
        if not items:
            raise PageNotFound(f"There is no page '{path}'.")
        more = len(items) > limit
        items = items[:limit]
        nxt = encode_cursor({"p": items[-1].path, "i": items[-1].id}) if more else None
        if more and items[-1].status == "R" and self.acl.can(who, "read", items[-1].other_path):
            nxt = encode_cursor({"p": items[-1].other_path, "i": items[-1].id})
        return Page(items, nxt)

    def text_at(self, who: Principal | None, path: str, rev: str) -> str:
        """The page's text at a revision, under the name it had then ('' if it did not exist)."""
        path = normalize_page_path(path)
        self.require(who, "read", path)
        full = self.store.resolve(rev)
        name = self._name_at(path, full)
        if name is None or (name != path and not self.acl.can(who, "read", name)):
            return ""
        self._require_visible(who, name, full)  # a withheld revision (personal data) is not shown
        data = self.store.read(page_file(name), full)
        return data.decode("utf-8", "replace") if data is not None else ""

    def _name_at(self, path: str, revision: str) -> str | None:
        """Walk the page's moves backwards from now to the name it had at revision (None: it did not exist)."""
        seq = self._seq_of(revision)
        if seq is None:
            return path
        row = self._row_at(path, seq)
        return row.path if row is not None and row.status not in ("D", "X") else None

    def _row_at(self, path: str, seq: int) -> PageRevision | None:
        """The page's history row for its last change at or before commit `seq`, following moves back."""
        current, upper = path, None
        with self.db.session() as session:
            for _hop in range(1000):
                bound = [PageRevision.id < upper] if upper is not None else []
                moved_in = session.scalar(
                    select(PageRevision).where(PageRevision.path == current, PageRevision.seq > seq,
                                               PageRevision.status == "R", *bound)
                    .order_by(PageRevision.id.desc()).limit(1))
                if moved_in is not None:
                    current, upper = moved_in.other_path, moved_in.id
                    continue
                return session.scalar(
                    select(PageRevision).where(PageRevision.path == current, PageRevision.seq <= seq, *bound)
                    .order_by(PageRevision.id.desc()).limit(1))
        return None

    def revision_info(self, who: Principal | None, path: str, rev: str) -> PageRevision | None:
        """The page's history row at `rev` (author, date, message, the name it had then), None if none."""
        path = normalize_page_path(path)
        self.require(who, "read", path)
        seq = self._seq_of(self.store.resolve(rev))
        row = self._row_at(path, seq) if seq is not None else None
        if row is None or (row.path != path and not self.acl.can(who, "read", row.path)):
            return None
        return row

    def neighbours(self, who: Principal | None, row: PageRevision) -> tuple[PageRevision | None,
                                                                                PageRevision | None]:
        """The page's change before and after a history row, across moves: for 'previous/next change' links."""
        with self.db.session() as session:
            older_path = row.other_path if row.status == "R" and row.other_path else row.path
            older = session.scalar(select(PageRevision).where(PageRevision.path == older_path,
                                                              PageRevision.id < row.id)
                                   .order_by(PageRevision.id.desc()).limit(1))
            newer = session.scalar(select(PageRevision).where(PageRevision.path == row.path,
                                                              PageRevision.id > row.id)
                                   .order_by(PageRevision.id.asc()).limit(1))
            if newer is not None and newer.status == "X":
                newer = session.scalar(select(PageRevision).where(
                    PageRevision.path == newer.other_path, PageRevision.seq == newer.seq,
                    PageRevision.status == "R"))
        visible = [r if r is not None and self.acl.can(who, "read", r.path) else None for r in (older, newer)]
        return visible[0], visible[1]

    def diff(self, who: Principal | None, path: str, rev_from: str | None, rev_to: str | None) -> dict:
        path = normalize_page_path(path)
        self.require(who, "read", path)
        self.views.catch_up()
        if not rev_to:
            rev_to = self.history(who, path, limit=1).items[0].revision
        rev_to = self.store.resolve(rev_to)
        if not rev_from:
            rev_from = self._previous_change(path, rev_to)
        rev_from = self.store.resolve(rev_from) if rev_from else None
        old = self.text_at(who, path, rev_from) if rev_from else ""
        new = self.text_at(who, path, rev_to)
        return {"from": rev_from, "to": rev_to, "old": old, "new": new}

    def _previous_change(self, path: str, rev: str) -> str | None:
        """The revision before the page's change at or before rev (for 'compare with previous')."""
        seq = self._seq_of(rev)
        found, cursor = False, None
        while True:
            page = self.history(_SYSTEM, path, limit=50, cursor=cursor)
            for row in page.items:
                if found:
                    return row.revision
                found = seq is None or row.seq <= seq
            if page.next is None:
                return None
            cursor = page.next

    def blame(self, who: Principal | None, path: str, rev: str | None = None) -> list[dict]:
        record = self.get(who, path, rev)
        lines = []
        for number, (info, text) in enumerate(self.store.blame(page_file(record.path), record.at), start=1):
            lines.append({"number": number, "text": text, "revision": info.revision,
                          "author": {"name": info.author.name, "email": info.author.email},
                          "coauthors": [{"name": a.name, "email": a.email} for a in coauthors_in(info.message)],
                          "date": info.date, "message": summary_of(info.message).split("\n", 1)[0]})
        return lines

    def backlinks(self, who: Principal | None, path: str) -> list[str]:
        path = normalize_page_path(path)
        self.require(who, "read", path)
        self.views.catch_up()
        sources = self._at_head("backlinks", path, lambda: tuple(self._backlinks(path)))
        return [s for s in sources if self.acl.can(who, "read", s)]

    def _backlinks(self, path: str) -> list[str]:
        with self.db.session() as session:
            return list(session.scalars(select(PageLink.source).where(PageLink.target == path)
                                        .order_by(PageLink.source)))

    def list_pages(self, who: Principal | None, prefix: str = "", limit: int = 50,
                   cursor: str | None = None) -> Page:
        self.views.catch_up()
        after = cursor_field(decode_cursor(cursor), "after", str, "")
        prefix = unicodedata.normalize("NFC", prefix or "").lstrip("/")
        items: list[CurrentPage] = []
        with self.db.session() as session:
            while len(items) <= limit:
                query = select(CurrentPage).where(CurrentPage.path > after)
                if prefix:
                    query = query.where(CurrentPage.path.startswith(prefix, autoescape=True))
                rows = session.scalars(query.order_by(CurrentPage.path).limit(limit * 2 + 1)).all()
                if not rows:
                    break
                items.extend(r for r in rows if self.acl.can(who, "read", r.path))
                after = rows[-1].path
        more = len(items) > limit
        items = items[:limit]
        return Page(items, encode_cursor({"after": items[-1].path}) if more else None)

    def changes(self, who: Principal | None, limit: int = 50, cursor: str | None = None) -> Page:
        """Site-wide changes, newest first, showing only the paths the person may read."""
        self.views.catch_up()
        before = cursor_field(decode_cursor(cursor), "before", int)
        items: list[dict] = []
        with self.db.session() as session:
            while len(items) <= limit:
                query = select(CommitRow)
                if before is not None:
                    query = query.where(CommitRow.seq < before)
                rows = session.scalars(query.order_by(CommitRow.seq.desc()).limit(limit * 2 + 1)).all()
                if not rows:
                    break
                for row in rows:
                    visible = [p for p in row.paths if self.acl.can_file(who, "read", p)]
                    if visible:
                        items.append(_change_item(row, visible))
                before = rows[-1].seq
        more = len(items) > limit
        items = items[:limit]
        return Page(items, encode_cursor({"before": items[-1]["row"].seq}) if more else None)

    # -- writing ----------------------------------------------------------------------------------------------
    def commit(self, changes: dict[str, bytes | None], who: Principal | None, message: str,
                parent: str | None = None, expect_absent: tuple[str, ...] = ()) -> CommitResult:
        """The wiki's write door: checks (plugins may refuse the change) → the store's commit → views → hooks."""
        for check in self.before_commit:
            check(changes, who)
        result = self.store.commit(changes, author_of(who), message, parent=parent, expect_absent=expect_absent)
        if result.changed:
            self.views.catch_up()
            for hook in self.after_commit:
                hook(result)
        return result

    def save(self, who: Principal | None, path: str, markdown: str, message: str | None = None,
             base_revision: str | None = None, coauthors: Iterable[Author] = ()) -> SaveResult:
        """Commit a page's new text. `coauthors` (people whose edits the text holds, e.g. from a co-editing
        session) are named in `Co-authored-by:` trailers after the person's own message."""
        path = normalize_page_path(path)
        self.require(who, "edit", path)
        text = self._check_markdown(markdown)
        parent = None
        if base_revision:
            try:
                parent = self.store.resolve(base_revision)
            except RevisionNotFound as exc:
                raise InvalidInput(f"base_revision '{base_revision}' does not exist.") from exc
        existed = self.store.blob_id(None, page_file(path)) is not None
        verb = "수정" if existed else "새 문서"
        text_message = with_coauthors(clean_message(message, f"{verb}: {path}"), author_of(who), coauthors)
        result = self.commit({page_file(path): text.encode("utf-8")}, who, text_message, parent=parent)
        return SaveResult(path, result.revision, result.merged, created=not existed, changed=result.changed)

    def _check_markdown(self, markdown: object) -> str:
        if not isinstance(markdown, str):
            raise InvalidInput("'markdown' must be text.")
        text = markdown.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise InvalidInput("The page is empty; write something, or delete the page instead.")
        if "\x00" in text:
            raise InvalidInput("The text contains a NUL character.")
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise InvalidInput("The text is not valid Unicode (it holds a lone surrogate).") from exc
        if size > self.config.max_page_bytes:
            raise TooLarge(f"The page is larger than {self.config.max_page_bytes // 1024} KiB.")
        return text

    def delete(self, who: Principal | None, path: str, message: str | None = None) -> str:
        path = normalize_page_path(path)
        self.require(who, "edit", path)
        if self.store.blob_id(None, page_file(path)) is None:
            raise PageNotFound(f"There is no page '{path}'.")
        changes: dict[str, bytes | None] = {page_file(path): None}
        for file_path, _blob in self.store.list_files(attachment_dir(path)):
            if attachment_from_file(file_path) and attachment_from_file(file_path)[0] == path:
                changes[file_path] = None
        return self.commit(changes, who, clean_message(message, f"삭제: {path}")).revision

    def move(self, who: Principal | None, path: str, to: str, message: str | None = None) -> str:
        path, to = normalize_page_path(path), normalize_page_path(to)
        self.require(who, "edit", path)
        self.require(who, "edit", to)
        if path == to:
            raise InvalidInput("The new name is the same as the old one.")
        head = self.store.head()
        blob = self.store.blob_id(head, page_file(path))
        if blob is None:
            raise PageNotFound(f"There is no page '{path}'.")
        changes: dict[str, bytes | None] = {page_file(path): None, page_file(to): self.store.read_blob(blob)}
        for file_path, file_blob in self.store.list_files(attachment_dir(path), head):
            owner = attachment_from_file(file_path)
            if owner and owner[0] == path:
                changes[file_path] = None
                changes[attachment_file(to, owner[1])] = self.store.read_blob(file_blob)
        result = self.commit(changes, who, clean_message(message, f"이동: {path} → {to}"), parent=head,
                              expect_absent=(page_file(to),))
        return result.revision

    def revert(self, who: Principal | None, path: str, revision: str, message: str | None = None) -> SaveResult:
        path = normalize_page_path(path)
        self.require(who, "edit", path)
        full = self.store.resolve(revision)
        text = self.text_at(who, path, full)
        if not text:
            raise PageNotFound(f"The page '{path}' did not exist at revision {full[:10]}.")
        existed = self.store.blob_id(None, page_file(path)) is not None
        result = self.commit({page_file(path): text.encode("utf-8")}, who,
                              clean_message(message, f"되돌림: {path} ← {full[:10]}"))
        return SaveResult(path, result.revision, False, created=not existed, changed=result.changed)

    # -- attachments ------------------------------------------------------------------------------------------
    def attachments(self, who: Principal | None, path: str) -> list[dict]:
        path = normalize_page_path(path)
        self.require(who, "read", path)
        items = []
        for file_path, blob in self.store.list_files(attachment_dir(path)):
            owner = attachment_from_file(file_path)
            if owner and owner[0] == path:
                items.append({"name": owner[1], "size": self.store.blob_size(blob),
                              "type": guess_type(owner[1])})
        return items

    def put_attachment(self, who: Principal | None, path: str, name: str, data: bytes,
                       content_type: str | None = None) -> tuple[str, int]:
        path, name = normalize_page_path(path), normalize_attachment_name(name)
        self.require(who, "edit", path)
        if self.store.blob_id(None, page_file(path)) is None:
            raise PageNotFound(f"There is no page '{path}' to attach a file to; create the page first.")
        if not data:
            raise InvalidInput("The file is empty.")
        if len(data) > self.config.max_upload_bytes:
            raise TooLarge(f"The file is larger than {self.config.max_upload_bytes // (1024 * 1024)} MiB.")
        ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if ext in BLOCKED_EXTENSIONS:
            raise UnsupportedType(f"Files of type '{ext}' may not be uploaded.")
        result = self.commit({attachment_file(path, name): data}, who,
                              clean_message(None, f"첨부: {path}/{name}"))
        return result.revision, len(data)

    def get_attachment(self, who: Principal | None, path: str, name: str,
                       rev: str | None = None) -> tuple[bytes, str]:
        path, name = normalize_page_path(path), normalize_attachment_name(name)
        self.require(who, "read", path)
        at = self.store.resolve(rev) if rev else None
        head = at or self.store.head()
        if head is not None:
            self._require_visible(who, path, head)  # a withheld revision (personal data) is not shown, now or then
        data = self.store.read(attachment_file(path, name), at)
        if data is None:
            raise PageNotFound(f"The page '{path}' has no attachment '{name}'.")
        return data, guess_type(name)

    def delete_attachment(self, who: Principal | None, path: str, name: str) -> str:
        path, name = normalize_page_path(path), normalize_attachment_name(name)
        self.require(who, "edit", path)
        if self.store.blob_id(None, attachment_file(path, name)) is None:
            raise PageNotFound(f"The page '{path}' has no attachment '{name}'.")
        return self.commit({attachment_file(path, name): None}, who,
                            clean_message(None, f"첨부 삭제: {path}/{name}")).revision

    # -- helpers for the web layer ----------------------------------------------------------------------------
    def diff_html(self, old: str, new: str) -> dict:
        """The three renderings of one comparison, remembered by the texts' digests (revisions never change,
        and a reviewer flips between the views of the same pair)."""
        key = ("diff", hashlib.sha1(old.encode("utf-8", "replace")).hexdigest(),
               hashlib.sha1(new.encode("utf-8", "replace")).hexdigest())
        return self._memo.get_or(key, lambda: {
            "ops": diffing.diff_ops(old, new), "inline": diffing.inline_html(old, new),
            "side_by_side": diffing.side_by_side_html(old, new)})


@dataclass(frozen=True)
class ChangeRow:
    """One site-wide change as a reader may see it."""

    seq: int
    revision: str
    author_name: str
    author_email: str
    date: datetime
    message: str


def _change_item(row: CommitRow, visible: list[str]) -> dict:
    """A commit that also touched files the reader may not read keeps its message to itself: messages name
    paths (`이동: 인사/… → 공개/…`) and say what changed."""
    partial = len(visible) < len(row.paths)
    shown = ChangeRow(row.seq, row.revision, row.author_name, row.author_email, row.date,
                      "" if partial else row.message)
    return {"row": shown, "paths": visible, "partial": partial}


_SYSTEM = Principal("system", "Madang", "madang@localhost", is_admin=True)


def guess_type(name: str) -> str:
    kind, _ = mimetypes.guess_type(name)
    return kind or "application/octet-stream"


def page_of_file(file_path: str) -> str | None:
    page = page_from_file(file_path)
    if page:
        return page
    owner = attachment_from_file(file_path)
    return owner[0] if owner else None
