"""The audio plugin's dashboard panel, "Recently added audio": the newest libraries as covers.

The panel is an HTML fragment route (``Panel(url=...)``), so the dashboard renders at once and the
panel fills in after it.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from plugin_sdk import Panel
from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_count
from plugin_sdk.linkedpanels import media_panels
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.pages import linked
from plugins_builtin.audio.pages.views import fmt_runtime, library_cards

RECENT_URL = "/audio/fragments/panel-recent"
RECENT_COUNT = 8


def panels(entity_type: str) -> list[Panel]:
    """The dashboard's "Recently added audio" panel (the newest libraries as covers, and the totals),
    and an "Audio" panel on performer, studio and tag pages."""
    return media_panels(
        entity_type,
        dashboard=[Panel(title="Recently added audio", url=RECENT_URL, order=30)],
        linked=[Panel(title="Audio", url=linked.LINKED_URL, order=30)],
    )


def register(bp: Blueprint) -> None:
    """Add the panels' fragment routes to the pages blueprint."""
    linked.register(bp)

    @bp.get(RECENT_URL)
    def panel_recent() -> str:
        db = get_db()
        rows = list(
            db.execute(
                select(AudioLibrary)
                .where(AudioLibrary.track_count > 0)
                .order_by(AudioLibrary.created_at.desc(), AudioLibrary.id.desc())
                .limit(RECENT_COUNT)
            ).scalars()
        )
        tracks, seconds = db.execute(
            select(func.count(), func.coalesce(func.sum(AudioTrack.duration), 0)).select_from(AudioTrack)
        ).one()
        summary = " · ".join(p for p in (fmt_count(tracks, "track"), fmt_runtime(float(seconds))) if p)
        return render_template("audio/panel_recent.html", cards=library_cards(db, rows), summary=summary)
