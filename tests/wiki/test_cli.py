"""`python -m wiki.cli`: rebuilding views with a progress line, their status, and plugins from a shell."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN_PASSWORD, git, make_config
from tests.plugins.notes import plugin as notes
from tests.support.hooks import builtins_off
from wiki import cli, views
from wiki.app import build_core
from wiki.auth import Principal
from wiki.models import CurrentPage, PageLink, PageRevision
from wiki.plugins import PLUGINS_FILE

ROOT = Path(__file__).resolve().parents[2]
KIM = Principal("minjun.kim", "김민준", "minjun.kim@seoul.go.kr")


@pytest.fixture
def config(tmp_path):
    """A content repository with 8 commits (built-in plugins off, then pages), made by a core that is closed
    again (as a server would be)."""
    config = make_config(tmp_path)
    builtins_off(config)
    core = build_core(config, (notes,))
    for i in range(6):
        core.wiki.save(KIM, f"행정포털/안내 {i}", f"# 안내 {i}\n\n[[행정포털/안내 {i + 1}]]\n")
    core.wiki.move(KIM, "행정포털/안내 0", "행정포털/처음 안내")
    core.store.close()
    core.db.engine.dispose()
    return config


def run(config, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = cli.main(list(argv), config, out, extra_plugins=(notes,))
    return status, out.getvalue()


def tables(config) -> list:
    core = build_core(config, (notes,))
    try:
        with core.db.session() as session:
            pages = session.scalars(select(CurrentPage).order_by(CurrentPage.path))
            return [[(p.path, p.title, p.blob) for p in pages],
                    sorted((link.source, link.target) for link in session.scalars(select(PageLink))),
                    [(r.seq, r.path, r.status, r.revision) for r in session.scalars(
                        select(PageRevision).order_by(PageRevision.id))]]
    finally:
        core.store.close()
        core.db.engine.dispose()


def test_rebuild_views_shows_progress_and_gives_the_same_tables(config, monkeypatch):
    before = tables(config)
    monkeypatch.setattr(views, "BATCH", 3)  # several batches, so the progress line moves
    status, output = run(config, "rebuild-views")
    assert status == 0
    lines = output.splitlines()
    assert "history: [" + "." * 30 + "] 0/8 commits (0%)" in lines
    assert "history: [###########...................] 3/8 commits (37%)" in lines
    for view in ("history", "pages", "notes"):
        assert any(line.startswith(f"{view}: [{'#' * 30}] 8/8 commits (100%) done in ") for line in lines), view
    assert tables(config) == before


def test_rebuild_one_view_and_refuse_unknown_or_paused_ones(config, capsys):
    status, output = run(config, "rebuild-views", "--view", "pages")
    assert status == 0 and "pages: [" in output and "history" not in output
    assert run(config, "rebuild-views", "--view", "없는뷰")[0] == 2
    assert "No view named '없는뷰'" in capsys.readouterr().err
    assert run(config, "plugin", "disable", "notes", "--by", "kim")[0] == 0
    status, output = run(config, "rebuild-views", "--view", "notes")
    assert status == 1 and "notes: skipped, its plugin 'notes' is disabled" in output
    status, output = run(config, "rebuild-views")
    assert status == 0 and "skipped" in output and "pages: [" in output


def test_views_plugins_and_switching_a_plugin(config):
    status, output = run(config, "views")
    assert status == 0
    rows = {line.split()[0]: line.split() for line in output.splitlines()[1:]}
    assert rows["history"][-2:] == ["0", "ok"] and rows["notes"][1] == "notes"
    status, output = run(config, "plugins")
    assert status == 0 and any(line.split()[:2] == ["notes", "2.0"] and line.endswith("enabled")
                               for line in output.splitlines())
    status, output = run(config, "plugin", "disable", "notes", "--by", "김관리")
    assert status == 0 and output.startswith("notes: disabled (")
    assert git(config.content_repo, "log", "-1", "--format=%an|%s", "--", PLUGINS_FILE).strip() \
        == "김관리|플러그인 notes: 끔 (명령줄)"
    assert "disabled" in run(config, "plugins")[1]
    status, output = run(config, "views")
    assert "paused" in [line.split()[-1] for line in output.splitlines() if line.startswith("notes")][0]


def test_migrate_reports_each_plugins_schema_version(config):
    status, output = run(config, "migrate")
    assert status == 0 and "notes" in output and "schema 2" in output


def test_python_dash_m_wiki_cli_runs_on_the_servers_configuration(config):
    env = {**os.environ, "MADANG_CONTENT_REPO": str(config.content_repo),
           "MADANG_INSTANCE_DIR": str(config.instance_dir), "MADANG_SEARCH_INDEX": str(config.search_index),
           "MADANG_ADMIN_PASSWORD": ADMIN_PASSWORD, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "wiki.cli", "rebuild-views", "--view", "history"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "history: [" + "#" * 30 + "] 8/8 commits (100%) done in" in done.stdout
    usage = subprocess.run([sys.executable, "-m", "wiki.cli"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert usage.returncode == 2 and "rebuild-views" in usage.stderr
