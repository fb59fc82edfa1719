"""``GET /api/videos`` filters and sorts, compiled to SQL with keyset paging for deep pages."""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from plugin_sdk.errors import ValidationError
from plugin_sdk.http import Pagination
from plugins_builtin.videos.models import Video

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
    """Query string of ``GET /api/videos``."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    search: str | None = Field(None, max_length=200)
    kind: Literal["movie", "episode"] | None = None
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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filters(q: VideosQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        like = f"%{_escape_like(q.search)}%"
        conds.append(or_(Video.title.ilike(like), Video.file_path.ilike(like)))
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
    return conds


def encode_cursor(value: Any, row_id: str) -> str:
    if hasattr(value, "isoformat"):
        value = {"t": value.isoformat()}
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id = json.loads(raw)
        if isinstance(value, dict) and "t" in value:
            from datetime import datetime

            value = datetime.fromisoformat(value["t"])
        if not isinstance(row_id, str):
            raise TypeError
        return value, row_id
    except (ValueError, TypeError):
        raise ValidationError("query.cursor: not a cursor this server issued") from None


def _after(col: Any, value: Any, row_id: str, desc: bool) -> ColumnElement[bool]:
    """Rows after (value, id) in PostgreSQL's default NULL placement (ASC: last, DESC: first)."""
    if not desc:
        if value is None:
            return and_(col.is_(None), Video.id > row_id)
        return or_(col > value, and_(col == value, Video.id > row_id), col.is_(None))
    if value is None:
        return or_(and_(col.is_(None), Video.id < row_id), col.is_not(None))
    return or_(col < value, and_(col == value, Video.id < row_id))


def ordered(stmt: Select[Any], q: VideosQuery) -> Select[Any]:
    desc = q.descending
    if q.sort == "episode":
        cols = [Video.series_id, Video.season_number, Video.episode_number, Video.id]
        return stmt.order_by(*[c.desc() if desc else c.asc() for c in cols])
    col = SORT_COLUMNS[q.sort]
    if q.cursor:
        value, row_id = decode_cursor(q.cursor)
        stmt = stmt.where(_after(col, value, row_id, desc))
    return stmt.order_by(col.desc() if desc else col.asc(), Video.id.desc() if desc else Video.id.asc())


def sort_value(video: Video, q: VideosQuery) -> Any:
    return getattr(video, SORT_COLUMNS[q.sort].key) if q.sort in SORT_COLUMNS else None


def base_select(q: VideosQuery) -> Select[Any]:
    return select(Video).where(*filters(q))
