"""Small previews of shared images, made once at upload.

Why: a phone photo is 3–8 MB at 4000×3000; a conversation that shows a dozen of them would fetch tens of MB to
draw 300-pixel pictures. The preview is at most EDGE pixels on its longest side, WebP (keeps transparency, small),
turned upright from the photo's EXIF orientation, and carries no metadata (a photo's EXIF may hold where it was
taken). The original stays as it was uploaded, one click away. Made before the send's transaction (decoding costs
tens of ms), never while holding the database's write turn.
"""
from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

log = logging.getLogger("madang.messenger")

EDGE = 640  # pixels on the longest side: sharp at 320 CSS pixels on a 2x screen
SMALL_ENOUGH = 150 * 1024  # an image this small and within EDGE is its own preview
MAX_PIXELS = 60_000_000  # larger images (or ones that claim to be) are not decoded: no preview, shared as they are
PREVIEWED = {"image/png", "image/jpeg", "image/webp"}  # GIFs keep their animation: shown as they are
ORIENTATION = 0x0112  # the EXIF tag a camera sets when the picture was taken turned


@dataclass(frozen=True)
class Preview:
    width: int  # the original's size, upright: the page reserves the space before anything loads
    height: int
    data: bytes | None  # the WebP preview, or None when the original is small enough to be its own


def make(data: bytes, content_type: str) -> Preview | None:
    """The preview of an image, or None when it cannot be read (the file is still shared, shown as it is)."""
    if content_type not in PREVIEWED:
        return None
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return None
                if image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8):  # stored on its side
                    width, height = height, width
                if len(data) <= SMALL_ENOUGH and max(width, height) <= EDGE:
                    return Preview(width, height, None)
                image.draft("RGB", (EDGE * 2, EDGE * 2))  # JPEG: decode at a fraction of the size, much faster
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((EDGE, EDGE), Image.Resampling.LANCZOS)
                if upright.mode not in ("RGB", "RGBA"):
                    clear = "A" in upright.getbands() or "transparency" in upright.info
                    upright = upright.convert("RGBA" if clear else "RGB")
                out = io.BytesIO()
                upright.save(out, "WEBP", quality=80, method=4)
                return Preview(width, height, out.getvalue())
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        log.info("messenger: no preview for an image (%s)", type(exc).__name__)
        return None
