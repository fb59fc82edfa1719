"""Processors of ``image-thumbnail`` and ``image-fingerprint``."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from sqlalchemy.orm import Session

from plugin_sdk import JobContext
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.errors import ForbiddenError
from plugin_sdk.hashing import md5_file, oshash_bytes, oshash_file
from plugin_sdk.models import LibraryRoot
from plugin_sdk.storage import confine
from plugins_builtin.images import archives, assets
from plugins_builtin.images.models import Image
from plugins_builtin.images.thumbnails import ThumbnailError, phash_of, render_grid

log = logging.getLogger("obscura.images")


def source_of(db: Session, image: Image) -> Path | bytes:
    """The image's file (confined to its root), or the bytes of its archive member."""
    root = db.get(LibraryRoot, image.library_root_id) if image.library_root_id else None
    if root is None:
        raise ForbiddenError("the image's library root is gone")
    path = confine(image.file_path, [root.path])
    if image.member:
        return archives.read_member(path, image.member)
    return path


def process_image_thumbnail(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    image = ctx.db.get(Image, payload.get("imageId"))
    if image is None:
        return {"imageId": payload.get("imageId"), "skipped": "the image no longer exists"}
    grid = assets.asset(image.id, assets.GRID)
    ensure_free_space(ctx.db, grid.parent)  # a full disk fails the run at once, saying so
    try:
        source = source_of(ctx.db, image)
        info = render_grid(source, grid)
        # the lightbox preview is made again from the current file on its next request
        assets.asset(image.id, assets.PREVIEW).unlink(missing_ok=True)
    except (ThumbnailError, ValueError, OSError) as exc:
        # a broken, unsupported or oversized image: recorded on the row, the job completes
        log.warning("thumbnail of %s failed: %s", image.file_path, exc)
        image.thumbnail_error = str(exc)[:1000]
        ctx.db.commit()
        return {"imageId": image.id, "error": image.thumbnail_error}
    image.width, image.height = info.width, info.height
    image.format, image.animated = info.format, info.animated
    if image.phash is None:  # a known hash (an import's, or one reset when the file changed) stays
        image.phash = info.phash
    image.thumbnail_at = datetime.now(UTC)
    image.thumbnail_error = None
    ctx.db.commit()
    return {"imageId": image.id, "width": info.width, "height": info.height, "animated": info.animated}


def process_image_fingerprint(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    image = ctx.db.get(Image, payload.get("imageId"))
    if image is None:
        return {"imageId": payload.get("imageId"), "skipped": "the image no longer exists"}
    source = source_of(ctx.db, image)
    result: dict[str, Any] = {"imageId": image.id}
    try:
        if isinstance(source, bytes):
            image.md5 = hashlib.md5(source).hexdigest()
            image.oshash = oshash_bytes(source) if len(source) > 8 else None
        else:
            image.md5 = md5_file(source)
            image.oshash = oshash_file(source) if source.stat().st_size > 8 else None
    except OSError as exc:
        result["error"] = f"unreadable: {exc}"
    grid = assets.asset(image.id, assets.GRID)
    if image.phash is None and grid.exists():  # computed from the small thumbnail, not the original
        with PILImage.open(grid) as thumb:
            image.phash = phash_of(thumb)
    ctx.db.commit()
    result.update(md5=image.md5, oshash=image.oshash, phash=image.phash)
    return result
