"""The images plugin's three queues, the processors running them and what "run queue" enqueues for each."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_
from sqlalchemy.orm import Session

from plugin_sdk.jobs import enqueue_where
from plugin_sdk.library import enqueue_root_scans, roots_to_scan
from plugin_sdk.models import LibraryRoot
from plugin_sdk.queues import QueueTable
from plugins_builtin.images.models import Image

GALLERY_SCAN = "gallery-scan"
IMAGE_THUMBNAIL = "image-thumbnail"
IMAGE_FINGERPRINT = "image-fingerprint"

QUEUES = QueueTable()


def enqueue_scans(db: Session, roots: Sequence[LibraryRoot], trigger: str) -> int:
    return enqueue_root_scans(db, GALLERY_SCAN, roots, trigger, options=("scan_images",), label="Scan images")


@QUEUES.add(GALLERY_SCAN, "Scan image folders", "Find image folders and zip/cbz archives; index their images.")
def missing_scans(db: Session) -> int:
    return enqueue_scans(db, roots_to_scan(db, ("scan_images",)), "manual")


def _per_image(db: Session, queue: str, label: str, *conditions: object) -> int:
    """Enqueue ``queue`` for the images matching ``conditions`` (never those whose file is missing)."""
    return enqueue_where(
        db,
        queue,
        Image,
        *conditions,
        Image.missing_at.is_(None),
        target_type="image",
        payload_key="imageId",
        label=label,
    )


@QUEUES.add(
    IMAGE_THUMBNAIL, "Make image thumbnails", "Grid and lightbox thumbnails (WebP), dimensions, format.", concurrency=2
)
def missing_thumbnails(db: Session) -> int:
    return _per_image(db, IMAGE_THUMBNAIL, "Thumbnail", Image.thumbnail_at.is_(None), Image.thumbnail_error.is_(None))


@QUEUES.add(
    IMAGE_FINGERPRINT, "Fingerprint images", "MD5, oshash and a perceptual hash for finding duplicates.", concurrency=2
)
def missing_fingerprints(db: Session) -> int:
    return _per_image(
        db,
        IMAGE_FINGERPRINT,
        "Fingerprint",
        or_(Image.md5.is_(None), Image.phash.is_(None)),
        Image.thumbnail_error.is_(None),
    )


PROCESSORS = {
    GALLERY_SCAN: "plugins_builtin.images.scan:process_gallery_scan",
    IMAGE_THUMBNAIL: "plugins_builtin.images.processors:process_image_thumbnail",
    IMAGE_FINGERPRINT: "plugins_builtin.images.processors:process_image_fingerprint",
}
"""The function running each queue, imported when ``obscura_processors`` is asked (at start-up)."""
