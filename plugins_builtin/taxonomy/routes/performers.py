"""``/api/performers``: list (search, filters, sorts, link counts), detail, create, edit, delete,
favourite, rating, picture, find-or-create and merge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask import Blueprint
from pydantic import Field, model_validator
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.errors import ValidationError
from plugin_sdk.http import ApiModel, Page, api_route, ok, page
from plugin_sdk.search import LIKE_ESCAPE, like_escape
from plugins_builtin.taxonomy.counts import counts_by_type
from plugins_builtin.taxonomy.edit import apply_fields, flush_unique
from plugins_builtin.taxonomy.kinds import PERFORMERS
from plugins_builtin.taxonomy.links import image_url
from plugins_builtin.taxonomy.models import Performer
from plugins_builtin.taxonomy.routes.common import ListQuery, common_filters, list_page, register_shared
from plugins_builtin.taxonomy.routes.fields import (
    Aliases,
    HttpUrl,
    LongText,
    Name,
    PartialDate,
    Rating,
    ShortText,
    Slug,
    Year,
)

Gender = Annotated[Literal["male", "female", "transgender_male", "transgender_female", "intersex", "non_binary"], Slug]


class PerformersQuery(ListQuery):
    gender: Gender | None = None
    country: str | None = Field(None, max_length=200)


class PerformerOut(ApiModel):
    id: str
    name: str
    disambiguation: str | None
    aliases: list[str]
    gender: str | None
    birthdate: str | None
    country: str | None
    favorite: bool
    rating: int | None
    is_nsfw: bool
    image_url: str | None
    counts: dict[str, int] = Field(description="links per media type: video, series, gallery, image, audio-track…")
    created_at: datetime
    updated_at: datetime


class PerformerDetail(PerformerOut):
    ethnicity: str | None
    eye_color: str | None
    hair_color: str | None
    height: int | None
    weight: int | None
    measurements: str | None
    tattoos: str | None
    piercings: str | None
    career_start: int | None
    career_end: int | None
    details: str | None
    urls: list[str]
    death_date: str | None
    fake_tits: str | None
    penis_length: float | None = Field(description="cm")
    circumcised: str | None
    ignore_auto_tag: bool = Field(description='Stash\'s "ignore auto tag": not auto-tagged by name')
    custom_fields: dict[str, Any] = Field(description="free-form fields (Stash's custom fields)")


class PerformerPatch(ApiModel):
    name: Name | None = None
    disambiguation: ShortText | None = None
    aliases: Aliases | None = None
    gender: Gender | None = None
    birthdate: PartialDate | None = None
    death_date: PartialDate | None = None
    country: ShortText | None = None
    ethnicity: ShortText | None = None
    eye_color: ShortText | None = None
    hair_color: ShortText | None = None
    height: int | None = Field(None, ge=30, le=300, description="cm")
    weight: int | None = Field(None, ge=10, le=600, description="kg")
    measurements: ShortText | None = None
    fake_tits: ShortText | None = None
    penis_length: float | None = Field(None, ge=0, le=100, description="cm")
    circumcised: ShortText | None = None
    tattoos: LongText | None = None
    piercings: LongText | None = None
    career_start: Year | None = None
    career_end: Year | None = None
    details: LongText | None = None
    urls: list[HttpUrl] | None = Field(None, max_length=50)
    favorite: bool | None = None
    rating: Rating | None = None
    is_nsfw: bool | None = None
    ignore_auto_tag: bool | None = None
    custom_fields: dict[str, Any] | None = Field(None, max_length=200, description="replaces every custom field")


class PerformerIn(PerformerPatch):
    name: Name

    @model_validator(mode="after")
    def _career(self) -> PerformerIn:
        _check_career(self.career_start, self.career_end)
        return self


def _check_career(start: int | None, end: int | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError("careerEnd must not be before careerStart")


def performer_out(p: Performer, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name, "disambiguation": p.disambiguation, "aliases": list(p.aliases or []),
        "gender": p.gender, "birthdate": p.birthdate, "country": p.country, "favorite": p.favorite,
        "rating": p.rating, "is_nsfw": p.is_nsfw, "image_url": image_url(PERFORMERS, p), "counts": counts,
        "created_at": p.created_at, "updated_at": p.updated_at,
    }  # fmt: skip


def detail(db: Session, p: Performer) -> PerformerDetail:
    counts = counts_by_type(db, PERFORMERS, [p.id])[p.id]
    extra = {f: getattr(p, f) for f in PerformerDetail.model_fields if f not in PerformerOut.model_fields}
    extra["urls"] = list(p.urls or [])
    extra["custom_fields"] = dict(p.custom_fields or {})
    return PerformerDetail(**performer_out(p, counts), **extra)


def make_blueprint() -> Blueprint:
    bp = Blueprint("performers", __name__)

    @api_route(bp, "/api/performers", query=PerformersQuery, response=Page[PerformerOut])
    def list_performers(query: PerformersQuery):
        """Performers with their link counts per media type, searched (names, aliases,
        disambiguation), filtered and sorted (``scenes`` = linked videos, ``count`` = all links)."""
        db = get_db()
        conds = common_filters(PERFORMERS, query, [Performer.disambiguation])
        if query.gender:
            conds.append(Performer.gender == query.gender)
        if query.country and query.country.strip():
            conds.append(Performer.country.ilike(like_escape(query.country.strip()), escape=LIKE_ESCAPE))
        rows, total, counts = list_page(db, PERFORMERS, query, conds)
        return page([PerformerOut(**performer_out(p, counts[p.id])) for p in rows], total, query)

    @api_route(bp, "/api/performers", methods=["POST"], body=PerformerIn, response=PerformerDetail, status=201)
    def create(body: PerformerIn):
        """Create a performer (409 when one with that name and disambiguation exists)."""
        db = get_db()
        performer = Performer(name="", name_key="", aliases=[], alias_keys=[], urls=[], custom_fields={})
        apply_fields(db, PERFORMERS, performer, body.model_dump(exclude_unset=True))
        db.add(performer)
        flush_unique(db, PERFORMERS, performer)
        db.commit()
        return ok(detail(db, performer), status=201)

    @api_route(bp, "/api/performers/<performer_id>", response=PerformerDetail)
    def get_one(performer_id: str):
        """One performer with every field and link counts per media type."""
        db = get_db()
        return ok(detail(db, PERFORMERS.get(db, performer_id)))

    @api_route(bp, "/api/performers/<performer_id>", methods=["PATCH"], body=PerformerPatch, response=PerformerDetail)
    def patch(performer_id: str, body: PerformerPatch):
        """Edit a performer (409 when the new name is taken)."""
        db = get_db()
        performer = PERFORMERS.get(db, performer_id)
        apply_fields(db, PERFORMERS, performer, body.model_dump(exclude_unset=True))
        try:
            _check_career(performer.career_start, performer.career_end)
        except ValueError as exc:
            raise ValidationError(f"body: {exc}") from None
        flush_unique(db, PERFORMERS, performer)
        db.commit()
        return ok(detail(db, performer))

    register_shared(bp, PERFORMERS, detail, PerformerDetail)
    return bp
