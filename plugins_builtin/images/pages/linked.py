"""The galleries and images of a performer, studio or tag: a panel on their pages
(``obscura_panels("performer")``…, an HTML fragment loaded after the page), filtered with the same
link filters as ``GET /api/galleries`` and ``GET /api/images``."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from plugin_sdk import Panel
from plugin_sdk.db import get_db
from plugin_sdk.links import filter_clauses
from plugin_sdk.pages import linked_filter, linked_types
from plugins_builtin.images.models import Gallery, Image
from plugins_builtin.images.pages.cards import GALLERY_COLUMNS, gallery_cards, thumb_url

LINKED_URL = "/galleries/fragments/linked"
LINKED_GALLERIES = 8
LINKED_IMAGES = 18


def panels(entity_type: str) -> list[Panel]:
    """A "Galleries & images" panel on performer, studio and tag pages."""
    return [Panel(title="Galleries & images", url=LINKED_URL, order=20)] if entity_type in linked_types() else []


def register(bp: Blueprint) -> None:
    @bp.get(LINKED_URL)
    def linked_images() -> str:
        filters = SimpleNamespace(**linked_filter(request.args))
        db = get_db()
        g_conds = filter_clauses("gallery", Gallery.id, filters, db)
        i_conds = filter_clauses("image", Image.id, filters, db)
        g_total = db.execute(select(func.count()).select_from(Gallery).where(*g_conds)).scalar_one()
        i_total = db.execute(select(func.count()).select_from(Image).where(*i_conds)).scalar_one()
        g_rows = db.execute(
            select(*GALLERY_COLUMNS).where(*g_conds).order_by(Gallery.created_at.desc(), Gallery.id)
            .limit(LINKED_GALLERIES)
        ).all()  # fmt: skip
        i_rows = db.execute(
            select(Image.id, Image.title, Image.thumbnail_at).where(*i_conds)
            .order_by(Image.created_at.desc(), Image.id).limit(LINKED_IMAGES)
        ).all()  # fmt: skip
        images = [{"id": i, "title": t, "thumb": thumb_url(i, at), "url": f"/images/{i}"} for i, t, at in i_rows]
        return render_template(
            "images/_linked.html",
            galleries=gallery_cards(db, [tuple(r) for r in g_rows]),
            galleries_total=g_total,
            images=images,
            images_total=i_total,
        )
