"""API shapes of audio libraries, tracks and markers."""

from __future__ import annotations

from datetime import datetime

from plugin_sdk.http import ApiModel
from plugin_sdk.markers import MarkerOut
from plugins_builtin.audio.models import AudioLibrary, AudioMarker, AudioTrack


class TrackOut(ApiModel):
    id: str
    title: str
    library_id: str | None
    sort_order: int
    artist: str | None
    album: str | None
    track_number: int | None
    duration: float | None
    codec: str | None
    rating: int | None
    play_count: int
    resume_time: float | None
    is_nsfw: bool
    stream_url: str
    cover_url: str | None
    waveform_url: str | None
    created_at: datetime


class TrackDetail(TrackOut):
    album_artist: str | None
    disc_number: int | None
    year: int | None
    genre: str | None
    details: str | None
    organized: bool
    file_path: str
    file_size: int | None
    bit_rate: int | None
    sample_rate: int | None
    channels: int | None
    container: str | None
    md5: str | None
    oshash: str | None
    probe_error: str | None
    library_title: str | None
    last_played_at: datetime | None
    markers: list[MarkerOut]
    edited_fields: list[str]


class LibraryOut(ApiModel):
    id: str
    title: str
    parent_id: str | None
    folder_path: str
    track_count: int
    cover_url: str | None
    rating: int | None
    organized: bool
    is_nsfw: bool
    created_at: datetime


def track_out(t: AudioTrack) -> TrackOut:
    return TrackOut(
        id=t.id, title=t.title, library_id=t.library_id, sort_order=t.sort_order, artist=t.artist, album=t.album,
        track_number=t.track_number, duration=t.duration, codec=t.codec, rating=t.rating, play_count=t.play_count,
        resume_time=t.resume_time, is_nsfw=t.is_nsfw, stream_url=f"/api/audio-stream/{t.id}",
        cover_url=f"/api/audio-tracks/{t.id}/cover" if t.has_cover else None,
        waveform_url=f"/api/audio-tracks/{t.id}/waveform" if t.waveform_at else None, created_at=t.created_at,
    )  # fmt: skip


def track_detail(t: AudioTrack, library_title: str | None, markers: list[AudioMarker]) -> TrackDetail:
    return TrackDetail(
        **track_out(t).model_dump(),
        album_artist=t.album_artist, disc_number=t.disc_number, year=t.year, genre=t.genre, details=t.details,
        organized=t.organized, file_path=t.file_path, file_size=t.file_size, bit_rate=t.bit_rate,
        sample_rate=t.sample_rate, channels=t.channels, container=t.container, md5=t.md5, oshash=t.oshash,
        probe_error=t.probe_error, library_title=library_title, last_played_at=t.last_played_at,
        markers=[MarkerOut.model_validate(m) for m in markers], edited_fields=list(t.edited_fields or []),
    )  # fmt: skip


def library_out(lib: AudioLibrary) -> LibraryOut:
    return LibraryOut(
        id=lib.id, title=lib.title, parent_id=lib.parent_id, folder_path=lib.folder_path, track_count=lib.track_count,
        cover_url=f"/api/audio-libraries/{lib.id}/cover" if lib.cover else None, rating=lib.rating,
        organized=lib.organized, is_nsfw=lib.is_nsfw, created_at=lib.created_at,
    )  # fmt: skip
