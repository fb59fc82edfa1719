"""File kinds and names for the images plugin (pure)."""

from __future__ import annotations

import os
import re

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".heic", ".heif", ".bmp", ".tif", ".tiff"}
)
ARCHIVE_EXTENSIONS = frozenset({".zip", ".cbz"})
_SEPARATORS = re.compile(r"[._\-]+")


def extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def is_image_name(name: str) -> bool:
    base = os.path.basename(name)
    return not base.startswith(".") and extension(base) in IMAGE_EXTENSIONS


def is_archive_name(name: str) -> bool:
    base = os.path.basename(name)
    return not base.startswith(".") and extension(base) in ARCHIVE_EXTENSIONS


def title_from_name(name: str) -> str:
    """A readable title from a file or folder name: no extension, separators as spaces."""
    base = os.path.basename(name.rstrip("/"))
    stem = os.path.splitext(base)[0] if extension(base) in IMAGE_EXTENSIONS | ARCHIVE_EXTENSIONS else base
    cleaned = " ".join(_SEPARATORS.sub(" ", stem).split())
    return cleaned or base
