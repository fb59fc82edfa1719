"""Where a video's generated files live: ``<cache>/videos/<shard>/<id>/``."""

from __future__ import annotations

import shutil
from pathlib import Path

from plugin_sdk.storage import cache_dir, cache_path, shard

THUMB = "thumb.jpg"
CUSTOM_THUMB = "thumb-custom.jpg"
PREVIEW = "preview.mp4"
SPRITE = "sprite.jpg"
TRICKPLAY = "trickplay.vtt"
SUBTITLES = "subtitles"


def video_dir(video_id: str) -> Path:
    return cache_path("videos", video_id)


def asset(video_id: str, name: str) -> Path:
    return cache_path("videos", video_id, name)


def subtitle_file(video_id: str, name: str) -> Path:
    return cache_path("videos", video_id, SUBTITLES, name)


def hls_dir(video_id: str) -> Path:
    return cache_dir() / "hls" / shard(video_id) / video_id


def delete_generated(video_id: str, keep_custom_thumb: bool = True) -> None:
    """Remove previews, sprite, VTT and generated thumbnail (a rebuild starts clean)."""
    for name in (THUMB, PREVIEW, SPRITE, TRICKPLAY):
        asset(video_id, name).unlink(missing_ok=True)
    if not keep_custom_thumb:
        asset(video_id, CUSTOM_THUMB).unlink(missing_ok=True)


def delete_video_files(video_id: str) -> None:
    """Everything generated for a video (called when its row is deleted)."""
    shutil.rmtree(video_dir(video_id), ignore_errors=True)
    shutil.rmtree(hls_dir(video_id), ignore_errors=True)
