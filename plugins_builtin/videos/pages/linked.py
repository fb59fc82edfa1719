"""The videos of a performer, studio or tag: a panel on their pages (``obscura_panels("performer")``…,
an HTML fragment loaded after the page), listed with the same filter code as ``GET /api/videos``."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from plugin_sdk import Panel
from plugin_sdk.db import get_db
from plugin_sdk.pages import linked_filter, linked_types
from plugins_builtin.videos.routes.query import fetch_page, videos_query

LINKED_URL = "/videos/fragments/linked"
LINKED_COUNT = 12


def panels(entity_type: str) -> list[Panel]:
    """A "Videos" panel on performer, studio and tag pages."""
    return [Panel(title="Videos", url=LINKED_URL, order=10)] if entity_type in linked_types() else []


def register(bp: Blueprint) -> None:
    from plugins_builtin.videos.pages.cards import cards

    @bp.get(LINKED_URL)
    def linked_videos() -> str:
        link = linked_filter(request.args)
        query = videos_query().model_validate({**link, "sort": "recent", "perPage": LINKED_COUNT})
        db = get_db()
        rows, total, _ = fetch_page(db, query)
        return render_template(
            "videos/_linked.html",
            cards=cards(db, rows),
            total=total,
            all_url="/videos?" + urlencode({"view": "grid", **link}, doseq=True),
        )
