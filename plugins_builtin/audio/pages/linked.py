"""The audio tracks of a performer, studio or tag: a panel on their pages
(``obscura_panels("performer")``…, an HTML fragment loaded after the page), filtered with the same
link filters as ``GET /api/audio-tracks``."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from plugin_sdk import Panel
from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_duration
from plugin_sdk.links import filter_clauses
from plugin_sdk.pages import linked_filter, linked_types
from plugins_builtin.audio.models import AudioTrack

LINKED_URL = "/audio/fragments/linked"
LINKED_COUNT = 20


def panels(entity_type: str) -> list[Panel]:
    """An "Audio" panel on performer, studio and tag pages."""
    return [Panel(title="Audio", url=LINKED_URL, order=30)] if entity_type in linked_types() else []


def register(bp: Blueprint) -> None:
    @bp.get(LINKED_URL)
    def linked_tracks() -> str:
        filters = SimpleNamespace(**linked_filter(request.args))
        db = get_db()
        conds = filter_clauses("audio-track", AudioTrack.id, filters, db)
        total = db.execute(select(func.count()).select_from(AudioTrack).where(*conds)).scalar_one()
        rows = db.execute(
            select(AudioTrack.id, AudioTrack.title, AudioTrack.artist, AudioTrack.album, AudioTrack.duration)
            .where(*conds).order_by(AudioTrack.sort_title, AudioTrack.id).limit(LINKED_COUNT)
        ).all()  # fmt: skip
        tracks = [
            {"url": f"/audio/tracks/{tid}", "title": title, "sub": " · ".join(p for p in (artist, album) if p),
             "duration": fmt_duration(duration)}
            for tid, title, artist, album, duration in rows
        ]  # fmt: skip
        return render_template("audio/_linked.html", tracks=tracks, total=total)
