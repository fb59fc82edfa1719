"""``/api/images``: list, detail, edit (one or many), delete, thumbnails, originals, duplicates."""

from __future__ import annotations

import io
import logging
import mimetypes
from pathlib import Path
from typing import Any, Literal

from flask import Blueprint, Response, send_file
from pydantic import Field
from sqlalchemy import select

from plugin_sdk.db import get_db
from plugin_sdk.deletion import DeleteQuery, delete_media
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.edits import NOT_NULL as EDIT_NOT_NULL
from plugin_sdk.edits import EditableFields, apply_patch, patch_row
from plugin_sdk.errors import ConflictError, NotFoundError, ValidationError
from plugin_sdk.files import source_path
from plugin_sdk.http import ApiModel, Page, Pagination, api_route, ok, parse_query
from plugin_sdk.links import with_link_fields, with_link_filters, with_links
from plugin_sdk.rows import Listing, get_row, title_of
from plugins_builtin.images import archives, assets
from plugins_builtin.images.duplicates import MAX_DISTANCE, duplicate_groups
from plugins_builtin.images.models import Gallery, Image
from plugins_builtin.images.processors import source_of
from plugins_builtin.images.routes.serialize import ImageDetail, ImageOut, image_detail, image_out
from plugins_builtin.images.scan import recount
from plugins_builtin.images.thumbnails import ThumbnailError, render_preview

log = logging.getLogger(__name__)
SORTS: dict[str, Any] = {
    "recent": Image.created_at,
    "title": Image.title,
    "date": Image.date,
    "rating": Image.rating,
    "size": Image.file_size,
    "gallery": Image.sort_order,
}
IMAGES = Listing(
    "image", Image, SORTS, descending=("recent", "rating", "size"), search=[Image.title],
    equals={"gallery": Image.gallery_id, "organized": Image.organized, "animated": Image.animated},
)  # fmt: skip
EDITABLE = ("title", "details", "date", "rating", "organized", "is_nsfw", "code", "photographer", "urls")
NOT_NULL = (*EDIT_NOT_NULL, "urls")


class ImagesQuery(Pagination):
    gallery: str | None = None
    search: str | None = Field(None, max_length=200)
    organized: bool | None = None
    rating_min: int | None = Field(None, ge=0, le=100)
    animated: bool | None = None
    sort: Literal["recent", "title", "date", "rating", "size", "gallery"] = "recent"
    order: Literal["asc", "desc"] | None = None


class ImagePatch(EditableFields):
    """The editable fields of an image."""

    code: str | None = Field(None, max_length=500)
    photographer: str | None = Field(None, max_length=500)
    urls: list[str] | None = Field(None, max_length=50)


class BulkPatch(ApiModel):
    ids: list[str] = Field(min_length=1, max_length=1000)
    patch: ImagePatch


class ThumbQuery(ApiModel):
    size: Literal["grid", "preview"] = "grid"
    v: int | None = None


class DuplicatesQuery(ApiModel):
    distance: int = Field(4, ge=0, le=MAX_DISTANCE)


class DuplicateGroup(ApiModel):
    images: list[ImageOut]


def get_image(db: Any, image_id: str) -> Image:
    return get_row(db, Image, image_id, f"No image with id '{image_id}'.")


def _detail(db: Any, image: Image) -> ImageDetail:
    return image_detail(image, title_of(db, Gallery, image.gallery_id))


def make_preview(db: Any, image: Image, path: Path) -> None:
    """Make the lightbox preview on its first request; a file that went bad answers 404 below, a
    disk too full to keep it 507."""
    ensure_free_space(db, path.parent)
    try:
        render_preview(source_of(db, image), path)
    except (ThumbnailError, ValueError, OSError) as exc:
        log.warning("preview of %s failed: %s", image.file_path, exc)


def make_blueprint() -> Blueprint:
    bp = Blueprint("images", __name__)

    @api_route(bp, "/api/images", query=with_link_filters(ImagesQuery), response=Page[ImageOut])
    def list_images(query: ImagesQuery):
        """Images, filtered and sorted (``sort=gallery`` keeps a gallery's own order)."""
        where = [Image.rating >= query.rating_min] if query.rating_min is not None else []
        return IMAGES.page(get_db(), query, lambda rows: map(image_out, rows), where)

    @api_route(bp, "/api/images/duplicates", query=DuplicatesQuery, response=list[DuplicateGroup])
    def duplicates(query: DuplicatesQuery):
        """Groups of images whose perceptual hashes are within ``distance`` bits (0–16)."""
        db = get_db()
        rows = db.execute(select(Image.id, Image.phash).where(Image.phash.is_not(None))).all()
        groups = duplicate_groups([r[0] for r in rows], [r[1] for r in rows], query.distance)
        wanted = {i for g in groups for i in g}
        by_id = {i.id: i for i in db.execute(select(Image).where(Image.id.in_(wanted))).scalars()} if wanted else {}
        return ok([DuplicateGroup(images=[image_out(by_id[i]) for i in g]) for g in groups])

    @api_route(bp, "/api/images/bulk", methods=["PATCH"], body=with_link_fields(BulkPatch, at="patch"))
    def bulk_patch(body: BulkPatch):
        """Apply the same edit to many images (``tagNames``… replace each image's links)."""
        db = get_db()
        changes = body.patch.model_dump(exclude_unset=True)
        if not changes:
            raise ValidationError("body.patch: nothing to change")
        rows = db.execute(select(Image).where(Image.id.in_(body.ids))).scalars().all()
        missing = set(body.ids) - {r.id for r in rows}
        if missing:
            raise NotFoundError(f"No image with id '{sorted(missing)[0]}'.")
        apply_patch(db, "image", rows, changes, editable=EDITABLE, not_null=NOT_NULL)
        db.commit()
        return ok({"updated": len(rows)})

    @api_route(bp, "/api/images/<image_id>", response=ImageDetail)
    def get_one(image_id: str):
        """One image with its file facts and hashes."""
        db = get_db()
        return ok(with_links(db, "image", _detail(db, get_image(db, image_id))))

    @api_route(bp, "/api/images/<image_id>", methods=["PATCH"], body=with_link_fields(ImagePatch), response=ImageDetail)
    def patch_one(image_id: str, body: ImagePatch):
        """Edit an image; edited fields are kept by later scans."""
        db = get_db()
        image = get_image(db, image_id)
        return patch_row(db, "image", image, body, lambda: _detail(db, image), editable=EDITABLE, not_null=NOT_NULL)

    @api_route(bp, "/api/images/<image_id>", methods=["DELETE"], query=DeleteQuery)
    def delete_one(image_id: str, query: DeleteQuery):
        """Delete an image (``?deleteFile=true`` also deletes the file; not for archive members)."""
        db = get_db()
        image = get_image(db, image_id)
        if query.delete_file and image.member:
            raise ConflictError("This image lives inside an archive; delete the archive instead.")
        gallery_id = image.gallery_id
        return ok(delete_media(
            db, "image", image, query.delete_file, delete_files=assets.delete_image_files,
            after_delete=(lambda: recount(db, gallery_ids=[gallery_id])) if gallery_id else None,
        ))  # fmt: skip

    @bp.get("/api/images/<image_id>/thumbnail")
    def thumbnail(image_id: str) -> Response:
        query = parse_query(ThumbQuery)
        db = get_db()
        image = get_image(db, image_id)
        path = assets.asset(image.id, assets.GRID if query.size == "grid" else assets.PREVIEW)
        if not path.is_file() and query.size == "preview" and image.thumbnail_at and not image.thumbnail_error:
            make_preview(db, image, path)
        if not path.is_file():
            raise NotFoundError("This image has no thumbnail yet.", code="asset_missing")
        return send_file(path, mimetype="image/webp", conditional=True, max_age=86400 if query.v else 0)

    @bp.get("/api/images/<image_id>/file")
    def original(image_id: str) -> Response:
        db = get_db()
        image = get_image(db, image_id)
        path = source_path(db, image, "image")
        name = (image.member or image.file_path).replace("\\", "/").rsplit("/", 1)[-1]
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if not image.member:
            return send_file(path, mimetype=mimetype, conditional=True, download_name=name)
        try:
            data = archives.read_member(path, image.member)
        except (KeyError, ValueError, OSError) as exc:
            raise NotFoundError(f"The archive member cannot be read: {exc}", code="file_missing") from None
        return send_file(io.BytesIO(data), mimetype=mimetype, download_name=name, max_age=0)

    return bp
