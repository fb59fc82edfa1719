"""Processors of ``audio-probe``, ``audio-fingerprint`` and ``audio-waveform``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import JobContext
from plugin_sdk.diskspace import ensure_free_space
from plugin_sdk.errors import ForbiddenError
from plugin_sdk.hashing import md5_file, oshash_file
from plugin_sdk.media import MediaError, ffmpeg_bin, probe
from plugin_sdk.models import LibraryRoot
from plugin_sdk.storage import confine
from plugins_builtin.audio import assets, waveform
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.scan import title_from_file
from plugins_builtin.audio.tags import AudioInfo, read_audio

log = logging.getLogger("obscura.audio")

TAG_FIELDS = ("artist", "album", "album_artist", "track_number", "disc_number", "year", "genre")
TECH_FIELDS = ("duration", "bit_rate", "sample_rate", "channels", "codec", "container")


def track_ids(payload: Mapping[str, Any]) -> list[str]:
    ids = payload.get("trackIds") or ([payload["trackId"]] if payload.get("trackId") else [])
    return [str(i) for i in ids]


def source_path(db: Session, track: AudioTrack, roots: dict[str, str]) -> Path:
    root_path = roots.get(track.library_root_id or "")
    if root_path is None:
        root = db.get(LibraryRoot, track.library_root_id) if track.library_root_id else None
        if root is None:
            raise ForbiddenError("the track's library root is gone")
        root_path = roots[root.id] = root.path
    return confine(track.file_path, [root_path])


def _ffprobe_info(path: Path) -> AudioInfo:
    """The fallback when mutagen cannot parse a file: ffprobe's technical fields and format tags."""
    info = probe(path)
    stream = next((s for s in info.streams if s.kind == "audio"), None)
    if stream is None:
        raise MediaError(f"{path.name} has no audio stream")
    tags = info.tags
    return AudioInfo(
        title=tags.get("title"), artist=tags.get("artist"), album=tags.get("album"),
        album_artist=tags.get("album_artist"), genre=tags.get("genre"),
        duration=info.duration, bit_rate=info.bit_rate, sample_rate=stream.sample_rate, channels=stream.channels,
        codec=info.audio_codec, container=info.container,
    )  # fmt: skip


def _apply(db: Session, track: AudioTrack, info: AudioInfo) -> None:
    edited = set(track.edited_fields or [])
    for field in TECH_FIELDS:
        setattr(track, field, getattr(info, field))
    for field in TAG_FIELDS:
        value = getattr(info, field)
        if field not in edited and value is not None:
            setattr(track, field, value)
    # an embedded title replaces the file-name title only if the user has not edited it
    if info.title and "title" not in edited:
        track.title = info.title
        track.sort_title = info.title.lower()
    if info.cover:
        try:
            assets.save_cover(info.cover, assets.track_file(track.id, assets.COVER))
            track.has_cover = True
        except (OSError, ValueError) as exc:
            log.info("embedded cover of %s unreadable: %s", track.file_path, exc)
        library = db.get(AudioLibrary, track.library_id) if track.library_id and track.has_cover else None
        if library is not None and library.cover is None:
            try:
                assets.save_cover(info.cover, assets.library_file(library.id, assets.COVER))
                library.cover = "embedded"
            except (OSError, ValueError):
                pass


def process_audio_probe(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    ids = track_ids(payload)
    tracks = {t.id: t for t in ctx.db.execute(select(AudioTrack).where(AudioTrack.id.in_(ids))).scalars()}
    roots: dict[str, str] = {}
    probed: list[str] = []
    failed: list[dict[str, str]] = []
    for index, track_id in enumerate(ids):
        track = tracks.get(track_id)
        if track is None:
            continue
        path = source_path(ctx.db, track, roots)
        try:
            info = read_audio(path) or _ffprobe_info(path)
        except (MediaError, OSError) as exc:
            # a corrupt file: reported on its row, the rest of the batch goes on
            log.warning("audio-probe: %s", exc)
            track.probe_error = str(exc)[:2000]
            track.probed_at = datetime.now(UTC)
            failed.append({"trackId": track.id, "error": track.probe_error})
            continue
        _apply(ctx.db, track, info)
        track.probe_error = None
        track.probed_at = datetime.now(UTC)
        if track.title == "":
            track.title = title_from_file(track.file_path)
        probed.append(track.id)
        if index % 20 == 19:
            ctx.db.commit()
            ctx.progress(100 * (index + 1) / len(ids))
    ctx.db.commit()
    return {"trackIds": probed, "failed": failed}


def process_audio_fingerprint(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    ids = track_ids(payload)
    roots: dict[str, str] = {}
    done = 0
    for index, track in enumerate(ctx.db.execute(select(AudioTrack).where(AudioTrack.id.in_(ids))).scalars()):
        path = source_path(ctx.db, track, roots)
        try:
            track.md5 = md5_file(path)
            track.oshash = oshash_file(path) if path.stat().st_size > 8 else None
            done += 1
        except OSError as exc:
            log.warning("audio-fingerprint of %s: %s", path, exc)
        ctx.progress(100 * (index + 1) / max(len(ids), 1))
    ctx.db.commit()
    return {"fingerprinted": done}


def process_audio_waveform(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    track = ctx.db.get(AudioTrack, payload.get("trackId"))
    if track is None:
        return {"trackId": payload.get("trackId"), "skipped": "the track no longer exists"}
    if track.probe_error:
        return {"trackId": track.id, "skipped": "the file could not be read (see its probe error)"}
    path = source_path(ctx.db, track, {})
    try:
        document = waveform.compute(path, track.duration, ffmpeg=ffmpeg_bin())
    except MediaError as exc:
        log.warning("waveform of %s: %s", path, exc)
        return {"trackId": track.id, "error": str(exc)[:1000]}
    target = assets.track_file(track.id, assets.WAVEFORM)
    ensure_free_space(ctx.db, target.parent)  # a full disk fails the run at once, saying so
    size = waveform.write(document, target)
    track.waveform_at = datetime.now(UTC)
    ctx.db.commit()
    return {"trackId": track.id, "points": document["length"], "bytes": size}
