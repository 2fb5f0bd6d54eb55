"""The save-time guard: the admins' policy per path prefix (off / warn / block), the allow-list of public numbers,
and the text of what is about to be committed. Policy and allow-list are files in the content repository under
`plugins/pii/` (versioned like everything else; edited on /admin/pii)."""
from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from wiki.api import MadangError, page_of_file, read_plugin_file

from . import NAME
from .detect import Finding, find, normalize_value

log = logging.getLogger("madang.pii")
POLICY_FILE, ALLOW_FILE = "policy.json", "allowlist.txt"
MODES = ("off", "warn", "block")
BLOCKING = ("high", "medium")  # severities a `block` policy refuses; `low` (e-mail addresses) only warns
MAX_SCAN_BYTES = 8 * 1024 * 1024
TEXT_TYPES = {"md", "txt", "csv", "tsv", "json", "xml", "html", "htm", "log", "yaml", "yml", "ini", "sql", "py",
              "js", "css", "rst", "srt", "markdown"}


class PiiDetected(MadangError):
    status, code = 422, "pii_detected"


@dataclass
class Policy:
    default: str = "warn"
    rules: list[dict] = field(default_factory=list)  # [{"prefix", "mode"}], the longest matching prefix wins

    def mode_for(self, target: str) -> str:
        best, mode = -1, self.default
        for rule in self.rules:
            prefix = rule.get("prefix", "")
            if target.startswith(prefix) and len(prefix) > best:
                best, mode = len(prefix), rule.get("mode", self.default)
        return mode if mode in MODES else "warn"

    def to_json(self) -> dict:
        return {"default": self.default, "rules": self.rules}


def parse_policy(data: bytes | str | None) -> Policy:
    if not data:
        return Policy()
    try:
        raw = json.loads(data)
        default = raw.get("default", "warn")
        rules = [{"prefix": str(r["prefix"]), "mode": r["mode"]} for r in raw.get("rules", [])
                 if isinstance(r, dict) and r.get("mode") in MODES and isinstance(r.get("prefix"), str)]
        return Policy(default if default in MODES else "warn", rules)
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("plugins/pii/policy.json is not valid: using the default policy (warn)")
        return Policy()


def parse_allowlist(data: bytes | str | None) -> frozenset[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    values = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            values.add(normalize_value(line))
    return frozenset(values)


def policy(rev: str | None = None) -> Policy:
    return parse_policy(read_plugin_file(NAME, POLICY_FILE, rev))


def allowlist(rev: str | None = None) -> frozenset[str]:
    return parse_allowlist(read_plugin_file(NAME, ALLOW_FILE, rev))


def target_of(file_path: str) -> str:
    """What a policy prefix is matched against: a page's path for pages and their attachments, otherwise the
    repository path (`plugins/boards/...`)."""
    owner = page_of_file(file_path)
    return owner[0] if owner else file_path


def file_text(file_path: str, data: bytes) -> str | None:
    """The text of a file where it is cheap to get (plain text, .docx, .xlsx, .pdf); None for anything else."""
    if not data or len(data) > MAX_SCAN_BYTES:
        return None
    ext = file_path.rsplit(".", 1)[-1].lower() if "." in file_path.rsplit("/", 1)[-1] else ""
    try:
        if ext in TEXT_TYPES or (not ext and b"\x00" not in data[:4096]):
            return data.decode("utf-8", "replace")
        if ext in ("docx", "xlsx", "pptx", "hwpx"):
            return _office_text(data)
        if ext == "pdf":
            return _pdf_text(data)
    except Exception:  # noqa: BLE001 (a damaged file: nothing to scan, never a failed save)
        log.info("could not read the text of %s", file_path)
    return None


def _office_text(data: bytes) -> str:
    """Words of an Office Open XML / HWPX file: the text of every XML part of the document, one part a line."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml") and (name.startswith(("word/", "xl/", "ppt/", "Contents/"))):
                root = ElementTree.fromstring(archive.read(name))
                parts.append(" ".join(t.strip() for t in root.itertext() if t.strip()))
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "") for page in reader.pages[:100])


def findings_of(file_path: str, data: bytes, allow: frozenset[str]) -> list[Finding]:
    text = file_text(file_path, data)
    return find(text, allow) if text else []


def check(changes: dict, who) -> list[dict]:
    """Run before a commit: raise PiiDetected when a `block` path holds high or medium findings; return what a
    `warn` path holds (for the caller to show)."""
    rules, allow = policy(), None
    blocked, warned = [], []
    for file_path, data in changes.items():
        if data is None or file_path.startswith(f"plugins/{NAME}/"):
            continue  # deletions, and the guard's own files (the allow-list is full of numbers)
        mode = rules.mode_for(target_of(file_path))
        if mode == "off":
            continue
        if allow is None:
            allow = allowlist()
        for f in findings_of(file_path, data, allow):
            item = {"path": target_of(file_path), "file": file_path, **f.public()}
            (blocked if mode == "block" and f.severity in BLOCKING else warned).append(item)
    if blocked:
        kinds = ", ".join(sorted({f["kind"] for f in blocked}))
        raise PiiDetected(f"개인정보가 들어 있어 저장하지 않았습니다 ({kinds}). 가린 뒤 다시 저장하세요. "
                          f"The change holds personal data ({kinds}); mask it and save again.",
                          findings=blocked)
    return warned
