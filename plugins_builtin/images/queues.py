"""The images plugin's three queues and what "run queue" enqueues for each."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import Session

from plugin_sdk import QueueDefinition
from plugin_sdk.jobs import enqueue_where
from plugin_sdk.library import enqueue_root_scans, roots_to_scan
from plugin_sdk.models import LibraryRoot
from plugins_builtin.images.models import Image

GALLERY_SCAN = "gallery-scan"
IMAGE_THUMBNAIL = "image-thumbnail"
IMAGE_FINGERPRINT = "image-fingerprint"


def enqueue_scans(db: Session, roots: list[LibraryRoot], trigger: str) -> int:
    return enqueue_root_scans(db, GALLERY_SCAN, roots, trigger, options=("scan_images",), label="Scan images")


def missing_scans(db: Session) -> int:
    return enqueue_scans(db, roots_to_scan(db, ("scan_images",)), "manual")


def _per_image(db: Session, queue: str, label: str, *conditions: object) -> int:
    return enqueue_where(db, queue, Image, *conditions, target_type="image", payload_key="imageId", label=label)


def missing_thumbnails(db: Session) -> int:
    return _per_image(db, IMAGE_THUMBNAIL, "Thumbnail", Image.thumbnail_at.is_(None), Image.thumbnail_error.is_(None))


def missing_fingerprints(db: Session) -> int:
    return _per_image(
        db,
        IMAGE_FINGERPRINT,
        "Fingerprint",
        or_(Image.md5.is_(None), Image.phash.is_(None)),
        Image.thumbnail_error.is_(None),
    )


QUEUES = [
    QueueDefinition(GALLERY_SCAN, "Scan image folders", concurrency=1, enqueue_missing=missing_scans,
                    description="Find image folders and zip/cbz archives; index their images."),
    QueueDefinition(IMAGE_THUMBNAIL, "Make image thumbnails", concurrency=2, enqueue_missing=missing_thumbnails,
                    description="Grid and lightbox thumbnails (WebP), dimensions, format."),
    QueueDefinition(IMAGE_FINGERPRINT, "Fingerprint images", concurrency=2, enqueue_missing=missing_fingerprints,
                    description="MD5, oshash and a perceptual hash for finding duplicates."),
]  # fmt: skip
