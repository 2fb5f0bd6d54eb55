"""The history rewrite with the real git CLI: the data is gone from every object, fsck is clean, the rest of the
history (authors, dates, messages) is kept, and a save meanwhile makes it refuse."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plugins.pii.rewrite import BACKUP_PREFIX, NOTICE, RewriteError, main, run
from tests.conftest import ADMIN_PASSWORD, git

ROOT = Path(__file__).resolve().parents[3]

RRN, MOBILE = "900101-1234568", "010-4821-7735"
FORMS = (RRN, "9001011234568", MOBILE, "01048217735")


def history(repo) -> list[str]:
    """Everything a commit says about itself except its tree and parents."""
    return git(repo, "log", "--format=%an|%ae|%aI|%cn|%ce|%cI|%B%x00", "main").split("\x00")


def all_objects_text(repo) -> str:
    out = subprocess.run(["git", "--git-dir", str(repo), "cat-file", "--batch-all-objects", "--batch"],
                         capture_output=True, check=True).stdout
    return out.decode("utf-8", "replace")


def git_grep_all(repo, needle: str) -> str:
    revisions = git(repo, "rev-list", "--all").split()
    proc = subprocess.run(["git", "--git-dir", str(repo), "grep", "-F", needle, *revisions], capture_output=True)
    return proc.stdout.decode("utf-8", "replace")


@pytest.fixture
def site(app, client, admin_headers, put_page):
    repo = app.extensions["madang"].config.content_repo
    first = put_page("민원/처리", f"# 처리\n\n민원인 {RRN}\n").get_json()["revision"]
    put_page("공지/안내", "# 안내\n\n민원실 운영 시간 안내")
    put_page("민원/처리", f"# 처리\n\n민원인 {RRN}\n\n처리 결과: 완료\n")  # a later version still holds it
    response = client.put("/api/v1/pages/민원/처리/attachments/연락처.txt", data=f"담당 {MOBILE}\n".encode(),
                          headers={**admin_headers, "Content-Type": "text/plain"})
    attached = response.get_json()["revision"]
    put_page("공지/안내", "# 안내\n\n민원실 운영 시간: 9시-18시")  # the attachment stays in these commits
    last = put_page("민원/처리", "# 처리\n\n민원인 900101-1******\n\n처리 결과: 완료\n").get_json()["revision"]
    return {"repo": repo, "first": first, "attached": attached, "last": last}


def test_rewrite_then_confirm_leaves_no_object_holding_the_number(app, client, admin_headers, site):
    repo = site["repo"]
    before = history(repo)
    second = git(repo, "rev-parse", f"{site['attached']}~1:pages/민원/처리.md").strip()
    attachment_blob = git(repo, "rev-parse", f"{site['attached']}:attachments/민원/처리.files/연락처.txt").strip()
    assert all(git_grep_all(repo, form) for form in (RRN, MOBILE))
    report = client.get("/api/v1/admin/pii/report?prefix=민원", headers=admin_headers).get_json()["items"]
    assert {i["kind"] for i in report} == {"rrn", "mobile"}
    # the admin's command, as a real process, with the site's environment so that it can rebuild the views
    config = app.extensions["madang"].config
    env = {**os.environ, "MADANG_CONTENT_REPO": str(repo), "MADANG_INSTANCE_DIR": str(config.instance_dir),
           "MADANG_SEARCH_INDEX": str(config.search_index), "MADANG_SECRET_KEY": "test-secret",
           "MADANG_ADMIN_PASSWORD": ADMIN_PASSWORD}
    done = subprocess.run([sys.executable, "-m", "plugins.pii.rewrite", "run", "--drop",
                           f"{site['first']}:pages/민원/처리.md", "--drop-blob", second, "--drop-blob",
                           attachment_blob[:12], "--rebuild-views"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "rewrote" in done.stdout and "backup refs/madang/pii-backup/" in done.stdout
    assert history(repo) == before  # authors, committers, dates and messages kept
    backup = git(repo, "for-each-ref", "--format=%(refname)", BACKUP_PREFIX).split()
    assert len(backup) == 1 and git(repo, "rev-parse", backup[0]).strip() == site["last"]
    assert git_grep_all(repo, RRN)  # still reachable from the backup until confirmed
    new_first = git(repo, "rev-list", "--reverse", "main").split()[git(repo, "rev-list", "--reverse",
                                                                         site["last"]).split().index(site["first"])]
    assert git(repo, "show", f"{new_first}:pages/민원/처리.md") == NOTICE.format(date=_today())
    assert "(Removed)" in git(repo, "show", "main:attachments/민원/처리.files/연락처.txt")
    assert "900101-1******" in git(repo, "show", "main:pages/민원/처리.md")  # the current page is untouched
    # the running site reads the new history
    page = client.get("/api/v1/pages/민원/처리", headers=admin_headers).get_json()
    assert "처리 결과: 완료" in page["markdown"]
    assert client.get("/api/v1/admin/pii/report?prefix=민원", headers=admin_headers).get_json()["items"] == []
    assert main(["--confirm", "--repo", str(repo)]) == 0
    assert git(repo, "for-each-ref", BACKUP_PREFIX) == ""
    fsck = subprocess.run(["git", "--git-dir", str(repo), "fsck", "--strict", "--unreachable", "--no-progress"],
                          capture_output=True, text=True)
    assert fsck.returncode == 0 and fsck.stdout.strip() == "" and "error" not in fsck.stderr, fsck
    for form in FORMS:
        assert git_grep_all(repo, form) == "", form
    objects = all_objects_text(repo)
    assert objects and not any(form in objects for form in FORMS)
    assert "처리 결과: 완료" in objects  # the check above does read the contents of the objects
    # the views were rebuilt from the new commits: the history lists only commits that exist
    history_items = client.get("/api/v1/pages/민원/처리/history", headers=admin_headers).get_json()["items"]
    existing = set(git(repo, "rev-list", "main").split())
    touched = git(repo, "log", "--format=%H", "main", "--", "pages/민원/처리.md").split()
    assert [i["revision"] for i in history_items] == touched  # (the two versions that held it are one notice now)
    assert site["first"] not in existing
    changes = client.get("/api/v1/changes?limit=100", headers=admin_headers).get_json()["items"]
    assert {c["revision"] for c in changes} <= existing


def _today() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%d")


def test_a_save_meanwhile_makes_it_refuse_and_undo_goes_back(app, client, admin_headers, put_page, site):
    repo = site["repo"]
    drop = {git(repo, "rev-parse", f"{site['first']}:pages/민원/처리.md").strip()}
    with pytest.raises(RewriteError, match="moved"):
        run(repo, "main", drop, before_swap=lambda: put_page("공지/안내", "# 안내\n\n그사이 저장"))
    assert git(repo, "for-each-ref", BACKUP_PREFIX) == ""  # no backup left behind
    head = git(repo, "rev-parse", "main").strip()
    assert RRN in git(repo, "show", f"{site['first']}:pages/민원/처리.md")  # nothing changed
    done = run(repo, "main", drop, remove=True)
    assert done["old"] == head and done["rewritten"] >= 5
    assert git(repo, "ls-tree", "-r", "--name-only", git(repo, "rev-list", "--reverse", "main").split()[
        git(repo, "rev-list", "--reverse", head).split().index(site["first"])]).count("민원/처리.md") == 0
    assert main(["undo", "--repo", str(repo)]) == 0
    assert git(repo, "rev-parse", "main").strip() == head
    assert main(["confirm", "--repo", str(repo)]) == 1  # nothing left to confirm
    assert main(["run", "--repo", str(repo), "--drop", "pages/없음.md"]) == 1
    assert main(["run", "--repo", str(repo), "--drop-blob", "0" * 40]) == 1
