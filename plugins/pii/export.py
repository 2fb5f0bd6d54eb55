"""The report as CSV for the privacy officer's spreadsheet: UTF-8 with a byte-order mark (so Excel reads Korean
correctly), masked values only, and no cell that a spreadsheet would take for a formula."""
from __future__ import annotations

import csv
import io

from .detect import LABELS

BOM = "\ufeff"
COLUMNS = ("path", "attachment", "revision", "kind", "kind_label", "masked", "severity", "author", "email", "date",
           "suppressed")
HEADER = ("문서 path", "첨부 attachment", "판 revision", "종류 kind", "종류 이름", "가린 값 masked", "심각도 severity",
          "작성자 author", "전자우편 e-mail", "날짜 date", "감춤 suppressed")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell as text; one starting like a formula (= + - @, tab, carriage return) gets a leading apostrophe,
    which spreadsheets show as text (OWASP's advice for CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def report_csv(items: list[dict]) -> str:
    """The report items (as the report API gives them) as one CSV document, BOM first."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for item in items:
        row = {**item, "author": item["author"]["name"], "email": item["author"]["email"],
               "kind_label": LABELS.get(item["kind"], item["kind"]), "suppressed": "yes" if item["suppressed"] else ""}
        writer.writerow([safe_cell(row.get(column)) for column in COLUMNS])
    return BOM + out.getvalue()
