"""The pHash contributions page ``/stashbox/contributions``: the videos linked to a scene on a
configured stash-box, their hashes as Stash sends them and, per endpoint and per fingerprint, what
was submitted (``GET /api/phash-contributions``'s items, rendered here), with a "Submit" button per
video and endpoint (``static/stashbox/contributions.js`` posts to ``…/submit-fingerprints`` and
reloads the list).

The query string: ``?page=&perPage=&endpointId=`` (``endpointId``: one configured endpoint, else
every one). The list is ``templates/stashbox/_contributions.html``, also served as the fragment
``/stashbox/fragments/contributions`` (same query string), which the page module reloads.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from pydantic import ConfigDict, Field

from plugin_sdk.db import get_db
from plugin_sdk.http import ApiModel
from plugin_sdk.pages import bad_query as bad
from plugin_sdk.pages import refuse_nul
from plugin_sdk.pages import strict_query as parse
from plugins_builtin.stashbox import contributions, endpoints
from plugins_builtin.stashbox.pages.views import ID_MAX, endpoint_views

CONTRIBUTIONS_URL = "/stashbox/contributions"
LIST_URL = "/stashbox/fragments/contributions"
PER_PAGE = 25
MAX_PER_PAGE = 100


class ContributionsQuery(ApiModel):
    """The page's query string; unknown keys are ignored, empty values are unset."""

    model_config = ConfigDict(extra="ignore")

    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE)
    endpoint_id: str | None = Field(None, min_length=1, max_length=ID_MAX)


def _query() -> ContributionsQuery:
    refuse_nul(request.args)
    args = request.args.copy()
    for key in [k for k, v in args.items() if not v.strip()]:
        args.pop(key)
    return parse(ContributionsQuery, args)


def list_context(query: ContributionsQuery) -> dict[str, Any]:
    """One page of the linked videos and their submission state."""
    db = get_db()
    views = endpoint_views(db)
    if query.endpoint_id is not None and not any(v.id == query.endpoint_id for v in views):
        bad("query.endpointId: no such StashBox endpoint.")
    rows = [r for r in endpoints.listed(db) if query.endpoint_id in (None, r.id)]
    offset = (query.page - 1) * query.per_page
    items, total = contributions.listing(db, rows, offset=offset, limit=query.per_page) if rows else ([], 0)
    db.commit()
    pages = max(1, -(-total // query.per_page))

    def link(**changes: Any) -> str:
        params = {"endpointId": query.endpoint_id, "page": query.page, "perPage": query.per_page, **changes}
        defaults = {"page": 1, "perPage": PER_PAGE}
        kept = {k: v for k, v in params.items() if v not in (None, "") and defaults.get(k) != v}
        return f"{CONTRIBUTIONS_URL}?{urlencode(kept)}" if kept else CONTRIBUTIONS_URL

    usable = {v.id for v in views if v.enabled}
    return {"items": items, "total": total, "pages": pages, "query": query, "link": link, "usable": usable,
            "endpoints": views, "sites": {v.id: v.site for v in views}}  # fmt: skip


def register(bp: Blueprint) -> None:
    """Add the contributions page and its list fragment to the pages blueprint."""

    @bp.get(CONTRIBUTIONS_URL)
    def contributions_page() -> str:
        query = _query()
        ctx = list_context(query)
        fragment = {"page": query.page, "perPage": query.per_page, "endpointId": query.endpoint_id or ""}
        return render_template("stashbox/contributions.html", list_url=f"{LIST_URL}?{urlencode(fragment)}", **ctx)

    @bp.get(LIST_URL)
    def contributions_fragment() -> str:
        return render_template("stashbox/_contributions.html", **list_context(_query()))
