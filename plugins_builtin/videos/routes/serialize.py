"""API shapes of videos (camelCase on the wire) and the URLs of their streams and assets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import markers
from plugin_sdk.http import ApiModel
from plugins_builtin.videos.models import Video, VideoMarker, VideoSeries, VideoSubtitle


class MarkerOut(markers.MarkerOut):
    created_at: datetime


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
    resume_time: float | None
    thumbnail_url: str | None
    preview_url: str | None
    created_at: datetime
    updated_at: datetime


class VideoDetail(VideoListItem):
    details: str | None
    urls: list[str]
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


def thumbnail_url(v: Video) -> str | None:
    if v.custom_thumbnail or v.thumbnail_at:
        stamp = int((v.thumbnail_at or v.updated_at).timestamp()) if (v.thumbnail_at or v.updated_at) else 0
        return f"/api/videos/{v.id}/thumbnail?v={stamp}"
    return None


def list_item(v: Video, series_title: str | None = None) -> VideoListItem:
    data = {c: getattr(v, c) for c in VideoListItem.model_fields if hasattr(v, c)}
    data.update(
        series_title=series_title,
        thumbnail_url=thumbnail_url(v),
        preview_url=f"/api/videos/{v.id}/preview" if v.preview_at else None,
    )
    return VideoListItem(**data)


def subtitle_out(video_id: str, t: VideoSubtitle) -> SubtitleOut:
    base = f"/api/videos/{video_id}/subtitles/{t.id}"
    return SubtitleOut(
        id=t.id,
        language=t.language,
        label=t.label,
        source=t.source,
        source_format=t.source_format,
        is_default=t.is_default,
        forced=t.forced,
        url=f"{base}/source",
        cues_url=f"{base}/cues",
        raw_url=f"{base}/raw" if t.raw_file_name else None,
    )


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
    return VideoDetail(
        **base,
        details=v.details,
        urls=list(v.urls or []),
        file_path=v.file_path,
        file_mtime=v.file_mtime,
        frame_rate=v.frame_rate,
        bit_rate=v.bit_rate,
        audio_codec=v.audio_codec,
        container=v.container,
        md5=v.md5,
        oshash=v.oshash,
        phash=v.phash,
        probe_error=v.probe_error,
        preview_error=v.preview_error,
        play_duration=v.play_duration,
        last_played_at=v.last_played_at,
        direct_stream_url=f"/api/video-stream/{v.id}/source",
        hls_url=f"/api/video-stream/{v.id}/hls/master.m3u8" if v.duration and v.width else None,
        sprite_url=f"/api/videos/{v.id}/sprite" if v.trickplay_at else None,
        trickplay_vtt_url=f"/api/videos/{v.id}/trickplay.vtt" if v.trickplay_at else None,
        subtitles=[subtitle_out(v.id, t) for t in subs],
        markers=[MarkerOut.model_validate(m) for m in marks],
        edited_fields=list(v.edited_fields or []),
    )
