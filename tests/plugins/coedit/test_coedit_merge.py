"""The pure parts: the three-way merge that rebases edits, and the shared text's versions (no server needed)."""
from __future__ import annotations

import random

from plugins.coedit.client import Doc
from plugins.coedit.merge import merge3
from plugins.coedit.sync import SharedText, SyncError

LIMIT = 1024 * 1024


def test_merge_keeps_both_sides_changes():
    base = "서울시 예산 회의록\n참석: 김민준\n"
    theirs = "서울시 2026년 예산 회의록\n참석: 김민준\n"
    mine = "서울시 예산 회의록\n참석: 김민준, 이서연\n"
    assert merge3(base, theirs, mine) == "서울시 2026년 예산 회의록\n참석: 김민준, 이서연\n"
    # both insert at one place: theirs first, then mine; nothing is lost
    assert merge3("ab", "aXb", "aYb") == "aXYb"
    # mine deletes a range inside which theirs inserted: theirs' insertion stays
    assert merge3("hello world", "hello big world", "hd") == "hbig d"
    # both delete the same characters: deleted once
    assert merge3("가나다라마", "가다라마", "가다라마") == "가다라마"


def test_merge_of_random_edits_keeps_every_inserted_word():
    rng = random.Random(7)
    for _ in range(300):
        base = "".join(rng.choice("가나다ab ") for _ in range(rng.randint(0, 20)))
        def edit(text: str, word: str) -> str:
            at = rng.randint(0, len(text))
            cut = text[:at] + text[at + rng.randint(0, 3):]
            at = rng.randint(0, len(cut))
            return cut[:at] + word + cut[at:]
        theirs, mine = edit(base, "<그쪽>"), edit(base, "<이쪽>")
        merged = merge3(base, theirs, mine)
        assert "<그쪽>" in merged and "<이쪽>" in merged, (base, theirs, mine, merged)


def test_a_stale_edit_is_rebased_and_a_re_sent_id_is_answered_not_applied():
    shared = SharedText("하나 둘 셋")
    a, b = Doc(shared.text, 0), Doc(shared.text, 0)
    a.edit("영 하나 둘 셋")
    b.edit("하나 둘 셋 넷")
    first, second = a.outgoing(), b.outgoing()
    v1 = shared.apply("kim", first["id"], first["version"], first["patch"], LIMIT)
    v2 = shared.apply("lee", second["id"], second["version"], second["patch"], LIMIT)  # made against version 0
    assert shared.text == "영 하나 둘 셋 넷" and (v1.number, v2.number) == (1, 2)
    assert shared.apply("lee", second["id"], 0, second["patch"], LIMIT) is v2  # the same id: the same answer
    assert shared.version == 2
    for doc in (a, b):
        for v in (v2, v1):  # out of order on purpose: applied in order anyway
            doc.receive(v.number, v.patch, v.edit_id)
        assert doc.local == doc.confirmed == shared.text


def test_bad_edits_leave_the_text_as_it_was():
    shared = SharedText("원래 글")
    for version, patch, code in [(5, "@@ -1,1 +1,1 @@\n", "invalid_input"), (-1, "", "invalid_input"),
                                 (0, "이건 패치가 아님", "invalid_input"), (0, None, "invalid_input"),
                                 (0, "@@ -1,4 +1,5 @@\n-없는 글\n+다른\n", "patch_failed")]:
        try:
            shared.apply("kim", None, version, patch, LIMIT)
        except SyncError as exc:
            assert exc.code == code, (version, patch, exc.code)
        else:
            raise AssertionError(f"{patch!r} was accepted")
    big = Doc("원래 글", 0)
    big.edit("가" * 400_000)  # 1.2 MB of UTF-8
    out = big.outgoing()
    try:
        shared.apply("kim", None, 0, out["patch"], LIMIT)
    except SyncError as exc:
        assert exc.code == "too_large"
    assert shared.text == "원래 글" and shared.version == 0
