"""Pictures of performers, studios and tags: checked, re-encoded and kept in the cache.

Whatever comes in (upload or URL) is decoded with Pillow and written again — JPEG, or PNG when it
has transparency (studio logos) — at most 2000 px on its long side, EXIF orientation applied and
metadata dropped (bulk imports keep a JPEG that needs none of that as it is, metadata dropped).
Files: ``<cache>/<plural>/<shard>/<id>/image.{jpg,png}``.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from plugin_sdk.errors import UnsupportedMediaTypeError, ValidationError
from plugin_sdk.fetch import IMAGE, fetch_url
from plugin_sdk.storage import atomic_write, cache_path, delete_cache
from plugins_builtin.taxonomy.jpeg_passthrough import kept_as_is

MAX_MIB = 20
MAX_BYTES = MAX_MIB * 1024 * 1024
MAX_PIXELS = 80_000_000
MAX_SIDE = 2000
FETCH_TIMEOUT_S = 20.0
FILES = {"jpeg": "image.jpg", "png": "image.png"}
MIMETYPES = {"jpeg": "image/jpeg", "png": "image/png"}


def picture_path(plural: str, entity_id: str, fmt: str) -> Path:
    return cache_path(plural, entity_id, FILES[fmt])


def _has_alpha(img: Image.Image) -> bool:
    if img.mode in ("RGBA", "LA", "PA"):
        return img.getchannel("A").getextrema()[0] < 255
    return img.mode == "P" and "transparency" in img.info


def _decode(data: bytes) -> tuple[Image.Image, bool]:
    """Decode ``data`` as a picture: oriented, at most ``MAX_SIDE`` px, RGB or RGBA; and whether
    it has transparency. Raises 400/415 for data that is not a picture Obscura takes."""
    if not data:
        raise ValidationError("The picture is empty.")
    if len(data) > MAX_BYTES:
        raise ValidationError(f"Pictures may be at most {MAX_MIB} MiB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as src:
                if src.width * src.height > MAX_PIXELS:
                    raise ValidationError("That picture has too many pixels.")
                src.seek(0)
                img = ImageOps.exif_transpose(src)
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                alpha = _has_alpha(img.convert("RGBA") if img.mode == "P" else img)
                img = img.convert("RGBA" if alpha else "RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError):  # fmt: skip
        raise UnsupportedMediaTypeError(
            "That file is not a picture Obscura can read (JPEG, PNG, WebP, GIF…)."
        ) from None
    return img, alpha


def check(data: bytes, fast: bool = False) -> None:
    """Check ``data`` as :func:`encode` would, writing nothing (a dry run's check)."""
    if not (fast and len(data) <= MAX_BYTES and kept_as_is(data, MAX_SIDE, MAX_PIXELS) is not None):
        _decode(data)


def encode(data: bytes, fast: bool = False) -> tuple[str, bytes]:
    """Decode ``data`` and encode the picture as kept: ``(format, bytes)``. Pure CPU work (no
    settings, no files), so imports run it on several threads.

    ``fast`` (bulk imports): a JPEG that needs no change is kept as it is, metadata dropped
    (:mod:`.jpeg_passthrough`), and others are encoded without the slow optimisation pass.
    """
    if fast:
        kept = kept_as_is(data, MAX_SIDE, MAX_PIXELS) if len(data) <= MAX_BYTES else None
        if kept is not None:
            return "jpeg", kept
    img, alpha = _decode(data)
    out = io.BytesIO()
    if alpha:
        img.save(out, "PNG", optimize=not fast)
        return "png", out.getvalue()
    img.save(out, "JPEG", quality=90, optimize=not fast)
    return "jpeg", out.getvalue()


def write(plural: str, entity_id: str, fmt: str, payload: bytes) -> None:
    """Write an encoded picture (:func:`encode`) as the entity's, removing one in the other format."""
    with atomic_write(picture_path(plural, entity_id, fmt)) as tmp:
        tmp.write_bytes(payload)
    for other in FILES:
        if other != fmt:
            picture_path(plural, entity_id, other).unlink(missing_ok=True)


def store(plural: str, entity_id: str, data: bytes) -> str:
    """Decode ``data`` and write the entity's picture; returns its format (``jpeg`` or ``png``)."""
    fmt, payload = encode(data)
    write(plural, entity_id, fmt, payload)
    return fmt


def remove(plural: str, entity_id: str) -> None:
    """Delete the entity's picture files (and its cache folder)."""
    delete_cache(plural, entity_id)


def fetch(url: str, limit: int = MAX_BYTES, timeout: float = FETCH_TIMEOUT_S) -> bytes:
    """Download a picture: ``http(s)`` only, an ``image/*`` answer, at most ``limit`` bytes, within
    ``timeout`` (:func:`plugin_sdk.fetch.fetch_url`, whose 4xx errors it raises)."""
    return fetch_url(url, max_bytes=limit, accept=IMAGE, timeout=timeout, what="picture").body
