"""``/api/videos``: list (filters, sorts, keyset paging), detail, edit, delete, plays, history, markers."""

from __future__ import annotations

from flask import Blueprint
from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from plugin_sdk.db import get_db
from plugin_sdk.deletion import DeleteQuery, delete_media
from plugin_sdk.edits import NOT_NULL, EditableFields, patch_row
from plugin_sdk.errors import ValidationError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.links import with_link_fields, with_links, with_links_many
from plugin_sdk.markers import add_marker_routes
from plugin_sdk.playback import ProgressIn, record_play, record_progress
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import PLAY_EVENT, VideoEvent, VideoMarker, VideoSeries
from plugins_builtin.videos.routes.common import get_video
from plugins_builtin.videos.routes.query import VideosQuery, fetch_page, videos_query
from plugins_builtin.videos.routes.serialize import (
    MarkerOut,
    VideoDetail,
    VideoHistory,
    VideoListItem,
    detail,
    list_item,
)

EDITABLE = (
    "title", "details", "date", "rating", "organized", "is_nsfw", "urls", "episode_number", "season_number",
    "code", "director",
)  # fmt: skip


class VideosPage(ApiModel):
    items: list[VideoListItem]
    total: int
    page: int
    per_page: int
    next_cursor: str | None


class VideoPatch(EditableFields):
    urls: list[str] | None = Field(None, max_length=50)
    code: str | None = Field(None, max_length=200)
    director: str | None = Field(None, max_length=500)
    season_number: int | None = Field(None, ge=0, le=9999)
    episode_number: int | None = Field(None, ge=0, le=99999)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("title cannot be blank")
        return v.strip() if v else v


def _series_titles(db, series_ids: set[str]) -> dict[str, str]:
    if not series_ids:
        return {}
    rows = db.execute(
        select(VideoSeries.id, func.coalesce(VideoSeries.custom_name, VideoSeries.title)).where(
            VideoSeries.id.in_(series_ids)
        )
    ).all()
    return dict(rows)


def make_blueprint() -> Blueprint:
    bp = Blueprint("videos", __name__)

    @api_route(bp, "/api/videos", query=videos_query, response=VideosPage)
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

    @api_route(bp, "/api/videos/<video_id>", methods=["PATCH"], body=with_link_fields(VideoPatch), response=VideoDetail)
    def patch(video_id: str, body: VideoPatch):
        """Edit a video; edited fields are never overwritten by later scans."""
        db = get_db()
        video = get_video(db, video_id)
        if video.kind != "episode" and ({"season_number", "episode_number"} & body.model_fields_set):
            raise ValidationError("seasonNumber and episodeNumber apply to episodes only.")
        return patch_row(
            db, "video", video, body, lambda: detail(db, video), editable=EDITABLE, not_null=(*NOT_NULL, "urls")
        )

    @api_route(bp, "/api/videos/<video_id>", methods=["DELETE"], query=DeleteQuery)
    def delete_video(video_id: str, query: DeleteQuery):
        """Delete a video and its generated files; ``?deleteFile=true`` also deletes the source file."""
        db = get_db()
        video = get_video(db, video_id)
        return ok(delete_media(
            db, "video", video, query.delete_file, delete_files=assets.delete_video_files,
            before_delete=lambda: assets.delete_generated(db, video, keep_custom_thumb=False),  # and files beside it
        ))  # fmt: skip

    @api_route(bp, "/api/videos/<video_id>/play", methods=["POST"], response=VideoDetail)
    def play(video_id: str):
        """Count a play (and keep it in the video's history)."""
        db = get_db()
        video = get_video(db, video_id)
        db.execute(
            insert(VideoEvent).values(video_id=video.id, kind=PLAY_EVENT, at=func.now()).on_conflict_do_nothing()
        )
        video = record_play(db, "video", video)
        return ok(with_links(db, "video", detail(db, video)))

    @api_route(bp, "/api/videos/<video_id>/history", response=VideoHistory)
    def history(video_id: str):
        """When the video was played, and its o's, newest first."""
        db = get_db()
        video = get_video(db, video_id)
        events = db.execute(
            select(VideoEvent.kind, VideoEvent.at).where(VideoEvent.video_id == video.id).order_by(VideoEvent.at.desc())
        ).all()
        plays = [at for kind, at in events if kind == PLAY_EVENT]
        return ok(VideoHistory(plays=plays, os=[at for kind, at in events if kind != PLAY_EVENT]))

    @api_route(bp, "/api/videos/<video_id>/progress", methods=["POST"], body=ProgressIn)
    def progress(video_id: str, body: ProgressIn):
        """Remember where playback stopped (resume position) and add watched time."""
        db = get_db()
        return ok(record_progress(db, get_video(db, video_id), body))

    add_marker_routes(
        bp, "/api/videos/<video_id>", get_parent=get_video, marker_model=VideoMarker, out_model=MarkerOut, noun="video"
    )

    return bp
