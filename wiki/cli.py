"""Madang from a shell: `python -m wiki.cli <command>` on the configuration of `python app.py` (MADANG_* variables).

    rebuild-views [--view NAME]   drop one view (or every active one) and re-derive it from the whole history
    views                         each view's watermark and how far behind the head it is
    plugins                       installed plugins and whether they are enabled
    plugin enable|disable NAME    a commit to site/plugins.json (e.g. to switch off a plugin that breaks the site)
    migrate                       run the plugins' state-database migrations (done at every start as well)

Other processes may keep serving while a view is rebuilt: each batch moves the watermark with a compare-and-swap.
"""
from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import TextIO

from .app import Madang, build_core
from .auth import Principal
from .config import Config
from .plugins import PLUGINS_FILE


class Progress:
    """One line per view that counts applied commits: rewritten in place on a terminal, one line a step
    otherwise (logs)."""

    def __init__(self, out: TextIO, total: int) -> None:
        self.out, self.total = out, total
        self.done: dict[str, int] = {}
        self.tty = out.isatty()

    def __call__(self, view: str, count: int) -> None:
        self.done[view] = self.done.get(view, 0) + count
        self.show(view)

    def line(self, view: str) -> str:
        done = self.done.get(view, 0)
        percent = min(100, done * 100 // self.total) if self.total else 100
        width = 30
        filled = width * percent // 100
        return f"{view}: [{'#' * filled}{'.' * (width - filled)}] {done:,}/{self.total:,} commits ({percent}%)"

    def show(self, view: str) -> None:
        if self.tty:
            self.out.write("\r" + self.line(view))
        else:
            self.out.write(self.line(view) + "\n")
        self.out.flush()

    def finish(self, view: str, seconds: float) -> None:
        self.done[view] = self.total
        end = "\r" if self.tty else ""
        self.out.write(f"{end}{self.line(view)} done in {seconds:.1f} s\n")
        self.out.flush()


def rebuild_views(core: Madang, name: str | None, out: TextIO) -> int:
    views = core.views
    known = {view.name: view for view in views.views}
    if name is not None and name not in known:
        print(f"No view named '{name}'. Views: {', '.join(known)}", file=sys.stderr)
        return 2
    chosen = [known[name]] if name else list(known.values())
    total = core.store.count_commits()
    progress = Progress(out, total)
    status = 0
    for view in chosen:
        if not views.active(view):
            owner = core.plugins.view_owners.get(view.name, "?")
            print(f"{view.name}: skipped, its plugin '{owner}' is disabled", file=out)
            if name is not None:
                status = 1
            continue
        started = time.monotonic()
        progress.show(view.name)
        views.rebuild(view.name, progress)
        if view.name in views.failures:
            out.write("\n")
            print(f"{view.name}: failed: {views.failures[view.name]}", file=sys.stderr)
            status = 1
            continue
        progress.finish(view.name, time.monotonic() - started)
    return status


def show_views(core: Madang, out: TextIO) -> int:
    by_name = {view.name: view for view in core.views.views}
    print(f"{'view':<20} {'plugin':<14} {'watermark':<10} {'behind':>8}  state", file=out)
    for status in core.views.status():
        view = by_name[status.name]
        owner = core.plugins.view_owners.get(status.name, "-")
        state = ("paused" if not core.views.active(view) else "failed" if status.name in core.views.failures
                 else "behind" if status.behind else "ok")
        print(f"{status.name:<20} {owner:<14} {status.watermark[:8] or '-':<10} {status.behind:>8,}  {state}",
              file=out)
    return 0


def show_plugins(core: Madang, out: TextIO) -> int:
    host = core.plugins
    if not host.plugins:
        print("No plugins are installed.", file=out)
    for name in sorted(host.plugins):
        info = host.plugins[name]
        state = "broken" if name in host.broken else "enabled" if host.enabled(name) else "disabled"
        print(f"{name:<20} {info.version:<10} {info.origin:<12} {state}", file=out)
    for source, message in host.load_errors:
        print(f"could not load {source}: {message}", file=out)
    return 0


def change_plugin(core: Madang, action: str, name: str, by: str, out: TextIO) -> int:
    host = core.plugins
    if name not in host.plugins:
        print(f"No plugin named '{name}' is installed.", file=sys.stderr)
        return 2
    enabled = action == "enable"
    who = Principal(by, by, f"{by}@localhost")
    state = host.read_state()
    text = host.document_with(name, enabled, None, state)
    message = f"플러그인 {name}: {'켬' if enabled else '끔'} (명령줄)"
    result = core.wiki.commit({PLUGINS_FILE: text.encode("utf-8")}, who, message, parent=state.revision)
    core.audit.record("plugin_changed", by, name, enabled=enabled, revision=result.revision, via="cli")
    print(f"{name}: {'enabled' if enabled else 'disabled'} ({result.revision[:8]})", file=out)
    return 0


def migrate(core: Madang, out: TextIO) -> int:
    versions = core.plugins.schema_versions(core.db)
    for name in sorted(core.plugins.plugins):
        print(f"{name:<20} schema {versions.get(name, 0)}", file=out)
    return 1 if core.plugins.broken else 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m wiki.cli", description="Madang from a shell.")
    commands = root.add_subparsers(dest="command", required=True)
    rebuild = commands.add_parser("rebuild-views", help="drop and re-derive views from the whole history")
    rebuild.add_argument("--view", help="only this view (default: every active view)")
    commands.add_parser("views", help="each view's watermark and lag")
    commands.add_parser("plugins", help="installed plugins and their state")
    plugin = commands.add_parser("plugin", help="enable or disable a plugin (a commit)")
    plugin.add_argument("action", choices=("enable", "disable"))
    plugin.add_argument("name")
    plugin.add_argument("--by", default=getpass.getuser(), help="who makes the change (default: your login)")
    commands.add_parser("migrate", help="run the plugins' state-database migrations")
    return root


def main(argv: list[str] | None = None, config: Config | None = None, out: TextIO | None = None,
         extra_plugins: tuple = ()) -> int:
    args = parser().parse_args(argv)
    out = out or sys.stdout
    core = build_core(config or Config.from_env(), extra_plugins)  # runs the migrations, catches the views up
    try:
        if args.command == "rebuild-views":
            return rebuild_views(core, args.view, out)
        if args.command == "views":
            return show_views(core, out)
        if args.command == "plugins":
            return show_plugins(core, out)
        if args.command == "plugin":
            return change_plugin(core, args.action, args.name, args.by, out)
        return migrate(core, out)
    finally:
        core.store.close()
        core.db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
