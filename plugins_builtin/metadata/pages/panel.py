"""The "Scrape with…" panel of an entity's page (``Panel(url=...)``, loaded after the page).

``/metadata/fragments/scrape?entity=<type>&id=<id>`` is the whole panel: a picker of the source
entries that can scrape the entity's kind, an optional URL and search text, and the entity's
pending results. ``/metadata/fragments/results?entity=…&id=…[&new=<ids>]`` is just the results
part, which ``<md-scrape-panel>`` (``static/metadata/panel.js``) reloads after a scrape or a
reject. Each result shows its fields beside the current values, with a checkbox per field and
per performer or tag name; a typed result (a movie, a series, an episode of a script plugin) has its
own card (``typed_views``), and on their pages typed sources are offered as "Identify with…".
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import func, select

from plugin_sdk import MetadataTarget, Panel
from plugin_sdk.db import get_db
from plugins_builtin.metadata.models import PENDING, ScrapeResultRow
from plugins_builtin.metadata.pages import args, typed_views, views

PANEL_URL = "/metadata/fragments/scrape"
RESULTS_URL = "/metadata/fragments/results"
SCRAPERS_PAGE = "/scrapers"
PANEL_LIMIT = 5
"""Pending results the panel shows (newest first); the review page has the rest."""


def panels(entity_type: str) -> list[Panel]:
    """The panel, for entity types a loaded plugin takes scraped metadata for."""
    target = views.target_for(entity_type)
    if target is None or target.kind not in views.SCRAPED_KINDS:
        return []
    return [Panel(title="Scrape with…", url=PANEL_URL, order=60)]


def _has_route(rule: str) -> bool:
    return any(r.rule == rule for r in current_app.url_map.iter_rules())


def results_context(tgt: MetadataTarget, entity_id: str, new_ids: list[str] | None = None) -> dict[str, Any]:
    """The entity's pending results, newest first (at most :data:`PANEL_LIMIT`), as cards."""
    db = get_db()
    where = (
        ScrapeResultRow.entity_type == tgt.entity_type,
        ScrapeResultRow.entity_id == entity_id,
        ScrapeResultRow.status == PENDING,
    )
    total = db.scalar(select(func.count()).select_from(ScrapeResultRow).where(*where)) or 0
    rows = db.scalars(
        select(ScrapeResultRow).where(*where)
        .order_by(ScrapeResultRow.created_at.desc(), ScrapeResultRow.id).limit(PANEL_LIMIT)
    ).all()  # fmt: skip
    return {
        "results": views.result_views(db, rows, new_ids or ()),
        "total": total,
        "more": max(total - len(rows), 0),
        "entity_type": tgt.entity_type,
        "entity_id": entity_id,
        "noun": views.noun(tgt),
    }


def register(bp: Blueprint) -> None:
    """Add the panel's fragment routes to the pages blueprint."""

    @bp.get(PANEL_URL)
    def scrape_panel() -> str:
        tgt, entity_id = args.entity_arg(request.args)
        db = get_db()
        current = views.current_values(db, tgt, [entity_id]).get(entity_id)
        if current is None:
            abort(404, f"{views.noun(tgt).capitalize()} {entity_id} not found.")
        typed_kind = typed_views.typed_kind(db, tgt, entity_id)  # movie, episode, series: "Identify with…"
        return render_template(
            "metadata/panel.html",
            groups=views.source_groups(db, tgt, typed_kind),
            typed_kind=typed_kind,
            tgt=tgt,
            current=current,
            accept_url=views.accept_url(tgt, entity_id),
            api_url=views.api_url(tgt, entity_id),
            results_url=RESULTS_URL,
            scrapers_page=SCRAPERS_PAGE if _has_route(SCRAPERS_PAGE) else None,
            **results_context(tgt, entity_id),
        )

    @bp.get(RESULTS_URL)
    def panel_results() -> str:
        tgt, entity_id = args.entity_arg(request.args)
        new_ids = args.ids_arg(request.args, "new")
        return render_template("metadata/_panel_results.html", **results_context(tgt, entity_id, new_ids))
