"""``/api/galleries``: list, detail with paged images, virtual galleries, edit, cover, chapters,
uploads into folder galleries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from flask import Blueprint, Response, redirect
from pydantic import Field
from sqlalchemy import func, select

from plugin_sdk.db import get_db, new_id
from plugin_sdk.edits import NOT_NULL as EDIT_NOT_NULL
from plugin_sdk.edits import EditableFields, patch_row
from plugin_sdk.errors import ConflictError, NotFoundError, UnsupportedMediaTypeError, ValidationError
from plugin_sdk.http import ApiModel, Page, Pagination, api_route, ok
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.links import entities_deleted, with_link_fields, with_link_filters, with_links
from plugin_sdk.rows import Listing, answer_row, children_of, get_row, last_position, parent_filter, title_of
from plugin_sdk.uploads import receive_uploads, safe_file_name, upload_route
from plugins_builtin.images import queues
from plugins_builtin.images.models import Gallery, GalleryChapter, GalleryItem, Image
from plugins_builtin.images.naming import extension, is_image_name, title_from_name
from plugins_builtin.images.routes.images import get_image
from plugins_builtin.images.routes.serialize import (
    ChapterOut,
    GalleryOut,
    ImageOut,
    chapter_out,
    galleries_out,
    image_out,
    one_gallery_out,
)
from plugins_builtin.images.scan import recount

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage

SORTS: dict[str, Any] = {
    "recent": Gallery.created_at,
    "title": Gallery.sort_title,
    "date": Gallery.date,
    "rating": Gallery.rating,
    "images": Gallery.image_count,
}
NOT_NULL = (*EDIT_NOT_NULL, "urls")
GALLERIES = Listing(
    "gallery", Gallery, SORTS, descending=("recent", "rating", "images"), search=[Gallery.title],
    equals={"kind": Gallery.kind, "root": Gallery.library_root_id},
)  # fmt: skip


class GalleriesQuery(Pagination):
    search: str | None = Field(None, max_length=200)
    kind: Literal["folder", "zip", "virtual"] | None = None
    parent: str | None = Field(None, description="a gallery id, or 'none' for top-level galleries")
    root: str | None = None
    sort: Literal["recent", "title", "date", "rating", "images"] = "title"
    order: Literal["asc", "desc"] | None = None


class GalleryDetail(GalleryOut):
    details: str | None
    code: str | None
    photographer: str | None
    urls: list[str]
    parent_title: str | None
    chapters: list[ChapterOut]
    children: list[GalleryOut]
    images: dict[str, Any]


class GalleryIn(ApiModel):
    title: str = Field(min_length=1, max_length=500)
    details: str | None = Field(None, max_length=20000)
    image_ids: list[str] = Field(default_factory=list, max_length=5000)


class GalleryPatch(EditableFields):
    """The editable fields of a gallery."""

    code: str | None = Field(None, max_length=500)
    photographer: str | None = Field(None, max_length=500)
    urls: list[str] | None = Field(None, max_length=50)


class CoverIn(ApiModel):
    image_id: str


class ItemsIn(ApiModel):
    image_ids: list[str] = Field(min_length=1, max_length=5000)


class ChapterIn(ApiModel):
    title: str = Field(min_length=1, max_length=300)
    image_index: int = Field(ge=0)


class ChapterPatch(ApiModel):
    title: str | None = Field(None, min_length=1, max_length=300)
    image_index: int | None = Field(None, ge=0)


def get_gallery(db: Any, gallery_id: str) -> Gallery:
    return get_row(db, Gallery, gallery_id, f"No gallery with id '{gallery_id}'.")


def gallery_images(db: Any, gallery: Gallery, pagination: Pagination) -> tuple[list[Image], int]:
    if gallery.kind == "virtual":
        base = (
            select(Image)
            .join(GalleryItem, GalleryItem.image_id == Image.id)
            .where(GalleryItem.gallery_id == gallery.id)
        )
        order = (GalleryItem.position, Image.id)
    else:
        base = select(Image).where(Image.gallery_id == gallery.id)
        order = (Image.sort_order, Image.id)
    total = db.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = db.execute(base.order_by(*order).offset(pagination.offset).limit(pagination.per_page)).scalars().all()
    return list(rows), total


def _check_images(db: Any, ids: list[str]) -> None:
    found = set(db.execute(select(Image.id).where(Image.id.in_(ids))).scalars())
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"No image with id '{missing[0]}'.")


def _image_name(file: FileStorage) -> str:
    name = safe_file_name(file.filename or "")
    if not is_image_name(name):
        raise UnsupportedMediaTypeError(f"'{name}' is not an image file Obscura indexes.")
    return name


def make_blueprint() -> Blueprint:
    bp = Blueprint("galleries", __name__)

    @api_route(bp, "/api/galleries", query=with_link_filters(GalleriesQuery), response=Page[GalleryOut])
    def list_galleries(query: GalleriesQuery):
        """Galleries with their image counts and covers."""
        db = get_db()
        where = parent_filter(Gallery.parent_id, query.parent)
        return GALLERIES.page(db, query, lambda rows: galleries_out(db, rows), where)

    @api_route(bp, "/api/galleries", methods=["POST"], body=GalleryIn, response=GalleryOut, status=201)
    def create_virtual(body: GalleryIn):
        """Create a virtual gallery (optionally with images)."""
        db = get_db()
        _check_images(db, body.image_ids)
        gallery = Gallery(
            kind="virtual", title=body.title.strip(), sort_title=body.title.strip().lower(), details=body.details
        )
        db.add(gallery)
        db.flush()
        for position, image_id in enumerate(dict.fromkeys(body.image_ids)):
            db.add(GalleryItem(gallery_id=gallery.id, image_id=image_id, position=position))
        db.flush()
        recount(db, gallery_ids=[gallery.id])
        db.commit()
        db.refresh(gallery)
        return ok(with_links(db, "gallery", one_gallery_out(db, gallery)), status=201)

    @api_route(bp, "/api/galleries/<gallery_id>", query=Pagination, response=GalleryDetail)
    def get_one(gallery_id: str, query: Pagination):
        """A gallery with its chapters, sub-galleries and a page of its images."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        images, total = gallery_images(db, gallery, query)
        chapters = db.execute(
            select(GalleryChapter).where(GalleryChapter.gallery_id == gallery.id).order_by(GalleryChapter.image_index)
        ).scalars()
        detail = GalleryDetail(
            **one_gallery_out(db, gallery).model_dump(),
            details=gallery.details,
            code=gallery.code,
            photographer=gallery.photographer,
            urls=list(gallery.urls or []),
            parent_title=title_of(db, Gallery, gallery.parent_id),
            chapters=[chapter_out(c) for c in chapters],
            children=galleries_out(db, children_of(db, Gallery, gallery.id)),
            images={
                "items": [image_out(i).dump() for i in images],
                "total": total,
                "page": query.page,
                "perPage": query.per_page,
            },
        )
        return ok(with_links(db, "gallery", detail))

    @api_route(
        bp, "/api/galleries/<gallery_id>", methods=["PATCH"], body=with_link_fields(GalleryPatch), response=GalleryOut
    )
    def patch_one(gallery_id: str, body: GalleryPatch):
        """Edit a gallery's title, details, date, rating, organized or NSFW flag, code, photographer or URLs."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        return patch_row(db, "gallery", gallery, body, lambda: one_gallery_out(db, gallery), not_null=NOT_NULL)

    @api_route(bp, "/api/galleries/<gallery_id>", methods=["DELETE"])
    def delete_one(gallery_id: str):
        """Delete a virtual gallery (folder and zip galleries follow the disk: remove them there)."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        if gallery.kind != "virtual":
            raise ConflictError(
                "Folder and archive galleries mirror the disk; remove the folder or archive (or its library) instead.",
                code="not_virtual",
            )
        db.delete(gallery)
        entities_deleted(db, "gallery", [gallery_id])
        db.commit()
        return ok({"id": gallery_id, "deleted": True})

    @api_route(bp, "/api/galleries/<gallery_id>/items", methods=["POST"], body=ItemsIn, response=GalleryOut)
    def add_items(gallery_id: str, body: ItemsIn):
        """Add images to a virtual gallery (at the end, in the order given)."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        if gallery.kind != "virtual":
            raise ConflictError("Only virtual galleries take images by hand.", code="not_virtual")
        _check_images(db, body.image_ids)
        present = set(db.execute(select(GalleryItem.image_id).where(GalleryItem.gallery_id == gallery.id)).scalars())
        start = last_position(db, GalleryItem.position, GalleryItem.gallery_id == gallery.id) + 1
        for offset, image_id in enumerate(i for i in dict.fromkeys(body.image_ids) if i not in present):
            db.add(GalleryItem(gallery_id=gallery.id, image_id=image_id, position=start + offset))
        db.flush()
        recount(db, gallery_ids=[gallery.id])
        db.commit()
        db.refresh(gallery)
        return ok(with_links(db, "gallery", one_gallery_out(db, gallery)))

    @api_route(bp, "/api/galleries/<gallery_id>/items", methods=["DELETE"], body=ItemsIn, response=GalleryOut)
    def remove_items(gallery_id: str, body: ItemsIn):
        """Take images out of a virtual gallery (the images themselves stay)."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        if gallery.kind != "virtual":
            raise ConflictError("Only virtual galleries take images by hand.", code="not_virtual")
        for item in db.execute(
            select(GalleryItem).where(GalleryItem.gallery_id == gallery.id, GalleryItem.image_id.in_(body.image_ids))
        ).scalars():
            db.delete(item)
        db.flush()
        recount(db, gallery_ids=[gallery.id])
        db.commit()
        db.refresh(gallery)
        return ok(with_links(db, "gallery", one_gallery_out(db, gallery)))

    @bp.get("/api/galleries/<gallery_id>/cover")
    def cover(gallery_id: str) -> Response:
        """The cover's thumbnail: the chosen image, else the first image with a thumbnail."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        image_id = gallery.cover_image_id
        if image_id is None:
            images, _ = gallery_images(db, gallery, Pagination(page=1, per_page=20))
            image_id = next((i.id for i in images if i.thumbnail_at), None)
        if image_id is None:
            raise NotFoundError("This gallery has no thumbnail to show yet.", code="asset_missing")
        return redirect(f"/api/images/{image_id}/thumbnail", code=302)

    @api_route(bp, "/api/galleries/<gallery_id>/cover", methods=["POST"], body=CoverIn, response=GalleryOut)
    def set_cover(gallery_id: str, body: CoverIn):
        """Choose the gallery's cover image."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        get_image(db, body.image_id)
        gallery.cover_image_id = body.image_id
        return answer_row(db, "gallery", lambda: one_gallery_out(db, gallery))

    @api_route(bp, "/api/galleries/<gallery_id>/cover", methods=["DELETE"], response=GalleryOut)
    def clear_cover(gallery_id: str):
        """Go back to the first image as the cover."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        gallery.cover_image_id = None
        return answer_row(db, "gallery", lambda: one_gallery_out(db, gallery))

    @api_route(
        bp, "/api/galleries/<gallery_id>/chapters", methods=["POST"], body=ChapterIn, response=ChapterOut, status=201
    )
    def add_chapter(gallery_id: str, body: ChapterIn):
        """Start a chapter at an image (by its position in the gallery)."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        if body.image_index >= max(gallery.image_count, 1):
            raise ValidationError(f"imageIndex must be below the gallery's {gallery.image_count} images.")
        chapter = GalleryChapter(gallery_id=gallery.id, title=body.title.strip(), image_index=body.image_index)
        db.add(chapter)
        db.commit()
        return ok(chapter_out(chapter), status=201)

    @api_route(
        bp,
        "/api/galleries/<gallery_id>/chapters/<chapter_id>",
        methods=["PATCH"],
        body=ChapterPatch,
        response=ChapterOut,
    )
    def patch_chapter(gallery_id: str, chapter_id: str, body: ChapterPatch):
        """Rename or move a chapter."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        chapter = db.get(GalleryChapter, chapter_id) if len(chapter_id) <= 64 else None
        if chapter is None or chapter.gallery_id != gallery.id:
            raise NotFoundError(f"No chapter '{chapter_id}' in this gallery.")
        changes = body.model_dump(exclude_unset=True)
        if changes.get("image_index") is not None and changes["image_index"] >= max(gallery.image_count, 1):
            raise ValidationError(f"imageIndex must be below the gallery's {gallery.image_count} images.")
        for key, value in changes.items():
            if value is None:
                raise ValidationError(f"body.{key}: cannot be null")
            setattr(chapter, key, value.strip() if isinstance(value, str) else value)
        db.commit()
        return ok(chapter_out(chapter))

    @api_route(bp, "/api/galleries/<gallery_id>/chapters/<chapter_id>", methods=["DELETE"])
    def delete_chapter(gallery_id: str, chapter_id: str):
        """Remove a chapter."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        chapter = db.get(GalleryChapter, chapter_id) if len(chapter_id) <= 64 else None
        if chapter is None or chapter.gallery_id != gallery.id:
            raise NotFoundError(f"No chapter '{chapter_id}' in this gallery.")
        db.delete(chapter)
        db.commit()
        return ok({"id": chapter_id, "deleted": True})

    @upload_route(bp, "/api/galleries/<gallery_id>/images/upload", ImageOut)
    def upload(gallery_id: str):
        """Upload images (multipart ``file``, repeatable) into a folder gallery; names never collide."""
        db = get_db()
        gallery = get_gallery(db, gallery_id)
        if gallery.kind != "folder" or not gallery.path or not gallery.library_root_id:
            raise ConflictError("Images can be uploaded into folder galleries only.", code="not_folder")
        root, saved = receive_uploads(
            db, gallery.library_root_id, gallery.path, "The gallery's library root no longer exists.",
            what="images", name_of=_image_name, suffix=extension,
        )  # fmt: skip
        first = last_position(db, Image.sort_order, Image.gallery_id == gallery.id) + 1
        created: list[Image] = []
        for order, file in enumerate(saved, start=first):
            image = Image(
                id=new_id(), library_root_id=root.id, gallery_id=gallery.id, sort_order=order, **file.columns(),
                member="", title=title_from_name(file.path.name), is_nsfw=gallery.is_nsfw,
            )  # fmt: skip
            db.add(image)
            db.flush()
            enqueue_job(
                db,
                queues.IMAGE_THUMBNAIL,
                {"imageId": image.id},
                target_type="image",
                target_id=image.id,
                target_label=f"Thumbnail · {image.title}",
            )
            created.append(image)
        recount(db, gallery_ids=[gallery.id])
        db.commit()
        return ok([image_out(i) for i in created], status=201)

    return bp
