"""Files and images shared in a conversation: what may be uploaded, and how it is served.

Where they live: the state database (table `messenger_files`, beside the messages), not the content repository
(messages are not documents: no history, no review, and they must stay private to a conversation's members) and
not the instance folder. In the database a file is written in the same transaction as its message, so there is
never a message whose file is missing nor a file nobody can reach; several processes (or machines, on
PostgreSQL) see it without a shared folder; the membership check and the bytes come from one place; a database
backup holds the conversations whole. The price is a larger database: hence the size limit (plugin setting
`max_file_mib`, and never above the site's upload limit). The bytes are a deferred column, read only on fetch.
"""
from __future__ import annotations

import re
import unicodedata

from wiki.api import InvalidInput, TooLarge, UnsupportedType, blocked_upload, core, plugin_settings

from . import NAME

# the wiki's own rule for attachments: programs that Windows would run on a double click
# shown inline: raster images recognised by their first bytes (never SVG: it can carry script)
IMAGE_SIGNATURES = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
                    "image/gif": (b"GIF87a", b"GIF89a"), "image/webp": (b"RIFF",)}
IMAGE_EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                    ".webp": "image/webp"}
DOWNLOAD_TYPE = "application/octet-stream"  # everything else is served as a download, never rendered


def max_bytes() -> int:
    setting = int(plugin_settings(NAME).get("max_file_mib") or 20) * 1024 * 1024
    return min(setting, core().config.max_upload_bytes)


def clean_name(name: object) -> str:
    """The file's own name without folders or control characters, at most 200 characters (the extension kept)."""
    if not isinstance(name, str):
        raise InvalidInput("Send the file as the multipart field 'file', with a file name.")
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".") or ""
    if not name:
        raise InvalidInput("The file needs a name.")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190] + dot + ext[:9]) if dot and len(ext) <= 9 else name[:200]
    return name


def extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def check(name: str, data: bytes) -> str:
    """Refuse what may not be shared; answers the type it will be served as."""
    if not data:
        raise InvalidInput("The file is empty.")
    limit = max_bytes()
    if len(data) > limit:
        raise TooLarge(f"A shared file is at most {limit // (1024 * 1024)} MiB. "
                       f"(파일은 {limit // (1024 * 1024)}MiB까지 보낼 수 있습니다.)")
    ext = extension(name)
    if blocked_upload(name):
        raise UnsupportedType(f"Files of type '{ext}' may not be shared. ('{ext}' 파일은 보낼 수 없습니다.)")
    return image_type(name, data) or DOWNLOAD_TYPE


def image_type(name: str, data: bytes) -> str | None:
    """The image type when both the extension and the first bytes say it is that image."""
    claimed = IMAGE_EXTENSIONS.get(extension(name))
    if not claimed or not any(data.startswith(sig) for sig in IMAGE_SIGNATURES[claimed]):
        return None
    return claimed if claimed != "image/webp" or data[8:12] == b"WEBP" else None


def url(file_id: int) -> str:
    return f"/api/v1/messenger/files/{file_id}"
