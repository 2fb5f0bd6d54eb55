"""Tests for wiki.diffing: Korean text first, then English and edge cases."""

from __future__ import annotations

import random
from html.parser import HTMLParser

from wiki.diffing import diff_ops, inline_html, line_stats, side_by_side_html

KOREAN_OLD = "행정포털을 사용합니다"
KOREAN_NEW = "행정포털에서 사용합니다"


class _Rows(HTMLParser):
    """Collects table rows as (class, [cell texts]) and every start tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append((dict(attrs).get("class") or "", []))
        elif tag == "td":
            self.rows[-1][1].append("")

    def handle_data(self, data: str) -> None:
        if self.rows and self.rows[-1][1]:
            self.rows[-1][1][-1] += data


def parse(html: str) -> _Rows:
    parser = _Rows()
    parser.feed(html)
    parser.close()
    return parser


def rows(html: str) -> list[tuple[str, list[str]]]:
    return parse(html).rows


def numbered(count: int, prefix: str = "줄") -> list[str]:
    return [f"{prefix} {i}" for i in range(1, count + 1)]


def joined(ops: list[tuple[int, str]], keep: int) -> str:
    return "".join(text for op, text in ops if op in (0, keep))


# --- diff_ops ----------------------------------------------------------------


def test_diff_ops_reconstructs_korean() -> None:
    ops = diff_ops(KOREAN_OLD, KOREAN_NEW)
    assert joined(ops, -1) == KOREAN_OLD
    assert joined(ops, 1) == KOREAN_NEW


def test_diff_ops_korean_highlights_syllables_not_word() -> None:
    ops = diff_ops(KOREAN_OLD, KOREAN_NEW)
    assert (-1, "을") in ops
    assert (1, "에서") in ops
    assert [op for op in ops if op[0] != 0] == [(-1, "을"), (1, "에서")]


def test_diff_ops_english_highlights_word() -> None:
    ops = diff_ops("the quick brown fox", "the quick red fox")
    assert [op for op in ops if op[0] != 0] == [(-1, "brown"), (1, "red")]


def test_diff_ops_shapes_and_empty_inputs() -> None:
    assert diff_ops("", "") == []
    assert diff_ops("", "새 문서") == [(1, "새 문서")]
    assert diff_ops("지운 문서", "") == [(-1, "지운 문서")]
    assert all(
        isinstance(op, tuple) and op[0] in (-1, 0, 1) for op in diff_ops("a", "b")
    )


def test_diff_ops_keeps_crlf_exactly() -> None:
    old, new = "가\r\n나\r\n", "가\n나\n다"
    ops = diff_ops(old, new)
    assert joined(ops, -1) == old
    assert joined(ops, 1) == new


def test_diff_ops_randomized_reconstruction() -> None:
    rng = random.Random(20240501)
    alphabets = [
        "행정포털사용합니다을에서 ",
        "abcde fgh",
        "\n\r 가a",
        "가나다\nabc \t<&>",
    ]
    for _ in range(300):
        alphabet = rng.choice(alphabets) + rng.choice(alphabets)
        old = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        new = _mutate(rng, old, alphabet)
        ops = diff_ops(old, new)
        assert joined(ops, -1) == old, (old, new, ops)
        assert joined(ops, 1) == new, (old, new, ops)


def _mutate(rng: random.Random, text: str, alphabet: str) -> str:
    if rng.random() < 0.2:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
    chars = list(text)
    for _ in range(rng.randint(0, 6)):
        pos = rng.randint(0, len(chars))
        if chars and rng.random() < 0.5:
            del chars[min(pos, len(chars) - 1)]
        else:
            chars.insert(pos, rng.choice(alphabet))
    return "".join(chars)


# --- inline_html ---------------------------------------------------------------


def test_inline_html_korean_marks_changed_syllables() -> None:
    html = inline_html(KOREAN_OLD, KOREAN_NEW)
    assert html.startswith('<pre class="diff-inline">')
    assert html.endswith("</pre>")
    assert '<del class="diff-del">을</del>' in html
    assert '<ins class="diff-ins">에서</ins>' in html
    assert "행정포털" in html and " 사용합니다" in html


def test_inline_html_escapes_content() -> None:
    html = inline_html(
        "<script>alert(1)</script> & 끝", "<script>alert(2)</script> & 끝"
    )
    assert "script" not in parse(html).tags
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert '<del class="diff-del">' in html and '<ins class="diff-ins">' in html


def test_inline_html_ignores_line_ending_style() -> None:
    html = inline_html("가\r\n나\r\n", "가\n나\n")
    assert "<del" not in html and "<ins" not in html


# --- side_by_side_html -----------------------------------------------------------


def test_side_by_side_korean_changed_line_highlights_syllables() -> None:
    table = side_by_side_html(f"제목\n{KOREAN_OLD}\n", f"제목\n{KOREAN_NEW}\n")
    assert table.startswith('<table class="diff-sbs">')
    assert [cls for cls, _ in rows(table)] == ["diff-eq", "diff-chg"]
    assert '<del class="diff-del">을</del>' in table
    assert '<ins class="diff-ins">에서</ins>' in table
    assert rows(table)[1][1] == ["2", KOREAN_OLD, "2", KOREAN_NEW]


def test_side_by_side_english_word_change() -> None:
    table = side_by_side_html("the quick brown fox\n", "the quick red fox\n")
    assert '<del class="diff-del">brown</del>' in table
    assert '<ins class="diff-ins">red</ins>' in table


def test_side_by_side_line_numbers_after_insert_and_delete() -> None:
    old = "가\n나\n다\n라\n마"
    new = "가\n새 줄 하나\n새 줄 둘\n나\n라\n마"
    got = [
        (cls, cells[0], cells[2]) for cls, cells in rows(side_by_side_html(old, new))
    ]
    assert got == [
        ("diff-eq", "1", "1"),
        ("diff-add", "", "2"),
        ("diff-add", "", "3"),
        ("diff-eq", "2", "4"),
        ("diff-del", "3", ""),
        ("diff-eq", "4", "5"),
        ("diff-eq", "5", "6"),
    ]


def test_side_by_side_folds_long_unchanged_runs() -> None:
    old = numbered(20)
    new = list(old)
    new[9] = "줄 10 수정"
    table = side_by_side_html("\n".join(old), "\n".join(new), context=3)
    got = rows(table)
    assert [cls for cls, _ in got] == (
        ["diff-fold"] + ["diff-eq"] * 3 + ["diff-chg"] + ["diff-eq"] * 3 + ["diff-fold"]
    )
    assert "6 lines unchanged" in got[0][1][0]
    assert "7 lines unchanged" in got[-1][1][0]
    assert [cells[0] for _, cells in got[1:8]] == [str(i) for i in range(7, 14)]
    assert '<td colspan="4">' in table


def test_side_by_side_folds_middle_run_and_keeps_context_both_sides() -> None:
    old = numbered(12)
    new = ["줄 1 수정"] + old[1:11] + ["줄 12 수정"]
    got = rows(side_by_side_html("\n".join(old), "\n".join(new), context=2))
    classes = [cls for cls, _ in got]
    assert classes == [
        "diff-chg",
        "diff-eq",
        "diff-eq",
        "diff-fold",
        "diff-eq",
        "diff-eq",
        "diff-chg",
    ]
    assert "6 lines unchanged" in got[3][1][0]


def test_side_by_side_context_none_shows_everything() -> None:
    old = numbered(20)
    new = old[:-1] + ["줄 20 바뀜"]
    got = rows(side_by_side_html("\n".join(old), "\n".join(new), context=None))
    assert len(got) == 20
    assert all(cls != "diff-fold" for cls, _ in got)


def test_side_by_side_identical_texts() -> None:
    text = "\n".join(numbered(10))
    assert [cls for cls, _ in rows(side_by_side_html(text, text))] == ["diff-fold"]
    assert len(rows(side_by_side_html(text, text, context=None))) == 10


def test_side_by_side_new_page() -> None:
    got = rows(side_by_side_html("", "첫 줄\n둘째 줄\n셋째 줄"))
    assert got == [
        ("diff-add", ["", "", "1", "첫 줄"]),
        ("diff-add", ["", "", "2", "둘째 줄"]),
        ("diff-add", ["", "", "3", "셋째 줄"]),
    ]


def test_side_by_side_deleted_page() -> None:
    got = rows(side_by_side_html("첫 줄\n둘째 줄\n", ""))
    assert got == [
        ("diff-del", ["1", "첫 줄", "", ""]),
        ("diff-del", ["2", "둘째 줄", "", ""]),
    ]


def test_side_by_side_both_empty() -> None:
    assert rows(side_by_side_html("", "")) == []


def test_side_by_side_escapes_script() -> None:
    old = "안녕\n<script>alert('x')</script>\n"
    new = "안녕\n<script>alert('y')</script>\n<img src=x onerror=alert(1)>\n"
    table = side_by_side_html(old, new)
    tags = parse(table).tags
    assert "script" not in tags and "img" not in tags
    assert "&lt;script&gt;" in table


def test_side_by_side_dissimilar_lines_are_not_paired() -> None:
    got = rows(side_by_side_html("사과를 먹었다\n", "completely different text\n"))
    assert [cls for cls, _ in got] == ["diff-del", "diff-add"]


def test_side_by_side_pairs_in_order_with_extra_lines() -> None:
    old = "첫째 줄 원래\n둘째 줄 원래\n"
    new = "첫째 줄 수정\n둘째 줄 수정\n셋째 줄 새로\n"
    got = [
        (cls, cells[0], cells[2]) for cls, cells in rows(side_by_side_html(old, new))
    ]
    assert got == [
        ("diff-chg", "1", "1"),
        ("diff-chg", "2", "2"),
        ("diff-add", "", "3"),
    ]


def test_side_by_side_skips_unrelated_insert_to_find_partner() -> None:
    got = rows(
        side_by_side_html(f"{KOREAN_OLD}\n", f"전혀 새로운 문단\n{KOREAN_NEW}\n")
    )
    assert [(cls, cells[0], cells[2]) for cls, cells in got] == [
        ("diff-add", "", "1"),
        ("diff-chg", "1", "2"),
    ]


def test_side_by_side_ignores_crlf_and_final_newline() -> None:
    table = side_by_side_html("가\r\n나\r\n", "가\n나")
    assert [cls for cls, _ in rows(table)] == ["diff-fold"]


# --- line_stats ---------------------------------------------------------------------


def test_line_stats() -> None:
    assert line_stats("가\n나\n", "가\n나\n") == (0, 0)
    assert line_stats("가\n나\n", "가\n새 줄\n나\n또 새 줄\n") == (2, 0)
    assert line_stats("가\n나\n다\n", "가\n") == (0, 2)
    assert line_stats(f"{KOREAN_OLD}\n끝\n", f"{KOREAN_NEW}\n끝\n") == (1, 1)
    assert line_stats("", "하나\n둘\n셋") == (3, 0)
    assert line_stats("하나\n둘", "") == (0, 2)
    assert line_stats("", "") == (0, 0)


def test_line_stats_ignores_line_ending_differences() -> None:
    assert line_stats("가\r\n나\r\n", "가\n나\n") == (0, 0)
    assert line_stats("가\n나", "가\n나\n") == (0, 0)


# --- large inputs ---------------------------------------------------------------------


def test_unrelated_large_inputs_stay_correct_under_the_time_budget() -> None:
    """Random texts push the diff past its time budget; the coarse answer must still be exact."""
    rng = random.Random(7)
    old = "".join(rng.choices("가나다라 abc\n", k=200_000))
    new = "".join(rng.choices("가나다라 abc\n", k=200_000))
    ops = diff_ops(old, new)
    assert joined(ops, -1) == old and joined(ops, 1) == new
    assert side_by_side_html(old, new).startswith("<table")


def test_large_edited_page_stays_correct() -> None:
    lines = numbered(20_000, "문서 줄")
    edited = list(lines)
    edited[5_000] = "문서 줄 5001 수정됨"
    del edited[12_000]
    assert line_stats("\n".join(lines), "\n".join(edited)) == (1, 2)
    ops = diff_ops("\n".join(lines), "\n".join(edited))
    assert joined(ops, 1) == "\n".join(edited)
