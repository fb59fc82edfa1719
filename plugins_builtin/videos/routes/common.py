"""Helpers shared by the videos routes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from plugin_sdk.files import source_path
from plugin_sdk.rows import get_row
from plugins_builtin.videos.models import Video


def get_video(db: Session, video_id: str) -> Video:
    return get_row(db, Video, video_id, f"No video with id '{video_id}'.")


def video_source(db: Session, video: Video) -> Path:
    """The video's file, confined to its library root; 404 when it is gone from disk."""
    return source_path(db, video, "video")
