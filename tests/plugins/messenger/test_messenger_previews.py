"""Previews of shared images (plugins/messenger/thumbnails.py): a phone photo is shown small and upright, without
its metadata, fetched by members only; what cannot be previewed is still shared."""
from __future__ import annotations

import io
import struct
import zlib

import requests
from PIL import Image

from plugins.messenger import thumbnails
from tests.plugins.messenger.support import Site
from tests.plugins.messenger.test_messenger_files import png, upload

ORIENTATION, GPS = 0x0112, 0x8825


def photo(width: int = 3000, height: int = 2000, turned: bool = True) -> bytes:
    """A camera-like JPEG: noisy enough to be megabytes, stored on its side with EXIF orientation 6, and a GPS
    position in its metadata."""
    image = Image.effect_noise((width, height), 60).convert("RGB")
    exif = Image.Exif()
    exif[ORIENTATION] = 6 if turned else 1
    exif.get_ifd(GPS)[2] = (37.0, 33.0, 59.0)  # 서울시청 근처
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def bomb() -> bytes:
    """A small PNG whose header claims 100,000 × 100,000 pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_a_photo_gets_a_small_upright_preview_without_its_metadata():
    data = photo()
    made = thumbnails.make(data, "image/jpeg")
    assert (made.width, made.height) == (2000, 3000)  # upright: EXIF 6 is a quarter turn
    with Image.open(io.BytesIO(made.data)) as preview:
        assert preview.format == "WEBP" and preview.size == (427, 640)
        assert not preview.getexif()  # no position, no camera
    assert len(made.data) < len(data) / 10


def test_small_images_are_their_own_preview_and_others_have_none():
    assert thumbnails.make(png(40, 30), "image/png") == thumbnails.Preview(40, 30, None)
    assert thumbnails.make(bomb(), "image/png") is None  # never decoded
    assert thumbnails.make(b"\x89PNG\r\n\x1a\n broken", "image/png") is None
    assert thumbnails.make(b"GIF89a...", "image/gif") is None  # GIFs keep their animation


def test_members_fetch_the_preview_and_the_original(site: Site, chats):
    conversation = site.conversation("kimmj", ["leesy"], title="현장 사진 공유")
    lee = chats(site, "leesy")
    data = photo()
    sent = upload(site, "kimmj", conversation, "현장.jpg", data, text="도로 파손 현장")
    assert sent.status_code == 201, sent.text
    shared = sent.json()["file"]
    assert (shared["width"], shared["height"]) == (2000, 3000) and shared["preview"] == shared["url"] + "?preview"
    assert lee.next("message")["file"] == shared

    small = requests.get(site.url + shared["preview"], headers=site.headers("leesy"), timeout=15)
    assert small.status_code == 200 and small.headers["Content-Type"] == "image/webp"
    assert len(small.content) < len(data) / 10
    with Image.open(io.BytesIO(small.content)) as preview:
        assert max(preview.size) == 640
    original = requests.get(site.url + shared["url"], headers=site.headers("leesy"), timeout=15)
    assert original.content == data  # the original, as uploaded
    for outsider in ("parkjh", None):
        headers = site.headers(outsider) if outsider else {}
        refused = requests.get(site.url + shared["preview"], headers=headers, timeout=15)
        assert refused.status_code in (401, 404) and refused.content != small.content

    # an image that cannot be previewed is shared all the same, and ?preview answers the image itself
    tiny = upload(site, "kimmj", conversation, "아이콘.png", png(8, 8)).json()["file"]
    assert (tiny["width"], tiny["height"]) == (8, 8)
    same = requests.get(site.url + tiny["preview"], headers=site.headers("leesy"), timeout=15)
    assert same.headers["Content-Type"] == "image/png" and same.content == png(8, 8)
    claimed = upload(site, "kimmj", conversation, "거대한.png", bomb())
    assert claimed.status_code == 201 and claimed.json()["file"]["width"] is None
