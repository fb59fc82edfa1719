"""The "StashBox" section of Settings: the configured endpoints (name, URL, whether a key is set,
the rate), with Add / Edit / Delete and Test (``static/stashbox/settings.js``, mounted by the
Settings page).

The list is ``templates/stashbox/_endpoints.html``, rendered in place when Settings renders the
section (``stashbox_endpoint_list()``) and served as the fragment ``/stashbox/fragments/endpoints``,
which the section's module reloads after each change.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from plugin_sdk.db import get_db
from plugins_builtin.stashbox.models import DEFAULT_MAX_REQUESTS_PER_MINUTE
from plugins_builtin.stashbox.pages.views import EndpointView, endpoint_views

LIST_URL = "/stashbox/fragments/endpoints"


def list_context() -> dict[str, Any]:
    """What the endpoint list shows."""
    db = get_db()
    views: list[EndpointView] = endpoint_views(db)
    db.commit()
    return {"endpoints": views, "default_rate": DEFAULT_MAX_REQUESTS_PER_MINUTE, "list_url": LIST_URL}


def register(bp: Blueprint) -> None:
    """Add the section's template global and its list fragment to the pages blueprint."""

    @bp.app_template_global("stashbox_endpoint_list")
    def stashbox_endpoint_list() -> dict[str, Any]:
        """The section's first state (its module reloads the list after each change)."""
        return list_context()

    @bp.get(LIST_URL)
    def endpoints_fragment() -> str:
        return render_template("stashbox/_endpoints.html", **list_context())
