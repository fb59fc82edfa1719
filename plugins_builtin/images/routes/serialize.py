"""API shapes of galleries and images."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from plugin_sdk.http import ApiModel, model_from
from plugins_builtin.images.models import Gallery, GalleryChapter, Image


def phash_hex(value: int | None) -> str | None:
    return None if value is None else f"{value & ((1 << 64) - 1):016x}"


class ImageOut(ApiModel):
    id: str
    title: str
    gallery_id: str | None
    sort_order: int
    width: int | None
    height: int | None
    format: str | None
    animated: bool
    file_size: int | None
    rating: int | None
    organized: bool
    is_nsfw: bool
    thumbnail_url: str | None
    preview_url: str | None
    file_url: str
    missing: bool
    created_at: datetime


class ImageDetail(ImageOut):
    details: str | None
    date: str | None
    code: str | None
    photographer: str | None
    urls: list[str]
    file_path: str
    member: str | None
    md5: str | None
    oshash: str | None
    phash: str | None
    thumbnail_error: str | None
    gallery_title: str | None
    edited_fields: list[str]


class ChapterOut(ApiModel):
    id: str
    title: str
    image_index: int


class GalleryOut(ApiModel):
    id: str
    kind: str
    title: str
    parent_id: str | None
    path: str | None
    image_count: int
    cover_url: str | None
    rating: int | None
    date: str | None
    organized: bool
    is_nsfw: bool
    scan_error: str | None
    missing: bool
    created_at: datetime


def image_out(image: Image) -> ImageOut:
    stamp = int(image.thumbnail_at.timestamp()) if image.thumbnail_at else 0
    return model_from(
        ImageOut,
        image,
        thumbnail_url=f"/api/images/{image.id}/thumbnail?v={stamp}" if image.thumbnail_at else None,
        preview_url=f"/api/images/{image.id}/thumbnail?size=preview&v={stamp}" if image.thumbnail_at else None,
        file_url=f"/api/images/{image.id}/file",
        missing=image.missing_at is not None,
    )


def image_detail(image: Image, gallery_title: str | None) -> ImageDetail:
    return model_from(
        ImageDetail,
        image,
        **image_out(image).model_dump(),
        member=image.member or None,
        phash=phash_hex(image.phash),
        urls=list(image.urls or []),
        gallery_title=gallery_title,
        edited_fields=list(image.edited_fields or []),
    )


def gallery_out(gallery: Gallery, image_count: int | None = None) -> GalleryOut:
    """``image_count``: the visible images in SFW mode (see ``images.sfw``), else the stored count."""
    if image_count is None:
        image_count = gallery.image_count
    has_cover = image_count > 0 or gallery.cover_image_id
    cover_url = f"/api/galleries/{gallery.id}/cover" if has_cover else None
    return model_from(
        GalleryOut, gallery, image_count=image_count, cover_url=cover_url, missing=gallery.missing_at is not None
    )


def chapter_out(chapter: GalleryChapter) -> ChapterOut:
    return ChapterOut(id=chapter.id, title=chapter.title, image_index=chapter.image_index)


def galleries_out(db: Any, galleries: Sequence[Gallery]) -> list[GalleryOut]:
    """:func:`gallery_out` for many, with SFW mode's visible image counts."""
    from plugins_builtin.images.sfw import shown_image_counts

    shown = shown_image_counts(db, [g.id for g in galleries]) or {}
    return [gallery_out(g, shown.get(g.id)) for g in galleries]


def one_gallery_out(db: Any, gallery: Gallery) -> GalleryOut:
    return galleries_out(db, [gallery])[0]
