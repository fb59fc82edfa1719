"""The ``preview`` processor: thumbnail, hover preview clip, trickplay sprite + WebVTT."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from plugin_sdk import JobContext
from plugin_sdk.media import MediaError, ffmpeg_bin
from plugin_sdk.models import LibrarySettings
from plugins_builtin.videos import assets
from plugins_builtin.videos.media.previews import (
    PreviewParams,
    make_preview_clip,
    make_thumbnail,
    make_trickplay,
)
from plugins_builtin.videos.models import Video
from plugins_builtin.videos.processors import source_path

log = logging.getLogger("obscura.videos")


def preview_params(settings: LibrarySettings) -> PreviewParams:
    return PreviewParams(
        thumbnail_quality=settings.thumbnail_quality,
        trickplay_quality=settings.trickplay_quality,
        trickplay_interval_s=settings.trickplay_interval_seconds,
        preview_clip_s=settings.preview_clip_duration_seconds,
        generate_trickplay=settings.generate_trickplay,
    )


def sprite_url(video_id: str) -> str:
    return f"/api/videos/{video_id}/sprite"


def process_preview(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    video = ctx.db.get(Video, payload.get("videoId"))
    if video is None:
        return {"videoId": payload.get("videoId"), "skipped": "the video no longer exists"}
    if not video.duration or not video.width:
        return {"videoId": video.id, "skipped": "no decodable video stream (see the probe error)"}
    force = bool(payload.get("force"))
    src = source_path(ctx.db, video)
    params = preview_params(LibrarySettings.get(ctx.db))
    ffmpeg = ffmpeg_bin()
    made: list[str] = []
    now = datetime.now(UTC)
    try:
        if force or video.thumbnail_at is None or not assets.asset(video.id, assets.THUMB).exists():
            make_thumbnail(
                src,
                assets.asset(video.id, assets.THUMB),
                video.duration,
                video.width,
                video.height or 0,
                params,
                ffmpeg=ffmpeg,
            )
            video.thumbnail_at = now
            made.append("thumbnail")
        ctx.progress(20, "thumbnail")
        if force or video.preview_at is None or not assets.asset(video.id, assets.PREVIEW).exists():
            make_preview_clip(src, assets.asset(video.id, assets.PREVIEW), video.duration, params, ffmpeg=ffmpeg)
            video.preview_at = now
            made.append("preview")
        ctx.progress(55, "preview clip")
        if params.generate_trickplay and (
            force or video.trickplay_at is None or not assets.asset(video.id, assets.SPRITE).exists()
        ):
            make_trickplay(
                src,
                assets.asset(video.id, assets.SPRITE),
                assets.asset(video.id, assets.TRICKPLAY),
                video.duration,
                video.width,
                video.height or 0,
                params,
                sprite_url=sprite_url(video.id),
                ffmpeg=ffmpeg,
            )
            video.trickplay_at = now
            made.append("trickplay")
        video.preview_error = None
    except MediaError as exc:
        # a file that probes but will not decode: recorded on the row, the job completes
        log.warning("preview of %s failed: %s", src, exc)
        video.preview_error = str(exc)[:2000]
        ctx.db.commit()
        return {"videoId": video.id, "made": made, "error": video.preview_error}
    ctx.db.commit()
    return {"videoId": video.id, "made": made}
