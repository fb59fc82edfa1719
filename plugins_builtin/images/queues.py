"""The images plugin's three queues and what "run queue" enqueues for each."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from plugin_sdk import QueueDefinition
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import root_option, root_option_clause
from plugin_sdk.models import LibraryRoot
from plugins_builtin.images.models import Image

GALLERY_SCAN = "gallery-scan"
IMAGE_THUMBNAIL = "image-thumbnail"
IMAGE_FINGERPRINT = "image-fingerprint"


def enqueue_scans(db: Session, roots: list[LibraryRoot], trigger: str) -> int:
    wanted = [r for r in roots if r.enabled and root_option(r, "scan_images")]
    return enqueue_jobs(
        db,
        GALLERY_SCAN,
        (({"rootId": r.id, "trigger": trigger}, "library-root", r.id, f"Scan images · {r.label}") for r in wanted),
    )


def missing_scans(db: Session) -> int:
    wanted = select(LibraryRoot).where(LibraryRoot.enabled.is_(True), root_option_clause("scan_images"))
    roots = db.execute(wanted).scalars()
    return enqueue_scans(db, list(roots), "manual")


def _per_image(db: Session, queue: str, label: str, *conditions: object) -> int:
    rows = db.execute(select(Image.id, Image.title).where(*conditions).order_by(Image.created_at)).all()
    return enqueue_jobs(db, queue, (({"imageId": iid}, "image", iid, f"{label} · {t}") for iid, t in rows))


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
