"""``/audio/tracks/<id>``: one track — cover, tags, file facts, its waveform with markers, the
markers list (add, rename, delete) and the tag edit form. The page module (``track.js``) talks to
the JSON API for edits and to the mini player for playback. Unknown ids get the HTML 404 page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_bytes, fmt_date, fmt_duration
from plugin_sdk.pages import render_panels
from plugins_builtin.audio.models import AudioLibrary, AudioMarker, AudioTrack
from plugins_builtin.audio.pages.library import not_found
from plugins_builtin.audio.pages.views import ancestors, track_rows, valid_id

EDIT_FIELDS = [  # (field, label, input type, camelCase API name)
    ("title", "Title", "text", "title"),
    ("artist", "Artist", "text", "artist"),
    ("album", "Album", "text", "album"),
    ("album_artist", "Album artist", "text", "albumArtist"),
    ("track_number", "Track number", "number", "trackNumber"),
    ("disc_number", "Disc number", "number", "discNumber"),
    ("year", "Year", "number", "year"),
    ("genre", "Genre", "text", "genre"),
]


def _of(n: int | None, total: int | None) -> str:
    return "" if not n else f"{n} of {total}" if total else str(n)


def _channels(n: int | None) -> str:
    return {1: "Mono", 2: "Stereo"}.get(n or 0, f"{n} channels" if n else "")


def track_context(db: Session, track: AudioTrack) -> dict[str, Any]:
    """Everything the track page shows."""
    row = track_rows(db, [track])[0]
    library = db.get(AudioLibrary, track.library_id) if track.library_id else None
    markers = list(
        db.execute(
            select(AudioMarker).where(AudioMarker.track_id == track.id).order_by(AudioMarker.seconds, AudioMarker.id)
        ).scalars()
    )
    crumbs = [*ancestors(db, library), (library.id, library.title)] if library else []
    facts = [
        ("Artist", track.artist or ""),
        ("Album", track.album or ""),
        ("Album artist", track.album_artist if track.album_artist and track.album_artist != track.artist else ""),
        ("Track", _of(track.track_number, None)),
        ("Disc", _of(track.disc_number, None)),
        ("Year", str(track.year) if track.year else ""),
        ("Genre", track.genre or ""),
        ("Duration", fmt_duration(track.duration)),
        ("Format", " · ".join(dict.fromkeys(p for p in (row.codec, (track.container or "").upper()) if p))),
        ("Bit rate", f"{round(track.bit_rate / 1000)} kb/s" if track.bit_rate else ""),
        ("Sample rate", f"{track.sample_rate / 1000:g} kHz" if track.sample_rate else ""),
        ("Channels", _channels(track.channels)),
        ("File size", fmt_bytes(track.file_size)),
        ("Plays", f"{track.play_count:,}" if track.play_count else "Never played"),
        ("Last played", fmt_date(track.last_played_at)),
        ("Added", fmt_date(track.created_at)),
        ("File", track.file_path),
    ]
    subtitle = [
        p for p in (track.artist or track.album_artist, track.album, str(track.year) if track.year else None) if p
    ]
    return {
        "track": track,
        "row": row,
        "item": row.item() if row.playable else None,
        "library": library,
        "crumbs": crumbs,
        "subtitle": subtitle,
        "facts": [(k, v) for k, v in facts if v],
        "markers": [
            {"id": m.id, "title": m.title, "seconds": m.seconds, "time": fmt_duration(m.seconds)} for m in markers
        ],
        "fields": [(f, label, kind, api, getattr(track, f)) for f, label, kind, api in EDIT_FIELDS],
        "nav_active": "/audio",
    }


def register(bp: Blueprint) -> None:
    """Add ``/audio/tracks/<id>`` to the pages blueprint."""

    @bp.get("/audio/tracks/<track_id>")
    def track_page(track_id: str) -> Any:
        db = get_db()
        track = db.get(AudioTrack, track_id) if valid_id(track_id) else None
        if track is None:
            return not_found("track")
        panels = render_panels("audio-track", track.id, css_class="at-panel")
        return render_template("audio/track.html", **track_context(db, track), panels=panels)
