"""``/images/<id>``: one image — a large view (zoom in the lightbox), its file facts and hashes, and
the edit form (title, details, date, rating, organized, NSFW); previous/next within its gallery."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_bytes, fmt_date, stars
from plugin_sdk.pages import render_panels
from plugins_builtin.images.models import Gallery, Image
from plugins_builtin.images.pages.cards import (
    BROWSER_FORMATS,
    KIND_LABELS,
    preview_size,
    thumb_url,
)
from plugins_builtin.images.routes.serialize import phash_hex

FORMAT_LABELS = {"jpeg": "JPEG", "mpo": "JPEG (MPO)", "png": "PNG", "webp": "WebP", "gif": "GIF", "avif": "AVIF",
                 "bmp": "BMP", "tiff": "TIFF", "heif": "HEIF"}  # fmt: skip


def neighbours(db: Session, image: Image) -> tuple[int, int, str | None, str | None]:
    """The image's position and count in its gallery (folder or archive order), and the previous and
    next images' ids."""
    if not image.gallery_id:
        return 0, 1, None, None
    key = tuple_(Image.sort_order, Image.id)
    here = tuple_(image.sort_order, image.id)
    mine = Image.gallery_id == image.gallery_id
    index, total = db.execute(select(func.count().filter(key < here), func.count()).where(mine)).one()
    prev = db.execute(
        select(Image.id).where(mine, key < here).order_by(Image.sort_order.desc(), Image.id.desc()).limit(1)
    ).scalar()
    nxt = db.execute(select(Image.id).where(mine, key > here).order_by(Image.sort_order, Image.id).limit(1)).scalar()
    return index, total, prev, nxt


def view(image: Image) -> dict[str, Any]:
    """What the stage shows: the preview (or the original when it animates or has no preview yet)."""
    fmt = (image.format or "").lower()
    src: str | None = None
    size: tuple[int | None, int | None] | None = None
    if image.thumbnail_at is not None and not (image.animated and fmt in BROWSER_FORMATS):
        src, size = thumb_url(image.id, image.thumbnail_at, "preview"), preview_size(image.width, image.height)
    elif not image.thumbnail_error and (fmt in BROWSER_FORMATS or not fmt):  # animated, or not processed yet
        src, size = f"/api/images/{image.id}/file", (image.width, image.height)
    return {
        "src": src,
        "thumb": thumb_url(image.id, image.thumbnail_at),
        "preview": thumb_url(image.id, image.thumbnail_at, "preview"),
        "src_width": size[0] if size else None,
        "src_height": size[1] if size else None,
        "zoomable": fmt in BROWSER_FORMATS,
    }


def detail(db: Session, image: Image) -> dict[str, Any]:
    gallery = db.get(Gallery, image.gallery_id) if image.gallery_id else None
    index, total, prev, nxt = neighbours(db, image)
    fmt = (image.format or "").lower()
    name = (image.member or image.file_path).replace("\\", "/").rsplit("/", 1)[-1]
    facts: list[tuple[str, str]] = []
    if image.width and image.height:
        facts.append(("Dimensions", f"{image.width} × {image.height}"))
    if fmt:
        facts.append(("Format", FORMAT_LABELS.get(fmt, fmt.upper()) + (" · animated" if image.animated else "")))
    if image.file_size is not None:
        facts.append(("Size", fmt_bytes(image.file_size)))
    facts.append(("Added", fmt_date(image.created_at)))
    if image.missing_at:
        facts.append(("Missing", f"the file was not found (since {fmt_date(image.missing_at)})"))
    credits = (("Code", image.code), ("Photographer", image.photographer))
    facts.extend((label, value) for label, value in credits if value)
    facts.extend(("Link", url) for url in image.urls or [])
    files: list[tuple[str, str]] = [("Path", image.file_path)]
    if image.member:
        files.append(("In archive", image.member))
    hashes = [(k, v) for k, v in (("MD5", image.md5), ("oshash", image.oshash), ("pHash", phash_hex(image.phash))) if v]
    return {
        "image": image,
        "name": name,
        "gallery": gallery,
        "gallery_kind": KIND_LABELS.get(gallery.kind, "") if gallery else "",
        "index": index,
        "total": total,
        "prev_id": prev,
        "next_id": nxt,
        "facts": facts,
        "files": files,
        "hashes": hashes,
        "stars": stars(image.rating),
        "is_cover": bool(gallery and gallery.cover_image_id == image.id),
        "nav_active": "/galleries",
        **view(image),
    }


def register(bp: Blueprint) -> None:
    """Add the image page to the pages blueprint."""
    from plugins_builtin.images.pages.gallery import not_found

    @bp.get("/images/<image_id>")
    def image_page(image_id: str):
        db = get_db()
        image = db.get(Image, image_id) if 0 < len(image_id) <= 64 else None
        if image is None:
            return not_found("image")
        panels = render_panels("image", image.id, css_class="im-panel")
        return render_template("images/image.html", **detail(db, image), panels=panels)
