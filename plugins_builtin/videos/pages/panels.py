"""Dashboard panels of the videos plugin: "Library" totals and "Recently added".

Each panel is an HTML fragment route (``Panel(url=...)``), so the dashboard renders at once and the
panels fill in after it.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from plugin_sdk import Panel
from plugin_sdk.db import get_db
from plugins_builtin.videos.models import Video, VideoSeries, listed

LIBRARY_URL = "/videos/fragments/panel-library"
RECENT_URL = "/videos/fragments/panel-recent"
RECENT_COUNT = 12


def panels(entity_type: str) -> list[Panel]:
    if entity_type != "dashboard":
        from plugins_builtin.videos.pages import linked

        return linked.panels(entity_type)
    return [
        Panel(title="Library", url=LIBRARY_URL, order=10),
        Panel(title="Recently added", url=RECENT_URL, order=20),
    ]


def register(bp: Blueprint) -> None:
    from plugin_sdk.formatting import fmt_bytes
    from plugins_builtin.videos.pages import linked
    from plugins_builtin.videos.pages.cards import cards
    from plugins_builtin.videos.pages.formatting import fmt_runtime

    linked.register(bp)

    @bp.get(LIBRARY_URL)
    def panel_library() -> str:
        db = get_db()
        movies, episodes, seconds, size = db.execute(
            select(
                func.count().filter(Video.kind == "movie", listed()),
                func.count().filter(Video.kind == "episode", listed()),
                func.coalesce(func.sum(Video.duration), 0),
                func.coalesce(func.sum(Video.file_size), 0),
            )
        ).one()
        series = db.execute(select(func.count()).select_from(VideoSeries)).scalar_one()
        return render_template(
            "videos/panel_library.html",
            empty=not (movies or episodes),
            stats=[
                ("Movies", f"{movies:,}", "/videos?view=grid&kind=movie"),
                ("Episodes", f"{episodes:,}", "/videos?view=grid&kind=episode"),
                ("Series", f"{series:,}", "/videos?view=series"),
                ("Total duration", fmt_runtime(float(seconds)), None),
                ("Total size", fmt_bytes(int(size)), "/videos?view=list&sort=size"),
            ],
        )

    @bp.get(RECENT_URL)
    def panel_recent() -> str:
        db = get_db()
        rows = list(
            db.execute(
                select(Video).where(listed()).order_by(Video.created_at.desc(), Video.id.desc()).limit(RECENT_COUNT)
            ).scalars()
        )
        return render_template("videos/panel_recent.html", cards=cards(db, rows))
