"""``/api/studios``: list, detail (parent and sub-studios), create, edit (parent studio without
cycles), delete, favourite, rating, picture, find-or-create and merge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.http import ApiModel, Page, api_route, ok, page
from plugins_builtin.taxonomy.counts import counts_by_type
from plugins_builtin.taxonomy.edit import apply_fields, flush_unique
from plugins_builtin.taxonomy.hierarchy import check_parents, studio_descendants
from plugins_builtin.taxonomy.kinds import STUDIOS
from plugins_builtin.taxonomy.links import image_url
from plugins_builtin.taxonomy.models import Studio
from plugins_builtin.taxonomy.routes.common import ListQuery, Ref, common_filters, list_page, register_shared
from plugins_builtin.taxonomy.routes.fields import Aliases, HttpUrl, LongText, Name, Rating


class StudiosQuery(ListQuery):
    parent: str | None = Field(None, max_length=64, description="a studio id, or 'none' for top-level studios")


class StudioOut(ApiModel):
    id: str
    name: str
    aliases: list[str]
    parent: Ref | None
    url: str | None
    favorite: bool
    rating: int | None
    is_nsfw: bool
    image_url: str | None
    counts: dict[str, int]
    created_at: datetime
    updated_at: datetime


class StudioDetail(StudioOut):
    details: str | None
    urls: list[str] = Field(description="every URL; ``url`` is the first")
    ignore_auto_tag: bool = Field(description='Stash\'s "ignore auto tag": not auto-tagged by name')
    children: list[Ref]


class StudioPatch(ApiModel):
    name: Name | None = None
    aliases: Aliases | None = None
    parent_id: str | None = Field(None, max_length=64)
    url: HttpUrl | None = Field(None, description="the main URL (first of ``urls``)")
    urls: list[HttpUrl] | None = Field(None, max_length=50)
    details: LongText | None = None
    favorite: bool | None = None
    rating: Rating | None = None
    is_nsfw: bool | None = None
    ignore_auto_tag: bool | None = None


class StudioIn(StudioPatch):
    name: Name


def _parents(db: Session, rows: list[Studio]) -> dict[str, Ref]:
    ids = {s.parent_id for s in rows if s.parent_id}
    if not ids:
        return {}
    return {i: Ref(id=i, name=n) for i, n in db.execute(select(Studio.id, Studio.name).where(Studio.id.in_(ids)))}


def studio_out(s: Studio, parent: Ref | None, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": s.id, "name": s.name, "aliases": list(s.aliases or []), "parent": parent, "url": s.url,
        "favorite": s.favorite, "rating": s.rating, "is_nsfw": s.is_nsfw, "image_url": image_url(STUDIOS, s),
        "counts": counts, "created_at": s.created_at, "updated_at": s.updated_at,
    }  # fmt: skip


def detail(db: Session, s: Studio) -> StudioDetail:
    counts = counts_by_type(db, STUDIOS, [s.id])[s.id]
    children = db.execute(select(Studio.id, Studio.name).where(Studio.parent_id == s.id).order_by(Studio.name_key))
    return StudioDetail(
        **studio_out(s, _parents(db, [s]).get(s.parent_id or ""), counts),
        details=s.details,
        urls=list(s.urls or []),
        ignore_auto_tag=s.ignore_auto_tag,
        children=[Ref(id=i, name=n) for i, n in children],
    )


def _set_parent(db: Session, studio: Studio, changes: dict[str, Any]) -> None:
    if "parent_id" not in changes:
        return
    parent_id = changes.pop("parent_id")
    if parent_id:
        STUDIOS.get(db, parent_id)
        below = studio_descendants(db, studio.id) if studio.id else set()
        check_parents("studio", studio.id or "", [parent_id], below)
    studio.parent_id = parent_id or None


def _sync_urls(studio: Studio, changes: dict[str, Any]) -> None:
    """Keep ``url`` the first of ``urls``: a new ``url`` goes first, new ``urls`` give the ``url``."""
    if "urls" in changes:
        urls = [u for u in changes["urls"] or [] if u]
        if changes.get("url"):
            urls = [changes["url"], *(u for u in urls if u != changes["url"])]
        changes["urls"], changes["url"] = urls, urls[0] if urls else None
    elif "url" in changes:
        rest = [u for u in (studio.urls or [])[1 if studio.url else 0 :] if u != changes["url"]]
        changes["urls"] = [changes["url"], *rest] if changes["url"] else rest
        changes["url"] = changes["urls"][0] if changes["urls"] else None


def make_blueprint() -> Blueprint:
    bp = Blueprint("studios", __name__)

    @api_route(bp, "/api/studios", query=StudiosQuery, response=Page[StudioOut])
    def list_studios(query: StudiosQuery):
        """Studios with their parent and link counts per media type, searched, filtered and sorted."""
        db = get_db()
        conds = common_filters(STUDIOS, query)
        if query.parent == "none":
            conds.append(Studio.parent_id.is_(None))
        elif query.parent:
            conds.append(Studio.parent_id == query.parent)
        rows, total, counts = list_page(db, STUDIOS, query, conds)
        parents = _parents(db, rows)
        return page(
            [StudioOut(**studio_out(s, parents.get(s.parent_id or ""), counts[s.id])) for s in rows], total, query
        )

    @api_route(bp, "/api/studios", methods=["POST"], body=StudioIn, response=StudioDetail, status=201)
    def create(body: StudioIn):
        """Create a studio, optionally under a parent studio (409 when the name is taken)."""
        db = get_db()
        studio = Studio(name="", name_key="", aliases=[], alias_keys=[], urls=[])
        changes = body.model_dump(exclude_unset=True)
        _set_parent(db, studio, changes)
        _sync_urls(studio, changes)
        apply_fields(db, STUDIOS, studio, changes)
        db.add(studio)
        flush_unique(db, STUDIOS, studio)
        db.commit()
        return ok(detail(db, studio), status=201)

    @api_route(bp, "/api/studios/<studio_id>", response=StudioDetail)
    def get_one(studio_id: str):
        """One studio with its parent, sub-studios and link counts per media type."""
        db = get_db()
        return ok(detail(db, STUDIOS.get(db, studio_id)))

    @api_route(bp, "/api/studios/<studio_id>", methods=["PATCH"], body=StudioPatch, response=StudioDetail)
    def patch(studio_id: str, body: StudioPatch):
        """Edit a studio; a parent below the studio itself is refused (cycle)."""
        db = get_db()
        studio = STUDIOS.get(db, studio_id)
        changes = body.model_dump(exclude_unset=True)
        _set_parent(db, studio, changes)
        _sync_urls(studio, changes)
        apply_fields(db, STUDIOS, studio, changes)
        flush_unique(db, STUDIOS, studio)
        db.commit()
        return ok(detail(db, studio))

    register_shared(bp, STUDIOS, detail, StudioDetail)
    return bp
