"""Videos and series as metadata targets: how a scraper sees them, and applying accepted results.

A video is a Stash *scene* (``sceneByFragment`` gets its title, URLs, file and fingerprints); a
series takes a Stash *group* (name, date, synopsis, studio, tags, front image). Accepted fields
go through the same PATCH rule as an edit (``plugin_sdk.edits.apply_patch``), so they are
recorded as edited and later scans keep them; studio, performers and tags reach the plugin that
keeps links. An image becomes the custom thumbnail.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import AcceptedMetadata, MetadataTarget
from plugin_sdk.edits import apply_patch
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.metadata import accepted_changes, scene_fragment
from plugin_sdk.rows import get_row
from plugins_builtin.videos.models import Video, VideoSeries
from plugins_builtin.videos.typed_metadata import (
    apply_typed_series,
    apply_typed_video,
    describe_typed_series,
    describe_typed_videos,
)

VIDEO_COLUMNS = {"title": "title", "details": "details", "date": "date", "code": "code", "director": "director"}
SERIES_COLUMNS = {"title": "title", "details": "overview"}
VIDEO_EDITABLE = ("title", "details", "date", "code", "director", "urls", "organized")
FILTER_KEYS = {"organized", "rootId", "kind", "seriesId", "ids"}
SELECT_LIMIT = 10_000
TYPED_VIDEO_KINDS = ("movie", "episode")


def describe_videos(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = db.scalars(select(Video).where(Video.id.in_(list(ids)))).all() if ids else []
    return {v.id: _fragment(v) for v in rows}


def _fragment(v: Video) -> dict[str, Any]:
    return scene_fragment(
        v.id, title=v.title, code=v.code, urls=v.urls or [], date_value=v.date, details=v.details,
        director=v.director, path=v.file_path, size=v.file_size, duration=v.duration, width=v.width,
        height=v.height, video_codec=v.video_codec, audio_codec=v.audio_codec, frame_rate=v.frame_rate,
        bit_rate=v.bit_rate, md5=v.md5, oshash=v.oshash, phash=v.phash,
    )  # fmt: skip


def _merged_urls(current: Sequence[str], scraped: Any) -> list[str]:
    """The row's URLs with the scraped ones added after them (Stash merges, never drops)."""
    return list(dict.fromkeys([*current, *(u for u in scraped or [] if isinstance(u, str))]))[:50]


def store_thumbnail(video: Video, data: bytes) -> str | None:
    """Make ``data`` the video's custom thumbnail; a problem is returned as a warning."""
    from plugins_builtin.videos.assets import store_custom_thumbnail

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            store_custom_thumbnail(video.id, img)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return f"image not applied: {exc}"
    video.custom_thumbnail = True
    video.thumbnail_at = datetime.now(UTC)
    return None


def apply_video(db: Session, video_id: str, accepted: AcceptedMetadata) -> list[str]:
    video = db.get(Video, video_id)
    if video is None:
        raise NotFoundError(f"Video {video_id} not found.")
    if accepted.kind in TYPED_VIDEO_KINDS:
        return apply_typed_video(db, video, accepted)
    changes, warnings = accepted_changes(accepted, VIDEO_COLUMNS)
    if "urls" in accepted.fields:
        changes["urls"] = _merged_urls(video.urls or [], accepted.fields["urls"])
    apply_patch(db, "video", [video], changes, editable=VIDEO_EDITABLE)
    if accepted.image:
        problem = store_thumbnail(video, accepted.image)
        if problem:
            warnings.append(problem)
    return warnings


def select_videos(db: Session, filter: Mapping[str, Any]) -> list[str]:
    """Video ids for a bulk scrape: ``organized``, ``rootId``, ``kind``, ``seriesId`` or ``ids``."""
    unknown = sorted(set(filter) - FILTER_KEYS)
    if unknown:
        raise ValidationError(f"body.filter.{unknown[0]}: unknown filter (one of {', '.join(sorted(FILTER_KEYS))}).")
    stmt = select(Video.id).where(Video.kind != "extra")
    if isinstance(filter.get("organized"), bool):
        stmt = stmt.where(Video.organized.is_(filter["organized"]))
    for key, column in (("rootId", Video.library_root_id), ("kind", Video.kind), ("seriesId", Video.series_id)):
        if isinstance(filter.get(key), str):
            stmt = stmt.where(column == filter[key])
    if isinstance(filter.get("ids"), list):
        stmt = stmt.where(Video.id.in_([i for i in filter["ids"] if isinstance(i, str)]))
    return list(db.scalars(stmt.order_by(Video.created_at, Video.id).limit(SELECT_LIMIT)))


def describe_series(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = db.scalars(select(VideoSeries).where(VideoSeries.id.in_(list(ids)))).all() if ids else []
    return {
        s.id: {"id": s.id, "name": s.custom_name or s.title, "date": str(s.year) if s.year else None,
               "synopsis": s.overview, "urls": [], "path": s.folder_path}
        for s in rows
    }  # fmt: skip


def apply_series(db: Session, series_id: str, accepted: AcceptedMetadata) -> list[str]:
    series = get_row(db, VideoSeries, series_id, f"Series {series_id} not found.")
    if accepted.kind == "series":
        return apply_typed_series(db, series, accepted)
    changes, warnings = accepted_changes(accepted, SERIES_COLUMNS)
    date = accepted.fields.get("date")
    if isinstance(date, str) and date[:4].isdigit():
        changes["year"] = int(date[:4])
    if accepted.image:
        warnings.append("image not applied: series posters are not kept yet")
    apply_patch(db, "series", [series], changes, editable=("title", "overview", "year", "organized"),
                columns={"title": "custom_name"})  # fmt: skip
    return warnings


TARGETS = (
    MetadataTarget(
        "video", "scene", "videoId", ("videos", "video/movies", "video/episodes"),
        describe=describe_videos, apply=apply_video, select=select_videos, label="video",
        kinds=TYPED_VIDEO_KINDS, describe_typed=describe_typed_videos,
    ),
    MetadataTarget(
        "series", "group", "seriesId", ("series", "video/series"),
        describe=describe_series, apply=apply_series, label="series",
        kinds=("series",), describe_typed=describe_typed_series,
    ),
)  # fmt: skip


def targets() -> list[MetadataTarget]:
    """``obscura_metadata_targets``: videos and series."""
    return list(TARGETS)
