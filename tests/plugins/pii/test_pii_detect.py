"""Detection, Korean first: each kind in the forms people write it, and what must not be taken for one."""
from __future__ import annotations

import pytest

from plugins.pii.detect import find, mask_text, normalize_value, rrn_checksum_ok
from plugins.pii.evaluate import load, measure

RRN = "900101-1234568"  # a valid check digit (fictional)
RRN_NEW = "990505-1121210"  # issued after October 2020: no valid check digit


def kinds(text: str, allow=()) -> list[str]:
    return [f.kind for f in find(text, allow)]


def test_resident_number_forms_and_mask():
    assert rrn_checksum_ok(RRN.replace("-", ""))
    for text in (f"주민등록번호: {RRN}", f"주민번호 {RRN.replace('-', ' ')}", f"번호 {RRN.replace('-', '.')}",
                 f"주민등록번호 {RRN.replace('-', '')}", f"| 홍길동 | {RRN} | 민원과 |",
                 f"```\nrrn = \"{RRN}\"\n```", "주민등록번호 ９００１０１－１２３４５６８", f"신청인({RRN})께"):
        assert kinds(text) == ["rrn"], text
    finding = find(f"주민등록번호: {RRN}입니다")[0]
    assert finding.masked == "900101-1******" and finding.severity == "high"
    assert f"주민등록번호: {RRN}입니다"[finding.start:finding.end] == RRN


def test_full_width_offsets_point_into_the_original_text():
    text = "연락처 ０１０－１２３４－５６７８ 입니다"
    [finding] = find(text)
    assert finding.kind == "mobile" and text[finding.start:finding.end] == "０１０－１２３４－５６７８"
    assert mask_text(text, [finding]) == "연락처 010-****-**** 입니다"


def test_check_digit_only_raises_confidence():
    [hyphenated] = find(f"주민등록번호 {RRN_NEW}")
    assert hyphenated.kind == "rrn" and hyphenated.confidence == "medium"
    assert find(f"주민등록번호 {RRN}")[0].confidence == "high"
    assert kinds(f"주문번호 {RRN_NEW.replace('-', '')}") == []  # 13 bare digits, wrong check digit, no word
    assert kinds(f"주민등록번호 {RRN_NEW.replace('-', '')}") == ["rrn"]


def test_foreigner_numbers_and_birth_dates():
    assert kinds("외국인등록번호 880412-5123457") == ["frn"]
    assert kinds("1800년대 950101-9123453") == ["rrn"]
    for text in ("991399-1234567", "900230-1234567 (2월 30일)", "901301-1234567", "법인등록번호 110111-1234567",
                 "2024-01-15 회의", "문서번호 행정-2024-123456", f"{_future()}-3123456"):
        assert kinds(text) == [], text


def _future() -> str:
    from datetime import date

    return f"{(date.today().year + 1) % 100:02d}0101"


@pytest.mark.parametrize("text,kind", [
    ("연락처 010-1234-5678로", "mobile"), ("01034567890", "mobile"), ("010.2345.6789", "mobile"),
    ("+82 10-5555-1234", "mobile"), ("자택 02-345-6789", "phone"), ("(02) 3456-7890", "phone"),
    ("070-1234-5678", "phone"), ("031 987 6543", "phone"),
    ("여권번호 M12345678", "passport"), ("신여권 M123A4567", "passport"),
    ("운전면허 11-22-123456-78", "driver_licence"), ("면허 서울-12-345678-90", "driver_licence"),
    ("카드 4532-1234-5678-9014", "card"), ("국민은행 123456-01-234567", "bank_account"),
    ("건강보험증 번호 12345678901", "health_insurance"), ("메일 hong.gildong@gmail.com", "email"),
])
def test_each_kind(text, kind):
    assert kinds(text) == [kind]


@pytest.mark.parametrize("text", [
    "2024-01-15", "2024.01.15 14:00-16:00", "행정-2024-123456", "사업자등록번호 123-45-67890", "대표전화 1588-1234",
    "예산 1,234,567,890원", "ISBN 978-89-12345-67-8", "M12345678 모델", "4111-1111-1111-1112", "1234-5678-9012-3456",
    "0101234567", "IP 192.168.0.1", "과제번호 1711-123456", "user@localhost", "12345678901",
])
def test_tricky_negatives(text):
    assert kinds(text) == []


def test_allow_list_keeps_public_office_numbers():
    text = "민원실 02-2133-5678, 담당 010-1234-5678, 대표 help@seoul.go.kr"
    assert kinds(text) == ["phone", "mobile", "email"]
    allow = {normalize_value("02-2133-5678"), normalize_value("HELP@seoul.go.kr")}
    assert kinds(text, allow) == ["mobile"]


def test_several_in_one_text_without_overlaps():
    text = f"| 이름 | 주민등록번호 | 연락처 |\n| 홍길동 | {RRN} | 010-2222-3333 |\n계좌 국민 123456-01-234567"
    assert kinds(text) == ["rrn", "mobile", "bank_account"]


# measured on tests/plugins/pii/data/labelled.tsv (see plugins/pii/README.md): they must not get worse
FLOORS = {"rrn": (1.0, 1.0), "frn": (1.0, 1.0), "passport": (1.0, 0.9), "driver_licence": (1.0, 1.0),
          "card": (1.0, 1.0), "bank_account": (0.9, 1.0), "health_insurance": (1.0, 1.0), "mobile": (1.0, 0.88),
          "phone": (0.9, 0.9), "email": (1.0, 1.0)}


def test_precision_and_recall_stay_above_what_was_measured():
    rows = load()
    assert len(rows) >= 150 and sum(1 for expected, _ in rows if not expected) >= 75
    result = measure(rows)
    for kind, (precision, recall) in FLOORS.items():
        assert result[kind]["precision"] >= precision, (kind, result[kind])
        assert result[kind]["recall"] >= recall, (kind, result[kind])


def test_the_fast_fold_is_the_character_by_character_fold():
    """fold() translates with a table built from fold_char(); both agree on every character that matters."""
    from plugins.pii.detect import fold, fold_char

    sample = "".join(chr(c) for c in (*range(0x20, 0x3400), *range(0xAC00, 0xAC80), *range(0xF900, 0x10000),
                                      *range(0x1D400, 0x1D800)) if not 0xD800 <= c <= 0xDFFF)
    assert fold(sample) == "".join(fold_char(ch) for ch in sample)
    assert fold("주민번호 ９００１０１－１２３４５６８") == "주민번호 900101-1234568"


# measured on tests/plugins/pii/data/lookalikes.tsv, the set built apart from the detector (README.md)
LOOKALIKE_FLOORS = {"rrn": (1.0, 1.0), "frn": (1.0, 1.0), "passport": (1.0, 1.0), "driver_licence": (1.0, 1.0),
                    "card": (1.0, 1.0), "bank_account": (0.8, 0.8), "health_insurance": (0.5, 1.0),
                    "mobile": (1.0, 0.8), "phone": (0.83, 0.83), "email": (1.0, 0.75)}


def test_the_lookalike_set_with_its_allow_list():
    from plugins.pii.evaluate import LOOKALIKES, allow_list

    rows, allow = load(LOOKALIKES), allow_list(LOOKALIKES)
    assert len(rows) >= 130 and sum(1 for expected, _ in rows if not expected) >= 90
    assert "0221337890" in allow and "minwon@seoul.go.kr" in allow
    result = measure(rows, allow)
    for kind, (precision, recall) in LOOKALIKE_FLOORS.items():
        assert result[kind]["precision"] >= precision, (kind, result[kind])
        assert result[kind]["recall"] >= recall, (kind, result[kind])
    # the allow-list is what keeps the offices' own numbers out: without it they are found
    assert measure(rows)["phone"]["fp"] > result["phone"]["fp"]
    false_alarms = {text for what, _kind, text in result["_mistakes"] if what == "fp"}
    assert len(false_alarms) <= 3
