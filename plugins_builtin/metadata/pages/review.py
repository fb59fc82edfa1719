"""The review queue ``/metadata/review``: scrape results newest first, by status (pending by
default), optionally for one entity, a page at a time; each with its entity, source, action and
match, its fields beside the entity's current values, and Accept / Reject.

The list is also the fragment ``/metadata/fragments/review`` (same query string), which the page
module (``static/metadata/review.js``) reloads after each accept or reject.
"""

from __future__ import annotations

from math import ceil
from typing import Any, Literal

from flask import Blueprint, render_template, request
from pydantic import Field
from sqlalchemy import func, select

from plugin_sdk.db import get_db
from plugin_sdk.http import Pagination
from plugin_sdk.listpage import state_query
from plugin_sdk.pages import strict_query
from plugins_builtin.metadata.models import STATUSES, ScrapeResultRow
from plugins_builtin.metadata.pages import views

REVIEW_URL = "/metadata/review"
LIST_URL = "/metadata/fragments/review"
PER_PAGE = 20
QUERY_KEYS = ("status", "entityType", "entityId", "page", "perPage")
STATUS_LABELS = {"pending": "Pending", "accepted": "Accepted", "rejected": "Rejected", "all": "All"}


class ReviewQuery(Pagination):
    """The review page's query string (``?status=&entityType=&entityId=&page=&perPage=``)."""

    status: Literal["pending", "accepted", "rejected", "all"] = "pending"
    per_page: int = Field(PER_PAGE, ge=1, le=100)
    entity_type: str | None = Field(None, min_length=1, max_length=32)
    entity_id: str | None = Field(None, min_length=1, max_length=64)


def _params(query: ReviewQuery) -> dict[str, Any]:
    """The query as it is written in links (defaults left out, so one URL per state)."""
    params: dict[str, Any] = {"status": query.status, "page": query.page}
    if query.per_page != PER_PAGE:
        params["perPage"] = query.per_page
    if query.entity_type and query.entity_id:
        params.update(entityType=query.entity_type, entityId=query.entity_id)
    return params


def review_context(query: ReviewQuery) -> dict[str, Any]:
    """One page of results and what the page shows around it (status counts, the entity filter)."""
    db = get_db()
    scope = []
    entity = None
    if query.entity_type and query.entity_id:
        scope = [ScrapeResultRow.entity_type == query.entity_type, ScrapeResultRow.entity_id == query.entity_id]
        tgt = views.target_for(query.entity_type)
        current = views.current_values(db, tgt, [query.entity_id]).get(query.entity_id) if tgt else None
        entity = views.entity_ref(query.entity_type, query.entity_id, tgt, current)
    counts = dict.fromkeys(STATUSES, 0)
    grouped = db.execute(select(ScrapeResultRow.status, func.count()).where(*scope).group_by(ScrapeResultRow.status))
    counts.update({status: count for status, count in grouped})
    counts["all"] = sum(counts.values())
    conds = [*scope] + ([ScrapeResultRow.status == query.status] if query.status != "all" else [])
    total = counts[query.status]
    rows = db.scalars(
        select(ScrapeResultRow).where(*conds)
        .order_by(ScrapeResultRow.created_at.desc(), ScrapeResultRow.id)
        .offset(query.offset).limit(query.per_page)
    ).all()  # fmt: skip
    params = _params(query)

    def link(**changes: Any) -> str:
        return f"{REVIEW_URL}?{state_query(params, QUERY_KEYS, **changes)}"

    return {
        "query": query,
        "results": views.result_views(db, rows),
        "total": total,
        "pages": max(ceil(total / query.per_page), 1),
        "counts": counts,
        "status_labels": STATUS_LABELS,
        "entity": entity,
        "link": link,
        "list_query": state_query(params, QUERY_KEYS),
    }


def register(bp: Blueprint) -> None:
    """Add the review page and its list fragment to the pages blueprint."""

    @bp.get(REVIEW_URL)
    def review_page() -> str:
        query = strict_query(ReviewQuery, request.args)
        return render_template("metadata/review.html", list_url=LIST_URL, **review_context(query))

    @bp.get(LIST_URL)
    def review_list() -> str:
        query = strict_query(ReviewQuery, request.args)
        return render_template("metadata/_review_list.html", list_url=LIST_URL, **review_context(query))
