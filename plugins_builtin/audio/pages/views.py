"""What the audio pages show, already formatted: library cards, track rows and the queue items the
mini player receives, with the few queries that build them (a constant number per page, no N+1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugin_sdk import nesting
from plugin_sdk.formatting import fmt_duration
from plugins_builtin.audio.models import AudioLibrary, AudioMarker, AudioTrack
from plugins_builtin.audio.routes.tracks import DIRECT_CODECS

CODEC_LABELS = {
    "mp3": "MP3", "flac": "FLAC", "vorbis": "Vorbis", "opus": "Opus", "aac": "AAC", "alac": "ALAC",
    "wmav1": "WMA", "wmav2": "WMA", "wmapro": "WMA Pro", "wmalossless": "WMA Lossless", "ac3": "AC-3",
    "eac3": "E-AC-3", "dts": "DTS", "ape": "APE", "wavpack": "WavPack", "mp2": "MP2", "amr_nb": "AMR",
    "tta": "TTA",
}  # fmt: skip
MAX_DEPTH = 12  # how far up the breadcrumbs follow parent libraries
ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


# ------------------------------------------------------------------------------------------ formatting


def fmt_runtime(seconds: float | None) -> str:
    """A total in words: ``42 min``, ``3 h 20 min``; under a minute in seconds."""
    if not seconds:
        return ""
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    hours, mins = minutes // 60, minutes % 60
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{minutes} min"


def codec_label(codec: str | None, container: str | None = None) -> str:
    """A short name users know: ``MP3``, ``FLAC``, ``WAV`` (PCM in a WAV file), ``WMA``…"""
    c = (codec or "").lower()
    if c.startswith("pcm_"):
        box = (container or "").lower()
        return "AIFF" if "aiff" in box else "WAV" if "wav" in box else "PCM"
    return CODEC_LABELS.get(c, c.upper())


def plays_in_browser(codec: str | None) -> bool:
    """Whether the stream is the file itself (seekable with ranges) rather than a live MP3 transcode."""
    return (codec or "").lower() in DIRECT_CODECS


def _stamp(when: datetime | None) -> int:
    return int(when.timestamp()) if when else 0


def library_cover_url(library_id: str, updated_at: datetime | None) -> str:
    return f"/api/audio-libraries/{library_id}/cover?v={_stamp(updated_at)}"


# ------------------------------------------------------------------------------------------ libraries


@dataclass(slots=True)
class LibraryCard:
    """A library as a card of the grid (and of a library's sub-libraries)."""

    id: str
    title: str
    url: str
    cover: str | None
    tracks: int
    children: int
    artist: str | None
    year: int | None
    runtime: str


def library_cards(db: Session, libraries: list[AudioLibrary]) -> list[LibraryCard]:
    """Cards for ``libraries``: three aggregate queries for the whole list (stats, children, covers)."""
    ids = [lib.id for lib in libraries]
    if not ids:
        return []
    artist = func.coalesce(AudioTrack.album_artist, AudioTrack.artist)
    stats = {
        lid: (int(n), mode, year, float(total or 0))
        for lid, n, mode, year, total in db.execute(
            select(
                AudioTrack.library_id,
                func.count(),
                func.mode().within_group(artist),
                func.max(AudioTrack.year),
                func.sum(AudioTrack.duration),
            )
            .where(AudioTrack.library_id.in_(ids))
            .group_by(AudioTrack.library_id)
        ).all()
    }
    children = nesting.child_counts(db, AudioLibrary.parent_id, ids)
    # a folder without its own cover shows the cover of its first sub-library that has one
    uncovered = [lib.id for lib in libraries if not lib.cover]
    child_covers: dict[str, str] = {}
    if uncovered:
        covered = select(AudioLibrary.parent_id, AudioLibrary.id, AudioLibrary.updated_at).where(
            AudioLibrary.cover.is_not(None)
        )
        order = [AudioLibrary.sort_title, AudioLibrary.id]
        for parent, cid, updated in nesting.first_children(db, covered, AudioLibrary.parent_id, uncovered, order):
            child_covers[parent] = library_cover_url(cid, updated)
    cards = []
    for lib in libraries:
        n, mode, year, total = stats.get(lib.id, (0, None, None, 0.0))
        cards.append(
            LibraryCard(
                id=lib.id,
                title=lib.title,
                url=f"/audio/libraries/{lib.id}",
                cover=library_cover_url(lib.id, lib.updated_at) if lib.cover else child_covers.get(lib.id),
                tracks=n,
                children=children.get(lib.id, 0),
                artist=mode,
                year=year,
                runtime=fmt_runtime(total),
            )
        )
    return cards


def ancestors(db: Session, library: AudioLibrary) -> list[tuple[str, str]]:
    """``(id, title)`` of the library's parents, outermost first (bounded, cycle-safe)."""
    return nesting.ancestors(db, AudioLibrary, library, MAX_DEPTH)


# ------------------------------------------------------------------------------------------ tracks


@dataclass(slots=True)
class TrackRow:
    """A track as a row of a track list, with what the mini player needs to queue it."""

    id: str
    position: int
    number: str
    title: str
    artist: str | None
    album: str | None
    duration: str
    seconds: float | None
    codec: str
    transcoded: bool
    markers: int
    error: str | None
    pending: bool
    plays: int
    url: str
    cover: str | None
    waveform: str | None
    stream: str
    library_id: str | None
    library_title: str | None

    @property
    def playable(self) -> bool:
        return not self.error

    def item(self) -> dict[str, Any]:
        """The queue item the mini player stores (camelCase, JSON-ready)."""
        return {
            "id": self.id,
            "title": self.title,
            "artist": self.artist,
            "album": self.album,
            "duration": self.seconds,
            "coverUrl": self.cover,
            "waveformUrl": self.waveform,
            "streamUrl": self.stream,
            "transcoded": self.transcoded,
            "url": self.url,
            "libraryId": self.library_id,
            "libraryTitle": self.library_title,
        }


def short_error(error: str | None) -> str | None:
    """A probe error on one line, short enough for a track row."""
    if error is None:
        return None
    text = " ".join(error.split())
    return (text[:297] + "…" if len(text) > 300 else text) or "This file could not be read."


def track_cover_url(track: AudioTrack, library_cover: str | None) -> str | None:
    if track.has_cover:
        return f"/api/audio-tracks/{track.id}/cover?v={_stamp(track.updated_at)}"
    return library_cover


def track_rows(db: Session, tracks: list[AudioTrack], numbers: bool = True) -> list[TrackRow]:
    """Rows for ``tracks`` (in the given order): one query for marker counts, one for library titles.

    ``numbers``: show the tags' track numbers (a library's list) rather than positions (search results).
    """
    ids = [t.id for t in tracks]
    if not ids:
        return []
    markers = dict(
        db.execute(
            select(AudioMarker.track_id, func.count())
            .where(AudioMarker.track_id.in_(ids))
            .group_by(AudioMarker.track_id)
        ).all()
    )
    lib_ids = {t.library_id for t in tracks if t.library_id}
    libs = {
        lid: (title, library_cover_url(lid, updated) if cover else None)
        for lid, title, cover, updated in db.execute(
            select(AudioLibrary.id, AudioLibrary.title, AudioLibrary.cover, AudioLibrary.updated_at).where(
                AudioLibrary.id.in_(lib_ids)
            )
        ).all()
    }
    numbered = numbers and any(t.track_number for t in tracks)  # untagged tracks among tagged ones: a dash
    rows = []
    for i, t in enumerate(tracks, start=1):
        lib_title, lib_cover = libs.get(t.library_id or "", (None, None))
        error = t.probe_error
        rows.append(
            TrackRow(
                id=t.id,
                position=i,
                number=str(t.track_number) if numbered and t.track_number else ("–" if numbered else str(i)),
                title=t.title,
                artist=t.artist or t.album_artist,
                album=t.album,
                duration=fmt_duration(t.duration),
                seconds=t.duration,
                codec=codec_label(t.codec, t.container),
                transcoded=not plays_in_browser(t.codec),
                markers=int(markers.get(t.id, 0)),
                error=short_error(error),
                pending=t.probed_at is None and not error,
                plays=t.play_count,
                url=f"/audio/tracks/{t.id}",
                cover=track_cover_url(t, lib_cover),
                waveform=f"/api/audio-tracks/{t.id}/waveform?v={_stamp(t.waveform_at)}" if t.waveform_at else None,
                stream=f"/api/audio-stream/{t.id}",
                library_id=t.library_id,
                library_title=lib_title,
            )
        )
    return rows


def valid_id(value: str) -> bool:
    """Whether ``value`` can be a row id (no NUL bytes or other text PostgreSQL would refuse)."""
    return bool(ID_RE.fullmatch(value))
