"""The inspection: every version of every file the content repository ever held, each distinct blob scanned once.

One `git log --raw` walks the history (oldest first, first parent) and one `git cat-file --batch` reads the blobs,
so a scan costs two git processes whatever the history's size. A scan remembers where it stopped (its watermark),
so the next one reads only the commits made since. Works on the repository folder alone: the CLI
(`python -m plugins.pii scan`) needs no running site.
"""
from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .detect import find
from .guard import file_text, target_of

ZERO = "0" * 40
OWN_FILES = "plugins/pii/"


@dataclass
class Item:
    path: str
    file: str
    attachment: str | None
    revision: str
    blob: str
    kind: str
    masked: str
    severity: str
    author: str
    email: str
    date: str

    def to_json(self) -> dict:
        return {"path": self.path, "revision": self.revision, "kind": self.kind, "masked": self.masked,
                "severity": self.severity, "author": {"name": self.author, "email": self.email},
                "date": self.date, "file": self.file, "attachment": self.attachment}


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True,
                          env={**os.environ, "LC_ALL": "C"}, check=False)


def count_commits(repo: Path, since: str | None, until: str) -> int:
    proc = git(repo, "rev-list", "--first-parent", "--count", f"{since}..{until}" if since else until)
    return int(proc.stdout or 0)


def walk(repo: Path, since: str | None, until: str) -> Iterator[tuple[str, str, str, str, list[tuple[str, str]]]]:
    """(revision, author, e-mail, date, [(file, new blob), ...]) oldest first; deletions left out."""
    rng = f"{since}..{until}" if since else until
    cmd = ["git", "--git-dir", str(repo), "log", "--reverse", "--first-parent", "-m", "--raw", "--no-renames",
           "-z", "--no-abbrev", "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f", rng, "--"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env={**os.environ, "LC_ALL": "C"})
    assert proc.stdout is not None
    try:
        data = proc.stdout.read()
    finally:
        proc.stdout.close()
        proc.wait()
    for record in data.split(b"\x1e"):
        if not record.strip():
            continue
        head, _, raw = record.rpartition(b"\x1f")
        revision, author, email, date = (x.decode("utf-8", "replace") for x in head.split(b"\x1f")[:4])
        tokens = [t for t in raw.split(b"\x00")]
        files, i = [], 0
        while i < len(tokens):
            token = tokens[i].strip(b"\n")
            if token.startswith(b":") and i + 1 < len(tokens):
                meta = token.decode().split()
                path = tokens[i + 1].decode("utf-8", "replace")
                if meta[3] != ZERO and not meta[4].startswith("D"):
                    files.append((path, meta[3]))
                i += 2
            else:
                i += 1
        yield revision.strip(), author, email, date, files


class BlobReader:
    """`git cat-file --batch`: one process reads every blob."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(["git", "--git-dir", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)

    def read(self, blob: str) -> bytes:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(blob.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) < 3:
            return b""
        data = self.proc.stdout.read(int(header[2]))
        self.proc.stdout.read(1)
        return data

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.proc.wait()


@dataclass
class Scanner:
    """Findings over the whole history, kept up to date incrementally (one per site process)."""

    repo: Path
    allow: frozenset[str] = frozenset()
    watermark: str | None = None
    items: list[Item] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    blobs_scanned: int = 0
    progress: tuple[int, int] = (0, 0)  # (commits done, commits to do) of the running scan
    running: bool = False
    thread: threading.Thread | None = None  # the admin page's background scan
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self, allow: frozenset[str]) -> None:
        self.allow, self.watermark, self.items, self.seen, self.blobs_scanned = allow, None, [], set(), 0

    def update(self, head: str | None, allow: frozenset[str],
               report: Callable[[int, int, int], None] | None = None) -> None:
        """Scan the commits since the watermark up to head (all of them after the allow-list changed)."""
        try:
            self._update(head, allow, report)
        finally:
            self.running = False

    def _update(self, head: str | None, allow: frozenset[str],
                report: Callable[[int, int, int], None] | None) -> None:
        with self.lock:
            if allow != self.allow or (self.watermark and head and head != self.watermark
                                       and git(self.repo, "merge-base", "--is-ancestor", self.watermark,
                                               head).returncode != 0):
                self.reset(allow)  # a changed allow-list, or a rewritten history (python -m plugins.pii.rewrite)
            if not head or head == self.watermark:
                return
            total = count_commits(self.repo, self.watermark, head)
            reader = BlobReader(self.repo)
            self.running, self.progress = True, (0, total)
            try:
                for done, (revision, author, email, date, files) in enumerate(walk(self.repo, self.watermark, head),
                                                                              start=1):
                    for file_path, blob in files:
                        if blob in self.seen or file_path.startswith(OWN_FILES):
                            continue
                        self.seen.add(blob)
                        self.blobs_scanned += 1
                        text = file_text(file_path, reader.read(blob))
                        for f in find(text, self.allow) if text else ():
                            page = target_of(file_path)
                            attachment = file_path.rsplit("/", 1)[-1] if file_path.startswith("attachments/") \
                                else None
                            self.items.append(Item(page, file_path, attachment, revision, blob, f.kind, f.masked,
                                                   f.severity, author, email, date))
                    self.progress = (done, total)
                    if report:
                        report(done, total, len(self.items))
            finally:
                reader.close()
            self.watermark = head
