"""`python -m plugins.pii scan [--repo PATH]`: inspect the content repository's whole history from the command line,
with a progress line; `python -m plugins.pii check FILE...`: the findings of files (masked)."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .detect import find
from .guard import parse_allowlist
from .scan import Scanner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plugins.pii")
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="scan every revision of the content repository")
    scan.add_argument("--repo", default=os.environ.get("MADANG_CONTENT_REPO", "content_repo"))
    scan.add_argument("--branch", default=os.environ.get("MADANG_BRANCH", "main"))
    check = sub.add_parser("check", help="the findings of text files")
    check.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "check":
        for name in args.files:
            for f in find(Path(name).read_text("utf-8", "replace")):
                print(f"{name}:{f.start}\t{f.kind}\t{f.severity}\t{f.masked}")
        return 0
    repo = Path(args.repo)
    head = subprocess.run(["git", "--git-dir", str(repo), "rev-parse", "--verify", "-q", f"refs/heads/{args.branch}"],
                          capture_output=True, text=True).stdout.strip()
    if not head:
        print(f"{repo}: no branch {args.branch}", file=sys.stderr)
        return 1
    allow = subprocess.run(["git", "--git-dir", str(repo), "show", f"{head}:plugins/pii/allowlist.txt"],
                           capture_output=True).stdout
    scanner = Scanner(repo)

    def progress(done: int, total: int, found: int) -> None:
        print(f"\rscanned {done}/{total} commits, {scanner.blobs_scanned} file versions, {found} findings",
              end="", file=sys.stderr, flush=True)

    scanner.update(head, parse_allowlist(allow), progress)
    print(file=sys.stderr)
    for item in scanner.items:
        where = item.path + (f" (attachment {item.attachment})" if item.attachment else "")
        print(f"{item.revision[:10]}\t{item.date[:10]}\t{item.author}\t{where}\t{item.kind}\t{item.masked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
