"""The ``extract-subtitles`` processor: sidecar and embedded text subtitles to WebVTT rows."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from plugin_sdk import JobContext
from plugin_sdk.db import new_id
from plugin_sdk.media import MediaError, ffmpeg_bin, probe
from plugin_sdk.settings import read_settings
from plugins_builtin.videos import assets
from plugins_builtin.videos.media.subtitles_extract import convert_sidecar, extract_text_subtitles
from plugins_builtin.videos.models import Video, VideoSubtitle
from plugins_builtin.videos.processors import source_path
from plugins_builtin.videos.scanning.subtitle_files import discover_subtitle_sidecars
from plugins_builtin.videos.settings import GENERATION

log = logging.getLogger("obscura.videos")


def upsert_track(db: Session, video_id: str, source: str, source_key: str, **values: Any) -> None:
    row = {"id": new_id(), "video_id": video_id, "source": source, "source_key": source_key, **values}
    db.execute(
        insert(VideoSubtitle)
        .values(**row)
        .on_conflict_do_update(
            index_elements=["video_id", "source", "source_key"],
            set_={k: v for k, v in values.items()},
        )
    )


def _drop_tracks(db: Session, video_id: str, source: str, keep: set[str]) -> int:
    stale = db.execute(
        select(VideoSubtitle).where(VideoSubtitle.video_id == video_id, VideoSubtitle.source == source)
    ).scalars()
    removed = 0
    for track in stale:
        if track.source_key in keep:
            continue
        assets.subtitle_file(video_id, track.file_name).unlink(missing_ok=True)
        if track.raw_file_name:
            assets.subtitle_file(video_id, track.raw_file_name).unlink(missing_ok=True)
        db.execute(delete(VideoSubtitle).where(VideoSubtitle.id == track.id))
        removed += 1
    return removed


def process_extract_subtitles(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Sidecar and embedded text subtitles of one video to WebVTT rows. A run queued automatically
    (a scan, a probe's follow-up) is skipped while the Subtitles switch is off; one a person asked
    for (``explicit``: Run missing) always runs."""
    if not payload.get("explicit") and not read_settings(ctx.db, GENERATION).generate_subtitles:
        skipped = "subtitles are off (Settings → Video previews & fingerprints)"
        return {"videoId": payload.get("videoId"), "skipped": skipped}
    video = ctx.db.get(Video, payload.get("videoId"))
    if video is None:
        return {"videoId": payload.get("videoId"), "skipped": "the video no longer exists"}
    src = source_path(ctx.db, video)
    out_dir = assets.video_dir(video.id) / assets.SUBTITLES
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"videoId": video.id, "sidecar": 0, "embedded": 0, "skipped": []}

    keep: set[str] = set()
    for sidecar in discover_subtitle_sidecars(src):
        key = str(sidecar.path)
        name = f"sidecar-{hashlib.sha1(key.encode()).hexdigest()[:12]}.vtt"
        try:
            convert_sidecar(sidecar.path, out_dir / name)
        except (OSError, ValueError, MediaError) as exc:
            result["skipped"].append({"file": sidecar.path.name, "reason": str(exc)})
            continue
        upsert_track(
            ctx.db,
            video.id,
            "sidecar",
            key,
            language=sidecar.language,
            label=sidecar.label,
            source_format=sidecar.format,
            file_name=name,
            raw_file_name=None,
        )
        keep.add(key)
        result["sidecar"] += 1
    result["removed"] = _drop_tracks(ctx.db, video.id, "sidecar", keep)
    ctx.progress(40, "sidecar subtitles")

    if video.duration:
        try:
            streams = probe(src).streams
            extracted = extract_text_subtitles(src, streams, out_dir, ffmpeg=ffmpeg_bin())
        except MediaError as exc:
            result["skipped"].append({"file": src.name, "reason": str(exc)})
        else:
            embedded_keep: set[str] = set()
            for track in extracted.tracks:
                key = str(track.stream_index)
                upsert_track(
                    ctx.db,
                    video.id,
                    "embedded",
                    key,
                    language=track.language,
                    label=track.label,
                    source_format=track.source_format,
                    file_name=track.vtt_path.name,
                    raw_file_name=track.raw_path.name if track.raw_path else None,
                    is_default=track.is_default,
                    forced=track.forced,
                )
                embedded_keep.add(key)
                result["embedded"] += 1
            _drop_tracks(ctx.db, video.id, "embedded", embedded_keep)
            result["skipped"].extend(
                {"stream": s.stream_index, "codec": s.codec, "reason": s.reason} for s in extracted.skipped
            )
    video.subtitles_at = datetime.now(UTC)
    ctx.db.commit()
    return result
