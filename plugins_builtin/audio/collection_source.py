"""What collections can hold of this plugin: audio tracks, the rule fields they answer and how a
collection shows them (``obscura_collection_sources``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import CollectionItemView, CollectionSource, RuleField
from plugin_sdk.collections import editable_rule_fields, link_rule_fields
from plugins_builtin.audio import assets, queues
from plugins_builtin.audio.models import AudioLibrary, AudioTrack


def _stamp(track: AudioTrack) -> int:
    return int(track.updated_at.timestamp()) if track.updated_at else 0


def views(db: Session, ids: Sequence[str]) -> dict[str, CollectionItemView]:
    rows = db.execute(
        select(AudioTrack, AudioLibrary.cover)
        .outerjoin(AudioLibrary, AudioLibrary.id == AudioTrack.library_id)
        .where(AudioTrack.id.in_(list(ids)))
    ).all()
    out: dict[str, CollectionItemView] = {}
    for track, library_cover in rows:
        cover = f"/api/audio-tracks/{track.id}/cover?v={_stamp(track)}" if track.has_cover or library_cover else None
        out[track.id] = CollectionItemView(
            id=track.id, title=track.title, url=f"/audio/tracks/{track.id}", thumbnail_url=cover, image_url=cover,
            subtitle=track.artist or track.album_artist or track.album,
        )  # fmt: skip
    return out


def thumbnail_files(db: Session, ids: Sequence[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for track_id, library_id in db.execute(
        select(AudioTrack.id, AudioTrack.library_id).where(AudioTrack.id.in_(list(ids)))
    ).all():
        candidates = [assets.track_file(track_id, assets.COVER)]
        if library_id:
            candidates.append(assets.library_file(library_id, assets.COVER))
        found = next((p for p in candidates if p.is_file()), None)
        if found is not None:
            out[track_id] = found
    return out


def sources() -> list[CollectionSource]:
    t = AudioTrack
    fields = [
        *editable_rule_fields(t, date=False),
        RuleField("fileSize", "File size (bytes)", "number", t.file_size),
        RuleField("duration", "Duration", "duration", t.duration),
        RuleField("bitRate", "Bit rate (bit/s)", "number", t.bit_rate),
        RuleField("channels", "Channels", "number", t.channels),
        RuleField("playCount", "Play count", "number", t.play_count),
        RuleField("artist", "Artist", "text", t.artist),
        RuleField("album", "Album", "text", t.album),
        RuleField("genre", "Genre", "text", t.genre),
        RuleField("year", "Year", "number", t.year),
        RuleField("codec", "Codec", "text", t.codec),
        *link_rule_fields(),
    ]
    return [
        CollectionSource(
            kind="audio-track", label="Audio tracks", table=t, id_column=t.id, title_column=t.sort_title,
            fields=fields, views=views, thumbnail_files=thumbnail_files,
            refresh_after=(queues.AUDIO_SCAN, queues.AUDIO_PROBE), order=40,
        )
    ]  # fmt: skip
