"""The search index is a view: it follows the content repository commit by commit.

The core's view runner calls `apply` after every commit (any process's, on its next request) with the commits
since the view's watermark in the state database. The index keeps its own watermark too, written in the same
index transaction as the documents: when the two disagree (the index folder was deleted or copied, the index was
not yet bound to its folder when the runner first ran, several nodes share one database but keep their own
index), the view replays the log from the index's own watermark, so the index is never silently behind. Applying
is idempotent: documents are replaced by id.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

from wiki.api import LoggedCommit, NotFound

from .backend import Document, SearchBackend
from .extract import file_text, markdown_text, page_title

log = logging.getLogger("madang.search")
PAGES, ATTACHMENTS, PAGE_SUFFIX, FILES_SUFFIX = "pages/", "attachments/", ".md", ".files"
PLUGIN_FILES = "plugins/"  # plugins' own files: indexed when a plugin's madang_search_documents says how


class SearchIndexView:
    name = "search"
    batch_size = 25  # commits a round: small rounds keep other writers of the index waiting briefly
    applies_outside_transaction = True  # it writes only its own index, by document id (idempotent), so the runner
    # never holds the state database's write lock while it indexes
    deferred = True  # indexing (Kiwi) is the costly part of a save: it runs after the save answers; a search
    # still sees the latest commit, since it catches every view up first

    def __init__(self) -> None:
        self.backend: SearchBackend | None = None
        self.plugins = None  # the plugin host, for madang_search_documents (set when the app is made)
        self._pending_reset = False

    def configure(self, config) -> None:
        """Learn the index folder from the core's Config without Flask (scripts, `python -m wiki.cli
        rebuild-views`). Proposed for the core: build_core calls `configure(config)` on every view that has it,
        before the first catch-up. Without that call the blueprint binds the view when the app is made."""
        if self.backend is None:
            from .whoosh_backend import WhooshBackend

            self.backend = WhooshBackend(config.search_index)
            if self._pending_reset:
                self.backend.clear()
                self._pending_reset = False

    def bind(self, backend: SearchBackend, store) -> None:
        """Give the view its index (the plugin's blueprint does this when the app is made), then catch up."""
        self.backend = backend
        if self._pending_reset:
            backend.clear()
            self._pending_reset = False
        self.sync(store)

    # -- the View protocol -----------------------------------------------------------------------------------------
    def reset(self, session) -> None:
        if self.backend is None:
            self._pending_reset = True
            return
        self.backend.clear()

    def apply(self, session, store, commits: list[LoggedCommit]) -> None:
        if self.backend is None or not commits:
            return  # not bound yet: `bind` replays from the index's own watermark
        self.sync(store, commits)

    # -- catching up -----------------------------------------------------------------------------------------------
    def sync(self, store, commits: list[LoggedCommit] | None = None) -> int:
        """Bring the index to the last of `commits` (or to head): the batch itself when the index stands right
        before it, else the log from the index's own watermark. Returns the number of commits applied."""
        assert self.backend is not None
        target = commits[-1].info.revision if commits else store.head()
        if not target:
            return 0
        with self.backend.writing() as writer:
            mark = writer.watermark()
            if mark == target:
                return 0
            parents = commits[0].info.parents if commits else None
            if commits and mark == (parents[0] if parents else ""):
                todo: Iterable[LoggedCommit] = commits
            else:
                if mark:
                    try:
                        store.resolve(mark)
                    except NotFound:  # an index from elsewhere: start again
                        log.warning("search index watermark %s is not in the repository: rebuilding", mark[:10])
                        writer.clear()
                        mark = ""
                todo = store.log(mark or None, target)
            applied = self._apply(store, writer, todo)
            if applied:
                writer.set_watermark(target)
            return applied

    def _apply(self, store, writer, commits: Iterable[LoggedCommit]) -> int:
        latest: dict[str, tuple[LoggedCommit, str | None]] = {}
        count = 0
        for logged in commits:
            count += 1
            for change in logged.changes:
                if change.old_path:
                    latest[change.old_path] = (logged, None)
                latest[change.path] = (logged, None if change.status == "D" else change.new_blob)
        deletes, documents = [], []
        for file_path, (logged, blob) in latest.items():
            if not indexable(file_path):
                if file_path.startswith(PLUGIN_FILES) and self.plugins is not None:  # plugins' documents
                    if blob is None:
                        deletes.append(file_path)
                    else:
                        document = plugin_document(self.plugins, store, file_path, blob, logged)
                        if document is not None:
                            documents.append(document)
                continue
            if blob is None:
                deletes.append(file_path)
                continue
            document = make_document(store, file_path, blob, logged)
            if document is not None:
                documents.append(document)
            if len(documents) >= 200:
                writer.index(documents)
                documents = []
        writer.delete(deletes)
        writer.index(documents)
        return count


def indexable(file_path: str) -> bool:
    if file_path.startswith(PAGES) and file_path.endswith(PAGE_SUFFIX):
        return True
    return owner_of(file_path) is not None


def owner_of(file_path: str) -> tuple[str, str] | None:
    """(page, file name) of an attachment file, else None."""
    if not file_path.startswith(ATTACHMENTS):
        return None
    folder, _, name = file_path[len(ATTACHMENTS):].rpartition("/")
    if not name or not folder.endswith(FILES_SUFFIX) or len(folder) == len(FILES_SUFFIX):
        return None
    return folder[:-len(FILES_SUFFIX)], name


def page_url(path: str) -> str:
    return "/wiki/" + quote(path, safe="/")


def make_document(store, file_path: str, blob: str, logged: LoggedCommit) -> Document | None:
    info = logged.info
    common = dict(author_name=info.author.name, author_email=info.author.email, date=info.date,
                  revision=info.revision)
    data = store.read_blob(blob)
    if file_path.startswith(PAGES):
        page = file_path[len(PAGES):-len(PAGE_SUFFIX)]
        markdown = data.decode("utf-8", "replace")
        return Document(id=file_path, type="page", path=page, acl=page, title=page_title(page, markdown),
                        text=markdown_text(markdown), url=page_url(page), **common)
    owner = owner_of(file_path)
    if owner is None:
        return None
    page, name = owner
    return Document(id=file_path, type="attachment", path=f"{page}/{name}", acl=page, title=name,
                    text=file_text(name, data), url=f"{page_url(page)}/attachments/{quote(name)}", **common)


def plugin_document(plugins, store, file_path: str, blob: str, logged: LoggedCommit) -> Document | None:
    """A plugin's file as a search document, as its madang_search_documents describes it (None: not indexed)."""
    answers = plugins.hook("madang_search_documents")(path=file_path, data=store.read_blob(blob))
    found = next((a for a in answers if isinstance(a, dict) and a.get("type") and a.get("acl")), None)
    if found is None:
        return None
    info = logged.info
    text = str(found.get("text") or "") or markdown_text(str(found.get("markdown") or ""))
    return Document(id=file_path, type=str(found["type"]), path=str(found.get("path") or file_path),
                    acl=str(found["acl"]), title=str(found.get("title") or ""), text=text,
                    url=str(found.get("url") or ""), author_name=info.author.name, author_email=info.author.email,
                    date=info.date, revision=info.revision)
