"""The images plugin's dashboard panel: "Galleries" (totals and the newest galleries).

An HTML fragment route (``Panel(url=...)``): the dashboard renders at once and the panel fills in
after it.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from plugin_sdk import Panel
from plugin_sdk.db import get_db
from plugin_sdk.formatting import fmt_bytes
from plugin_sdk.linkedpanels import media_panels
from plugins_builtin.images.models import Gallery, Image
from plugins_builtin.images.pages import linked
from plugins_builtin.images.pages.cards import GALLERY_COLUMNS, gallery_cards

RECENT_URL = "/galleries/fragments/panel-recent"
RECENT_COUNT = 8


def register(bp: Blueprint) -> None:
    """Add the panels' fragment routes to the pages blueprint."""

    @bp.get(RECENT_URL)
    def panel_recent() -> str:
        db = get_db()
        galleries = db.execute(select(func.count()).select_from(Gallery)).scalar_one()
        images, size = db.execute(select(func.count(), func.coalesce(func.sum(Image.file_size), 0))).one()
        rows = db.execute(
            select(*GALLERY_COLUMNS).order_by(Gallery.created_at.desc(), Gallery.id.desc()).limit(RECENT_COUNT)
        ).all()
        return render_template(
            "images/panel_recent.html",
            cards=gallery_cards(db, [tuple(r) for r in rows]),
            stats=[
                ("Galleries", f"{galleries:,}", "/galleries?nested=1"),
                ("Images", f"{images:,}", None),
                ("Total size", fmt_bytes(int(size)), None),
            ],
        )

    linked.register(bp)


def panels(entity_type: str) -> list[Panel]:
    """The dashboard's "Galleries" panel (totals and the newest galleries, after the videos plugin's
    panels), and a "Galleries & images" panel on performer, studio and tag pages."""
    return media_panels(
        entity_type,
        dashboard=[Panel(title="Galleries", url=RECENT_URL, order=30)],
        linked=[Panel(title="Galleries & images", url=linked.LINKED_URL, order=20)],
    )
