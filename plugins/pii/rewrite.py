"""Destroy personal data physically: rewrite the content repository's history without given file versions.

    python -m plugins.pii.rewrite run --repo content_repo --drop REV:PATH [--drop-blob BLOB ...] [--remove]
    python -m plugins.pii.rewrite confirm --repo content_repo     # (or --confirm) delete the backup, expire
                                                                  # reflogs, git gc --prune=now
    python -m plugins.pii.rewrite undo --repo content_repo        # put the branch back on the backup (before confirm)

`run` replaces every named blob, in every commit of the branch, by a redaction notice (or removes the file with
`--remove`); every commit from the first that held one is rewritten, keeping its author, committer, dates and
message byte for byte (a signature, which could no longer verify, is dropped). The old head is kept as
`refs/madang/pii-backup/<UTC timestamp>` until `confirm`. The branch moves by compare-and-swap: if the running site
committed meanwhile, nothing changes and the command says so (run it again). Afterwards the site's views (search
index, change lists) still name the old commits: `--rebuild-views` runs `python -m wiki.cli rebuild-views` with
this environment. See README.md ("Destroying data: the history rewrite") for what it means for clones.

Works on the repository folder alone (the site may run); objects are read with one `git cat-file --batch` and new
trees and commits are written as loose objects directly, so 20,000 commits take seconds, not 20,000 processes.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BACKUP_PREFIX = "refs/madang/pii-backup/"
NOTICE = ("# 지운 내용 (Removed)\n\n이 파일에는 개인정보가 들어 있어 {date}에 저장소의 모든 기록에서 지웠습니다.\n"
          "This file held personal data and was removed from every revision of the repository on {date}.\n")


class RewriteError(Exception):
    """A refusal a person can act on (printed without a traceback)."""


def git(repo: Path, *args: str, data: bytes | None = None, check: bool = True) -> str:
    proc = subprocess.run(["git", "--git-dir", str(repo), *args], input=data, capture_output=True,
                          env={**os.environ, "LC_ALL": "C"})
    if check and proc.returncode != 0:
        raise RewriteError(f"git {' '.join(args)}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout.decode("utf-8", "replace").strip()


class ObjectReader:
    """`git cat-file --batch`: (type, bytes) of any object, one process for the whole run."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(["git", "--git-dir", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)

    def read(self, sha: str) -> tuple[str, bytes]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(sha.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) != 3:
            raise RewriteError(f"object {sha} is missing from the repository")
        data = self.proc.stdout.read(int(header[2]))
        self.proc.stdout.read(1)
        return header[1].decode(), data

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()
        self.proc.wait()


def write_object(repo: Path, kind: str, data: bytes) -> str:
    """Store a loose object (as git does: zlib of '<type> <size>\\0<data>', named by its SHA-1)."""
    raw = f"{kind} {len(data)}".encode() + b"\0" + data
    sha = hashlib.sha1(raw).hexdigest()
    path = repo / "objects" / sha[:2] / sha[2:]
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(zlib.compress(raw, 1))
        os.chmod(tmp.name, 0o444)
        os.replace(tmp.name, path)
    return sha


def parse_tree(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """[(mode, name, 20-byte id)] of a tree object."""
    entries, i = [], 0
    while i < len(data):
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        entries.append((data[i:space], data[space + 1:nul], data[nul + 1:nul + 21]))
        i = nul + 21
    return entries


@dataclass
class Rewriter:
    """Maps every tree and commit of the history to its rewritten id (the same id when nothing in it changed)."""

    repo: Path
    drop: frozenset[str]  # blob ids (hex) to take out
    notice: str | None  # the replacement blob id, or None to remove the file
    trees: dict[str, str | None] = field(default_factory=dict)  # old tree -> new tree (None: became empty)
    commits: dict[str, str] = field(default_factory=dict)
    replaced: int = 0  # tree entries replaced or removed

    def tree(self, reader: ObjectReader, sha: str) -> str | None:
        if sha in self.trees:
            return self.trees[sha]
        _kind, data = reader.read(sha)
        out, changed = [], False
        for mode, name, raw_id in parse_tree(data):
            hex_id = raw_id.hex()
            if mode == b"40000":
                new = self.tree(reader, hex_id)
                if new != hex_id:
                    changed = True
                    if new is None:
                        continue
                    raw_id = bytes.fromhex(new)
            elif hex_id in self.drop and not mode.startswith(b"160"):  # a blob (file or link), not a submodule
                changed, self.replaced = True, self.replaced + 1
                if self.notice is None:
                    continue
                mode, raw_id = b"100644", bytes.fromhex(self.notice)
            out.append(mode + b" " + name + b"\0" + raw_id)
        if not changed:
            result: str | None = sha
        elif not out:
            result = None
        else:
            result = write_object(self.repo, "tree", b"".join(out))
        self.trees[sha] = result
        return result

    def commit(self, reader: ObjectReader, sha: str) -> str:
        _kind, data = reader.read(sha)
        head, sep, message = data.partition(b"\n\n")
        lines, out, changed, skipping = head.split(b"\n"), [], False, False
        for line in lines:
            if skipping and line.startswith(b" "):
                continue  # continuation of a dropped signature
            skipping = False
            if line.startswith(b"tree "):
                old = line[5:].decode()
                new = self.tree(reader, old) or write_object(self.repo, "tree", b"")
                changed = changed or new != old
                line = b"tree " + new.encode()
            elif line.startswith(b"parent "):
                old = line[7:].decode()
                new = self.commits.get(old, old)
                changed = changed or new != old
                line = b"parent " + new.encode()
            elif line.startswith((b"gpgsig", b"mergetag")):
                skipping = True
                continue
            out.append(line)
        result = sha if not changed else write_object(self.repo, "commit", b"\n".join(out) + sep + message)
        self.commits[sha] = result
        return result


def resolve_drops(repo: Path, files: list[str], blobs: list[str]) -> set[str]:
    """Blob ids from `REV:PATH` (a file at a revision) and from blob ids (full or abbreviated)."""
    found = set()
    for spec in files:
        if ":" not in spec:
            raise RewriteError(f"'{spec}': write REVISION:PATH (e.g. 3f2a91c:pages/민원/처리.md).")
        sha = git(repo, "rev-parse", "--verify", "-q", spec, check=False)
        if not sha or git(repo, "cat-file", "-t", sha, check=False) != "blob":
            raise RewriteError(f"'{spec}' is not a file at that revision.")
        found.add(sha)
    for blob in blobs:
        sha = git(repo, "rev-parse", "--verify", "-q", f"{blob}^{{blob}}", check=False)
        if not sha:
            raise RewriteError(f"'{blob}' is not a file version (blob) of this repository.")
        found.add(sha)
    if not found:
        raise RewriteError("Name what to drop: --drop REVISION:PATH or --drop-blob BLOB.")
    return found


def run(repo: Path, branch: str, drop: set[str], remove: bool = False, now: datetime | None = None,
        before_swap: Callable[[], object] | None = None) -> dict:
    """Rewrite the branch without the blobs; keep the old head as a backup ref. Returns what happened.
    `before_swap` runs just before the branch moves (tests use it to save a page meanwhile)."""
    now = now or datetime.now(UTC)
    ref = f"refs/heads/{branch}"
    old_head = git(repo, "rev-parse", "--verify", "-q", ref, check=False)
    if not old_head:
        raise RewriteError(f"{repo}: there is no branch '{branch}'.")
    notice = None if remove else write_object(repo, "blob", NOTICE.format(date=now.strftime("%Y-%m-%d")).encode())
    rewriter = Rewriter(repo, frozenset(drop), notice)
    reader = ObjectReader(repo)
    try:
        order = git(repo, "rev-list", "--reverse", "--topo-order", old_head).split()
        for sha in order:
            rewriter.commit(reader, sha)
    finally:
        reader.close()
    new_head = rewriter.commits[old_head]
    rewritten = sum(1 for old, new in rewriter.commits.items() if old != new)
    if new_head == old_head:
        raise RewriteError("None of those file versions is in the branch's history: nothing to rewrite.")
    backup = BACKUP_PREFIX + now.strftime("%Y%m%dT%H%M%SZ")
    git(repo, "update-ref", "-m", "madang pii rewrite: backup", backup, old_head, "0" * 40)
    if before_swap:
        before_swap()
    moved = subprocess.run(["git", "--git-dir", str(repo), "update-ref", "-m", "madang pii rewrite", ref, new_head,
                            old_head], capture_output=True)
    if moved.returncode != 0:
        git(repo, "update-ref", "-d", backup, old_head, check=False)
        raise RewriteError(f"The branch moved while the history was rewritten (someone saved): nothing was changed. "
                           f"Run the command again. ({moved.stderr.decode('utf-8', 'replace').strip()})")
    return {"old": old_head, "new": new_head, "backup": backup, "commits": len(order), "rewritten": rewritten,
            "entries": rewriter.replaced, "blobs": sorted(drop)}


def backups(repo: Path) -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname)", BACKUP_PREFIX).split()


def confirm(repo: Path, backup: str | None = None) -> list[str]:
    """Delete the backup ref(s), expire every reflog and prune: the old objects are gone from this repository."""
    chosen = [backup if backup.startswith(BACKUP_PREFIX) else BACKUP_PREFIX + backup] if backup else backups(repo)
    if not chosen:
        raise RewriteError("There is no backup to confirm (nothing was rewritten, or it was confirmed already).")
    for ref in chosen:
        if git(repo, "rev-parse", "--verify", "-q", ref, check=False) == "":
            raise RewriteError(f"There is no backup {ref}.")
        git(repo, "update-ref", "-d", ref)
    git(repo, "reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all")
    git(repo, "gc", "--prune=now", "--quiet")
    return chosen


def undo(repo: Path, branch: str, backup: str | None = None) -> str:
    """Put the branch back on the newest (or the named) backup, by compare-and-swap from the rewritten head."""
    chosen = backup if backup and backup.startswith(BACKUP_PREFIX) else (BACKUP_PREFIX + backup if backup else None)
    if chosen is None:
        found = sorted(backups(repo))
        if not found:
            raise RewriteError("There is no backup to go back to.")
        chosen = found[-1]
    old = git(repo, "rev-parse", "--verify", chosen)
    ref = f"refs/heads/{branch}"
    git(repo, "update-ref", "-m", "madang pii rewrite: undo", ref, old, git(repo, "rev-parse", "--verify", ref))
    git(repo, "update-ref", "-d", chosen)
    return old


def rebuild_views() -> int:
    """The site's views name commits: re-derive them (the site's own command, this process's environment)."""
    return subprocess.run([sys.executable, "-m", "wiki.cli", "rebuild-views"], check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plugins.pii.rewrite", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, what in (("run", "rewrite the history without the given file versions"),
                       ("confirm", "delete the backup, expire reflogs and prune: the data is gone for good"),
                       ("undo", "put the branch back on the backup (before confirm)")):
        command = sub.add_parser(name, help=what)
        command.add_argument("--repo", default=os.environ.get("MADANG_CONTENT_REPO", "content_repo"))
        command.add_argument("--branch", default=os.environ.get("MADANG_BRANCH", "main"))
        if name == "run":
            command.add_argument("--drop", action="append", default=[], metavar="REV:PATH",
                                 help="a file as it was at a revision (e.g. 3f2a91c:pages/민원/처리.md)")
            command.add_argument("--drop-blob", action="append", default=[], metavar="BLOB", help="a blob id")
            command.add_argument("--remove", action="store_true",
                                 help="remove the file instead of putting a redaction notice in its place")
            command.add_argument("--rebuild-views", action="store_true", help="then run wiki.cli rebuild-views")
        else:
            command.add_argument("--backup", help="one backup (default: every backup / the newest for undo)")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["--confirm"], ["--undo"]):  # `rewrite --confirm` reads as well as `rewrite confirm`
        argv[0] = argv[0][2:]
    args = parser.parse_args(argv)
    repo = Path(args.repo)
    try:
        if args.command == "run":
            done = run(repo, args.branch, resolve_drops(repo, args.drop, args.drop_blob), args.remove)
            print(f"rewrote {done['rewritten']} of {done['commits']} commits ({done['entries']} file entries); "
                  f"{args.branch}: {done['old'][:10]} -> {done['new'][:10]}; backup {done['backup']}")
            print("Check the site, then: python -m plugins.pii.rewrite confirm   (or undo)")
            if args.rebuild_views:
                return rebuild_views()
            print("The site's views still name the old commits: python -m wiki.cli rebuild-views")
        elif args.command == "confirm":
            for ref in confirm(repo, args.backup):
                print(f"deleted {ref}")
            print("reflogs expired, unreachable objects pruned (git gc --prune=now)")
        else:
            print(f"{args.branch} is back on {undo(repo, args.branch, args.backup)[:10]}")
    except RewriteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
