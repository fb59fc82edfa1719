"""API shapes of videos (camelCase on the wire) and the URLs of their streams and assets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from plugin_sdk import markers
from plugin_sdk.http import ApiModel, model_from
from plugins_builtin.videos.models import Video, VideoMarker, VideoSeries, VideoSubtitle
from plugins_builtin.videos.typed_metadata import artwork_urls


class MarkerOut(markers.MarkerOut):
    created_at: datetime
    primary_tag_id: str | None = Field(None, description="the marker's main tag (a taxonomy tag id)")
    tag_ids: list[str] = Field(default_factory=list, description="the marker's other tags")


class SubtitleOut(ApiModel):
    id: str
    language: str
    label: str | None
    source: str
    source_format: str
    is_default: bool
    forced: bool
    url: str
    cues_url: str
    raw_url: str | None


class VideoListItem(ApiModel):
    id: str
    kind: str
    title: str
    library_root_id: str
    series_id: str | None
    series_title: str | None = None
    season_number: int | None
    episode_number: int | None
    episode_end: int | None
    absolute_episode_number: int | None
    date: str | None
    year: int | None
    duration: float | None
    width: int | None
    height: int | None
    file_size: int | None
    video_codec: str | None
    rating: int | None
    organized: bool
    is_nsfw: bool
    play_count: int
    o_counter: int
    resume_time: float | None
    missing: bool = Field(False, description="the file is not on disk (imported so); scans keep the video")
    thumbnail_url: str | None
    preview_url: str | None
    created_at: datetime
    updated_at: datetime


class VideoHistory(ApiModel):
    """A video's plays and o's, newest first."""

    plays: list[datetime]
    os: list[datetime]


class GroupMember(ApiModel):
    """Another file of the same movie (a part, a version) or one of its extras."""

    id: str
    title: str
    label: str  # "Part 2", "2160p", "Trailer"
    duration: float | None
    width: int | None
    height: int | None


class CastRole(ApiModel):
    name: str
    character: str | None = None
    order: int | None = None


class VideoDetail(VideoListItem):
    details: str | None
    code: str | None = None
    director: str | None = None
    urls: list[str]
    tagline: str | None = None
    content_rating: str | None = None
    external_ids: dict[str, str] = Field(default_factory=dict, description="ids at metadata providers")
    cast: list[CastRole] = Field(default_factory=list, description="characters, as a typed result named them")
    artwork: dict[str, str] = Field(default_factory=dict, description="a movie's poster/backdrop/logo URLs")
    file_path: str
    file_mtime: float | None
    frame_rate: float | None
    bit_rate: int | None
    audio_codec: str | None
    container: str | None
    md5: str | None
    oshash: str | None
    phash: str | None
    probe_error: str | None
    preview_error: str | None
    play_duration: float
    last_played_at: datetime | None
    direct_stream_url: str
    hls_url: str | None
    sprite_url: str | None
    trickplay_vtt_url: str | None
    subtitles: list[SubtitleOut]
    markers: list[MarkerOut]
    edited_fields: list[str]
    main_id: str | None = Field(None, description="the movie's main file, when this is a part, version or extra")
    parts: list[GroupMember] = Field(default_factory=list, description="a stacked movie's files, in order")
    versions: list[GroupMember] = Field(default_factory=list, description="the movie's versions (this one included)")
    extras: list[GroupMember] = Field(default_factory=list, description="trailers, featurettes… of the movie")


def thumbnail_url(v: Video) -> str | None:
    if v.custom_thumbnail or v.thumbnail_at:
        stamp = int((v.thumbnail_at or v.updated_at).timestamp()) if (v.thumbnail_at or v.updated_at) else 0
        return f"/api/videos/{v.id}/thumbnail?v={stamp}"
    return None


def list_item(v: Video, series_title: str | None = None) -> VideoListItem:
    return model_from(
        VideoListItem,
        v,
        series_title=series_title,
        missing=v.missing_at is not None,
        thumbnail_url=thumbnail_url(v),
        preview_url=f"/api/videos/{v.id}/preview" if v.preview_at else None,
    )


def subtitle_out(video_id: str, t: VideoSubtitle) -> SubtitleOut:
    base = f"/api/videos/{video_id}/subtitles/{t.id}"
    raw_url = f"{base}/raw" if t.raw_file_name else None
    return model_from(SubtitleOut, t, url=f"{base}/source", cues_url=f"{base}/cues", raw_url=raw_url)


def detail(db: Session, v: Video) -> VideoDetail:
    series_title = None
    if v.series_id:
        series = db.get(VideoSeries, v.series_id)
        series_title = (series.custom_name or series.title) if series else None
    base = list_item(v, series_title).model_dump()
    subs = db.execute(
        select(VideoSubtitle).where(VideoSubtitle.video_id == v.id).order_by(VideoSubtitle.language, VideoSubtitle.id)
    ).scalars()
    marks = markers.markers_of(db, VideoMarker, "video_id", v.id)
    family = group_members(db, v)
    return model_from(
        VideoDetail,
        v,
        **family,
        **base,
        urls=list(v.urls or []),
        external_ids=dict(v.external_ids or {}),
        cast=[CastRole(**c) for c in v.cast_roles or [] if isinstance(c, dict) and c.get("name")],
        artwork=artwork_urls(f"/api/videos/{v.id}", v.artwork),
        direct_stream_url=f"/api/video-stream/{v.id}/source",
        hls_url=f"/api/video-stream/{v.id}/hls/master.m3u8" if v.duration and v.width else None,
        sprite_url=f"/api/videos/{v.id}/sprite" if v.trickplay_at else None,
        trickplay_vtt_url=f"/api/videos/{v.id}/trickplay.vtt" if v.trickplay_at else None,
        subtitles=[subtitle_out(v.id, t) for t in subs],
        markers=[MarkerOut.model_validate(m) for m in marks],
        edited_fields=list(v.edited_fields or []),
    )


EXTRA_LABELS = {
    "behindthescenes": "Behind the scenes",
    "deleted": "Deleted scene",
    "featurette": "Featurette",
    "interview": "Interview",
    "scene": "Scene",
    "short": "Short",
    "clip": "Clip",
    "theme": "Theme",
    "trailer": "Trailer",
}


def _member(v: Video, label: str) -> GroupMember:
    return GroupMember(id=v.id, title=v.title, label=label, duration=v.duration, width=v.width, height=v.height)


def _version_label(v: Video) -> str:
    if v.version_label:
        return v.version_label
    short = min(v.width or 0, v.height or 0)
    return f"{short}p" if short else "Main"


def group_members(db: Session, v: Video) -> dict[str, Any]:
    """``main_id``, ``parts``, ``versions`` and ``extras`` of the movie ``v`` belongs to: its
    main file and the files pointing to it (docs/library-layout.md)."""
    main_id = v.parent_id or v.id
    rows = (
        db.execute(
            select(Video)
            .where(or_(Video.id == main_id, Video.parent_id == main_id))
            .order_by(Video.part_number.nulls_first(), Video.version_label.nulls_first(), Video.file_path)
        )
        .scalars()
        .all()
        if v.kind in ("movie", "extra") and (v.parent_id or v.group_key)
        else []
    )
    movies = [r for r in rows if r.kind == "movie"]
    parts = [r for r in movies if r.part_number is not None]
    versions = [r for r in movies if r.part_number is None]
    return {
        "main_id": v.parent_id,
        "parts": [_member(r, f"Part {r.part_number}") for r in parts] if len(parts) > 1 else [],
        "versions": [_member(r, _version_label(r)) for r in versions] if len(versions) > 1 else [],
        "extras": [_member(r, EXTRA_LABELS.get(r.extra_type or "", "Extra")) for r in rows if r.kind == "extra"],
    }
