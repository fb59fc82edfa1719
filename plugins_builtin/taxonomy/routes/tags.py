"""``/api/tags``: list, detail (parents and children), create, edit (many parents, no cycles),
delete, favourite, rating, picture, find-or-create and merge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.errors import NotFoundError
from plugin_sdk.http import ApiModel, Page, api_route, ok, page
from plugins_builtin.taxonomy.counts import counts_by_type
from plugins_builtin.taxonomy.edit import apply_fields, flush_unique
from plugins_builtin.taxonomy.hierarchy import check_parents, tag_descendants
from plugins_builtin.taxonomy.kinds import TAGS
from plugins_builtin.taxonomy.links import image_url
from plugins_builtin.taxonomy.models import Tag, TagParent
from plugins_builtin.taxonomy.routes.common import ListQuery, Ref, common_filters, list_page, register_shared
from plugins_builtin.taxonomy.routes.fields import Aliases, LongText, Name, Rating


class TagsQuery(ListQuery):
    parent: str | None = Field(None, max_length=64, description="a tag id (its direct children), or 'none' for roots")


class TagOut(ApiModel):
    id: str
    name: str
    aliases: list[str]
    description: str | None
    parents: list[Ref]
    favorite: bool
    rating: int | None
    is_nsfw: bool
    image_url: str | None
    counts: dict[str, int]
    created_at: datetime
    updated_at: datetime


class TagDetail(TagOut):
    ignore_auto_tag: bool = Field(description='Stash\'s "ignore auto tag": not auto-tagged by name')
    children: list[Ref]


class TagPatch(ApiModel):
    name: Name | None = None
    aliases: Aliases | None = None
    description: LongText | None = None
    parent_ids: list[str] | None = Field(None, max_length=100, description="replaces the tag's parents")
    favorite: bool | None = None
    rating: Rating | None = None
    is_nsfw: bool | None = None
    ignore_auto_tag: bool | None = None


class TagIn(TagPatch):
    name: Name


def _parents(db: Session, ids: list[str]) -> dict[str, list[Ref]]:
    out: dict[str, list[Ref]] = {i: [] for i in ids}
    if ids:
        rows = db.execute(
            select(TagParent.tag_id, Tag.id, Tag.name)
            .join(Tag, Tag.id == TagParent.parent_id)
            .where(TagParent.tag_id.in_(ids))
            .order_by(Tag.name_key)
        )
        for tag_id, pid, name in rows:
            out[tag_id].append(Ref(id=pid, name=name))
    return out


def tag_out(t: Tag, parents: list[Ref], counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": t.id, "name": t.name, "aliases": list(t.aliases or []), "description": t.description,
        "parents": parents, "favorite": t.favorite, "rating": t.rating, "is_nsfw": t.is_nsfw,
        "image_url": image_url(TAGS, t), "counts": counts, "created_at": t.created_at, "updated_at": t.updated_at,
    }  # fmt: skip


def detail(db: Session, t: Tag) -> TagDetail:
    counts = counts_by_type(db, TAGS, [t.id])[t.id]
    children = db.execute(
        select(Tag.id, Tag.name).join(TagParent, TagParent.tag_id == Tag.id).where(TagParent.parent_id == t.id)
        .order_by(Tag.name_key)
    )  # fmt: skip
    parents = _parents(db, [t.id])[t.id]
    kids = [Ref(id=i, name=n) for i, n in children]
    return TagDetail(**tag_out(t, parents, counts), ignore_auto_tag=t.ignore_auto_tag, children=kids)


def _set_parents(db: Session, tag: Tag, parent_ids: list[str] | None) -> None:
    wanted = list(dict.fromkeys(p for p in parent_ids or [] if p))
    if wanted:
        found = set(db.execute(select(Tag.id).where(Tag.id.in_(wanted))).scalars())
        missing = [p for p in wanted if p not in found]
        if missing:
            raise NotFoundError(f"No tag with id '{missing[0]}'.")
        check_parents("tag", tag.id, wanted, tag_descendants(db, tag.id))
    db.execute(delete(TagParent).where(TagParent.tag_id == tag.id))
    for parent_id in wanted:
        db.add(TagParent(tag_id=tag.id, parent_id=parent_id))


def make_blueprint() -> Blueprint:
    bp = Blueprint("tags", __name__)

    @api_route(bp, "/api/tags", query=TagsQuery, response=Page[TagOut])
    def list_tags(query: TagsQuery):
        """Tags with their parents and link counts per media type, searched, filtered and sorted."""
        db = get_db()
        conds = common_filters(TAGS, query)
        if query.parent == "none":
            conds.append(~select(TagParent.tag_id).where(TagParent.tag_id == Tag.id).exists())
        elif query.parent:
            conds.append(select(TagParent.tag_id).where(TagParent.tag_id == Tag.id, TagParent.parent_id == query.parent)
                         .exists())  # fmt: skip
        rows, total, counts = list_page(db, TAGS, query, conds)
        parents = _parents(db, [t.id for t in rows])
        return page([TagOut(**tag_out(t, parents[t.id], counts[t.id])) for t in rows], total, query)

    @api_route(bp, "/api/tags", methods=["POST"], body=TagIn, response=TagDetail, status=201)
    def create(body: TagIn):
        """Create a tag, optionally under parent tags (409 when the name is taken)."""
        db = get_db()
        changes = body.model_dump(exclude_unset=True)
        parent_ids = changes.pop("parent_ids", None)
        tag = Tag(name="", name_key="", aliases=[], alias_keys=[])
        apply_fields(db, TAGS, tag, changes)
        db.add(tag)
        flush_unique(db, TAGS, tag)
        _set_parents(db, tag, parent_ids)
        db.commit()
        return ok(detail(db, tag), status=201)

    @api_route(bp, "/api/tags/<tag_id>", response=TagDetail)
    def get_one(tag_id: str):
        """One tag with its parents, children and link counts per media type."""
        db = get_db()
        return ok(detail(db, TAGS.get(db, tag_id)))

    @api_route(bp, "/api/tags/<tag_id>", methods=["PATCH"], body=TagPatch, response=TagDetail)
    def patch(tag_id: str, body: TagPatch):
        """Edit a tag; ``parentIds`` replaces its parents (a parent below the tag is refused: cycle)."""
        db = get_db()
        tag = TAGS.get(db, tag_id)
        changes = body.model_dump(exclude_unset=True)
        if "parent_ids" in changes:
            _set_parents(db, tag, changes.pop("parent_ids"))
        apply_fields(db, TAGS, tag, changes)
        flush_unique(db, TAGS, tag)
        db.commit()
        return ok(detail(db, tag))

    register_shared(bp, TAGS, detail, TagDetail)
    return bp
