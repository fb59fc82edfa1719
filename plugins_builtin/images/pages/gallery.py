"""``/galleries/<id>``: one gallery — its sub-galleries, chapters and a justified grid of its images.

The grid is server-rendered (pure CSS justified rows from each image's aspect ratio, so nothing moves
while thumbnails load). Images come in pages of :data:`PAGE` by position; a page is cut into
sections at chapter starts. The lightbox (``gallery.js``) walks the whole gallery through the JSON
API, whatever the grid has loaded.

- ``GET /galleries/<id>/fragments/images?offset=N``: the sections of the next page, then the next
  "Load more" (a section that continues the previous one is marked ``data-continue``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_count, fmt_date, stars
from plugin_sdk.models import LibraryRoot
from plugin_sdk.pages import render_panels
from plugins_builtin.images.models import Gallery, GalleryChapter, GalleryItem, Image
from plugins_builtin.images.naming import IMAGE_EXTENSIONS
from plugins_builtin.images.pages.cards import (
    GALLERY_COLUMNS,
    KIND_ICONS,
    KIND_LABELS,
    TILE_COLUMNS,
    GalleryCard,
    Tile,
    fmt_day,
    gallery_cards,
    tile,
)

PAGE = 120
CHILDREN_MAX = 48
ANCESTORS_MAX = 24
LIGHTBOX_PAGE = 100  # images per API call when the lightbox walks past what the grid loaded


@dataclass(slots=True)
class Chapter:
    id: str
    title: str
    index: int  # first image's position, from 0


@dataclass
class Section:
    """A run of tiles; starts with the chapters that begin at its first tile (if any)."""

    chapters: list[Chapter]
    tiles: list[Tile] = field(default_factory=list)
    continues: bool = False  # the run goes on from the previous page's last section


def find_gallery(db: Session, gallery_id: str) -> Gallery | None:
    return db.get(Gallery, gallery_id) if 0 < len(gallery_id) <= 64 else None


def ancestors(db: Session, gallery: Gallery) -> list[tuple[str, str]]:
    """``(id, title)`` from the top-level gallery down to the parent (cycles and depth bounded)."""
    chain: list[tuple[str, str]] = []
    seen = {gallery.id}
    parent_id = gallery.parent_id
    while parent_id and parent_id not in seen and len(chain) < ANCESTORS_MAX:
        seen.add(parent_id)
        row = db.execute(select(Gallery.id, Gallery.title, Gallery.parent_id).where(Gallery.id == parent_id)).first()
        if row is None:
            break
        chain.append((row.id, row.title))
        parent_id = row.parent_id
    return list(reversed(chain))


def image_rows(db: Session, gallery: Gallery, offset: int, limit: int) -> list[tuple]:
    """Rows of :data:`TILE_COLUMNS` in the gallery's order."""
    if gallery.kind == "virtual":
        stmt = (
            select(*TILE_COLUMNS)
            .join(GalleryItem, GalleryItem.image_id == Image.id)
            .where(GalleryItem.gallery_id == gallery.id)
            .order_by(GalleryItem.position, Image.id)
        )
    else:
        stmt = select(*TILE_COLUMNS).where(Image.gallery_id == gallery.id).order_by(Image.sort_order, Image.id)
    return [tuple(r) for r in db.execute(stmt.offset(offset).limit(limit)).all()]


def image_total(db: Session, gallery: Gallery) -> int:
    if gallery.kind == "virtual":
        stmt = select(func.count()).select_from(GalleryItem).where(GalleryItem.gallery_id == gallery.id)
    else:
        stmt = select(func.count()).select_from(Image).where(Image.gallery_id == gallery.id)
    return db.execute(stmt).scalar_one()


def chapters_of(db: Session, gallery_id: str) -> list[Chapter]:
    rows = db.execute(
        select(GalleryChapter.id, GalleryChapter.title, GalleryChapter.image_index)
        .where(GalleryChapter.gallery_id == gallery_id)
        .order_by(GalleryChapter.image_index, GalleryChapter.created_at, GalleryChapter.id)
    ).all()
    return [Chapter(cid, title, index) for cid, title, index in rows]


def sections(tiles: list[Tile], offset: int, chapters: list[Chapter]) -> list[Section]:
    """Cut a page of tiles at chapter starts."""
    starts: dict[int, list[Chapter]] = {}
    for ch in chapters:
        starts.setdefault(ch.index, []).append(ch)
    out: list[Section] = []
    for t in tiles:
        heads = starts.get(t.index, [])
        if heads or not out:
            out.append(Section(chapters=heads, continues=not heads and offset > 0))
        out[-1].tiles.append(t)
    return out


def page(db: Session, gallery: Gallery, offset: int, total: int, chapters: list[Chapter]) -> dict[str, Any]:
    """A page of sections from ``offset`` and the next page's fragment URL."""
    rows = image_rows(db, gallery, offset, PAGE)
    tiles = [tile(r, offset + i) for i, r in enumerate(rows)]
    nxt = offset + len(rows)
    more = rows and nxt < total
    return {
        "sections": sections(tiles, offset, chapters),
        "offset": offset,
        "more_url": f"/galleries/{gallery.id}/fragments/images?offset={nxt}" if more else None,
        "more_href": f"/galleries/{gallery.id}?offset={nxt}" if more else None,
    }


def children(db: Session, gallery: Gallery) -> tuple[list[GalleryCard], int]:
    total = db.execute(select(func.count()).select_from(Gallery).where(Gallery.parent_id == gallery.id)).scalar_one()
    if not total:
        return [], 0
    rows = db.execute(
        select(*GALLERY_COLUMNS)
        .where(Gallery.parent_id == gallery.id)
        .order_by(Gallery.sort_title, Gallery.id)
        .limit(CHILDREN_MAX)
    ).all()
    return gallery_cards(db, [tuple(r) for r in rows]), total


def can_upload(db: Session, gallery: Gallery) -> bool:
    """Uploads go into folder galleries whose library folder still exists."""
    if gallery.kind != "folder" or not gallery.path or not gallery.library_root_id:
        return False
    return db.get(LibraryRoot, gallery.library_root_id) is not None


def detail(db: Session, gallery: Gallery, offset: int = 0) -> dict[str, Any]:
    """Everything the gallery page shows; its grid starts at ``offset`` (the no-JS "Load more")."""
    total = image_total(db, gallery)
    chapters = chapters_of(db, gallery.id)
    kids, kids_total = children(db, gallery)
    first = page(db, gallery, min(offset, max(total - 1, 0)), total, chapters)
    facts = [fmt_count(total, "image")]
    if kids_total:
        facts.append(fmt_count(kids_total, "sub-gallery", "sub-galleries"))
    if chapters:
        facts.append(fmt_count(len(chapters), "chapter"))
    return {
        "gallery": gallery,
        "kind_label": KIND_LABELS.get(gallery.kind, gallery.kind),
        "kind_icon": KIND_ICONS.get(gallery.kind, "image"),
        "crumbs": ancestors(db, gallery),
        "total": total,
        "facts": facts,
        "stars": stars(gallery.rating),
        "date": fmt_day(gallery.date),
        "added": fmt_date(gallery.created_at),
        "chapters": chapters,
        "chapters_data": [{"id": c.id, "title": c.title, "index": c.index} for c in chapters],
        "children": kids,
        "children_total": kids_total,
        "can_upload": can_upload(db, gallery),
        "upload_accept": ",".join(sorted(IMAGE_EXTENSIONS)),
        "lightbox_page": LIGHTBOX_PAGE,
        "nav_active": "/galleries",
        **first,
    }


def not_found(what: str = "gallery") -> tuple[str, int]:
    return render_template("images/not_found.html", what=what, nav_active="/galleries"), 404


def register(bp: Blueprint) -> None:
    """Add the gallery page and its images fragment to the pages blueprint."""

    @bp.get("/galleries/<gallery_id>")
    def gallery_page(gallery_id: str):
        db = get_db()
        gallery = find_gallery(db, gallery_id)
        if gallery is None:
            return not_found()
        offset = max(request.args.get("offset", 0, type=int) or 0, 0)
        panels = render_panels("gallery", gallery.id, css_class="im-panel")
        return render_template("images/gallery.html", **detail(db, gallery, offset), panels=panels)

    @bp.get("/galleries/<gallery_id>/fragments/images")
    def images_fragment(gallery_id: str):
        db = get_db()
        gallery = find_gallery(db, gallery_id)
        if gallery is None:
            return not_found()
        offset = max(request.args.get("offset", 0, type=int) or 0, 0)
        total = image_total(db, gallery)
        return render_template(
            "images/_sections.html", gallery=gallery, **page(db, gallery, offset, total, chapters_of(db, gallery.id))
        )
