"""Helpers shared by the videos routes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from plugin_sdk.errors import NotFoundError
from plugin_sdk.files import source_path
from plugins_builtin.videos.models import Video


def get_video(db: Session, video_id: str) -> Video:
    video = db.get(Video, video_id) if len(video_id) <= 64 else None
    if video is None:
        raise NotFoundError(f"No video with id '{video_id}'.")
    return video


def video_source(db: Session, video: Video) -> Path:
    """The video's file, confined to its library root; 404 when it is gone from disk."""
    return source_path(db, video, "video")
