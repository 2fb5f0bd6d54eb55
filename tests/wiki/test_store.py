"""ContentStore, the one door into git, checked against the real git CLI."""
from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import git
from wiki import store as store_module
from wiki.errors import AlreadyExists, EditConflict, InvalidPath, RevisionNotFound
from wiki.store import Author, ContentStore, merge_texts

KIM = Author("김민준", "minjun.kim@seoul.go.kr")
LEE = Author("이서연", "seoyeon.lee@seoul.go.kr")
GUIDE = "pages/행정포털/사용법.md"
NOTICE = "pages/공지/2026년 1월.md"
LINES = "".join(f"{n}번째 줄: 민원 처리 절차 안내\n" for n in range(1, 10))


@pytest.fixture
def store(tmp_path: Path) -> ContentStore:
    store = ContentStore(tmp_path / "content_repo")
    yield store
    store.close()


def log(store: ContentStore, fmt: str, *args: str) -> list[str]:
    out = git(store.path, "log", "-z", f"--format={fmt}", *args, "main", "--")
    return [record for record in out.split("\0") if record]


def changed_files(store: ContentStore, revision: str) -> list[str]:
    out = git(store.path, "diff-tree", "-z", "--no-commit-id", "--name-only", "-r", "--root", revision)
    return sorted(name for name in out.split("\0") if name)


def fsck(store: ContentStore) -> None:
    proc = subprocess.run(["git", "--git-dir", str(store.path), "fsck", "--strict", "--no-progress"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in proc.stderr.lower() and "warning" not in proc.stderr.lower(), proc.stderr


def test_new_repository_is_bare_with_the_configured_branch(tmp_path):
    store = ContentStore(tmp_path / "repo", branch="main")
    assert git(store.path, "rev-parse", "--is-bare-repository").strip() == "true"
    assert store.head() is None and store.count_commits() == 0
    assert git(store.path, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    ContentStore(tmp_path / "repo")  # opening it again changes nothing
    assert git(store.path, "rev-parse", "--is-bare-repository").strip() == "true"


def test_commit_with_korean_path_records_author_committer_and_message(store):
    message = "사용법 첫 판\n\n신규 직원을 위한 안내를 적었습니다."
    result = store.commit({GUIDE: "# 사용법\n\n포털에 로그인합니다.\n".encode()}, KIM, message)
    assert result.changed and not result.merged
    assert store.head() == result.revision == git(store.path, "rev-parse", "main").strip()
    [record] = log(store, "%H%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%B")
    sha, an, ae, cn, ce, body = record.split("\x1f")
    assert (sha, an, ae) == (result.revision, "김민준", "minjun.kim@seoul.go.kr")
    assert (cn, ce) == ("Madang", "madang@localhost")
    assert body.rstrip("\n") == message
    assert git(store.path, "show", f"main:{GUIDE}") == "# 사용법\n\n포털에 로그인합니다.\n"
    assert git(store.path, "ls-tree", "-r", "-z", "--name-only", "main").split("\0")[0] == GUIDE
    info = store.commit_info(result.revision)
    assert info.author == KIM and info.message == message and info.parents == []
    assert info.date.utcoffset() is not None


def test_one_commit_per_change_each_with_only_its_files(store):
    revisions = [
        store.commit({GUIDE: "가\n".encode()}, KIM, "사용법 작성").revision,
        store.commit({NOTICE: "나\n".encode()}, LEE, "공지 작성").revision,
        store.commit({GUIDE: "가\n다\n".encode(), "attachments/행정포털/사용법/청사.png": b"\x89PNG\r\n"}, KIM,
                     "사용법에 그림 추가").revision,
    ]
    assert git(store.path, "rev-list", "--count", "main").strip() == "3"
    assert log(store, "%H") == revisions[::-1]
    assert log(store, "%s") == ["사용법에 그림 추가", "공지 작성", "사용법 작성"]
    assert log(store, "%an") == ["김민준", "이서연", "김민준"]
    assert changed_files(store, revisions[0]) == [GUIDE]
    assert changed_files(store, revisions[1]) == [NOTICE]
    assert changed_files(store, revisions[2]) == sorted(["attachments/행정포털/사용법/청사.png", GUIDE])
    assert git(store.path, "rev-parse", f"{revisions[2]}^").strip() == revisions[1]
    assert store.count_commits() == 3


def test_saving_the_same_content_makes_no_commit(store):
    first = store.commit({GUIDE: "같은 내용\n".encode()}, KIM, "작성")
    again = store.commit({GUIDE: "같은 내용\n".encode()}, LEE, "다시 저장")
    assert not again.changed and again.revision == first.revision
    gone = store.commit({"pages/없는 문서.md": None}, LEE, "없는 문서 삭제")
    assert not gone.changed and gone.revision == first.revision
    assert git(store.path, "rev-list", "--count", "main").strip() == "1"


def test_allow_empty_makes_a_commit_without_changes(store):
    first = store.commit({GUIDE: "내용\n".encode()}, KIM, "작성")
    empty = store.commit({}, LEE, "기록만 남기는 커밋", allow_empty=True)
    assert empty.changed and empty.revision != first.revision
    assert git(store.path, "rev-list", "--count", "main").strip() == "2"
    assert git(store.path, "rev-parse", f"{empty.revision}^{{tree}}") == \
        git(store.path, "rev-parse", f"{first.revision}^{{tree}}")


def test_delete_removes_the_file_and_keeps_its_history(store):
    created = store.commit({GUIDE: "지울 문서\n".encode(), NOTICE: "남는 문서\n".encode()}, KIM, "작성")
    deleted = store.commit({GUIDE: None}, LEE, "삭제: 행정포털/사용법")
    assert deleted.changed
    names = git(store.path, "ls-tree", "-r", "-z", "--name-only", "main").split("\0")
    assert GUIDE not in names and NOTICE in names
    assert store.read(GUIDE) is None
    assert store.read(GUIDE, created.revision) == "지울 문서\n".encode()
    touched = git(store.path, "log", "--format=%H", "main", "--", GUIDE).split()
    assert touched == [deleted.revision, created.revision]
    assert git(store.path, "show", f"{created.revision}:{GUIDE}") == "지울 문서\n"
    fsck(store)


def test_concurrent_change_to_another_file_goes_through(store):
    base = store.commit({GUIDE: LINES.encode()}, KIM, "작성").revision
    theirs = store.commit({NOTICE: "다른 사람의 공지\n".encode()}, LEE, "공지").revision
    mine = store.commit({GUIDE: (LINES + "추가한 줄\n").encode()}, KIM, "줄 추가", parent=base)
    assert mine.changed and not mine.merged
    assert git(store.path, "rev-parse", f"{mine.revision}^").strip() == theirs  # linear: rebased, no merge commit
    assert git(store.path, "rev-list", "--merges", "--count", "main").strip() == "0"
    assert store.read(NOTICE) == "다른 사람의 공지\n".encode()
    assert store.read(GUIDE) == (LINES + "추가한 줄\n").encode()
    fsck(store)


def test_concurrent_change_to_another_part_of_the_same_file_merges(store):
    base = store.commit({GUIDE: LINES.encode()}, KIM, "작성").revision
    theirs_text = LINES.replace("1번째 줄", "첫째 줄(수정됨)")
    store.commit({GUIDE: theirs_text.encode()}, LEE, "첫 줄 수정", parent=base)
    yours_text = LINES.replace("9번째 줄", "아홉째 줄(수정됨)")
    mine = store.commit({GUIDE: yours_text.encode()}, KIM, "끝 줄 수정", parent=base)
    assert mine.changed and mine.merged
    final = store.read(GUIDE).decode()
    assert final.startswith("첫째 줄(수정됨)") and "아홉째 줄(수정됨)" in final
    assert final == LINES.replace("1번째 줄", "첫째 줄(수정됨)").replace("9번째 줄", "아홉째 줄(수정됨)")
    assert log(store, "%s") == ["끝 줄 수정", "첫 줄 수정", "작성"]
    fsck(store)


def test_overlapping_edits_raise_edit_conflict_with_all_three_texts(store):
    base = store.commit({GUIDE: LINES.encode()}, KIM, "작성").revision
    theirs_text = LINES.replace("5번째 줄", "다섯째 줄(이서연)")
    theirs = store.commit({GUIDE: theirs_text.encode()}, LEE, "가운데 수정").revision
    yours_text = LINES.replace("5번째 줄", "다섯째 줄(김민준)")
    with pytest.raises(EditConflict) as info:
        store.commit({GUIDE: yours_text.encode()}, KIM, "같은 줄 수정", parent=base)
    conflict = info.value
    assert (conflict.base, conflict.theirs, conflict.yours) == (LINES, theirs_text, yours_text)
    assert conflict.path == GUIDE and conflict.theirs_revision == theirs
    assert conflict.status == 409 and conflict.to_dict()["error"] == "edit_conflict"
    assert store.head() == theirs and store.read(GUIDE).decode() == theirs_text  # nothing written


def test_identical_concurrent_edits_are_not_a_conflict(store):
    base = store.commit({GUIDE: LINES.encode()}, KIM, "작성").revision
    same = LINES.replace("3번째 줄", "셋째 줄")
    first = store.commit({GUIDE: same.encode()}, LEE, "수정", parent=base)
    second = store.commit({GUIDE: same.encode()}, KIM, "같은 수정", parent=base)
    assert not second.changed and second.revision == first.revision


def test_delete_against_modify_conflicts_both_ways(store):
    base = store.commit({GUIDE: LINES.encode(), NOTICE: LINES.encode()}, KIM, "작성").revision
    store.commit({GUIDE: None}, LEE, "사용법 삭제", parent=base)
    with pytest.raises(EditConflict) as info:
        store.commit({GUIDE: (LINES + "추가\n").encode()}, KIM, "사용법 수정", parent=base)
    assert info.value.theirs == "" and info.value.yours == LINES + "추가\n" and info.value.base == LINES

    store.commit({NOTICE: (LINES + "수정\n").encode()}, LEE, "공지 수정", parent=base)
    with pytest.raises(EditConflict) as info:
        store.commit({NOTICE: None}, KIM, "공지 삭제", parent=base)
    assert info.value.theirs == LINES + "수정\n" and info.value.yours == ""
    assert store.read(NOTICE).decode() == LINES + "수정\n"
    assert store.read(GUIDE) is None


def test_both_creating_the_same_file_differently_conflicts(store):
    base = store.commit({NOTICE: "공지\n".encode()}, KIM, "작성").revision
    store.commit({GUIDE: "이서연의 새 문서\n".encode()}, LEE, "새 문서", parent=base)
    with pytest.raises(EditConflict) as info:
        store.commit({GUIDE: "김민준의 새 문서\n".encode()}, KIM, "새 문서", parent=base)
    assert info.value.base == "" and info.value.theirs == "이서연의 새 문서\n"


def test_expect_absent_refuses_an_existing_file(store):
    base = store.commit({GUIDE: "원본\n".encode()}, KIM, "작성").revision
    with pytest.raises(AlreadyExists):
        store.commit({GUIDE: "덮어쓰기\n".encode()}, LEE, "만들기", expect_absent=(GUIDE,))
    store.commit({NOTICE: "먼저 만든 공지\n".encode()}, LEE, "공지 작성")
    # created by someone else after `base`: the rebase still sees it
    with pytest.raises(AlreadyExists):
        store.commit({NOTICE: "늦게 만든 공지\n".encode()}, KIM, "만들기", parent=base, expect_absent=(NOTICE,))
    assert store.read(GUIDE) == "원본\n".encode() and store.read(NOTICE) == "먼저 만든 공지\n".encode()
    ok = store.commit({"pages/새 문서.md": "새로\n".encode()}, KIM, "만들기", expect_absent=("pages/새 문서.md",))
    assert ok.changed


def test_losing_the_compare_and_swap_rebases_onto_the_winner(store, monkeypatch):
    """Another writer (a second store on the same repository, as another process would be) lands between this
    writer's tree and its `update-ref`: the ref update really fails, and the change is rebased and retried."""
    base = store.commit({GUIDE: LINES.encode()}, KIM, "작성").revision
    other = ContentStore(store.path)
    real_write = ContentStore._write_commit
    raced: list[str] = []

    def write_then_race(self, *args, **kwargs):
        result = real_write(self, *args, **kwargs)
        if self is store and not raced:
            raced.append(other.commit({GUIDE: LINES.replace("1번째", "첫째").encode()}, LEE, "끼어든 수정").revision)
        return result

    monkeypatch.setattr(ContentStore, "_write_commit", write_then_race)
    mine = store.commit({GUIDE: LINES.replace("9번째", "아홉째").encode()}, KIM, "내 수정", parent=base)
    assert raced and mine.merged
    assert git(store.path, "rev-parse", f"{mine.revision}^").strip() == raced[0]
    assert store.read(GUIDE).decode() == LINES.replace("1번째", "첫째").replace("9번째", "아홉째")
    other.close()
    fsck(store)


def test_a_file_and_a_folder_of_the_same_name_never_replace_each_other(store):
    store.commit({"attachments/공지/첨부.txt": b"page attachment"}, KIM, "첨부")
    with pytest.raises(InvalidPath):
        store.commit({"attachments/공지/첨부.txt/그림.png": b"child"}, LEE, "하위 문서 첨부")
    store.commit({"attachments/공지/하위/그림.png": b"child"}, LEE, "하위 문서 첨부")
    with pytest.raises(InvalidPath):
        store.commit({"attachments/공지/하위": b"file"}, KIM, "같은 이름의 첨부")
    with pytest.raises(InvalidPath):
        store.commit({"a/b": b"1", "a/b/c": b"2"}, KIM, "한 커밋 안에서")
    assert store.read("attachments/공지/첨부.txt") == b"page attachment"
    assert store.read("attachments/공지/하위/그림.png") == b"child"
    # replacing the file by a folder in one commit is a deliberate change and allowed
    store.commit({"attachments/공지/첨부.txt": None, "attachments/공지/첨부.txt/새.png": b"new"}, KIM, "바꿈")
    assert store.read("attachments/공지/첨부.txt/새.png") == b"new"
    fsck(store)


def test_messages_and_names_with_control_characters_stay_parseable(store):
    weird = Author("홍길동\x1f<root>\n", "hong\x1e@seoul.go.kr")
    result = store.commit({GUIDE: "내용\n".encode()}, weird, "제목\x1e\x1f\x00끝\n\n본문")
    [logged] = list(store.log(None, result.revision))
    assert logged.info.author == Author("홍길동root", "hong@seoul.go.kr")
    assert logged.info.message == "제목끝\n\n본문"
    assert [c.path for c in logged.changes] == [GUIDE]
    fsck(store)


def test_log_reports_changes_oldest_first_with_renames(store):
    first = store.commit({GUIDE: LINES.encode()}, KIM, "작성\n\n두 번째 문단").revision
    moved = store.commit({GUIDE: None, "pages/안내/포털 사용법.md": LINES.encode()}, LEE, "이동").revision
    third = store.commit({NOTICE: "공지\n".encode(), "site/acl.json": b"{}\n"}, KIM, "여러 파일").revision
    logged = list(store.log(None, third))
    assert [item.info.revision for item in logged] == [first, moved, third]
    assert logged[0].info.message == "작성\n\n두 번째 문단" and logged[0].info.parents == []
    assert logged[1].info.parents == [first]
    [rename] = logged[1].changes
    assert (rename.status, rename.old_path, rename.path) == ("R", GUIDE, "pages/안내/포털 사용법.md")
    assert sorted((c.status, c.path) for c in logged[2].changes) == [("A", NOTICE), ("A", "site/acl.json")]
    assert [item.info.revision for item in store.log(first, third)] == [moved, third]
    assert [item.info.revision for item in store.log(None, third, ("site",))] == [third]


def test_reading_by_revision_and_prefix(store):
    first = store.commit({GUIDE: "첫 판\n".encode()}, KIM, "작성").revision
    second = store.commit({GUIDE: "둘째 판\n".encode(), NOTICE: "공지\n".encode()}, LEE, "수정").revision
    assert store.resolve(first[:10]) == first and store.resolve(second.upper()) == second
    for bad in ("", "main", "zzzz", "0" * 40, "../" + first):
        with pytest.raises(RevisionNotFound):
            store.resolve(bad)
    blob = store.blob_id(first, GUIDE)
    assert store.read_blob(blob) == "첫 판\n".encode() and store.blob_size(blob) == len("첫 판\n".encode())
    assert store.blob_id(None, "pages/행정포털") is None  # a folder is not a file
    assert store.read(GUIDE, first) == "첫 판\n".encode() and store.read(GUIDE) == "둘째 판\n".encode()
    assert sorted(p for p, _ in store.list_files("pages/")) == sorted([GUIDE, NOTICE])
    assert [p for p, _ in store.list_files("pages/", first)] == [GUIDE]
    assert store.list_files("없음/") == []
    with pytest.raises(RevisionNotFound):
        store.commit_info("f" * 40)


def test_blame_names_the_author_of_each_line(store):
    store.commit({GUIDE: "김민준의 첫 줄\n공통 둘째 줄\n".encode()}, KIM, "작성")
    last = store.commit({GUIDE: "김민준의 첫 줄\n공통 둘째 줄\n이서연의 셋째 줄\n".encode()}, LEE, "추가").revision
    lines = store.blame(GUIDE, last)
    assert [(info.author.name, text) for info, text in lines] == [
        ("김민준", "김민준의 첫 줄"), ("김민준", "공통 둘째 줄"), ("이서연", "이서연의 셋째 줄")]
    assert lines[2][0].revision == last


def test_merge_texts():
    base = "하나\n둘\n셋\n넷\n다섯\n"
    assert merge_texts(base.encode(), base.replace("하나", "일").encode(),
                       base.replace("다섯", "오").encode()) == "일\n둘\n셋\n넷\n오\n".encode()
    assert merge_texts(base.encode(), base.replace("셋", "삼").encode(), base.replace("셋", "셋째").encode()) is None


def test_fsck_is_clean_and_a_clone_shows_the_pages(store, tmp_path):
    store.commit({GUIDE: "# 사용법\n\n포털 안내\n".encode(), "attachments/행정포털/사용법/청사.png": b"\x89PNG"}, KIM,
                 "작성")
    store.commit({NOTICE: "공지\n".encode()}, LEE, "공지")
    store.commit({NOTICE: None}, LEE, "공지 삭제")
    fsck(store)
    clone = tmp_path / "wiki-copy"
    subprocess.run(["git", "clone", "--quiet", str(store.path), str(clone)], check=True, capture_output=True)
    assert (clone / "pages" / "행정포털" / "사용법.md").read_text(encoding="utf-8") == "# 사용법\n\n포털 안내\n"
    assert (clone / "attachments" / "행정포털" / "사용법" / "청사.png").read_bytes() == b"\x89PNG"
    assert not (clone / "pages" / "공지").exists()
    status = subprocess.run(["git", "-C", str(clone), "status", "--porcelain"], check=True, capture_output=True,
                            text=True).stdout
    assert status == ""


def test_head_and_writes_survive_git_gc_packing_the_refs(store):
    first = store.commit({GUIDE: LINES.encode()}, KIM, "작성").revision
    git(store.path, "gc", "--quiet", "--prune=now")  # packs refs/heads/main into packed-refs
    assert not (store.path / "refs" / "heads" / "main").exists()
    assert store.head() == first
    later = store.commit({GUIDE: LINES.replace("1번째", "첫째").encode()}, LEE, "gc 뒤 수정", parent=first)
    assert store.head() == later.revision == git(store.path, "rev-parse", "main").strip()
    assert store.read(GUIDE, first) == LINES.encode()
    fsck(store)


def test_housekeeping_packs_loose_objects_now_and_then(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "MAINTENANCE_EVERY", 5)
    store = ContentStore(tmp_path / "repo")
    for i in range(5):
        store.commit({f"pages/문서{i}.md": f"내용 {i}\n".encode()}, KIM, f"{i}")
    for thread in threading.enumerate():
        if thread.name == "madang-git-gc":
            thread.join(60)
    assert list((store.path / "objects" / "pack").glob("*.pack")), "the loose objects were packed"
    assert git(store.path, "count-objects", "-v").splitlines()[0] == "count: 0"
    assert subprocess.run(["git", "--git-dir", str(store.path), "fsck", "--strict"]).returncode == 0
