"""Plain text out of what the content repository holds: a page's Markdown, and attached files.

Pages: the title is the first level-1 heading (else the last part of the path); the text is the Markdown's visible
words (mistune's syntax tree: links keep their label, wiki links `[[target|label]]` their label, code stays).
Attachments: plain text and its kin, PDF (pypdf), Word .docx (python-docx), Excel .xlsx (openpyxl), Hangul
.hwpx (its XML); anything else is found by its file name only. Extraction never fails a commit: a damaged file
is indexed by name and logged.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from xml.etree import ElementTree

import mistune

log = logging.getLogger("madang.search")
MAX_TEXT_CHARS = 400_000  # indexed characters of one document (a 500-page PDF is cut, not refused)
MAX_PDF_PAGES = 300
H1_RE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)
WIKILINK_RE = re.compile(r"\[\[([^\[\]\n|]+?)(?:\\?\|([^\[\]\n]+?))?\]\]")
TEXT_TYPES = {"txt", "md", "markdown", "csv", "tsv", "json", "xml", "html", "htm", "log", "yaml", "yml", "ini",
              "sql", "py", "js", "css", "rst", "srt"}
_AST = mistune.create_markdown(renderer=None, plugins=["strikethrough", "footnotes", "table", "task_lists", "url"])


def page_title(path: str, markdown: str) -> str:
    match = H1_RE.search(markdown[:4000])
    return match.group(1).strip() if match else path.rsplit("/", 1)[-1]


def markdown_text(markdown: str) -> str:
    """The visible text of a page's Markdown, one block a line."""
    source = WIKILINK_RE.sub(lambda m: (m.group(2) or m.group(1)).strip(), markdown)
    try:
        tokens = _AST(source)
    except Exception:  # noqa: BLE001 (mistune on hostile input: fall back to the raw text)
        return source[:MAX_TEXT_CHARS]
    parts: list[str] = []
    _walk(tokens, parts)
    return "".join(parts)[:MAX_TEXT_CHARS]


_BLOCKS = {"paragraph", "heading", "block_code", "list_item", "block_quote", "table_cell", "table_row",
           "thematic_break", "block_text", "footnote_item"}


def _walk(tokens, parts: list[str]) -> None:
    for token in tokens if isinstance(tokens, list) else ():
        kind = token.get("type")
        if "children" in token:
            _walk(token["children"], parts)
        elif "raw" in token:
            parts.append(token["raw"])
        elif kind in ("softbreak", "linebreak"):
            parts.append(" ")
        if kind == "image" and token.get("attrs", {}).get("title"):
            parts.append(" " + token["attrs"]["title"])
        if kind in _BLOCKS:
            parts.append("\n")


def file_text(name: str, data: bytes) -> str:
    """The text of an attached file ('' when its kind holds none we can read)."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        if ext in TEXT_TYPES:
            text = decode(data)
        elif ext == "pdf":
            text = pdf_text(data)
        elif ext == "docx":
            text = docx_text(data)
        elif ext == "xlsx":
            text = xlsx_text(data)
        elif ext == "hwpx":
            text = hwpx_text(data)
        else:
            return ""
    except Exception as exc:  # noqa: BLE001 (a damaged upload is found by its name)
        log.warning("could not read the text of %s: %s: %s", name, type(exc).__name__, exc)
        return ""
    return text[:MAX_TEXT_CHARS]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else the Korean legacy code page (CP949), else Latin-1."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, size = [], 0
    for page in reader.pages[:MAX_PDF_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_TEXT_CHARS:
            break
    return "\n".join(parts)


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def xlsx_text(data: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts, size = [], 0
    try:
        for sheet in book.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                line = " ".join(str(value) for value in row if value is not None)
                if line:
                    parts.append(line)
                    size += len(line)
                if size > MAX_TEXT_CHARS:
                    return "\n".join(parts)
    finally:
        book.close()
    return "\n".join(parts)


def hwpx_text(data: bytes) -> str:
    """HWPX (the open Hangul format): a zip of XML sections whose text runs are `<hp:t>` elements."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sections = sorted(n for n in archive.namelist() if re.match(r"Contents/section\d+\.xml$", n))
        for section in sections:
            root = ElementTree.fromstring(archive.read(section))
            for element in root.iter():
                if element.tag.endswith("}t") and element.text:
                    parts.append(element.text)
                elif element.tag.endswith("}p"):
                    parts.append("\n")
    return "".join(parts)
