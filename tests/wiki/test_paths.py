"""wiki/paths.py: page path rules and the repository layout."""
from __future__ import annotations

import unicodedata

import pytest

from wiki.errors import InvalidPath
from wiki.paths import (
    MAX_PATH_BYTES,
    MAX_SEGMENT_BYTES,
    RESERVED_SEGMENTS,
    attachment_dir,
    attachment_file,
    attachment_from_file,
    normalize_attachment_name,
    normalize_page_path,
    page_file,
    page_from_file,
    title_of,
)


@pytest.mark.parametrize("raw, expected", [
    ("행정포털/사용법", "행정포털/사용법"),
    ("/행정포털/사용법/", "행정포털/사용법"),
    ("  행정포털/사용법  ", "행정포털/사용법"),
    ("서울시 안내/2026년 예산 (안)", "서울시 안내/2026년 예산 (안)"),
    ("부서/총무과/회의록.2026", "부서/총무과/회의록.2026"),
    ("Seoul-Portal_v2/FAQ", "Seoul-Portal_v2/FAQ"),
    ("가" * 80, "가" * 80),
])
def test_valid_paths_are_returned_in_canonical_form(raw, expected):
    assert normalize_page_path(raw) == expected


def test_decomposed_hangul_is_composed_to_nfc():
    decomposed = unicodedata.normalize("NFD", "행정포털/사용법")
    assert decomposed != "행정포털/사용법"
    assert normalize_page_path(decomposed) == "행정포털/사용법"
    assert normalize_attachment_name(unicodedata.normalize("NFD", "청사.png")) == "청사.png"


@pytest.mark.parametrize("raw", [
    "", "   ", "/", "//",
    "행정포털//사용법",                     # empty segment
    "..", "행정포털/..", "../etc/passwd", ".git", "행정포털/.git/config", ".숨김",
    "문서\t", "문서\n", "\r문서", "문\x00서", "문서\x7f", "문\u200b서", "문\u202e서",  # control and invisible
    "문서 /하위", "문서/ 하위",               # spaces around a segment
    "가" * 81,                             # 243 bytes: over the segment limit
    "가" * 90,
    "a#b", "a|b", "a[b]", "a<b>", "a?b", "a*b", 'a"b', "a\\b",
    "edit", "행정포털/history", "행정포털/Diff", "문서/attachments/x",
    "a.md/b", "행정포털/사용법.md", "README.MD",   # would make pages/<x>.md a file and a folder at once
])
def test_invalid_paths_are_refused(raw):
    with pytest.raises(InvalidPath) as info:
        normalize_page_path(raw)
    assert info.value.status == 400 and info.value.code == "invalid_path"
    assert info.value.message


def test_every_reserved_word_is_refused_in_any_position_and_case():
    for word in RESERVED_SEGMENTS:
        for raw in (word, f"행정포털/{word}", f"{word.upper()}/문서"):
            with pytest.raises(InvalidPath):
                normalize_page_path(raw)
    assert normalize_page_path("행정포털/editor") == "행정포털/editor"  # only whole segments are reserved


def test_segment_limit_is_counted_in_utf8_bytes():
    assert len(("가" * 80).encode()) == MAX_SEGMENT_BYTES
    assert normalize_page_path("가" * 80 + "/" + "a" * MAX_SEGMENT_BYTES)
    with pytest.raises(InvalidPath, match="too long"):
        normalize_page_path("a" * (MAX_SEGMENT_BYTES + 1))


def test_whole_path_limit():
    segment = "가" * 60  # 180 bytes
    long_path = "/".join([segment] * 6)  # 1085 bytes
    assert len(long_path.encode()) > MAX_PATH_BYTES
    with pytest.raises(InvalidPath, match="too long"):
        normalize_page_path(long_path)
    assert normalize_page_path("/".join([segment] * 5))


def test_non_text_is_refused():
    with pytest.raises(InvalidPath):
        normalize_page_path(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidPath):
        normalize_page_path(b"abc")  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["", " ", "a/b", ".htaccess", "파일\n.txt", "파일\t.txt", "a#b.png",
                                 "가" * 81 + ".png"])
def test_invalid_attachment_names(raw):
    with pytest.raises(InvalidPath):
        normalize_attachment_name(raw)


def test_valid_attachment_names():
    assert normalize_attachment_name("청사 배치도 (2026).png") == "청사 배치도 (2026).png"
    assert normalize_attachment_name(" 예산.xlsx ") == "예산.xlsx"
    assert normalize_attachment_name("history") == "history"  # names follow no route, so no reserved words


def test_layout_round_trips():
    path = "행정포털/사용법"
    assert page_file(path) == "pages/행정포털/사용법.md"
    assert page_from_file(page_file(path)) == path
    assert attachment_dir(path) == "attachments/행정포털/사용법.files/"
    assert attachment_file(path, "청사.png") == "attachments/행정포털/사용법.files/청사.png"
    assert attachment_from_file(attachment_file(path, "청사.png")) == (path, "청사.png")


@pytest.mark.parametrize("file_path", ["site/acl.json", "pages/readme.txt", "attachments/x.png", "pages.md",
                                       "README.md", "attachments/행정포털/사용법/청사.png", "attachments/.files/x"])
def test_files_that_are_neither_pages_nor_attachments(file_path):
    # an attachment lives in a `<page>.files/` folder; anything else under attachments/ belongs to no page
    assert page_from_file(file_path) is None
    assert attachment_from_file(file_path) is None


def test_a_page_and_its_child_never_share_an_attachment_folder():
    assert not attachment_file("공지", "하위").startswith(attachment_dir("공지/하위"))
    assert not attachment_dir("공지/하위").startswith(attachment_file("공지", "하위") + "/")
    with pytest.raises(InvalidPath):
        normalize_page_path("공지/사진.files")


def test_title_is_the_last_segment():
    assert title_of("행정포털/사용법") == "사용법"
    assert title_of("공지") == "공지"
