"""Image thumbnails with Pillow (never the ffmpeg CLI for stills).

JPEGs are decoded with ``draft()`` (the decoder scales by 1/2, 1/4 or 1/8 while reading), EXIF
orientation is applied, and WebP files are written to temp names then renamed: the grid
thumbnail by the ``image-thumbnail`` job, the larger lightbox preview on its first request.
Animated GIF/WebP keep a still of the first frame and are reported ``animated``. The perceptual
hash is computed from the small thumbnail, not the original. Formats Pillow cannot open (HEIC
without pillow-heif…) and decompression bombs (Pillow's pixel limit) raise :class:`ThumbnailError` with a clear message.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from plugin_sdk.storage import atomic_write

GRID_SIZE = 480
PREVIEW_SIZE = 1600
WEBP_QUALITY = 82
WEBP_METHOD = 0  # 0 fastest … 6 smallest: at 0 a 1600 px preview encodes in ~30 ms instead of ~120 ms

try:  # HEIC/HEIF through the optional pillow-heif plugin
    import pillow_heif  # type: ignore[import-not-found]

    pillow_heif.register_heif_opener()
    HEIF = True
except ImportError:
    HEIF = False


class ThumbnailError(ValueError):
    """This image cannot be turned into a thumbnail; the message says why."""


@dataclass(frozen=True, slots=True)
class ThumbInfo:
    width: int
    height: int
    format: str
    animated: bool
    phash: int | None


def _open(source: Path | bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ThumbnailError(
            f"refused: too many pixels for a safe decode (possible decompression bomb): {exc}"
        ) from None
    except UnidentifiedImageError:
        raise ThumbnailError("unsupported format (Pillow cannot read this image)") from None
    except OSError as exc:
        raise ThumbnailError(f"unreadable image: {exc}") from None


def phash_of(image: Image.Image) -> int:
    """``imagehash.phash`` as a signed 64-bit integer (how PostgreSQL stores it)."""
    import imagehash

    value = int(str(imagehash.phash(image)), 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def render(source: Path | bytes, out: Path, size: int, *, with_phash: bool = False) -> ThumbInfo:
    """Write a WebP of ``source`` (a file or a zip member's bytes) fitting ``size`` × ``size``.

    JPEGs are decoded straight at the smallest DCT scale that still covers ``size`` (a 24 MP photo
    decodes at 1/8 for the grid thumbnail), so the thumbnail job costs a fraction of a full decode.
    """
    im = _open(source)
    try:
        fmt = (im.format or "unknown").lower()
        animated = bool(getattr(im, "is_animated", False)) and getattr(im, "n_frames", 1) > 1
        width, height = im.size
        orientation = im.getexif().get(0x0112, 1) if hasattr(im, "getexif") else 1
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                if fmt in ("jpeg", "mpo"):
                    im.draft("RGB", (size, size))
                im.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ThumbnailError(
                f"refused: too many pixels for a safe decode (possible decompression bomb): {exc}"
            ) from None
        except OSError as exc:
            raise ThumbnailError(f"the image data is damaged: {exc}") from None
        # work in place on the decoded frame: no full-size copies of a 24-megapixel image
        ImageOps.exif_transpose(im, in_place=True)
        mode = "RGBA" if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info else "RGB"
        thumb = im if im.mode == mode else im.convert(mode)
        thumb.thumbnail((size, size), Image.Resampling.BICUBIC, reducing_gap=2.0)
        with atomic_write(out, suffix=".webp") as tmp:
            thumb.save(tmp, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
        phash = phash_of(thumb) if with_phash else None
        return ThumbInfo(width=width, height=height, format=fmt, animated=animated, phash=phash)
    finally:
        im.close()


def render_grid(source: Path | bytes, out: Path, *, with_phash: bool = True) -> ThumbInfo:
    """The grid thumbnail (what the thumbnail job makes) and the perceptual hash computed from it."""
    return render(source, out, GRID_SIZE, with_phash=with_phash)


def render_preview(source: Path | bytes, out: Path) -> ThumbInfo:
    """The lightbox preview, made on first request (the lightbox preloads neighbours) then cached."""
    return render(source, out, PREVIEW_SIZE)
