"""``/audio/libraries/<id>``: a library's cover and facts, its sub-libraries and its track list.

The tracks the mini player may queue are in the page as JSON (``#audio-tracks``): the page module
(``library.js``) plays, shuffles and queues them without another request. Unknown ids get the
HTML 404 page.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_count
from plugin_sdk.models import LibraryRoot
from plugin_sdk.pages import render_panels
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.pages.views import (
    ancestors,
    fmt_runtime,
    library_cards,
    library_cover_url,
    track_rows,
    valid_id,
)
from plugins_builtin.audio.tags import AUDIO_EXTENSIONS


def find_library(db: Session, library_id: str) -> AudioLibrary | None:
    return db.get(AudioLibrary, library_id) if valid_id(library_id) else None


def not_found(what: str) -> tuple[str, int]:
    """The HTML 404 page of the audio pages."""
    return render_template("audio/not_found.html", what=what, nav_active="/audio"), 404


def library_context(db: Session, library: AudioLibrary) -> dict[str, Any]:
    """Everything the library page shows."""
    children = list(
        db.execute(
            select(AudioLibrary)
            .where(AudioLibrary.parent_id == library.id)
            .order_by(AudioLibrary.sort_title, AudioLibrary.id)
        ).scalars()
    )
    tracks = list(
        db.execute(
            select(AudioTrack).where(AudioTrack.library_id == library.id).order_by(AudioTrack.sort_order, AudioTrack.id)
        ).scalars()
    )
    rows = track_rows(db, tracks)
    artists = Counter(t.album_artist or t.artist for t in tracks if t.album_artist or t.artist)
    years = sorted({t.year for t in tracks if t.year})
    genres = Counter(t.genre for t in tracks if t.genre)
    seconds = sum(t.duration or 0 for t in tracks)
    facts = [fmt_count(len(tracks), "track")]
    if seconds:
        facts.append(fmt_runtime(seconds))
    if years:
        facts.append(str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}")
    if genres:
        facts.append(genres.most_common(1)[0][0])
    root = db.get(LibraryRoot, library.library_root_id) if library.library_root_id else None
    child_cards = library_cards(db, children)
    cover = library_cover_url(library.id, library.updated_at) if library.cover else None
    if cover is None:
        cover = next((c.cover for c in child_cards if c.cover), None)
    playable = [r for r in rows if r.playable]
    return {
        "library": library,
        "crumbs": ancestors(db, library),
        "cover": cover,
        "artist": artists.most_common(1)[0][0] if artists else None,
        "facts": facts,
        "children": child_cards,
        "rows": rows,
        "items": [r.item() for r in rows if r.playable],
        "playable": len(playable),
        "broken": len(rows) - len(playable),
        "can_upload": root is not None,
        "upload_accept": ",".join(sorted(AUDIO_EXTENSIONS)),
        "nav_active": "/audio",
    }


def register(bp: Blueprint) -> None:
    """Add ``/audio/libraries/<id>`` to the pages blueprint."""

    @bp.get("/audio/libraries/<library_id>")
    def library_page(library_id: str) -> Any:
        db = get_db()
        library = find_library(db, library_id)
        if library is None:
            return not_found("library")
        panels = render_panels("audio-library", library.id, css_class="al-panel")  # "People & tags"…
        return render_template("audio/library.html", **library_context(db, library), panels=panels)
