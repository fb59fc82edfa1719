"""``/api/collections``: CRUD, members (paged, add, remove, reorder), rule preview, refresh, cover."""

from __future__ import annotations

import mimetypes
from datetime import datetime
from typing import Any, Literal

from flask import Blueprint, Response, send_file
from pydantic import Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from plugin_sdk.collections import collection_sources
from plugin_sdk.db import get_db
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, Page, Pagination, api_route, ok, page
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.search import ilike_contains
from plugin_sdk.sfw import visible_links
from plugins_builtin.collections import cover, members
from plugins_builtin.collections.catalog import catalog
from plugins_builtin.collections.compiler import conditions
from plugins_builtin.collections.items import member_page, preview
from plugins_builtin.collections.models import Collection, CollectionItem
from plugins_builtin.collections.refresh import DYNAMIC_MODES, refresh
from plugins_builtin.collections.rules import Group

QUEUE = "collection-refresh"
Mode = Literal["manual", "dynamic", "hybrid"]
CoverMode = Literal["mosaic", "item"]
MAX_ITEMS = 500


class ItemRef(ApiModel):
    entity_type: str = Field(min_length=1, max_length=32, description="video, gallery, image, audio-track…")
    entity_id: str = Field(min_length=1, max_length=64)


class CollectionIn(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    mode: Mode = "manual"
    rule_tree: Group | None = None
    cover_mode: CoverMode = "mosaic"
    cover_item: ItemRef | None = None
    slideshow_seconds: int = Field(5, ge=1, le=600)
    slideshow_auto_advance: bool = True


class CollectionPatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    mode: Mode | None = None
    rule_tree: Group | None = None
    cover_mode: CoverMode | None = None
    cover_item: ItemRef | None = None
    slideshow_seconds: int | None = Field(None, ge=1, le=600)
    slideshow_auto_advance: bool | None = None


class CollectionOut(ApiModel):
    id: str
    name: str
    description: str | None
    mode: str
    rule_tree: dict[str, Any] | None
    cover_mode: str
    cover_item: ItemRef | None
    cover_url: str
    slideshow_seconds: int
    slideshow_auto_advance: bool
    item_count: int
    last_refreshed_at: datetime | None
    refresh_error: str | None
    created_at: datetime
    updated_at: datetime


class ItemOut(ApiModel):
    entity_type: str
    entity_id: str
    title: str
    url: str | None
    thumbnail_url: str | None
    image_url: str | None
    subtitle: str | None
    available: bool
    source: str
    sort_order: int


class ListQuery(Pagination):
    search: str | None = Field(None, max_length=200)


class ItemsQuery(Pagination):
    entity_type: str | None = Field(None, max_length=32)


class ItemsIn(ApiModel):
    items: list[ItemRef] = Field(min_length=1, max_length=MAX_ITEMS)


class PreviewIn(ApiModel):
    rule_tree: Group


class PreviewOut(ApiModel):
    total: int
    by_type: dict[str, int]
    items: list[dict[str, Any]]


def shown_count(db: Session, collection: Collection) -> int:
    """Members shown: the stored count, or in SFW mode those whose media row is visible."""
    visible = visible_links(db, CollectionItem.entity_type, CollectionItem.entity_id)
    if visible is None:
        return collection.item_count
    return db.execute(
        select(func.count()).select_from(CollectionItem).where(CollectionItem.collection_id == collection.id, visible)
    ).scalar_one()


def out(c: Collection) -> CollectionOut:
    count = shown_count(get_db(), c)
    stamp = int(c.updated_at.timestamp()) if c.updated_at else 0
    item = ItemRef(entity_type=c.cover_item_type, entity_id=c.cover_item_id) if c.cover_item_id else None
    return CollectionOut(
        id=c.id, name=c.name, description=c.description, mode=c.mode, rule_tree=c.rule_tree,
        cover_mode=c.cover_mode, cover_item=item, cover_url=f"/api/collections/{c.id}/cover?v={stamp}-{count}",
        slideshow_seconds=c.slideshow_seconds, slideshow_auto_advance=c.slideshow_auto_advance,
        item_count=count, last_refreshed_at=c.last_refreshed_at, refresh_error=c.refresh_error,
        created_at=c.created_at, updated_at=c.updated_at,
    )  # fmt: skip


def get_collection(db: Session, collection_id: str) -> Collection:
    collection = db.get(Collection, collection_id) if len(collection_id) <= 36 else None
    if collection is None:
        raise NotFoundError("No collection with that id.")
    return collection


def validate_tree(db: Session, tree: Group | None) -> dict[str, Any] | None:
    """The tree as stored, after checking every field, operator and value against the loaded kinds."""
    if tree is None:
        return None
    conditions(db, collection_sources(), tree)
    return tree.dump()


def enqueue_refresh(db: Session, collection: Collection) -> str | None:
    """Queue a re-evaluation of a dynamic or hybrid collection (one waiting run per collection)."""
    if collection.mode not in DYNAMIC_MODES:
        return None
    return enqueue_job(
        db, QUEUE, {"collectionId": collection.id}, target_type="collection", target_id=collection.id,
        target_label=f"Refresh collection · {collection.name}",
    )  # fmt: skip


def _refs(body: ItemsIn) -> list[tuple[str, str]]:
    return [(i.entity_type, i.entity_id) for i in body.items]


def _set_cover(collection: Collection, mode: str | None, item: ItemRef | None) -> None:
    if item is not None:
        collection.cover_item_type, collection.cover_item_id = item.entity_type, item.entity_id
    if mode is not None:
        collection.cover_mode = mode
    if collection.cover_mode == "item" and not collection.cover_item_id:
        raise ValidationError("body.coverItem: choose the member shown as the cover (coverMode item).")


def _touch(db: Session, collection: Collection) -> None:
    db.execute(update(Collection).where(Collection.id == collection.id).values(updated_at=func.now()))
    db.expire(collection)


def make_blueprint() -> Blueprint:
    bp = Blueprint("collections_api", __name__)

    @api_route(bp, "/api/collections", query=ListQuery, response=Page[CollectionOut])
    def list_collections(query: ListQuery):
        """Collections by name, with their member counts and cover URLs."""
        db = get_db()
        where = []
        if query.search and query.search.strip():
            where.append(ilike_contains(Collection.name, query.search.strip()))
        total = db.execute(select(func.count()).select_from(Collection).where(*where)).scalar_one()
        rows = db.execute(
            select(Collection).where(*where).order_by(func.lower(Collection.name), Collection.id)
            .offset(query.offset).limit(query.per_page)
        ).scalars()  # fmt: skip
        return page([out(c) for c in rows], total, query)

    @api_route(bp, "/api/collections", methods=["POST"], body=CollectionIn, response=CollectionOut, status=201)
    def create(body: CollectionIn):
        """Create a collection; a dynamic or hybrid one is filled by a queued refresh."""
        db = get_db()
        collection = Collection(
            name=body.name.strip(), description=body.description, mode=body.mode,
            rule_tree=validate_tree(db, body.rule_tree), slideshow_seconds=body.slideshow_seconds,
            slideshow_auto_advance=body.slideshow_auto_advance,
        )  # fmt: skip
        if not collection.name:
            raise ValidationError("body.name: a collection needs a name.")
        _set_cover(collection, body.cover_mode, body.cover_item)
        db.add(collection)
        db.flush()
        enqueue_refresh(db, collection)
        db.commit()
        return ok(out(collection), status=201)

    @api_route(bp, "/api/collections/rule-fields")
    def rule_fields():
        """The rule fields of every loaded kind: type, operators, options, availability."""
        return ok(catalog(get_db()))

    @api_route(bp, "/api/collections/preview-rules", methods=["POST"], body=PreviewIn, response=PreviewOut)
    def preview_rules(body: PreviewIn):
        """What a rule tree matches (counts per kind and a sample of 20), without saving anything."""
        return ok(preview(get_db(), body.rule_tree))

    @api_route(bp, "/api/collections/<collection_id>", response=CollectionOut)
    def detail(collection_id: str):
        """One collection."""
        return ok(out(get_collection(get_db(), collection_id)))

    @api_route(bp, "/api/collections/<collection_id>", methods=["PATCH"], body=CollectionPatch, response=CollectionOut)
    def edit(collection_id: str, body: CollectionPatch):
        """Change a collection; new rules (or a new mode) queue a refresh."""
        db = get_db()
        collection = get_collection(db, collection_id)
        changes = body.model_dump(exclude_unset=True)
        if "name" in changes:
            if body.name is None or not body.name.strip():
                raise ValidationError("body.name: a collection needs a name.")
            collection.name = body.name.strip()
        for field in ("description", "slideshow_seconds", "slideshow_auto_advance"):
            if field in changes and (changes[field] is not None or field == "description"):
                setattr(collection, field, getattr(body, field))
        rules_changed = False
        if "rule_tree" in changes:
            collection.rule_tree = validate_tree(db, body.rule_tree)
            rules_changed = True
        if body.mode is not None and body.mode != collection.mode:
            if body.mode == "manual":  # the matched members stay, as manual ones
                db.execute(
                    update(CollectionItem)
                    .where(CollectionItem.collection_id == collection.id, CollectionItem.source == "dynamic")
                    .values(source="manual")
                )
            elif body.mode == "dynamic":  # only what the rules match
                members.remove_manual(db, collection)
            collection.mode = body.mode
            rules_changed = True
        if "cover_item" in changes and body.cover_item is None:
            collection.cover_item_type = collection.cover_item_id = None
        if "cover_mode" in changes or "cover_item" in changes:
            _set_cover(collection, body.cover_mode, body.cover_item)
        db.flush()
        if rules_changed:
            enqueue_refresh(db, collection)
        db.commit()
        return ok(out(collection))

    @api_route(bp, "/api/collections/<collection_id>", methods=["DELETE"])
    def delete_one(collection_id: str):
        """Delete a collection (its members go with it; the media rows stay)."""
        db = get_db()
        collection = get_collection(db, collection_id)
        db.delete(collection)
        db.commit()
        cover.delete_folder(collection_id)
        return ok({"id": collection_id, "deleted": True})

    @api_route(bp, "/api/collections/<collection_id>/items", query=ItemsQuery, response=Page[ItemOut])
    def items(collection_id: str, query: ItemsQuery):
        """Members in the collection's order, of every kind, with their titles and thumbnails."""
        db = get_db()
        collection = get_collection(db, collection_id)
        rows, total = member_page(db, collection.id, query.offset, query.per_page, query.entity_type)
        return page(rows, total, query)

    @api_route(bp, "/api/collections/<collection_id>/items", methods=["POST"], body=ItemsIn, status=201)
    def add_items(collection_id: str, body: ItemsIn):
        """Add media rows by hand, at the end."""
        db = get_db()
        collection = get_collection(db, collection_id)
        added = members.add_manual(db, collection, _refs(body))
        _touch(db, collection)
        db.commit()
        return ok({"added": added, "itemCount": collection.item_count}, status=201)

    def _remove(collection_id: str, body: ItemsIn) -> Any:
        db = get_db()
        collection = get_collection(db, collection_id)
        removed = members.remove(db, collection, _refs(body))
        _touch(db, collection)
        db.commit()
        return ok({"removed": removed, "itemCount": collection.item_count})

    @api_route(bp, "/api/collections/<collection_id>/items", methods=["DELETE"], body=ItemsIn)
    def remove_items(collection_id: str, body: ItemsIn):
        """Remove members (a member the rules match comes back at the next refresh)."""
        return _remove(collection_id, body)

    @api_route(bp, "/api/collections/<collection_id>/items/remove", methods=["POST"], body=ItemsIn)
    def remove_items_post(collection_id: str, body: ItemsIn):
        """Remove members (the same as ``DELETE …/items``, for clients that cannot send a DELETE body)."""
        return _remove(collection_id, body)

    @api_route(bp, "/api/collections/<collection_id>/items/reorder", methods=["PATCH"], body=ItemsIn)
    def reorder(collection_id: str, body: ItemsIn):
        """Put the given members in this order, in the positions they held between them."""
        db = get_db()
        collection = get_collection(db, collection_id)
        members.reorder(db, collection, _refs(body))
        _touch(db, collection)
        db.commit()
        return ok({"reordered": len(body.items)})

    @api_route(bp, "/api/collections/<collection_id>/refresh", methods=["POST"], response=CollectionOut)
    def refresh_now(collection_id: str):
        """Re-evaluate the rules now (synchronously)."""
        db = get_db()
        collection = get_collection(db, collection_id)
        refresh(db, collection)
        _touch(db, collection)
        db.commit()
        return ok(out(collection))

    @bp.get("/api/collections/<collection_id>/cover")
    def cover_image(collection_id: str) -> Response:
        """The chosen member's thumbnail, else a mosaic of the first members' thumbnails."""
        db = get_db()
        collection = get_collection(db, collection_id)
        path = cover.chosen(db, collection) or cover.mosaic(db, collection)
        if path is None:
            raise NotFoundError("This collection has no member with a thumbnail yet.", code="asset_missing")
        mimetype = "image/webp" if path.suffix == ".webp" else mimetypes.guess_type(path.name)[0] or "image/jpeg"
        return send_file(path, mimetype=mimetype, conditional=True, max_age=0)

    return bp
