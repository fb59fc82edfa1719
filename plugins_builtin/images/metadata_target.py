"""Galleries as a metadata target: what a ``galleryByFragment`` scraper gets (Stash's stored
gallery), and applying an accepted ``ScrapedGallery`` as an edit (title, details, date, studio,
performers, tags; later scans keep them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import AcceptedMetadata, MetadataTarget
from plugin_sdk.edits import apply_patch
from plugin_sdk.errors import NotFoundError
from plugin_sdk.metadata import accepted_changes
from plugins_builtin.images.models import Gallery

COLUMNS = {"title": "title", "details": "details", "date": "date"}
EDITABLE = ("title", "details", "date", "organized")
NOT_KEPT = ("urls", "code", "director", "image")


def _fragment(g: Gallery) -> dict[str, Any]:
    files = [{"path": g.path}] if g.path else []
    return {"id": g.id, "title": g.title, "code": None, "url": None, "urls": [], "date": g.date,
            "details": g.details, "photographer": None, "files": files}  # fmt: skip


def describe(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = db.scalars(select(Gallery).where(Gallery.id.in_(list(ids)))).all() if ids else []
    return {g.id: _fragment(g) for g in rows}


def apply(db: Session, gallery_id: str, accepted: AcceptedMetadata) -> list[str]:
    gallery = db.get(Gallery, gallery_id)
    if gallery is None:
        raise NotFoundError(f"Gallery {gallery_id} not found.")
    changes, warnings = accepted_changes(accepted, COLUMNS)
    warnings += [f"{k} not applied: galleries do not keep it" for k in NOT_KEPT if accepted.fields.get(k)]
    if accepted.image:
        warnings.append("image not applied: a gallery's cover is one of its images")
    apply_patch(db, "gallery", [gallery], changes, editable=EDITABLE)
    return warnings


def targets() -> list[MetadataTarget]:
    """``obscura_metadata_targets``: galleries (``POST /api/galleries/<id>/accept-scrape``)."""
    return [MetadataTarget("gallery", "gallery", "galleryId", ("galleries",), describe=describe, apply=apply,
                           label="gallery")]  # fmt: skip
