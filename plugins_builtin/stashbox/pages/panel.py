"""The "StashBox" panel of a video's, performer's, studio's or tag's page: its stash ids, each a
badge naming the endpoint and linking to the remote scene (``<site>/scenes/<id>``) or performer.

``/stashbox/fragments/stash-ids?entity=<type>&id=<id>`` is the panel (``Panel(url=...)``, loaded
after the page): a ``<sb-stash-ids>`` element (``static/stashbox/elements.js``) holding the
configured endpoints, which reads the entity's stash ids from ``GET /api/stash-ids`` (the metadata
plugin's) and shows them. A stash id whose server is no longer configured is labelled with its
host.

On a video's page, for each enabled endpoint: "Submit fingerprints" where the video is linked (its
hashes to that scene, each once) and "Submit draft" (the video as a new scene draft with its
thumbnail as the cover), both from the element (``static/stashbox/contribute.js``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from plugin_sdk import Panel
from plugin_sdk.db import get_db
from plugin_sdk.pages import bad_query as bad
from plugin_sdk.pages import panel_target, refuse_nul
from plugins_builtin.stashbox.pages.contributions import CONTRIBUTIONS_URL
from plugins_builtin.stashbox.pages.views import REMOTE_KINDS, endpoint_views

PANEL_URL = "/stashbox/fragments/stash-ids"
PANEL_ORDER = 58
"""Before the metadata plugin's "Scrape with…" (60)."""
NOUNS = {"video": "video", "performer": "performer", "studio": "studio", "tag": "tag"}


def panels(entity_type: str) -> list[Panel]:
    """The panel, for the entity types stash ids are kept for."""
    if entity_type not in REMOTE_KINDS:
        return []
    return [Panel(title="StashBox", url=PANEL_URL, order=PANEL_ORDER)]


def register(bp: Blueprint) -> None:
    """Add the panel's fragment route to the pages blueprint."""

    @bp.get(PANEL_URL)
    def stash_ids_panel() -> str:
        refuse_nul(request.args)
        target = panel_target(request.args, tuple(REMOTE_KINDS))
        if target is None:
            bad(f"Ask for ?entity=<{'|'.join(REMOTE_KINDS)}>&id=<id> (an id of at most 64 characters).")
        entity_type, entity_id = target
        db = get_db()
        views = endpoint_views(db)
        db.commit()
        identify_url = None
        if entity_type == "video" and any(v.enabled for v in views):
            from plugins_builtin.stashbox.pages.identify import IDENTIFY_URL

            identify_url = f"{IDENTIFY_URL}?{urlencode({'ids': entity_id})}"
        return render_template(
            "stashbox/panel.html",
            entity_type=entity_type,
            entity_id=entity_id,
            noun=NOUNS[entity_type],
            remote_kind=REMOTE_KINDS[entity_type],
            endpoints=[v.brief() for v in views],
            identify_url=identify_url,
            contribute=entity_type == "video" and any(v.enabled for v in views),
            contributions_url=CONTRIBUTIONS_URL,
        )
