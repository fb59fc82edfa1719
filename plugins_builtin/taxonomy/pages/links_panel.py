"""The "People & tags" panel of media pages (a video, a gallery, an image, an audio track…) and the
link filters of ``/videos``.

The panel is an HTML fragment (``Panel(url=...)``): the linked performers, tags and studio as chips
(links to their pages), inside a ``<tax-links-panel>`` element (``static/taxonomy/elements.js``)
that lets the user remove chips, autocomplete existing names or create new ones, and saves through
the media's own PATCH route with ``performerNames`` / ``tagNames`` / ``studioName``.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from plugin_sdk import Panel
from plugin_sdk.db import get_db
from plugin_sdk.pages import panel_target
from plugins_builtin.taxonomy.links import links_for

LINKS_URL = "/taxonomy/fragments/links"
PATCH_URLS: dict[str, str] = {  # media entity type → its PATCH route
    "video": "/api/videos/{}",
    "series": "/api/series/{}",
    "gallery": "/api/galleries/{}",
    "image": "/api/images/{}",
    "audio-track": "/api/audio-tracks/{}",
    "audio-library": "/api/audio-libraries/{}",
}
VIDEO_FILTERS = "videos-filters"


def panels(entity_type: str) -> list[Panel]:
    """The "People & tags" panel of media pages, and the tag/performer/studio controls of ``/videos``."""
    if entity_type in PATCH_URLS:
        return [Panel(title="People & tags", url=LINKS_URL, order=20)]
    if entity_type == VIDEO_FILTERS:
        return [Panel(title="Tags, performers and studio", template="taxonomy/videos_filters.html", order=10)]
    return []


def register(bp: Blueprint) -> None:
    """Add the panel's fragment route to the pages blueprint."""

    @bp.get(LINKS_URL)
    def links_fragment() -> str:
        target = panel_target(request.args, tuple(PATCH_URLS))
        if target is None:
            abort(400, "Ask for ?entity=<video|gallery|image|audio-track|series|audio-library>&id=<id>.")
        entity_type, entity_id = target
        links = links_for(get_db(), entity_type, [entity_id])[entity_id]
        return render_template(
            "taxonomy/links_panel.html",
            entity_type=entity_type,
            entity_id=entity_id,
            patch_url=PATCH_URLS[entity_type].format(entity_id),
            links=links,
        )
