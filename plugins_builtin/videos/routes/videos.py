"""``/api/videos``: list (filters, sorts, keyset paging), detail, edit, delete, plays, markers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint
from pydantic import Field, field_validator
from sqlalchemy import func, select

from plugin_sdk.db import get_db
from plugin_sdk.edits import NOT_NULL, apply_patch, entity_changed
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.links import LinkFields, entities_deleted, with_links, with_links_many
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import VideoMarker, VideoSeries
from plugins_builtin.videos.routes.common import get_video, video_source
from plugins_builtin.videos.routes.query import VideosQuery, fetch_page
from plugins_builtin.videos.routes.serialize import MarkerOut, VideoDetail, VideoListItem, detail, list_item

EDITABLE = ("title", "details", "date", "rating", "organized", "is_nsfw", "urls", "episode_number", "season_number")


class VideosPage(ApiModel):
    items: list[VideoListItem]
    total: int
    page: int
    per_page: int
    next_cursor: str | None


class VideoPatch(LinkFields):
    title: str | None = Field(None, min_length=1, max_length=500)
    details: str | None = Field(None, max_length=20000)
    date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    rating: int | None = Field(None, ge=0, le=100)
    organized: bool | None = None
    is_nsfw: bool | None = None
    urls: list[str] | None = Field(None, max_length=50)
    season_number: int | None = Field(None, ge=0, le=9999)
    episode_number: int | None = Field(None, ge=0, le=99999)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("title cannot be blank")
        return v.strip() if v else v


class DeleteQuery(ApiModel):
    delete_file: bool = False


class ProgressIn(ApiModel):
    resume_time: float | None = Field(None, ge=0)
    played_seconds: float | None = Field(None, ge=0, le=86400)


class MarkerIn(ApiModel):
    title: str = Field(min_length=1, max_length=300)
    seconds: float = Field(ge=0)
    end_seconds: float | None = Field(None, ge=0)


class MarkerPatch(ApiModel):
    title: str | None = Field(None, min_length=1, max_length=300)
    seconds: float | None = Field(None, ge=0)
    end_seconds: float | None = Field(None, ge=0)


def _series_titles(db, series_ids: set[str]) -> dict[str, str]:
    if not series_ids:
        return {}
    rows = db.execute(
        select(VideoSeries.id, func.coalesce(VideoSeries.custom_name, VideoSeries.title)).where(
            VideoSeries.id.in_(series_ids)
        )
    ).all()
    return dict(rows)


def _marker(db, video_id: str, marker_id: str) -> VideoMarker:
    marker = db.get(VideoMarker, marker_id) if len(marker_id) <= 64 else None
    if marker is None or marker.video_id != video_id:
        raise NotFoundError(f"No marker '{marker_id}' on this video.")
    return marker


def _check_marker_span(seconds: float, end: float | None, duration: float | None) -> None:
    if end is not None and end < seconds:
        raise ValidationError("endSeconds must not be before seconds.")
    if duration and seconds > duration + 1:
        raise ValidationError(f"seconds ({seconds:g}) is past the end of the video ({duration:g} s).")


def make_blueprint() -> Blueprint:
    bp = Blueprint("videos", __name__)

    @api_route(bp, "/api/videos", query=VideosQuery, response=VideosPage)
    def list_videos(query: VideosQuery):
        """Movies and episodes, filtered and sorted; pass ``cursor`` (from ``nextCursor``) for deep pages."""
        db = get_db()
        rows, total, next_cursor = fetch_page(db, query)
        titles = _series_titles(db, {r.series_id for r in rows if r.series_id})
        items = with_links_many(db, "video", [list_item(r, titles.get(r.series_id or "")) for r in rows])
        return ok(
            {"items": items, "total": total, "page": query.page, "perPage": query.per_page, "nextCursor": next_cursor}
        )

    @api_route(bp, "/api/videos/<video_id>", response=VideoDetail)
    def get_one(video_id: str):
        """One video with its file facts, hashes, stream and asset URLs, subtitles and markers."""
        db = get_db()
        return ok(with_links(db, "video", detail(db, get_video(db, video_id))))

    @api_route(bp, "/api/videos/<video_id>", methods=["PATCH"], body=VideoPatch, response=VideoDetail)
    def patch(video_id: str, body: VideoPatch):
        """Edit a video; edited fields are never overwritten by later scans."""
        db = get_db()
        video = get_video(db, video_id)
        changes = body.model_dump(exclude_unset=True)
        if video.kind != "episode" and ({"season_number", "episode_number"} & changes.keys()):
            raise ValidationError("seasonNumber and episodeNumber apply to episodes only.")
        apply_patch(db, "video", [video], changes, editable=EDITABLE, not_null=(*NOT_NULL, "urls"))
        db.commit()
        return ok(with_links(db, "video", detail(db, video)))

    @api_route(bp, "/api/videos/<video_id>", methods=["DELETE"], query=DeleteQuery)
    def delete_video(video_id: str, query: DeleteQuery):
        """Delete a video and its generated files; ``?deleteFile=true`` also deletes the source file."""
        db = get_db()
        video = get_video(db, video_id)
        deleted_file = False
        if query.delete_file:
            try:
                path: Path | None = video_source(db, video)
            except NotFoundError:
                path = None
            if path is not None:
                path.unlink()
                deleted_file = True
        assets.delete_generated(db, video, keep_custom_thumb=False)  # incl. its own files beside the media
        db.delete(video)
        entities_deleted(db, "video", [video_id])
        db.commit()
        assets.delete_video_files(video_id)
        return ok({"id": video_id, "deleted": True, "fileDeleted": deleted_file})

    @api_route(bp, "/api/videos/<video_id>/play", methods=["POST"], response=VideoDetail)
    def play(video_id: str):
        """Count a play."""
        db = get_db()
        video = get_video(db, video_id)
        video.play_count += 1
        video.last_played_at = datetime.now(UTC)
        entity_changed(db, "video", [video.id], ("play_count", "last_played_at"))
        db.commit()
        return ok(with_links(db, "video", detail(db, video)))

    @api_route(bp, "/api/videos/<video_id>/progress", methods=["POST"], body=ProgressIn)
    def progress(video_id: str, body: ProgressIn):
        """Remember where playback stopped (resume position) and add watched time."""
        db = get_db()
        video = get_video(db, video_id)
        if body.resume_time is not None:
            # finished (the last 5 s, or 5 % of a short clip): next time starts from the beginning
            near_end = video.duration and body.resume_time > video.duration - min(5.0, 0.05 * video.duration)
            video.resume_time = None if near_end else body.resume_time
        if body.played_seconds:
            video.play_duration += body.played_seconds
        db.commit()
        return ok({"resumeTime": video.resume_time, "playDuration": video.play_duration})

    @api_route(bp, "/api/videos/<video_id>/markers", response=list[MarkerOut])
    def list_markers(video_id: str):
        """Markers of a video, by time."""
        db = get_db()
        get_video(db, video_id)
        rows = db.execute(
            select(VideoMarker).where(VideoMarker.video_id == video_id).order_by(VideoMarker.seconds, VideoMarker.id)
        ).scalars()
        return ok([MarkerOut.model_validate(m) for m in rows])

    @api_route(bp, "/api/videos/<video_id>/markers", methods=["POST"], body=MarkerIn, response=MarkerOut, status=201)
    def add_marker(video_id: str, body: MarkerIn):
        """Add a marker (a title at a time, optionally with an end)."""
        db = get_db()
        video = get_video(db, video_id)
        _check_marker_span(body.seconds, body.end_seconds, video.duration)
        marker = VideoMarker(
            video_id=video.id, title=body.title.strip(), seconds=body.seconds, end_seconds=body.end_seconds
        )
        db.add(marker)
        db.commit()
        return ok(MarkerOut.model_validate(marker), status=201)

    @api_route(
        bp, "/api/videos/<video_id>/markers/<marker_id>", methods=["PATCH"], body=MarkerPatch, response=MarkerOut
    )
    def patch_marker(video_id: str, marker_id: str, body: MarkerPatch):
        """Rename or move a marker."""
        db = get_db()
        video = get_video(db, video_id)
        marker = _marker(db, video.id, marker_id)
        changes = body.model_dump(exclude_unset=True)
        for key in ("title", "seconds"):
            if key in changes and changes[key] is None:
                raise ValidationError(f"body.{key}: cannot be null")
        for key, value in changes.items():
            setattr(marker, key, value.strip() if isinstance(value, str) else value)
        _check_marker_span(marker.seconds, marker.end_seconds, video.duration)
        db.commit()
        return ok(MarkerOut.model_validate(marker))

    @api_route(bp, "/api/videos/<video_id>/markers/<marker_id>", methods=["DELETE"])
    def delete_marker(video_id: str, marker_id: str):
        """Remove a marker."""
        db = get_db()
        marker = _marker(db, get_video(db, video_id).id, marker_id)
        db.delete(marker)
        db.commit()
        return ok({"id": marker_id, "deleted": True})

    return bp
