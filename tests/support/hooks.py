"""`@exercises("madang_...")` marks a test that calls a hook through the plugin host and checks its effect.

tests/wiki/test_plugins_docs.py reads these markers (from the source, so no test has to run first) and fails
when a hook of wiki/hookspecs.py has none.
"""
from __future__ import annotations

from collections.abc import Callable


def exercises(*hooks: str) -> Callable:
    def mark(test: Callable) -> Callable:
        test.exercised_hooks = hooks  # type: ignore[attr-defined]
        return test

    return mark


def builtins_off(config) -> None:
    """Start a fresh content repository with every built-in plugin disabled (one commit to site/plugins.json),
    so that tests of the plugin host neither wait for nor depend on them (the search plugin's Korean analyser
    costs seconds a commit)."""
    import json
    from pathlib import Path

    from wiki.plugins import PLUGINS_FILE
    from wiki.store import Author, ContentStore

    root = Path(__file__).resolve().parents[2] / "plugins"
    names = sorted(d.name for d in root.iterdir() if (d / "plugin.py").exists())
    store = ContentStore(config.content_repo, config.branch)
    document = {name: {"enabled": False} for name in names}
    store.commit({PLUGINS_FILE: (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()},
                 Author("테스트", "test@localhost"), "기본 플러그인 끔 (테스트)")
    store.close()
