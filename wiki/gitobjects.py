"""Trees and commits written straight into the object database, without spawning git for each.

A save changes a few files: only the trees on their paths are rebuilt, from the parent's trees read through the
long-lived `cat-file` process. Objects are written as loose objects (a temporary file renamed into place), so
any number of writers can do this at once; only the branch move (`update-ref`) needs a lock.
"""
from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from gitdb.base import IStream

from .errors import InvalidPath

TREE_MODE = b"40000"
FILE_MODE = b"100644"
Entries = dict[bytes, tuple[bytes, bytes]]  # name -> (mode, binary sha)


def parse_tree(data: bytes) -> Entries:
    entries: Entries = {}
    i = 0
    while i < len(data):
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        entries[data[space + 1:nul]] = (data[i:space], data[nul + 1:nul + 21])
        i = nul + 21
    return entries


def serialize_tree(entries: Entries) -> bytes:
    """Git's order: names compared as bytes, a folder as if its name ended in '/'."""
    def key(item: tuple[bytes, tuple[bytes, bytes]]) -> bytes:
        name, (mode, _sha) = item
        return name + b"/" if mode == TREE_MODE else name

    return b"".join(mode + b" " + name + b"\0" + sha for name, (mode, sha) in sorted(entries.items(), key=key))


class TreeBuilder:
    """Applies {path: blob hex | None} to a root tree and returns the new root's binary sha."""

    def __init__(self, read_tree: Callable[[bytes], Entries], store: Callable[[bytes, bytes], bytes]) -> None:
        self.read_tree, self.store = read_tree, store

    def apply(self, root: bytes | None, changes: dict[str, str | None]) -> bytes:
        split = {tuple(path.encode("utf-8").split(b"/")): blob for path, blob in changes.items()}
        new_root = self._apply(root, split, b"")
        return new_root if new_root is not None else self.store(b"tree", b"")

    def _apply(self, tree: bytes | None, changes: dict[tuple[bytes, ...], str | None],
               where: bytes) -> bytes | None:
        entries = dict(self.read_tree(tree)) if tree else {}
        files = {parts[0]: blob for parts, blob in changes.items() if len(parts) == 1}
        folders: dict[bytes, dict] = {}
        for parts, blob in changes.items():
            if len(parts) > 1:
                folders.setdefault(parts[0], {})[parts[1:]] = blob
        for name, blob in files.items():
            self._set_file(entries, name, blob, where)
        for name, sub in folders.items():
            current = entries.get(name)
            if current is not None and current[0] != TREE_MODE:
                raise InvalidPath(f"'{_show(where + name)}' is a file, not a folder: cannot store files under it.")
            new = self._apply(current[1] if current else None, sub, where + name + b"/")
            if new is None:
                entries.pop(name, None)
            else:
                entries[name] = (TREE_MODE, new)
        return self.store(b"tree", serialize_tree(entries)) if entries else None

    @staticmethod
    def _set_file(entries: Entries, name: bytes, blob: str | None, where: bytes) -> None:
        current = entries.get(name)
        if current is not None and current[0] == TREE_MODE:
            if blob is None:
                return  # deleting a 'file' that is a folder: nothing to do, as with git's index
            raise InvalidPath(f"'{_show(where + name)}' is a folder holding other files: cannot store a file there.")
        if blob is None:
            entries.pop(name, None)
        else:
            entries[name] = (FILE_MODE, bytes.fromhex(blob))


def commit_bytes(tree: str, parents: list[str], author: str, committer: str, message: str) -> bytes:
    """A commit object's body: `author`/`committer` are 'Name <email> <epoch> +0000'."""
    lines = [f"tree {tree}", *(f"parent {p}" for p in parents), f"author {author}", f"committer {committer}"]
    text = "\n".join(lines) + "\n\n" + message
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def store_object(odb, kind: bytes, data: bytes) -> bytes:
    """Write one object as a loose object; returns its binary sha."""
    return odb.store(IStream(kind, len(data), BytesIO(data))).binsha


def _show(path: bytes) -> str:
    return path.decode("utf-8", "replace")
