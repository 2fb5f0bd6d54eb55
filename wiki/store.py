"""The content repository: the one git adapter and the one door for writes.

Writes build blobs, a tree and a commit with git plumbing in a private index file, then move the branch with a
compare-and-swap `git update-ref`. Nothing shares a working tree or an index, so any number of threads and
processes can write at once; a writer that loses the race rebases its change onto the new head (three-way merge
per file) or raises EditConflict. Reads go through GitPython's long-lived `cat-file` processes, one set a thread.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import git
from gitdb import LooseObjectDB

from .errors import AlreadyExists, EditConflict, RevisionNotFound, StoreBusy
from .gitobjects import Entries, TreeBuilder, commit_bytes, parse_tree, store_object

ZERO = "0" * 40
HEX_RE = re.compile(r"^[0-9a-f]{4,40}$")
SYSTEM_NAME, SYSTEM_EMAIL = "Madang", "madang@localhost"


@dataclass(frozen=True)
class Author:
    name: str
    email: str


@dataclass
class CommitResult:
    revision: str
    merged: bool = False
    changed: bool = True


@dataclass
class CommitInfo:
    revision: str
    parents: list[str]
    author: Author
    date: datetime
    message: str


@dataclass
class RawChange:
    """One file change of a commit, as `git log --raw -M` reports it."""

    status: str
    path: str
    old_path: str | None
    old_blob: str
    new_blob: str


@dataclass
class LoggedCommit:
    info: CommitInfo
    changes: list[RawChange] = field(default_factory=list)


BLOB_CACHE_MAX = 256 * 1024
MAINTENANCE_EVERY = 500


class LRU(OrderedDict):
    """A small thread-safe least-recently-used map, for answers that never go stale (keyed by ids)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def get(self, key, default=None):
        with self.lock:
            if key in self:
                self.move_to_end(key)
                return self[key]
        return default

    def get_or(self, key, compute):
        with self.lock:
            if key in self:
                self.move_to_end(key)
                return self[key]
        value = compute()
        with self.lock:
            self[key] = value
            if len(self) > self.size:
                self.popitem(last=False)
        return value


class ContentStore:
    """A bare git repository holding every document; see the README for its layout."""

    def __init__(self, path: Path | str, branch: str = "main") -> None:
        self.path = Path(path)
        self.branch = branch
        self.ref = f"refs/heads/{branch}"
        self._local = threading.local()
        self._lookups = LRU(200_000)
        self._blobs = LRU(4096)
        self._sizes = LRU(100_000)
        self._listings = LRU(20_000)
        self._trees = LRU(20_000)
        # GitPython's odb would spawn `git hash-object` for every object: gitdb's loose database writes them in
        # process (zlib, a temporary file renamed into place), which is what git does too
        self._loose = LooseObjectDB(str(self.path / "objects"))
        self._builder = TreeBuilder(self._read_tree, lambda kind, data: store_object(self._loose, kind, data))
        self._ref_file = str(self.path / self.ref)
        self._writes = 0
        self.ensure()

    # -- plumbing ---------------------------------------------------------------------------------------------
    def ensure(self) -> None:
        """Create the repository on first start."""
        if (self.path / "HEAD").exists() or (self.path / ".git").exists():
            return
        self.path.mkdir(parents=True, exist_ok=True)
        self._git("init", "--bare", "--quiet", f"--initial-branch={self.branch}", str(self.path), cwd=None)

    def _git(self, *args: str, input: bytes | None = None, env: dict | None = None,
             cwd: Path | None | str = "repo", check: bool = True) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
        cmd = ["git"] + (["--git-dir", str(self.path)] if cwd == "repo" else []) + list(args)
        proc = subprocess.run(cmd, input=input, env=full_env, capture_output=True)
        if check and proc.returncode != 0:
            raise git.GitCommandError(cmd, proc.returncode, proc.stderr)
        return proc

    @property
    def repo(self) -> git.Repo:
        """A GitPython Repo for this thread: its cat-file processes are not thread-safe."""
        repo = getattr(self._local, "repo", None)
        if repo is None:
            repo = git.Repo(self.path, odbt=git.GitCmdObjectDB)
            self._local.repo = repo
        return repo

    def close(self) -> None:
        repo = getattr(self._local, "repo", None)
        if repo is not None:
            repo.close()
            self._local.repo = None

    # -- reading ----------------------------------------------------------------------------------------------
    def head(self) -> str | None:
        """The branch's commit id, read from the ref files without spawning git (a few microseconds: it is
        asked on every request, and must see other processes' commits at once)."""
        try:
            fd = os.open(self._ref_file, os.O_RDONLY)
            try:
                value = os.read(fd, 128).strip().decode("ascii")
            finally:
                os.close(fd)
            if value:
                return value
        except FileNotFoundError:
            pass
        packed = self.path / "packed-refs"
        if packed.exists():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + self.ref):
                    return line.split(" ", 1)[0]
        return None

    def resolve(self, rev: str) -> str:
        """A full commit id for a revision id or unambiguous prefix, or RevisionNotFound."""
        rev = (rev or "").strip().lower()
        if not HEX_RE.match(rev):
            raise RevisionNotFound(f"'{rev[:50]}' is not a revision id.")
        if len(rev) == 40:  # the usual case (API clients, forms): ask the object database, spawn nothing
            try:
                if self.repo.odb.info(bytes.fromhex(rev)).type == b"commit":
                    return rev
            except (ValueError, git.BadObject, git.BadName):
                pass
            raise RevisionNotFound(f"Revision '{rev}' does not exist.")
        proc = self._git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        if proc.returncode != 0:
            raise RevisionNotFound(f"Revision '{rev}' does not exist.")
        return proc.stdout.decode().strip()

    def blob_id(self, rev: str | None, file_path: str) -> str | None:
        """The blob at file_path in commit rev (default: head), cached since commits never change."""
        rev = rev or self.head()
        if rev is None:
            return None
        return self._lookups.get_or((rev, file_path), lambda: self._lookup(rev, file_path))

    def _lookup(self, rev: str, file_path: str) -> str | None:
        try:
            obj = self.repo.commit(rev).tree / file_path
        except KeyError:
            return None
        except (ValueError, git.BadName) as exc:
            raise RevisionNotFound(f"Revision '{rev}' does not exist.") from exc
        return obj.hexsha if obj.type == "blob" else None

    def read_blob(self, blob: str) -> bytes:
        """Blob contents; small blobs (pages) are kept in memory, since a blob id never changes its content."""
        cached = self._blobs.get(blob)
        if cached is not None:
            return cached
        data = self.repo.odb.stream(bytes.fromhex(blob)).read()
        if len(data) <= BLOB_CACHE_MAX:
            self._blobs.get_or(blob, lambda: data)
        return data

    def blob_size(self, blob: str) -> int:
        return self._sizes.get_or(blob, lambda: self.repo.odb.info(bytes.fromhex(blob)).size)

    def read(self, file_path: str, rev: str | None = None) -> bytes | None:
        blob = self.blob_id(rev, file_path)
        return None if blob is None else self.read_blob(blob)

    def list_files(self, prefix: str, rev: str | None = None) -> list[tuple[str, str]]:
        """(path, blob) of every file under prefix (a folder path ending in '/'); cached per commit."""
        rev = rev or self.head()
        if rev is None:
            return []
        return list(self._listings.get_or((rev, prefix), lambda: tuple(self._list_files(prefix, rev))))

    def _list_files(self, prefix: str, rev: str) -> list[tuple[str, str]]:
        try:
            tree = self.repo.commit(rev).tree
            if prefix.strip("/"):
                tree = tree / prefix.strip("/")
        except KeyError:
            return []
        if tree.type != "tree":
            return []
        return [(item.path, item.hexsha) for item in tree.traverse() if item.type == "blob"]

    def commit_info(self, rev: str) -> CommitInfo:
        try:
            commit = self.repo.commit(rev)
        except (ValueError, git.BadName) as exc:
            raise RevisionNotFound(f"Revision '{rev}' does not exist.") from exc
        return CommitInfo(
            revision=commit.hexsha,
            parents=[p.hexsha for p in commit.parents],
            author=Author(commit.author.name, commit.author.email),
            date=commit.authored_datetime,
            message=commit.message.rstrip("\n"),
        )

    def blame(self, file_path: str, rev: str) -> list[tuple[CommitInfo, str]]:
        """Each line of file_path at rev with the commit that last changed it (git follows renames)."""
        result: list[tuple[CommitInfo, str]] = []
        infos: dict[str, CommitInfo] = {}
        for commit, lines in self.repo.blame(rev, file_path) or []:
            info = infos.get(commit.hexsha)
            if info is None:
                info = infos[commit.hexsha] = CommitInfo(
                    commit.hexsha, [], Author(commit.author.name, commit.author.email),
                    commit.authored_datetime, commit.message)
            for line in lines:
                text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
                result.append((info, text))
        return result

    def log(self, since: str | None, until: str, paths: tuple[str, ...] = ()) -> Iterator[LoggedCommit]:
        """Commits after `since` up to `until`, oldest first, with their file changes (renames detected)."""
        rng = f"{since}..{until}" if since else until
        cmd = ["git", "--git-dir", str(self.path), "log", "--reverse", "--first-parent", "-m", "--raw",
               "-M", "-z", "--no-abbrev",
               "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%B%x1f", rng, "--", *paths]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env={**os.environ, "LC_ALL": "C"})
        try:
            buffer = b""
            assert proc.stdout is not None
            for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):
                buffer += chunk
                *records, buffer = buffer.split(b"\x1e")
                for record in records:
                    if record:
                        yield _parse_logged(record)
            if buffer:
                yield _parse_logged(buffer)
        finally:
            proc.stdout.close()
            proc.wait()

    def count_commits(self) -> int:
        head = self.head()
        if not head:
            return 0
        return int(self._git("rev-list", "--count", head).stdout)

    # -- writing: the one door --------------------------------------------------------------------------------
    def commit(self, changes: dict[str, bytes | None], author: Author, message: str, *,
               parent: str | None = None, expect_absent: tuple[str, ...] = (),
               allow_empty: bool = False) -> CommitResult:
        """Commit `changes` (path -> content, None deletes) made against `parent` (default: current head).

        If the branch moved since `parent`, files nobody else touched go through, text files changed on both
        sides are merged three ways, and overlapping edits raise EditConflict with all three texts.
        """
        base = parent if parent is not None else self.head()
        merged = False
        delay = 0.002
        for _attempt in range(200):
            head = self.head()
            for path in expect_absent:  # before the rebase: "it exists now" says more than a conflict would
                if head and self.blob_id(head, path):
                    raise AlreadyExists(f"'{path}' already exists.")
            if head != base:
                changes, did_merge = self._rebase(changes, base, head)
                merged = merged or did_merge
                base = head
            new, changed = self._write_commit(changes, head, author, message, allow_empty)
            if not changed and not allow_empty:
                return CommitResult(revision=head or "", merged=merged, changed=False)
            if self._update_ref(new, head):
                self._after_write()
                return CommitResult(revision=new, merged=merged)
            time.sleep(delay)
            delay = min(delay * 1.5, 0.05)
        raise StoreBusy("The content repository is busy; please try again in a moment.")

    def _rebase(self, changes: dict[str, bytes | None], base: str | None,
                head: str | None) -> tuple[dict[str, bytes | None], bool]:
        rebased: dict[str, bytes | None] = {}
        merged = False
        for path, yours in changes.items():
            base_blob = self.blob_id(base, path) if base else None
            head_blob = self.blob_id(head, path) if head else None
            if base_blob == head_blob:
                rebased[path] = yours
                continue
            theirs = self.read_blob(head_blob) if head_blob else None
            if theirs == yours:
                rebased[path] = yours
                continue
            original = self.read_blob(base_blob) if base_blob else b""
            if yours is None or theirs is None:
                raise _conflict(path, original, theirs or b"", yours or b"", head)
            result = merge_texts(original, theirs, yours)
            if result is None:
                raise _conflict(path, original, theirs, yours, head)
            rebased[path] = result
            merged = True
        return rebased, merged

    def _write_commit(self, changes: dict[str, bytes | None], head: str | None, author: Author,
                      message: str, allow_empty: bool = False) -> tuple[str, bool]:
        """Blobs, the trees on the changed paths and the commit, straight into the object database (no git
        process); a file where a folder is, or a folder where a file is, raises InvalidPath."""
        blobs = {path: (None if content is None else self._store_blob(content)) for path, content in changes.items()}
        head_tree = self.repo.commit(head).tree.binsha if head else None
        tree = self._builder.apply(head_tree, blobs)
        if head and not allow_empty and tree == head_tree:
            return head, False
        stamp = f"{int(time.time())} +0000"
        name = _ident(author.name) or _ident(author.email) or "unknown"
        body = commit_bytes(tree.hex(), [head] if head else [], f"{name} <{_ident(author.email)}> {stamp}",
                            f"{SYSTEM_NAME} <{SYSTEM_EMAIL}> {stamp}", message.translate(_LOG_SEPARATORS))
        return store_object(self._loose, b"commit", body).hex(), True

    def _read_tree(self, binsha: bytes) -> Entries:
        return self._trees.get_or(binsha, lambda: parse_tree(self.repo.odb.stream(binsha).read()))

    def _store_blob(self, content: bytes) -> str:
        return store_object(self._loose, b"blob", content).hex()

    def _after_write(self) -> None:
        """Objects are written loose and plumbing never runs git's housekeeping, so every MAINTENANCE_EVERY
        commits of this process, in the background: `git repack -d` packs the loose objects (objects written
        meanwhile stay loose; nothing unreachable is pruned, so concurrent writers are safe), and `git gc --auto`
        merges the packs once there are many."""
        self._writes += 1
        if self._writes % MAINTENANCE_EVERY == 0:
            threading.Thread(target=self._housekeeping, name="madang-git-gc", daemon=True).start()

    def _housekeeping(self) -> None:
        self._git("repack", "-d", "-q", check=False)
        self._git("gc", "--auto", "--quiet", check=False)

    def _update_ref(self, new: str, old: str | None) -> bool:
        proc = self._git("update-ref", "-m", "madang", self.ref, new, old or ZERO, check=False)
        return proc.returncode == 0


_LOG_SEPARATORS = {0: None, 0x1E: None, 0x1F: None}  # the record/field separators `log()` parses by


def _ident(value: str) -> str:
    """A name or e-mail git accepts and `log()` can parse back: no control characters, no angle brackets."""
    return "".join(ch for ch in value or "" if ch not in "<>" and ch.isprintable()).strip()


def _conflict(path: str, base: bytes, theirs: bytes, yours: bytes, head: str | None) -> EditConflict:
    decode = lambda b: b.decode("utf-8", "replace")  # noqa: E731
    return EditConflict(path, decode(base), decode(theirs), decode(yours), head or "")


def merge_texts(base: bytes, theirs: bytes, yours: bytes) -> bytes | None:
    """Three-way line merge with `git merge-file`; None when the edits overlap."""
    with tempfile.TemporaryDirectory(prefix="madang-merge-") as tmp:
        names = []
        for label, data in (("yours", yours), ("base", base), ("theirs", theirs)):
            p = Path(tmp) / label
            p.write_bytes(data)
            names.append(str(p))
        proc = subprocess.run(["git", "merge-file", "-p", "--quiet", *names], capture_output=True)
    if proc.returncode != 0:
        return None
    return proc.stdout


def _parse_logged(record: bytes) -> LoggedCommit:
    head, _, raw = record.partition(b"\x1f\x00") if b"\x1f\x00" in record else record.rpartition(b"\x1f")
    sha, parents, name, email, date, body = head.split(b"\x1f", 5)
    info = CommitInfo(
        revision=sha.decode(), parents=parents.decode().split(),
        author=Author(name.decode("utf-8", "replace"), email.decode("utf-8", "replace")),
        date=datetime.fromisoformat(date.decode()).astimezone(UTC),
        message=body.decode("utf-8", "replace").rstrip("\n"),
    )
    return LoggedCommit(info, _parse_raw(raw))


def _parse_raw(raw: bytes) -> list[RawChange]:
    parts = raw.lstrip(b"\n\x00").split(b"\x00")
    changes: list[RawChange] = []
    i = 0
    while i < len(parts):
        meta = parts[i]
        if not meta.startswith(b":"):
            i += 1
            continue
        _old_mode, _new_mode, old_blob, new_blob, status = meta[1:].decode().split(" ")
        if status[0] in "RC":
            old_path, path = parts[i + 1].decode(), parts[i + 2].decode()
            i += 3
        else:
            old_path, path = None, parts[i + 1].decode()
            i += 2
        changes.append(RawChange(status[0], path, old_path, old_blob, new_blob))
    return changes
