"""Fetching a proposed image: ``http(s)://`` with a timeout, a size cap and a content check, or a
``data:image/…;base64`` URI. A failure is a :class:`ImageError` the caller turns into a warning."""

from __future__ import annotations

import base64
import binascii
import io
import re

import requests
from PIL import Image, UnidentifiedImageError

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
        with requests.get(url, stream=True, timeout=timeout, headers={"User-Agent": USER_AGENT}) as response:
            if response.status_code >= 400:
                raise ImageError(f"{url[:120]} answered HTTP {response.status_code}")
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind and not kind.startswith("image/") and kind != "application/octet-stream":
                raise ImageError(f"{url[:120]} is {kind}, not an image")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ImageError(f"{url[:120]} is {int(declared) // (1024 * 1024)} MB; the limit is "
                                 f"{max_bytes // (1024 * 1024)} MB")  # fmt: skip
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    raise ImageError(f"{url[:120]} is larger than {max_bytes // (1024 * 1024)} MB")
            return bytes(body)
    except requests.RequestException as exc:
        raise ImageError(f"{url[:120]} could not be fetched ({type(exc).__name__})") from exc


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
