"""What the performer, studio and tag routes share: list paging with counts, favourite, rating,
pictures, find-or-create, merge and delete."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from flask import Blueprint, Response, request, send_file
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, Pagination, api_route, ok
from plugin_sdk.limits import read_limits
from plugin_sdk.links import entities_deleted
from plugin_sdk.search import LIKE_ESCAPE, contains_pattern, ilike_contains
from plugin_sdk.uploads import read_limited
from plugins_builtin.taxonomy import pictures
from plugins_builtin.taxonomy.counts import SCENES, counts_by_type, link_totals
from plugins_builtin.taxonomy.kinds import Kind
from plugins_builtin.taxonomy.merge import MAX_SOURCES, merge
from plugins_builtin.taxonomy.names import NAME_MAX, name_key
from plugins_builtin.taxonomy.resolve import find_or_create

Sort = Literal["name", "scenes", "count", "rating", "recent", "updated"]
DEFAULT_DESC = {"scenes", "count", "rating", "recent", "updated"}


class Ref(ApiModel):
    id: str
    name: str


class ListQuery(Pagination):
    """Filters every taxonomy list takes."""

    search: str | None = Field(None, max_length=200, description="in names and aliases")
    favorite: bool | None = None
    rating_min: int | None = Field(None, ge=0, le=100)
    rating_max: int | None = Field(None, ge=0, le=100)
    has_image: bool | None = None
    is_nsfw: bool | None = None
    sort: Sort = "name"
    order: Literal["asc", "desc"] | None = None


class FavoriteIn(ApiModel):
    favorite: bool | None = Field(None, description="omit to toggle")


class RatingIn(ApiModel):
    rating: int | None = Field(..., ge=0, le=100, description="0-100, or null to clear")


class UrlIn(ApiModel):
    url: str = Field(min_length=1, max_length=2000)


class NameIn(ApiModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)


class MergeIn(ApiModel):
    source_ids: list[str] = Field(min_length=1, max_length=MAX_SOURCES)


def common_filters(kind: Kind, query: ListQuery, extra_search: Sequence[Any] = ()) -> list[ColumnElement[bool]]:
    """WHERE conditions for the filters of :class:`ListQuery`."""
    model = kind.model
    conds: list[ColumnElement[bool]] = []
    if query.search and query.search.strip():
        text = query.search.strip()
        key_like = contains_pattern(name_key(query.search))
        conds.append(
            or_(
                ilike_contains(model.name, text),
                func.array_to_string(model.alias_keys, "\n").like(key_like, escape=LIKE_ESCAPE),
                *(ilike_contains(col, text) for col in extra_search),
            )
        )
    if query.favorite is not None:
        conds.append(model.favorite.is_(query.favorite))
    if query.rating_min is not None:
        conds.append(model.rating >= query.rating_min)
    if query.rating_max is not None:
        conds.append(model.rating <= query.rating_max)
    if query.has_image is not None:
        conds.append(model.image_format.is_not(None) if query.has_image else model.image_format.is_(None))
    if query.is_nsfw is not None:
        conds.append(model.is_nsfw.is_(query.is_nsfw))
    return conds


def list_page(
    db: Session, kind: Kind, query: ListQuery, conds: list[ColumnElement[bool]]
) -> tuple[list[Any], int, dict[str, dict[str, int]]]:
    """A page of rows, the total, and the page's link counts per media type — three queries."""
    model = kind.model
    total = db.execute(select(func.count()).select_from(model).where(*conds)).scalar_one()
    desc = query.order == "desc" if query.order else query.sort in DEFAULT_DESC
    if query.sort in ("scenes", "count"):
        totals = link_totals(db, kind, SCENES if query.sort == "scenes" else None)
        n = func.coalesce(totals.c.n, 0)
        stmt = (
            select(model)
            .outerjoin(totals, totals.c.eid == model.id)
            .where(*conds)
            .order_by(n.desc() if desc else n.asc(), model.name_key)
        )
    else:
        col = {"name": model.name_key, "rating": model.rating, "recent": model.created_at,
               "updated": model.updated_at}[query.sort]  # fmt: skip
        stmt = select(model).where(*conds).order_by(col.desc().nulls_last() if desc else col.asc().nulls_last())
        if query.sort != "name":
            stmt = stmt.order_by(model.name_key)
    rows = list(db.execute(stmt.offset(query.offset).limit(query.per_page)).scalars())
    return rows, total, counts_by_type(db, kind, [r.id for r in rows])


def register_shared(bp: Blueprint, kind: Kind, detail: Callable[[Session, Any], BaseModel], out: Any) -> None:
    """Add favourite, rating, picture, find-or-create, merge and delete routes for ``kind``."""
    base = f"/api/{kind.plural}"
    label = kind.key

    @api_route(
        bp,
        f"{base}/find-or-create",
        methods=["POST"],
        body=NameIn,
        response=out,
        summary=f"The {label} with this name or alias (case-insensitive), created when missing.",
    )
    def find_or_create_one(body: NameIn):
        db = get_db()
        created: set[str] = set()
        ids = find_or_create(db, kind, [body.name], created)
        if not ids:
            raise ValidationError("body.name: cannot be blank")
        db.commit()
        return ok(detail(db, kind.get(db, ids[0])), status=201 if created else 200)

    @api_route(
        bp,
        f"{base}/<entity_id>",
        methods=["DELETE"],
        summary=f"Delete a {label}; its links to media go with it (the media stay).",
    )
    def delete_one(entity_id: str):
        db = get_db()
        row = kind.get(db, entity_id)
        db.delete(row)
        entities_deleted(db, kind.key, [entity_id])  # markers' tags, stash ids… go with it
        db.commit()
        pictures.remove(kind.plural, entity_id)
        return ok({"id": entity_id, "deleted": True})

    @api_route(
        bp,
        f"{base}/<entity_id>/favorite",
        methods=["PATCH"],
        body=FavoriteIn,
        response=out,
        summary=f"Mark a {label} favourite (or not); an empty body toggles.",
    )
    def set_favorite(entity_id: str, body: FavoriteIn):
        db = get_db()
        row = kind.get(db, entity_id)
        row.favorite = (not row.favorite) if body.favorite is None else body.favorite
        db.commit()
        return ok(detail(db, row))

    @api_route(
        bp,
        f"{base}/<entity_id>/rating",
        methods=["PATCH"],
        body=RatingIn,
        response=out,
        summary=f"Rate a {label} 0-100 (null clears).",
    )
    def set_rating(entity_id: str, body: RatingIn):
        db = get_db()
        row = kind.get(db, entity_id)
        row.rating = body.rating
        db.commit()
        return ok(detail(db, row))

    def _picture(db: Session, row: Any, data: bytes) -> Any:
        ensure_free_space(db, pictures.picture_path(kind.plural, row.id, "jpeg").parent, 2 * len(data))
        row.image_format = pictures.store(kind.plural, row.id, data)
        row.image_at = datetime.now(UTC)
        row.image_source = None  # chosen here: an import never replaces it
        db.commit()
        return ok(detail(db, row))

    @api_route(
        bp,
        f"{base}/<entity_id>/image",
        methods=["POST"],
        multipart=True,
        response=out,
        summary=f"Upload the {label}'s picture (multipart ``file``; JPEG, PNG, WebP, GIF…).",
        max_upload=pictures.MAX_BYTES,
    )
    def upload_image(entity_id: str):
        db = get_db()
        row = kind.get(db, entity_id)
        file = request.files.get("file")
        if file is None:
            raise ValidationError("Send the picture as a multipart field named 'file'.")
        data = read_limited(file.stream, pictures.MAX_BYTES, f"Pictures may be at most {pictures.MAX_MIB} MiB.")
        return _picture(db, row, data)

    @api_route(
        bp,
        f"{base}/<entity_id>/image/from-url",
        methods=["POST"],
        body=UrlIn,
        response=out,
        summary=f"Download the {label}'s picture from an http(s) URL (an image, at most 20 MiB).",
    )
    def image_from_url(entity_id: str, body: UrlIn):
        db = get_db()
        row = kind.get(db, entity_id)
        return _picture(db, row, pictures.fetch(body.url, timeout=read_limits(db).fetch_timeout_seconds))

    @api_route(
        bp, f"{base}/<entity_id>/image", methods=["DELETE"], response=out, summary=f"Remove the {label}'s picture."
    )
    def delete_image(entity_id: str):
        db = get_db()
        row = kind.get(db, entity_id)
        row.image_format = None
        row.image_at = datetime.now(UTC)
        row.image_source = None
        db.commit()
        pictures.remove(kind.plural, row.id)
        return ok(detail(db, row))

    @bp.get(f"{base}/<entity_id>/image")
    def get_image(entity_id: str) -> Response:
        row = kind.get(get_db(), entity_id)
        path = pictures.picture_path(kind.plural, row.id, row.image_format) if row.image_format else None
        if path is None or not path.is_file():
            raise NotFoundError(f"This {label} has no picture.", code="asset_missing")
        cache = 86400 if request.args.get("v") else 0
        return send_file(path, mimetype=pictures.MIMETYPES[row.image_format], conditional=True, max_age=cache)

    @api_route(
        bp,
        f"{base}/<entity_id>/merge",
        methods=["POST"],
        body=MergeIn,
        response=out,
        summary=(
            f"Merge other {kind.plural} into this one: their links move here, their names become aliases, "
            "and they are deleted."
        ),
    )
    def merge_into(entity_id: str, body: MergeIn):
        db = get_db()
        target = kind.get(db, entity_id)
        merge(db, kind, target, body.source_ids)
        db.commit()
        for source_id in body.source_ids:
            pictures.remove(kind.plural, source_id)
        return ok(detail(db, target))
