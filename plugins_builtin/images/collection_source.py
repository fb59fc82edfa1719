"""What collections can hold of this plugin: galleries and images, the rule fields they answer and
how a collection shows them (``obscura_collection_sources``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from plugin_sdk import CollectionItemView, CollectionSource, RuleField
from plugin_sdk.collections import editable_rule_fields, link_rule_fields
from plugins_builtin.images import assets, queues
from plugins_builtin.images.models import Gallery, Image


def _stamp(image: Image) -> int:
    return int(image.thumbnail_at.timestamp()) if image.thumbnail_at else 0


def image_views(db: Session, ids: Sequence[str]) -> dict[str, CollectionItemView]:
    out: dict[str, CollectionItemView] = {}
    for image in db.execute(select(Image).where(Image.id.in_(list(ids)))).scalars():
        ready = image.thumbnail_at is not None
        out[image.id] = CollectionItemView(
            id=image.id, title=image.title, url=f"/images/{image.id}",
            thumbnail_url=f"/api/images/{image.id}/thumbnail?v={_stamp(image)}" if ready else None,
            image_url=f"/api/images/{image.id}/thumbnail?size=preview&v={_stamp(image)}" if ready else None,
            subtitle=f"{image.width}×{image.height}" if image.width and image.height else None,
        )  # fmt: skip
    return out


def image_files(db: Session, ids: Sequence[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    ready = select(Image.id).where(Image.id.in_(list(ids)), Image.thumbnail_at.is_not(None))
    for image_id in db.execute(ready).scalars():
        path = assets.asset(image_id, assets.PREVIEW)
        if path.is_file():
            out[image_id] = path
    return out


def _gallery_covers(db: Session, galleries: Sequence[Gallery]) -> dict[str, str]:
    """``{gallery id: image id}``: the chosen cover, else the first image with a thumbnail."""
    covers = {g.id: g.cover_image_id for g in galleries if g.cover_image_id}
    missing = [g.id for g in galleries if g.id not in covers]
    if missing:
        rows = db.execute(
            select(Image.gallery_id, Image.id)
            .where(Image.gallery_id.in_(missing), Image.thumbnail_at.is_not(None))
            .ext(distinct_on(Image.gallery_id))
            .order_by(Image.gallery_id, Image.sort_order, Image.id)
        ).all()
        covers.update({gid: iid for gid, iid in rows})
    return covers


def gallery_views(db: Session, ids: Sequence[str]) -> dict[str, CollectionItemView]:
    galleries = list(db.execute(select(Gallery).where(Gallery.id.in_(list(ids)))).scalars())
    covers = _gallery_covers(db, galleries)
    out: dict[str, CollectionItemView] = {}
    for g in galleries:
        image_id = covers.get(g.id)
        out[g.id] = CollectionItemView(
            id=g.id, title=g.title, url=f"/galleries/{g.id}",
            thumbnail_url=f"/api/images/{image_id}/thumbnail" if image_id else None,
            image_url=f"/api/images/{image_id}/thumbnail?size=preview" if image_id else None,
            subtitle=f"{g.image_count} image{'' if g.image_count == 1 else 's'}",
        )  # fmt: skip
    return out


def gallery_files(db: Session, ids: Sequence[str]) -> dict[str, Path]:
    galleries = list(db.execute(select(Gallery).where(Gallery.id.in_(list(ids)))).scalars())
    out: dict[str, Path] = {}
    for gallery_id, image_id in _gallery_covers(db, galleries).items():
        path = assets.asset(image_id, assets.PREVIEW)
        if path.is_file():
            out[gallery_id] = path
    return out


def sources() -> list[CollectionSource]:
    gallery_fields: list[RuleField] = [
        *editable_rule_fields(Gallery),
        *link_rule_fields(),
        RuleField("galleryType", "Gallery type", "enum", Gallery.kind, options=("folder", "zip", "virtual")),
        RuleField("imageCount", "Image count", "number", Gallery.image_count),
    ]
    image_fields: list[RuleField] = [
        *editable_rule_fields(Image),
        *link_rule_fields(),
        RuleField("fileSize", "File size (bytes)", "number", Image.file_size),
        RuleField("width", "Width (px)", "number", Image.width),
        RuleField("height", "Height (px)", "number", Image.height),
        RuleField("format", "Format", "text", Image.format),
        RuleField("animated", "Animated", "boolean", Image.animated),
    ]
    after = (queues.GALLERY_SCAN, queues.IMAGE_THUMBNAIL)
    return [
        CollectionSource(
            kind="gallery", label="Galleries", table=Gallery, id_column=Gallery.id, title_column=Gallery.sort_title,
            fields=gallery_fields, views=gallery_views, thumbnail_files=gallery_files, refresh_after=after,
            order=20,
        ),
        CollectionSource(
            kind="image", label="Images", table=Image, id_column=Image.id, title_column=Image.title,
            fields=image_fields, views=image_views, thumbnail_files=image_files, refresh_after=after,
            order=30,
        ),
    ]  # fmt: skip
