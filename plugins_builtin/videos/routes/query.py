"""``GET /api/videos`` filters and sorts, compiled to SQL with keyset paging for deep pages."""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from sqlalchemy import ColumnElement, Select, func, or_, select, tuple_
from sqlalchemy.orm import Session

from plugin_sdk.errors import ValidationError
from plugin_sdk.http import Pagination
from plugin_sdk.links import filter_clauses, with_link_filters
from plugin_sdk.search import ilike_contains
from plugins_builtin.videos.models import Video, listed

Sort = Literal["recent", "title", "duration", "size", "rating", "date", "plays", "episode"]
RESOLUTIONS = {"240p": 240, "360p": 360, "480p": 480, "720p": 720, "1080p": 1080, "1440p": 1440, "4k": 2160}
_BUCKETS = sorted(RESOLUTIONS.values())

SORT_COLUMNS: dict[str, Any] = {
    "recent": Video.created_at,
    "title": Video.sort_title,
    "duration": Video.duration,
    "size": Video.file_size,
    "rating": Video.rating,
    "date": Video.date,
    "plays": Video.play_count,
}
DEFAULT_DESC = {"recent", "rating", "date", "plays", "size", "duration"}


class VideosQuery(Pagination):
    """Query string of ``GET /api/videos``; with a plugin keeping links, ``videos_query()`` adds its
    filters (``tags``, ``performers``, ``studio``…)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    search: str | None = Field(None, max_length=200)
    kind: Literal["movie", "episode", "extra"] | None = None
    series: str | None = None
    season: int | None = Field(None, ge=0, le=9999)
    resolution: Literal["240p", "360p", "480p", "720p", "1080p", "1440p", "4k"] | None = None
    codec: str | None = Field(None, max_length=40)
    duration_min: float | None = Field(None, ge=0)
    duration_max: float | None = Field(None, ge=0)
    date_from: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    date_to: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    rating_min: int | None = Field(None, ge=0, le=100)
    rating_max: int | None = Field(None, ge=0, le=100)
    organized: bool | None = None
    played: bool | None = None
    root: str | None = None
    sort: Sort = "recent"
    order: Literal["asc", "desc"] | None = None
    cursor: str | None = Field(None, max_length=500)

    @field_validator("search", "codec")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None

    @property
    def descending(self) -> bool:
        return self.order == "desc" if self.order else self.sort in DEFAULT_DESC


videos_query = with_link_filters(VideosQuery)
"""``VideosQuery`` with the link filters of the loaded plugins (a factory: call it for the model)."""


def filters(q: VideosQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [] if q.kind == "extra" else [listed()]
    if q.search:
        conds.append(or_(ilike_contains(Video.title, q.search), ilike_contains(Video.file_path, q.search)))
    if q.kind:
        conds.append(Video.kind == q.kind)
    if q.series:
        conds.append(Video.series_id == q.series)
    if q.season is not None:
        conds.append(Video.season_number == q.season)
    if q.root:
        conds.append(Video.library_root_id == q.root)
    if q.resolution:
        low = RESOLUTIONS[q.resolution]
        short = func.least(Video.width, Video.height)
        if low != _BUCKETS[0]:  # the lowest bucket takes everything smaller too
            conds.append(short >= low)
        else:
            conds.append(short > 0)
        higher = [b for b in _BUCKETS if b > low]
        if higher:
            conds.append(short < higher[0])
    if q.codec:
        conds.append(func.lower(Video.video_codec) == q.codec.lower())
    if q.duration_min is not None:
        conds.append(Video.duration >= q.duration_min)
    if q.duration_max is not None:
        conds.append(Video.duration <= q.duration_max)
    if q.date_from:
        conds.append(Video.date >= q.date_from)
    if q.date_to:
        conds.append(Video.date <= q.date_to + "~")  # "2024" includes "2024-12-31"
    if q.rating_min is not None:
        conds.append(Video.rating >= q.rating_min)
    if q.rating_max is not None:
        conds.append(Video.rating <= q.rating_max)
    if q.organized is not None:
        conds.append(Video.organized.is_(q.organized))
    if q.played is not None:
        conds.append(Video.play_count > 0 if q.played else Video.play_count == 0)
    conds.extend(filter_clauses("video", Video.id, q))
    return conds


SPARSE: dict[str, tuple[ColumnElement[bool], ColumnElement[bool]]] = {
    "duration": (Video.duration.is_not(None), Video.duration.is_(None)),
    "rating": (Video.rating.is_not(None), Video.rating.is_(None)),
    "date": (Video.date.is_not(None), Video.date.is_(None)),
    "plays": (Video.play_count > 0, Video.play_count == 0),
}
"""Sorts whose column is empty for many rows (not probed, never rated or played). Rows with a
value come first (their index is partial, so a scan's inserts skip it), the others after them by
id, in both directions."""


def encode_cursor(value: Any, row_id: str, segment: int = 0) -> str:
    if hasattr(value, "isoformat"):
        value = {"t": value.isoformat()}
    raw = json.dumps([value, row_id, segment], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id, segment = json.loads(raw)
        if isinstance(value, dict) and "t" in value:
            from datetime import datetime

            value = datetime.fromisoformat(value["t"])
        if not isinstance(row_id, str) or segment not in (0, 1):
            raise TypeError
        return value, row_id, segment
    except (ValueError, TypeError):
        raise ValidationError("query.cursor: not a cursor this server issued") from None


def fetch_page(db: Session, q: VideosQuery) -> tuple[list[Video], int, str | None]:
    """One page of videos, the total, and the cursor of the next page (keyset, any depth)."""
    conds = filters(q)
    total = db.execute(select(func.count()).select_from(Video).where(*conds)).scalar_one()
    desc = q.descending
    limit = q.per_page
    base = select(Video).where(*conds)
    if q.sort == "episode":
        cols = [Video.series_id, Video.season_number, Video.episode_number, Video.id]
        stmt = base.order_by(*[c.desc() if desc else c.asc() for c in cols]).offset(q.offset).limit(limit)
        return list(db.execute(stmt).scalars()), total, None

    col = SORT_COLUMNS[q.sort]
    by_value = [col.desc(), Video.id.desc()] if desc else [col.asc(), Video.id.asc()]
    by_id = [Video.id.desc()] if desc else [Video.id.asc()]

    def after_value(value: Any, row_id: str) -> ColumnElement[bool]:
        # a row comparison, which PostgreSQL turns into an index range condition
        if desc:
            return tuple_(col, Video.id) < tuple_(value, row_id)
        return tuple_(col, Video.id) > tuple_(value, row_id)

    def after_id(row_id: str) -> ColumnElement[bool]:
        return Video.id < row_id if desc else Video.id > row_id

    def run(stmt: Select[Any]) -> list[Video]:
        return list(db.execute(stmt).scalars())

    cursor = decode_cursor(q.cursor) if q.cursor else None
    sparse = SPARSE.get(q.sort)
    if sparse is None:
        stmt = base.where(after_value(cursor[0], cursor[1])) if cursor else base.offset(q.offset)
        rows = run(stmt.order_by(*by_value).limit(limit))
    else:
        present, absent = sparse
        if cursor:
            value, row_id, segment = cursor
            if segment == 0:
                rows = run(base.where(present, after_value(value, row_id)).order_by(*by_value).limit(limit))
                if len(rows) < limit:
                    rows += run(base.where(absent).order_by(*by_id).limit(limit - len(rows)))
            else:
                rows = run(base.where(absent, after_id(row_id)).order_by(*by_id).limit(limit))
        else:
            with_value = db.execute(select(func.count()).select_from(Video).where(*conds, present)).scalar_one()
            if q.offset < with_value:
                rows = run(base.where(present).order_by(*by_value).offset(q.offset).limit(limit))
                if len(rows) < limit:
                    rows += run(base.where(absent).order_by(*by_id).limit(limit - len(rows)))
            else:
                rows = run(base.where(absent).order_by(*by_id).offset(q.offset - with_value).limit(limit))

    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        value = getattr(last, col.key)
        segment = 0
        if sparse is not None:
            has_value = value is not None and (q.sort != "plays" or value > 0)
            segment = 0 if has_value else 1
        next_cursor = encode_cursor(value, last.id, segment)
    return rows, total, next_cursor
