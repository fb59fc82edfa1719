"""Galleries and images for the global search and the Ctrl/⌘-K palette, matched and ranked by
``plugin_sdk.search.match`` (typos and partial words included); one query per kind."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import SearchHit
from plugin_sdk.formatting import fmt_count
from plugin_sdk.search import ranked_rows, search_kinds
from plugins_builtin.images.models import Gallery, Image
from plugins_builtin.images.pages.cards import KIND_LABELS, covers, thumb_url
from plugins_builtin.images.sfw import shown_image_counts


def _galleries(db: Session, query: str, limit: int, offset: int) -> list[SearchHit]:
    rows = ranked_rows(
        db, select(Gallery.id, Gallery.kind, Gallery.title, Gallery.image_count, Gallery.cover_image_id),
        [Gallery.title], query, order_by=[Gallery.sort_title, Gallery.id], limit=limit, offset=offset,
    )  # fmt: skip
    cover = covers(db, [(r.id, r.kind, r.cover_image_id) for r in rows])
    shown = shown_image_counts(db, [r.id for r in rows]) or {}  # SFW mode: visible images only
    return [
        SearchHit(
            kind="gallery", id=r.id, title=r.title, url=f"/galleries/{r.id}", score=float(r.score),
            subtitle=f"{KIND_LABELS.get(r.kind, 'Gallery')} · {fmt_count(shown.get(r.id, r.image_count), 'image')}",
            thumbnail_url=cover.get(r.id) or None,
        )
        for r in rows
    ]  # fmt: skip


def _images(db: Session, query: str, limit: int, offset: int) -> list[SearchHit]:
    with_gallery = select(
        Image.id, Image.title, Image.width, Image.height, Image.thumbnail_at, Gallery.title
    ).outerjoin(Gallery, Gallery.id == Image.gallery_id)
    rows = ranked_rows(
        db, with_gallery, [Image.title], query, order_by=[Image.title, Image.id], limit=limit, offset=offset
    )
    return [
        SearchHit(
            kind="image", id=iid, title=title, url=f"/images/{iid}", score=float(score),
            subtitle=" · ".join(b for b in (gallery or "Image", f"{w}×{h}" if w and h else None) if b),
            thumbnail_url=thumb_url(iid, at),
        )
        for iid, title, w, h, at, gallery, score in rows
    ]  # fmt: skip


def search(db: Session, query: str, limit: int, kinds: Sequence[str] | None = None, offset: int = 0) -> list[SearchHit]:
    """Up to ``limit`` galleries and ``limit`` images matching ``query`` (after ``offset`` of each),
    best first."""
    return search_kinds(db, query, limit, kinds, offset, {"gallery": _galleries, "image": _images})
