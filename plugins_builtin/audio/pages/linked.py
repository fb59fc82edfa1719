"""The audio tracks of a performer, studio or tag: a panel on their pages
(``obscura_panels("performer")``…, an HTML fragment loaded after the page), filtered with the same
link filters as ``GET /api/audio-tracks``."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_duration
from plugin_sdk.linkedpanels import count_where, linked_clauses
from plugins_builtin.audio.models import AudioTrack

LINKED_URL = "/audio/fragments/linked"
LINKED_COUNT = 20


def linked_tracks() -> str:
    """The fragment: the first tracks linked to the entity of ``?entity=…&id=…``, and their total."""
    db = get_db()
    conds = linked_clauses(db, "audio-track", AudioTrack.id)
    rows = db.execute(
        select(AudioTrack.id, AudioTrack.title, AudioTrack.artist, AudioTrack.album, AudioTrack.duration)
        .where(*conds).order_by(AudioTrack.sort_title, AudioTrack.id).limit(LINKED_COUNT)
    ).all()  # fmt: skip
    tracks = [
        {"url": f"/audio/tracks/{tid}", "title": title, "sub": " · ".join(p for p in (artist, album) if p),
         "duration": fmt_duration(duration)}
        for tid, title, artist, album, duration in rows
    ]  # fmt: skip
    return render_template("audio/_linked.html", tracks=tracks, total=count_where(db, AudioTrack, conds))


def register(bp: Blueprint) -> None:
    """Add the fragment route of the "Audio" panel (``panels.panels``) to the pages blueprint."""
    bp.get(LINKED_URL)(linked_tracks)
