"""Fetching a proposed image: ``http(s)://`` through :func:`plugin_sdk.fetch.fetch_url` (timeouts,
a size cap, an ``image/*`` answer), or a ``data:image/…;base64`` URI; either way the bytes must
decode as a picture. A failure is a :class:`ImageError` the caller turns into a warning."""

from __future__ import annotations

import base64
import binascii
import io
import re

from PIL import Image, UnidentifiedImageError

from plugin_sdk.fetch import IMAGE, UrlFetchError, fetch_url

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 20.0
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
_DATA_URI = re.compile(r"^data:(image/[\w.+-]+)?(;[^,]*)?,", re.IGNORECASE)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp", "BMP": "image/bmp"}


class ImageError(Exception):
    """The image could not be fetched or is not an image (the message says why)."""


def fetch_image(url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_S) -> tuple[bytes, str]:
    """``(bytes, content type)`` of the image at ``url``; raises :class:`ImageError`."""
    if url.startswith("data:"):
        body = _from_data_uri(url, max_bytes)
    elif url.startswith(("http://", "https://")):
        body = _download(url, max_bytes, timeout)
    else:
        raise ImageError(f"not an image URL: {url[:80]}")
    return body, _checked_type(body)


def _from_data_uri(url: str, max_bytes: int) -> bytes:
    match = _DATA_URI.match(url)
    if not match or not (match.group(2) or "").lower().endswith("base64"):
        raise ImageError("a data: URI that is not base64 image data")
    if len(url) > max_bytes * 4 // 3 + 100:
        raise ImageError(f"image larger than {max_bytes // (1024 * 1024)} MB")
    try:
        return base64.b64decode(url[match.end() :], validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"bad base64 image data ({exc})") from exc


def _download(url: str, max_bytes: int, timeout: float) -> bytes:
    try:
        return fetch_url(
            url, max_bytes=max_bytes, accept=IMAGE, timeout=timeout, headers={"User-Agent": USER_AGENT}
        ).body
    except UrlFetchError as exc:
        raise ImageError(exc.message) from exc


def _checked_type(body: bytes) -> str:
    """The content type Pillow recognises in ``body`` (never what the server claimed)."""
    try:
        with Image.open(io.BytesIO(body)) as img:
            kind = FORMATS.get(img.format or "")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageError("the data is not an image Obscura can read") from exc
    if kind is None:
        raise ImageError("the image format is not supported (JPEG, PNG, GIF, WebP or BMP)")
    return kind
