"""SFW mode for galleries: ``image_count`` is stored for speed and counts every image, so in SFW
mode the visible images of a page of galleries are counted instead (the ORM's SFW criteria leave
hidden images out of this query)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from plugin_sdk.sfw import is_sfw
from plugins_builtin.images.models import GalleryItem, Image


def shown_image_counts(db: Session, gallery_ids: Iterable[str]) -> dict[str, int] | None:
    """Visible images per gallery in SFW mode (own images plus virtual items); ``None`` otherwise."""
    if not is_sfw(db):
        return None
    ids = list(dict.fromkeys(gallery_ids))
    if not ids:
        return {}
    own = select(Image.gallery_id.label("gid"), Image.id.label("iid")).where(Image.gallery_id.in_(ids))
    items = (
        select(GalleryItem.gallery_id.label("gid"), Image.id.label("iid"))
        .join(Image, Image.id == GalleryItem.image_id)
        .where(GalleryItem.gallery_id.in_(ids))
    )
    both = union_all(own, items).subquery()
    counts = dict(db.execute(select(both.c.gid, func.count()).group_by(both.c.gid)).all())
    return {gid: counts.get(gid, 0) for gid in ids}
