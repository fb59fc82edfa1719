"""What the images pages show of galleries and images, already formatted: gallery cards (cover,
counts), image tiles (aspect ratio, thumbnail, lightbox sources), and the images' own formatting
helpers (the common ones are :mod:`plugin_sdk.formatting`'s).

Covers and sub-gallery counts of a page of galleries take a constant number of queries (no N+1):
explicit covers, the first thumbnailed image of each folder/archive gallery, the first of each
collection, and one grouped count of children.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.formatting import fmt_date, stars
from plugin_sdk.nesting import child_counts, first_children
from plugins_builtin.images.models import Gallery, GalleryItem, Image
from plugins_builtin.images.sfw import shown_image_counts
from plugins_builtin.images.thumbnails import PREVIEW_SIZE

KIND_LABELS = {"folder": "Folder", "zip": "Archive", "virtual": "Collection"}
KIND_ICONS = {"folder": "folder", "zip": "layers", "virtual": "star"}
#: Formats every current browser decodes (the original may be shown and zoomed into).
BROWSER_FORMATS = frozenset({"jpeg", "mpo", "png", "webp", "gif", "avif", "bmp"})


# ------------------------------------------------------------------------------------------ formatting


def fmt_day(iso: str | None) -> str:
    """A ``YYYY-MM-DD`` string as ``Mar 4, 2024`` (as given when it is not a valid date)."""
    if not iso:
        return ""
    try:
        return fmt_date(datetime.strptime(iso, "%Y-%m-%d"))
    except ValueError:
        return iso


def thumb_url(image_id: str, thumbnail_at: datetime | None, size: str = "grid") -> str | None:
    """The cacheable thumbnail URL of an image that has one (``size``: ``grid`` or ``preview``)."""
    if thumbnail_at is None:
        return None
    stamp = int(thumbnail_at.timestamp())
    extra = "size=preview&" if size == "preview" else ""
    return f"/api/images/{image_id}/thumbnail?{extra}v={stamp}"


# ------------------------------------------------------------------------------------------ galleries


@dataclass(slots=True)
class GalleryCard:
    """A gallery as a card of a grid (galleries page, sub-galleries, dashboard)."""

    id: str
    kind: str
    kind_label: str
    title: str
    url: str
    cover: str | None
    images: int
    children: int
    stars: int | None
    date: str
    organized: bool


GALLERY_COLUMNS = (
    Gallery.id, Gallery.kind, Gallery.title, Gallery.image_count, Gallery.cover_image_id, Gallery.rating,
    Gallery.date, Gallery.organized,
)  # fmt: skip


def covers(db: Session, rows: Sequence[tuple[str, str, str | None]]) -> dict[str, str]:
    """Cover thumbnail URLs by gallery id for ``(id, kind, cover_image_id)`` rows: the chosen image
    when it has a thumbnail, else the first thumbnailed image in the gallery's order."""
    if not rows:
        return {}
    out: dict[str, str] = {}
    chosen = {gid: cid for gid, _, cid in rows if cid}
    if chosen:
        found = dict(
            db.execute(
                select(Image.id, Image.thumbnail_at).where(
                    Image.id.in_(set(chosen.values())), Image.thumbnail_at.is_not(None)
                )
            ).all()
        )
        for gid, cid in chosen.items():
            if cid in found:
                out[gid] = thumb_url(cid, found[cid]) or ""
    owned = [gid for gid, kind, _ in rows if kind != "virtual" and gid not in out]
    if owned:
        thumbed = select(Image.gallery_id, Image.id, Image.thumbnail_at).where(Image.thumbnail_at.is_not(None))
        for gid, iid, at in first_children(db, thumbed, Image.gallery_id, owned, [Image.sort_order, Image.id]):
            out[gid] = thumb_url(iid, at) or ""
    virtual = [gid for gid, kind, _ in rows if kind == "virtual" and gid not in out]
    if virtual:
        items = (
            select(GalleryItem.gallery_id, Image.id, Image.thumbnail_at)
            .join(Image, Image.id == GalleryItem.image_id)
            .where(Image.thumbnail_at.is_not(None))
        )
        order = [GalleryItem.position, Image.id]
        for gid, iid, at in first_children(db, items, GalleryItem.gallery_id, virtual, order):
            out[gid] = thumb_url(iid, at) or ""
    return {k: v for k, v in out.items() if v}


def gallery_cards(db: Session, rows: Sequence[tuple]) -> list[GalleryCard]:
    """Cards for rows selected with :data:`GALLERY_COLUMNS` (in that order)."""
    cover = covers(db, [(r[0], r[1], r[4]) for r in rows])
    children = child_counts(db, Gallery.parent_id, (r[0] for r in rows))
    shown = shown_image_counts(db, (r[0] for r in rows))
    cards = []
    for gid, kind, title, count, _cover, rating, date, organized in rows:
        if shown is not None:
            count = shown[gid]
        card = GalleryCard(
            id=gid, kind=kind, kind_label=KIND_LABELS.get(kind, kind), title=title, url=f"/galleries/{gid}",
            cover=cover.get(gid), images=count, children=children.get(gid, 0), stars=stars(rating),
            date=fmt_day(date), organized=organized,
        )  # fmt: skip
        cards.append(card)
    return cards


# ------------------------------------------------------------------------------------------ images


@dataclass(slots=True)
class Tile:
    """An image as a tile of a gallery's justified grid, with what the lightbox needs."""

    id: str
    index: int  # position in the gallery, from 0
    title: str
    ratio: float  # width / height, for the grid (1 when unknown)
    width: int | None
    height: int | None
    thumb: str | None
    preview: str | None
    file: str
    zoomable: bool  # the original is a format browsers show (srcset for deep zoom)
    animated: bool
    stars: int | None
    error: bool  # no thumbnail can be made (damaged or unsupported)


TILE_COLUMNS = (
    Image.id, Image.title, Image.width, Image.height, Image.thumbnail_at, Image.thumbnail_error, Image.format,
    Image.animated, Image.rating,
)  # fmt: skip


def tile(row: tuple, index: int) -> Tile:
    """A tile from a row selected with :data:`TILE_COLUMNS`."""
    iid, title, width, height, at, error, fmt, animated, rating = row
    ratio = round(width / height, 4) if width and height else 1.0
    return Tile(
        id=iid, index=index, title=title, ratio=min(max(ratio, 0.25), 4.0), width=width, height=height,
        thumb=thumb_url(iid, at), preview=thumb_url(iid, at, "preview"), file=f"/api/images/{iid}/file",
        zoomable=(fmt or "").lower() in BROWSER_FORMATS, animated=animated, stars=stars(rating),
        error=bool(error) and at is None,
    )  # fmt: skip


def preview_size(width: int | None, height: int | None) -> tuple[int, int] | None:
    """The size of the lightbox preview of an image (long side at most ``PREVIEW_SIZE``, never enlarged)."""
    if not width or not height:
        return None
    scale = min(1.0, PREVIEW_SIZE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))
