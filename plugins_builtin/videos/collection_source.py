"""What collections can hold of this plugin: videos (movies and episodes), the rule fields they
answer and how a collection shows them (``obscura_collection_sources``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from plugin_sdk import CollectionItemView, CollectionSource, RuleField
from plugin_sdk.collections import editable_rule_fields, link_rule_fields
from plugins_builtin.videos import assets, queues
from plugins_builtin.videos.models import Video

RESOLUTIONS = ("4K", "1080p", "720p", "480p")


def _resolution() -> Any:
    """The height bucket a player shows: 4K ≥ 2160, 1080p ≥ 1080, 720p ≥ 720, else 480p (NULL unprobed)."""
    return case(
        (Video.height >= 2160, "4K"),
        (Video.height >= 1080, "1080p"),
        (Video.height >= 720, "720p"),
        (Video.height.is_not(None), "480p"),
        else_=None,
    )


def _duration(seconds: float | None) -> str | None:
    if not seconds:
        return None
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def views(db: Session, ids: Sequence[str]) -> dict[str, CollectionItemView]:
    from plugins_builtin.videos.routes.serialize import thumbnail_url

    out: dict[str, CollectionItemView] = {}
    for video in db.execute(select(Video).where(Video.id.in_(list(ids)))).scalars():
        thumb = thumbnail_url(video)
        out[video.id] = CollectionItemView(
            id=video.id, title=video.title, url=f"/videos/{video.id}", thumbnail_url=thumb, image_url=thumb,
            subtitle=_duration(video.duration),
        )  # fmt: skip
    return out


def thumbnail_files(db: Session, ids: Sequence[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    rows = db.execute(select(Video.id, Video.custom_thumbnail).where(Video.id.in_(list(ids)))).all()
    for video_id, custom in rows:
        for name in (assets.CUSTOM_THUMB, assets.THUMB) if custom else (assets.THUMB,):
            path = assets.asset(video_id, name)
            if path.is_file():
                out[video_id] = path
                break
    return out


def sources() -> list[CollectionSource]:
    fields = [
        *editable_rule_fields(Video),
        RuleField("fileSize", "File size (bytes)", "number", Video.file_size),
        RuleField("duration", "Duration", "duration", Video.duration),
        RuleField("resolution", "Resolution", "enum", _resolution(), options=RESOLUTIONS),
        RuleField("codec", "Video codec", "text", Video.video_codec),
        RuleField("playCount", "Play count", "number", Video.play_count),
        RuleField("videoKind", "Movie or episode", "enum", Video.kind, options=("movie", "episode")),
        *link_rule_fields(),
    ]
    after = (queues.LIBRARY_SCAN, queues.MEDIA_PROBE)
    return [
        CollectionSource(
            kind="video", label="Videos", table=Video, id_column=Video.id, title_column=Video.sort_title,
            fields=fields, views=views, thumbnail_files=thumbnail_files, refresh_after=after, order=10,
        )
    ]  # fmt: skip
