"""The collections pages: the grid (``/collections``), a collection (``/collections/<id>``) with its
members, rule builder and slideshow, and the "Collections" panel of a video's page.

One blueprint (``collections_pages``) with the plugin's templates (``templates/collections/``) and
static files (served under ``/static/collections/``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from plugin_sdk import Panel
from plugin_sdk.blueprint import plugin_blueprint
from plugin_sdk.collections import collection_sources
from plugin_sdk.db import get_db
from plugin_sdk.errors import NotFoundError
from plugin_sdk.pages import panel_target
from plugins_builtin.collections.catalog import catalog
from plugins_builtin.collections.items import member_page
from plugins_builtin.collections.models import Collection, CollectionItem
from plugins_builtin.collections.routes import out

PER_PAGE = 60
PANEL_URL = "/collections/fragments/panel"
KINDS = ("video", "gallery", "image", "audio-track")
MODE_LABELS = {"manual": "Manual", "dynamic": "Dynamic", "hybrid": "Hybrid"}


def panels(entity_type: str) -> list[Panel]:
    """ "Collections" on the detail page of every kind collections can hold."""
    if entity_type not in KINDS:
        return []
    return [Panel(title="Collections", url=PANEL_URL, order=80)]


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return max(1, min(int(raw), 10_000)) if raw.isdigit() else 1


def _collection(collection_id: str) -> Collection:
    db = get_db()
    collection = db.get(Collection, collection_id) if len(collection_id) <= 36 else None
    if collection is None:
        raise NotFoundError("No collection with that id.")
    return collection


def _items(collection: Collection, page: int) -> dict[str, Any]:
    rows, total = member_page(get_db(), collection.id, (page - 1) * PER_PAGE, PER_PAGE)
    more = f"/collections/{collection.id}/fragments/items?page={page + 1}" if page * PER_PAGE < total else None
    return {"rows": rows, "total": total, "more_url": more}


def make_blueprint() -> Blueprint:
    bp = plugin_blueprint("collections", __file__)

    @bp.get("/collections")
    def grid() -> str:
        db = get_db()
        rows = db.execute(select(Collection).order_by(func.lower(Collection.name), Collection.id)).scalars().all()
        return render_template(
            "collections/index.html", collections=[out(c) for c in rows], modes=MODE_LABELS,
            kinds={k: s.label for k, s in collection_sources().items()}, nav_active="/collections",
        )  # fmt: skip

    @bp.get("/collections/<collection_id>")
    def detail(collection_id: str) -> str:
        collection = _collection(collection_id)
        return render_template(
            "collections/detail.html", c=out(collection), items=_items(collection, 1), modes=MODE_LABELS,
            catalog=catalog(get_db()), nav_active="/collections",
        )  # fmt: skip

    @bp.get("/collections/<collection_id>/fragments/items")
    def items_fragment(collection_id: str) -> str:
        collection = _collection(collection_id)
        return render_template("collections/_items.html", c=out(collection), items=_items(collection, _page_number()))

    @bp.get(PANEL_URL)
    def panel() -> str:
        db = get_db()
        target = panel_target(request.args, KINDS)
        if target is None:
            return '<p class="muted small">Collections hold videos, galleries, images and audio tracks.</p>'
        entity_type, entity_id = target
        rows = db.execute(
            select(Collection, CollectionItem.source)
            .outerjoin(
                CollectionItem,
                (CollectionItem.collection_id == Collection.id)
                & (CollectionItem.entity_type == entity_type)
                & (CollectionItem.entity_id == entity_id),
            )
            .order_by(func.lower(Collection.name), Collection.id)
        ).all()
        return render_template(
            "collections/panel.html", rows=rows, entity_type=entity_type, entity_id=entity_id, modes=MODE_LABELS
        )

    return bp
