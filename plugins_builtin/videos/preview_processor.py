"""The ``preview`` processor: thumbnail, hover preview clip, trickplay sprite + WebVTT."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from plugin_sdk import JobContext
from plugin_sdk.assets import discard_other_copy, existing_path, write_path
from plugin_sdk.diskspace import check_free_space
from plugin_sdk.limits import read_limits
from plugin_sdk.media import MediaError, ffmpeg_bin
from plugin_sdk.models import LibrarySettings
from plugin_sdk.settings import read_settings
from plugins_builtin.videos import assets
from plugins_builtin.videos.media.previews import (
    PreviewParams,
    make_preview_clip,
    make_thumbnail,
    make_trickplay,
)
from plugins_builtin.videos.models import Video
from plugins_builtin.videos.processors import source_path
from plugins_builtin.videos.settings import GENERATION, GenerationSettings

log = logging.getLogger("obscura.videos")


def preview_params(settings: GenerationSettings) -> PreviewParams:
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
    """Thumbnail, preview clip and trickplay of one video, each when missing (all of them when
    ``force``: "Rebuild previews"). Trickplay follows its switch except on a forced rebuild, a
    person's request; left out, it is listed under ``skippedParts`` and the run completes. Each
    file is written only while its disk keeps Settings → Limits' free space: else the run fails
    at once, saying so (:mod:`plugin_sdk.diskspace`)."""
    video = ctx.db.get(Video, payload.get("videoId"))
    if video is None:
        return {"videoId": payload.get("videoId"), "skipped": "the video no longer exists"}
    if not video.duration or not video.width:
        return {"videoId": video.id, "skipped": "no decodable video stream (see the probe error)"}
    force = bool(payload.get("force"))
    src = source_path(ctx.db, video)
    params = preview_params(read_settings(ctx.db, GENERATION))
    dedicated = bool(LibrarySettings.get(ctx.db).metadata_storage_dedicated)
    keep_free = read_limits(ctx.db).min_free_bytes
    files = assets.files_of(ctx.db, video)
    ours = {key: af.ours for key, af in files.items()}  # decided before this run writes anything
    ffmpeg = ffmpeg_bin()
    made: list[str] = []
    written: list[str] = []
    now = datetime.now(UTC)

    def missing(key: str) -> bool:
        return existing_path(files[key], dedicated) is None

    def target(key: str) -> Path:
        path = write_path(files[key], dedicated, sidecar_is_ours=ours[key])
        check_free_space(path.parent, keep_free=keep_free)
        return path

    kept_in_cache: list[str] = []
    skipped_parts: dict[str, str] = {}

    def wrote(key: str, path: Path) -> None:
        discard_other_copy(files[key], path, sidecar_is_ours=ours[key])
        written.append(str(path))
        if not dedicated and files[key].sidecar_path is not None and path == files[key].cache_path:
            kept_in_cache.append(key)  # the folder is read-only, or holds a file Obscura did not make

    try:
        if force or video.thumbnail_at is None or missing("thumb"):
            thumb = target("thumb")
            make_thumbnail(src, thumb, video.duration, video.width, video.height or 0, params, ffmpeg=ffmpeg)
            wrote("thumb", thumb)
            video.thumbnail_at = now
            made.append("thumbnail")
        ctx.progress(20, "thumbnail")
        if force or video.preview_at is None or missing("preview"):
            clip = target("preview")
            make_preview_clip(src, clip, video.duration, params, ffmpeg=ffmpeg)
            wrote("preview", clip)
            video.preview_at = now
            made.append("preview")
        ctx.progress(55, "preview clip")
        want_trickplay = force or video.trickplay_at is None or missing("sprite") or missing("trickplay")
        if want_trickplay and not (force or params.generate_trickplay):
            skipped_parts["trickplay"] = "trickplay is off (Settings → Video previews & fingerprints)"
        elif want_trickplay:
            sprite, vtt = target("sprite"), target("trickplay")
            make_trickplay(
                src,
                sprite,
                vtt,
                video.duration,
                video.width,
                video.height or 0,
                params,
                sprite_url=sprite_url(video.id),
                ffmpeg=ffmpeg,
            )
            wrote("sprite", sprite)
            wrote("trickplay", vtt)
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
    result: dict[str, Any] = {"videoId": video.id, "made": made, "written": written}
    if skipped_parts:
        result["skippedParts"] = skipped_parts
    if kept_in_cache:
        result["keptInCache"] = kept_in_cache
        result["note"] = "the video's folder is read-only or already holds a file of that name: kept in the cache"
    return result
