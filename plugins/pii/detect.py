"""Personal data in Korean text: a pure module (no Flask, no repository), so it can be tested and measured alone.

`find(text, allow=())` returns `Finding`s with offsets into the text as given (Python code points). Before matching,
every character is folded on its own (NFKC when that gives one character, so full-width digits and hyphens count,
and the Unicode dashes become '-'): offsets stay those of the original text. Numbers may be written with hyphens,
spaces, dots or nothing between their groups, anywhere (tables, code blocks, lists: this is a plain-text scan).

Kinds and severities (see README.md for the measured precision and recall):

| kind | what | severity |
| --- | --- | --- |
| rrn | 주민등록번호 (YYMMDD-GNNNNNN, G 1-4, 9/0) | high |
| frn | 외국인등록번호 (same form, G 5-8) | high |
| passport | 여권번호 (M/S/R/G/D + 8 digits; new form letter+3 digits+letter+4 digits) | high |
| driver_licence | 운전면허번호 (NN-NN-NNNNNN-NN, region 11-28) | high |
| card | 카드번호 (15-16 digits, Luhn) | high |
| bank_account | 계좌번호 (hyphenated groups near 계좌/은행/입금...) | medium |
| health_insurance | 건강보험증 번호 (11 digits near 건강보험/보험증) | medium |
| mobile | 휴대전화 (010/011/016-019) | medium |
| phone | 유선·인터넷 전화 (02, 031-064, 070) | medium |
| email | 전자우편 주소 | low |
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

SEVERITY = {"rrn": "high", "frn": "high", "passport": "high", "driver_licence": "high", "card": "high",
            "bank_account": "medium", "health_insurance": "medium", "mobile": "medium", "phone": "medium",
            "email": "low"}
KINDS = tuple(SEVERITY)
LABELS = {"rrn": "주민등록번호", "frn": "외국인등록번호", "passport": "여권번호", "driver_licence": "운전면허번호",
          "card": "카드번호", "bank_account": "계좌번호", "health_insurance": "건강보험증 번호",
          "mobile": "휴대전화번호", "phone": "전화번호", "email": "전자우편"}
# which kind wins when two matches overlap (smaller first)
PRIORITY = {kind: i for i, kind in enumerate(
    ("rrn", "frn", "card", "driver_licence", "passport", "mobile", "phone", "health_insurance", "bank_account",
     "email"))}
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc"
SEP = r"[ \t.\-]?"  # one optional separator between groups: hyphen, space, dot or none
CONTEXT_CHARS = 24  # how far before a number a context word is looked for


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    masked: str
    severity: str
    confidence: str = "high"  # "medium" when only the form fits (e.g. a 주민등록번호 without a valid check digit)

    def public(self) -> dict:
        data = asdict(self)
        return data


def fold_char(ch: str) -> str:
    """One character folded: NFKC where it yields one character, dashes to '-'."""
    if ch.isascii():
        return ch
    if ch in DASHES:
        return "-"
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


@functools.cache
def fold_table() -> dict[int, str]:
    """`fold_char` for every code point it changes, built once (~0.1 s): `str.translate` then folds a 20 KB page
    in C instead of a Python loop per character (the save-time budget is 5 ms)."""
    table = {}
    for code in range(0x80, 0x30000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        folded = fold_char(ch)
        if folded != ch:
            table[code] = folded
    return table


def fold(text: str) -> str:
    """Character by character (so offsets are kept): NFKC where it yields one character, dashes to '-'."""
    return text if text.isascii() else text.translate(fold_table())


def digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def mask(value: str, keep: int, keep_end: int = 0) -> str:
    """Digits after the first `keep` (and before the last `keep_end`) become '*'; separators stay as written."""
    total = sum(ch.isdigit() for ch in value)
    out, seen = [], 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep or seen > total - keep_end else "*")
        else:
            out.append(ch)
    return "".join(out)


def _context(folded: str, start: int, words: re.Pattern, after: int = 0) -> bool:
    before = folded[max(0, start - CONTEXT_CHARS):start]
    return bool(words.search(before)) or (after > 0 and bool(words.search(folded[start:start + after])))


# -- 주민등록번호 / 외국인등록번호 ------------------------------------------------------------------------------
# Patterns begin with a character class and check "nothing alphanumeric before" just after it: the engine then
# skips to candidates in C instead of trying the look-behind at every position (same matches, 2-8× faster).
RRN_RE = re.compile(r"(\d)(?<![0-9A-Za-z]\d)(\d)(\d{2})(\d{2})( ?[.\-] ?| ?)([1-90])(\d{6})(?![0-9A-Za-z])")
CORPORATE_WORDS = re.compile(r"법인|사업자|corporate", re.I)  # 법인등록번호 has the same form: not a person's
RRN_WORDS = re.compile(r"주민|등록\s*번호|외국인|생년|resident|registration", re.I)
RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def century(gender: str) -> int:
    return {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000,
            "9": 1800, "0": 1800}[gender]


def rrn_checksum_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:12], RRN_WEIGHTS, strict=True))
    return (11 - total % 11) % 10 == int(number[12])


def valid_birth(yy: str, mm: str, dd: str, gender: str, today: date | None = None) -> bool:
    try:
        born = date(century(gender) + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return born <= (today or date.today())


def _rrn(folded: str):
    for m in RRN_RE.finditer(folded):
        y1, y2, mm, dd, sep, gender, rest = m.groups()
        yy = y1 + y2
        if not valid_birth(yy, mm, dd, gender) or _context(folded, m.start(), CORPORATE_WORDS):
            continue
        number = yy + mm + dd + gender + rest
        checksum = rrn_checksum_ok(number)
        if not sep and not checksum and not _context(folded, m.start(), RRN_WORDS):
            continue  # 13 bare digits with a wrong check digit and no word saying so: an order number
        kind = "frn" if gender in "5678" else "rrn"
        yield kind, m.start(), m.end(), mask(m.group(0), 7), "high" if checksum else "medium"


# -- telephones ----------------------------------------------------------------------------------------------
MOBILE_RE = re.compile(r"([+0])(?<![0-9A-Za-z.][+0])((?<=\+)82[ \-]?1[016789]|(?<=0)1[016789])([ .\-]?)(\d{3,4})"
                       r"\3(\d{4})(?![0-9A-Za-z])")
PHONE_RE = re.compile(
    r"([(0])(?<![0-9A-Za-z.][(0])(?:(?<=\()0(?:2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70)\)[ ]?"
    r"|(?<=0)(?:2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70)([ .\-]))"
    r"(\d{3,4})[ .\-](\d{4})(?![0-9A-Za-z])")


def _phones(folded: str):
    for m in MOBILE_RE.finditer(folded):
        head = m.group(1) + m.group(2)
        if head.endswith("10") and len(m.group(4)) == 3:
            continue  # 010 numbers have four digits in the middle
        yield "mobile", m.start(), m.end(), mask(m.group(0), len(digits(head))), None
    for m in PHONE_RE.finditer(folded):
        text = m.group(0)
        area = digits(text.split(")")[0]) if text.startswith("(") else digits(re.split(r"[ .\-]", text)[0])
        yield "phone", m.start(), m.end(), mask(text, len(area)), None


# -- passports, driver's licences ----------------------------------------------------------------------------
# the letter first and the look-behind after it: the engine then skips in C to the next M/S/R/G/D (same matches)
PASSPORT_RE = re.compile(r"([MSRGD])(?<![0-9A-Za-z][MSRGD])(\d{8}|\d{3}[A-Z]\d{4})(?![0-9A-Za-z])")
PASSPORT_WORDS = re.compile(r"여권|passport|旅券", re.I)
LICENCE_RE = re.compile(r"([12])(?<![0-9A-Za-z][12])((?<=1)[1-9]|(?<=2)[0-8])([ \-])(\d{2})\3(\d{6})\3(\d{2})"
                        r"(?![0-9A-Za-z])")
REGIONS = ("서울", "부산", "경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주", "대구", "인천",
           "광주", "대전", "울산")
LICENCE_OLD_RE = re.compile(
    r"(?<![0-9A-Za-z])(" + "|".join(REGIONS) + ")"
    r"[ \-]?(\d{2})-(\d{6})-(\d{2})(?![0-9A-Za-z])")
LICENCE_WORDS = re.compile(r"면허|licen[cs]e", re.I)
LICENCE_BARE_RE = re.compile(r"(?<![0-9A-Za-z])(1[1-9]|2[0-8])\d{10}(?![0-9A-Za-z])")


def _ids(folded: str):
    for m in PASSPORT_RE.finditer(folded):
        new_form = not m.group(2).isdigit()
        if new_form or _context(folded, m.start(), PASSPORT_WORDS, after=0):
            value = m.group(0)
            yield "passport", m.start(), m.end(), value[:2] + "".join("*" for _ in value[2:]), None
    for m in LICENCE_RE.finditer(folded):
        yield "driver_licence", m.start(), m.end(), mask(m.group(0), 4), None
    for m in LICENCE_OLD_RE.finditer(folded) if any(region in folded for region in REGIONS) else ():
        yield "driver_licence", m.start(), m.end(), mask(m.group(0), 2), None
    # 12 bare digits beginning with a region code count only next to the word 면허
    for m in LICENCE_BARE_RE.finditer(folded) if LICENCE_WORDS.search(folded) else ():
        if _context(folded, m.start(), LICENCE_WORDS):
            yield "driver_licence", m.start(), m.end(), mask(m.group(0), 4), None


# -- cards, bank accounts, health insurance ------------------------------------------------------------------
CARD_RE = re.compile(r"([3-6])(?<![0-9A-Za-z][3-6])(\d{3})([ \-]?)(\d{4})\3(\d{4})\3(\d{4})(?![0-9A-Za-z])")
AMEX_RE = re.compile(r"(3)(?<![0-9A-Za-z]3)([47]\d{2})([ \-]?)(\d{6})\3(\d{5})(?![0-9A-Za-z])")
ACCOUNT_RE = re.compile(r"(?<![0-9A-Za-z.\-])\d{2,6}(?:-\d{2,7}){1,4}(?![0-9A-Za-z]|-\d)")
ACCOUNT_WORDS = re.compile(r"계좌|은행|입금|송금|이체|예금주|통장|뱅크|농협|신협|새마을금고|우체국|수협|account", re.I)
HEALTH_RE = re.compile(r"(?<![0-9A-Za-z])(\d)[ \-]?(\d{10})(?![0-9A-Za-z])"
                       r"|(?<![0-9A-Za-z])(\d{4})-(\d{4})-(\d{3})(?![0-9A-Za-z])")
HEALTH_WORDS = re.compile(r"건강\s*보험|보험증|의료\s*보험", re.I)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _money(folded: str):
    for m in (*CARD_RE.finditer(folded), *AMEX_RE.finditer(folded)):
        number = digits(m.group(0))
        if luhn_ok(number) and len(set(number)) > 1:
            yield "card", m.start(), m.end(), mask(m.group(0), 4, 4), None
    for m in ACCOUNT_RE.finditer(folded) if ACCOUNT_WORDS.search(folded) else ():  # only near such a word
        count = len(digits(m.group(0)))
        if 10 <= count <= 16 and _context(folded, m.start(), ACCOUNT_WORDS):
            yield "bank_account", m.start(), m.end(), mask(m.group(0), len(m.group(0).split("-")[0])), None
    for m in HEALTH_RE.finditer(folded) if HEALTH_WORDS.search(folded) else ():
        if _context(folded, m.start(), HEALTH_WORDS):
            yield "health_insurance", m.start(), m.end(), mask(m.group(0), 1), None


# -- e-mail --------------------------------------------------------------------------------------------------
EMAIL_RE = re.compile(r"(?<![0-9A-Za-z._%+\-])([A-Za-z0-9][A-Za-z0-9._%+\-]{0,63})@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
                      r"\.[A-Za-z]{2,})(?![0-9A-Za-z])")


def _emails(folded: str):
    for m in EMAIL_RE.finditer(folded) if "@" in folded else ():
        local, domain = m.group(1), m.group(2)
        yield "email", m.start(), m.end(), local[0] + "*" * (len(local) - 1) + "@" + domain, None


# -- all together --------------------------------------------------------------------------------------------
def normalize_value(value: str) -> str:
    """The form an allow-list entry is compared in: digits only for numbers, lower case for addresses."""
    value = fold(value).strip()
    return value.lower() if "@" in value else digits(value) or value.lower()


def find(text: str, allow: frozenset[str] | set[str] | tuple = (), kinds: tuple[str, ...] = KINDS) -> list[Finding]:
    """Every piece of personal data in text, in order, without overlaps (the likelier kind wins), minus the
    values on the allow-list (public office numbers; compared by `normalize_value`)."""
    if not text:
        return []
    folded = fold(text)
    candidates = []
    for source in (_rrn, _phones, _ids, _money, _emails):
        for kind, start, end, masked, confidence in source(folded):
            if kind in kinds:
                candidates.append((PRIORITY[kind], start, end, kind, masked, confidence or "high"))
    candidates.sort(key=lambda c: (c[0], c[1]))
    taken: list[tuple[int, int]] = []
    findings = []
    allowed = set(allow)
    for _priority, start, end, kind, masked, confidence in candidates:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if allowed and normalize_value(folded[start:end]) in allowed:
            continue
        findings.append(Finding(kind, start, end, masked, SEVERITY[kind], confidence))
    return sorted(findings, key=lambda f: f.start)


def mask_text(text: str, findings: list[Finding]) -> str:
    """The text with each finding replaced by its masked form (what the editor's "mask them" button does)."""
    out, last = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        out.append(text[last:f.start])
        out.append(f.masked)
        last = f.end
    out.append(text[last:])
    return "".join(out)
