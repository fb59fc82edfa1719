"""Processors of ``media-probe`` and ``fingerprint``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import JobContext
from plugin_sdk.errors import ForbiddenError
from plugin_sdk.hashing import md5_file, oshash_file, phash_to_hex
from plugin_sdk.media import MediaError, ffmpeg_bin, probe
from plugin_sdk.models import LibraryRoot, LibrarySettings
from plugin_sdk.settings import read_settings
from plugin_sdk.storage import confine
from plugin_sdk.videophash import video_phash
from plugins_builtin.videos.models import Video
from plugins_builtin.videos.settings import GENERATION

log = logging.getLogger("obscura.videos")

TECH_FIELDS = ("duration", "width", "height", "frame_rate", "bit_rate", "video_codec", "audio_codec", "container")


def source_path(db: Session, video: Video) -> Path:
    """The video's file, checked to lie inside its library root."""
    root = db.get(LibraryRoot, video.library_root_id)
    if root is None:
        raise ForbiddenError("the video's library root is gone")
    return confine(video.file_path, [root.path])


def _video(ctx: JobContext, payload: Mapping[str, Any]) -> Video | None:
    return ctx.db.get(Video, payload.get("videoId"))


def process_media_probe(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Probe a batch of videos (``videoIds``; a run queued before batches, ``videoId``, is a batch
    of one): the result lists each video's under ``videos``; a file that cannot be read is reported
    there and the rest of the batch goes on.

    A run a scan queued is skipped (nothing read, nothing follows) while "Read media details"
    (``auto_generate_metadata``) is off; one a person asked for (``explicit``: Run missing, an
    upload) always runs."""
    ids = [str(i) for i in payload.get("videoIds") or ([payload["videoId"]] if payload.get("videoId") else [])]
    if not payload.get("explicit") and not LibrarySettings.get(ctx.db).auto_generate_metadata:
        skipped = "reading media details is off (Settings → Generation)"
        return {"videos": [], "probed": 0, "failed": 0, "missing": 0, "skipped": skipped, "videoIds": ids}
    found = {v.id: v for v in ctx.db.execute(select(Video).where(Video.id.in_(ids))).scalars()}
    results: list[dict[str, Any]] = []
    for index, video_id in enumerate(ids):
        if ctx.cancelled():
            break
        video = found.get(video_id)
        if video is None:
            continue
        try:
            results.append(_probe_one(ctx, video))
        except (OSError, ForbiddenError) as exc:
            ctx.db.rollback()
            log.warning("media-probe: %s: %s", video_id, exc)
            results.append({"videoId": video_id, "title": video.title, "probed": False, "error": str(exc)[:2000]})
        ctx.progress(100 * (index + 1) / len(ids))
    return {
        "videos": results,
        "probed": sum(1 for r in results if r.get("probed")),
        "failed": sum(1 for r in results if not r.get("probed")),
        "missing": len(ids) - len(found),
    }


def _probe_one(ctx: JobContext, video: Video) -> dict[str, Any]:
    """ffprobe one video into its row and commit; a corrupt file leaves its technical fields empty."""
    path = source_path(ctx.db, video)
    now = datetime.now(UTC)
    try:
        info = probe(path)
    except MediaError as exc:
        # A corrupt or non-media file: the row stays, its technical fields empty; the job completes.
        log.warning("media-probe: %s", exc)
        for field in TECH_FIELDS:
            setattr(video, field, None)
        video.probe_error = str(exc)[:2000]
        video.probed_at = now
        try:
            video.file_size = path.stat().st_size
        except OSError:
            pass
        ctx.db.commit()
        return {"videoId": video.id, "title": video.title, "probed": False, "error": video.probe_error}
    video.duration = info.duration
    video.width, video.height = info.width, info.height
    video.frame_rate, video.bit_rate = info.frame_rate, info.bit_rate
    video.video_codec, video.audio_codec = info.video_codec, info.audio_codec
    video.container = info.container
    video.file_size = info.size
    video.probe_error = None
    video.probed_at = now
    ctx.db.commit()
    return {
        "videoId": video.id,
        "title": video.title,
        "probed": True,
        "duration": info.duration,
        "width": info.width,
        "height": info.height,
        "videoCodec": info.video_codec,
        "audioCodec": info.audio_codec,
        "subtitleStreams": sum(1 for s in info.streams if s.kind == "subtitle"),
    }


def process_fingerprint(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    video = _video(ctx, payload)
    if video is None:
        return {"videoId": payload.get("videoId"), "skipped": "the video no longer exists"}
    path = source_path(ctx.db, video)
    phash_only = bool(payload.get("phashOnly"))
    result: dict[str, Any] = {"videoId": video.id}
    if not phash_only:
        video.md5 = md5_file(path)
        ctx.progress(40, "md5")
        try:
            video.oshash = oshash_file(path)
        except ValueError as exc:  # files of 8 bytes or less have no oshash
            result["oshashError"] = str(exc)
        ctx.progress(60, "oshash")
        ctx.db.commit()
        result.update(md5=video.md5, oshash=video.oshash)
    want_phash = phash_only or read_settings(ctx.db, GENERATION).generate_phash
    if want_phash:
        result["phash"] = _phash(ctx, video, path, force=phash_only)
    else:  # a part this job leaves out, not a failure: Run pHash backfill computes it on request
        result["skippedParts"] = {"phash": "pHash is off (Settings → Video previews & fingerprints)"}
    ctx.db.commit()
    return result


def _phash(ctx: JobContext, video: Video, path: Path, force: bool) -> str | None:
    if video.phash and not force:
        return video.phash
    if not video.duration or video.duration <= 0:
        return None  # not decodable (probe failed): nothing to hash
    if video.oshash and not force:
        # Stash's reuse rule: the same file elsewhere already has a phash
        twin = ctx.db.execute(
            select(Video.phash).where(Video.oshash == video.oshash, Video.phash.is_not(None), Video.id != video.id)
        ).scalar()
        if twin:
            video.phash = twin
            return twin
    try:
        video.phash = phash_to_hex(video_phash(path, video.duration, ffmpeg=ffmpeg_bin()))
    except Exception as exc:
        log.warning("phash of %s failed: %s", path, exc)
        return None
    return video.phash
