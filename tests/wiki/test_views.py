"""Watermarked views: catching up with commits from elsewhere, rebuilding, crashing halfway, racing."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.conftest import make_config
from wiki import markup, views
from wiki.app import build_core
from wiki.auth import Principal
from wiki.db import Database
from wiki.models import CommitRow, CurrentPage, PageLink, PageRevision, ViewState
from wiki.store import Author, ContentStore
from wiki.views import HistoryView, PagesView, ViewRunner

KIM = Principal("minjun.kim", "김민준", "minjun.kim@seoul.go.kr")
LEE = Author("이서연", "seoyeon.lee@seoul.go.kr")


@pytest.fixture
def core(tmp_path):
    core = build_core(make_config(tmp_path))
    yield core
    core.store.close()
    core.db.engine.dispose()


CORE_VIEWS = ("history", "pages")


def snapshot(db: Database) -> dict:
    """Every row of every view table, in id order but without the surrogate ids themselves."""
    with db.session() as session:
        return {
            "commits": [(r.seq, r.revision, r.author_name, r.author_email, r.date, r.message, r.paths)
                        for r in session.scalars(select(CommitRow).order_by(CommitRow.seq))],
            "revisions": [(r.seq, r.path, r.revision, r.status, r.other_path, r.blob, r.size, r.size_delta,
                           r.author_name, r.date, r.message)
                          for r in session.scalars(select(PageRevision).order_by(PageRevision.id))],
            "pages": [(r.path, r.title, r.blob, r.revision, r.author_name, r.size)
                      for r in session.scalars(select(CurrentPage).order_by(CurrentPage.path))],
            "links": sorted((r.source, r.target) for r in session.scalars(select(PageLink))),
            "marks": sorted((r.name, r.revision) for r in session.scalars(select(ViewState))
                            if r.name in CORE_VIEWS),  # plugins (search) keep their own views
        }


def build_history(core) -> None:
    wiki = core.wiki
    wiki.save(KIM, "행정포털/사용법", "# 포털 사용법\n\n[[공지/안내]]를 보세요.\n")
    wiki.save(KIM, "공지/안내", "# 안내\n\n[[행정포털/사용법]] [[없는 문서]]\n")
    wiki.save(KIM, "행정포털/사용법", "# 포털 사용법 (개정)\n\n[[공지/안내]]를 보세요.\n")
    wiki.put_attachment(KIM, "공지/안내", "청사.png", b"\x89PNG")
    wiki.move(KIM, "공지/안내", "공지/이용 안내")
    wiki.save(KIM, "임시", "지울 문서\n")
    wiki.delete(KIM, "임시")


def test_views_catch_up_with_a_commit_made_by_another_process(core):
    core.wiki.save(KIM, "행정포털/사용법", "# 사용법\n")
    other = ContentStore(core.store.path)  # another process writing to the same repository
    theirs = other.commit({"pages/공지/외부에서.md": "# 다른 프로세스\n\n[[행정포털/사용법]]\n".encode()}, LEE,
                          "다른 프로세스의 커밋").revision
    other.commit({"pages/행정포털/사용법.md": "# 사용법\n\n고침\n".encode()}, LEE, "다른 프로세스의 수정")
    [status] = [s for s in core.views.status() if s.name == "history"]
    assert status.behind == 2 and status.head == other.head()

    assert core.wiki.get(None, "공지/외부에서").title == "다른 프로세스"
    page = core.wiki.get(None, "행정포털/사용법")
    assert page.markdown == "# 사용법\n\n고침\n" and page.author.name == "이서연"
    assert [r.message for r in core.wiki.history(None, "행정포털/사용법").items] == ["다른 프로세스의 수정",
                                                                              "새 문서: 행정포털/사용법"]
    assert core.wiki.changes(None).items[1]["row"].revision == theirs
    assert core.wiki.backlinks(None, "행정포털/사용법") == ["공지/외부에서"]
    assert [p.path for p in core.wiki.list_pages(None).items] == ["공지/외부에서", "행정포털/사용법"]
    assert all(s.behind == 0 and s.watermark == other.head() for s in core.views.status() if s.name in CORE_VIEWS)
    core.views.catch_up(everything=True)  # deferred views (search) too, as a search request does
    assert all(s.behind == 0 and s.watermark == other.head() for s in core.views.status())
    other.close()


def test_rebuild_gives_identical_tables(core):
    build_history(core)
    before = snapshot(core.db)
    assert len(before["commits"]) == 7 and before["links"] and before["pages"]
    assert ("공지/안내", "X") in [(r[1], r[3]) for r in before["revisions"]]
    core.views.rebuild()
    assert snapshot(core.db) == before
    core.views.rebuild("pages")
    assert snapshot(core.db) == before


def test_rebuild_into_a_fresh_database_gives_identical_tables(core, tmp_path):
    build_history(core)
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    fresh.create_all()
    runner = ViewRunner(core.store, fresh, [HistoryView(), PagesView(markup.extract_links)])
    runner.catch_up()
    assert snapshot(fresh) == snapshot(core.db)
    fresh.engine.dispose()


class CrashingHistory(HistoryView):
    """The history view, failing part-way through its second batch (as a killed process would)."""

    def __init__(self) -> None:
        self.calls = 0

    def apply(self, session, store, commits):
        self.calls += 1
        super().apply(session, store, commits[:1])  # some rows are written in the open transaction ...
        if self.calls == 2:
            raise RuntimeError("전원이 나갔습니다")  # ... and then the process dies
        super().apply(session, store, commits[1:])


def test_a_crash_between_batches_leaves_a_consistent_watermark(core, tmp_path, monkeypatch):
    build_history(core)
    expected = snapshot(core.db)
    commits = [row[1] for row in expected["commits"]]
    monkeypatch.setattr(views, "BATCH", 3)
    db = Database(f"sqlite:///{tmp_path / 'crash.sqlite3'}")
    db.create_all()
    crashing = ViewRunner(core.store, db, [CrashingHistory()])
    crashing.catch_up()  # the failure is logged and kept, not raised into the request
    assert "RuntimeError" in crashing.failures["history"]
    with db.session() as session:
        assert session.get(ViewState, "history").revision == commits[2]  # the first batch, and only it
        assert [r.revision for r in session.scalars(select(CommitRow).order_by(CommitRow.seq))] == commits[:3]
        assert max(session.scalars(select(PageRevision.seq))) == 3

    runner = ViewRunner(core.store, db, [HistoryView()])  # the restarted process
    runner.catch_up()
    done = snapshot(db)
    assert done["commits"] == expected["commits"] and done["revisions"] == expected["revisions"]
    assert dict(done["marks"])["history"] == core.store.head()
    db.engine.dispose()


class PausingHistory(HistoryView):
    def __init__(self, started: threading.Event, resume: threading.Event) -> None:
        self.started, self.resume = started, resume

    def apply(self, session, store, commits):
        self.started.set()
        assert self.resume.wait(30)
        super().apply(session, store, commits)


class NoticingRunner(ViewRunner):
    """Says when it has read its watermark, so the test can let the other runner commit right then."""

    def __init__(self, *args, read: threading.Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.read = read

    def _watermark(self, name):
        mark = super()._watermark(name)
        self.read.set()
        return mark


def test_two_runners_catching_up_at_once_apply_each_commit_once_and_both_reach_head(core, tmp_path):
    """Runner A applies commits 1–4 while runner B, which already sees 6 commits, reads the old watermark: B's
    compare-and-swap then fails, and B must go on from A's watermark to the head, without applying 1–4 twice."""
    writer = ContentStore(core.store.path)
    revisions = [writer.commit({f"pages/문서{n}.md": f"{n}번 문서\n".encode()}, LEE, f"{n}번째").revision
                 for n in range(1, 5)]
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    db_a, db_b = Database(url), Database(url)
    db_a.create_all()
    started, resume, b_read = threading.Event(), threading.Event(), threading.Event()
    runner_a = ViewRunner(ContentStore(core.store.path), db_a, [PausingHistory(started, resume)])
    runner_b = NoticingRunner(ContentStore(core.store.path), db_b, [HistoryView()], read=b_read)
    applied: dict[str, int] = {"a": 0, "b": 0}
    errors: list[BaseException] = []

    def run(name, runner):
        try:
            runner.catch_up(lambda _view, count: applied.__setitem__(name, applied[name] + count))
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    thread_a = threading.Thread(target=run, args=("a", runner_a))
    thread_a.start()
    assert started.wait(30)  # A is inside its transaction for commits 1–4
    revisions += [writer.commit({f"pages/문서{n}.md": f"{n}번 문서\n".encode()}, LEE, f"{n}번째").revision
                  for n in range(5, 7)]
    thread_b = threading.Thread(target=run, args=("b", runner_b))
    thread_b.start()
    assert b_read.wait(30)  # B has read the watermark A is about to move
    resume.set()
    thread_a.join(30)
    thread_b.join(30)
    assert not errors, errors
    with db_a.session() as session:
        assert session.get(ViewState, "history").revision == revisions[-1]  # B did not stop at A's watermark
        assert [r.revision for r in session.scalars(select(CommitRow).order_by(CommitRow.seq))] == revisions
        assert len(session.scalars(select(PageRevision)).all()) == 6
    assert applied == {"a": 4, "b": 2}  # and B applied only what A had not
    for engine in (db_a.engine, db_b.engine):
        engine.dispose()
    writer.close()


def test_many_threads_catching_up_together_never_duplicate_rows(core, tmp_path, monkeypatch):
    monkeypatch.setattr(views, "BATCH", 2)
    writer = ContentStore(core.store.path)
    revisions = [writer.commit({f"pages/공지/{n}호.md": f"# {n}호\n".encode()}, LEE, f"{n}호").revision
                 for n in range(1, 12)]
    url = f"sqlite:///{tmp_path / 'many.sqlite3'}"
    Database(url).create_all()
    runners = [ViewRunner(ContentStore(core.store.path), Database(url),
                          [HistoryView(), PagesView(markup.extract_links)]) for _ in range(4)]
    barrier, errors = threading.Barrier(len(runners)), []

    def run(runner):
        try:
            barrier.wait(30)
            runner.catch_up()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    result = snapshot(runners[0].db)
    assert [row[1] for row in result["commits"]] == revisions
    assert [row[0] for row in result["revisions"]] == list(range(1, 12))
    assert len(result["pages"]) == 11
    assert result["marks"] == [("history", revisions[-1]), ("pages", revisions[-1])]
    for runner in runners:
        runner.db.engine.dispose()
    writer.close()


class SlowView(HistoryView):
    """A costly view that may run after the save has answered."""

    name = "slow"
    deferred = True

    def __init__(self) -> None:
        self.applied: list[str] = []
        self.reached = threading.Event()

    def reset(self, session) -> None:
        self.applied.clear()

    def apply(self, session, store, commits) -> None:
        self.applied.extend(c.info.revision for c in commits)
        self.reached.set()


def test_deferred_views_catch_up_in_the_background_or_when_asked(core):
    slow = SlowView()
    core.views.register(slow)
    revision = core.wiki.save(KIM, "행정포털/사용법", "# 사용법\n").revision
    assert slow.reached.wait(30), "the background thread caught the deferred view up"
    assert revision in slow.applied
    slow.reached.clear()
    other = ContentStore(core.store.path)
    theirs = other.commit({"pages/공지/다른.md": b"# x\n"}, LEE, "other").revision
    core.views.catch_up(everything=True)
    assert slow.applied[-1] == theirs, "asked for everything, it is applied before catch_up returns"
    other.close()


class BlockingDeferredView:
    """A deferred view that stays inside `apply` until the test lets it go (a long search backlog); like the
    search index it keeps nothing in the state database, so it holds no database lock meanwhile."""

    name, deferred, applies_outside_transaction = "test.blocking", True, True

    def __init__(self) -> None:
        self.inside, self.release = threading.Event(), threading.Event()

    def reset(self, session) -> None:
        pass

    def apply(self, session, store, commits) -> None:
        self.inside.set()
        assert self.release.wait(60), "the test never let the view go"


def test_a_request_never_waits_for_a_deferred_view_still_catching_up(core):
    blocking = BlockingDeferredView()
    core.views.register(blocking)
    core.wiki.save(KIM, "행정포털/공지", "# 공지\n\n첫 판\n")  # the request's catch-up kicks the background thread
    assert blocking.inside.wait(30), "the background thread started the deferred view"
    done = threading.Event()

    def request() -> None:  # another save, and a reader: both need the quick views caught up
        core.wiki.save(KIM, "행정포털/안내", "# 안내\n\n둘째 문서\n")
        core.wiki.get(KIM, "행정포털/안내")
        done.set()

    worker = threading.Thread(target=request)
    worker.start()
    finished = done.wait(30)
    blocking.release.set()
    worker.join(30)
    assert finished, "the request waited for the deferred view's lock"
