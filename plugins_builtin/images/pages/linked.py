"""The galleries and images of a performer, studio or tag: a panel on their pages
(``obscura_panels("performer")``…, an HTML fragment loaded after the page), filtered with the same
link filters as ``GET /api/galleries`` and ``GET /api/images``."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from plugin_sdk.db import get_db
from plugin_sdk.linkedpanels import count_where, linked_clauses
from plugins_builtin.images.models import Gallery, Image
from plugins_builtin.images.pages.cards import GALLERY_COLUMNS, gallery_cards, thumb_url

LINKED_GALLERIES = 8
LINKED_IMAGES = 18
LINKED_URL = "/galleries/fragments/linked"


def register(bp: Blueprint) -> None:
    """Add the fragment route of the linked galleries and images panel (``panels.panels``)."""

    @bp.get(LINKED_URL)
    def linked_images() -> str:
        db = get_db()
        g_conds = linked_clauses(db, "gallery", Gallery.id)
        i_conds = linked_clauses(db, "image", Image.id)
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
            galleries_total=count_where(db, Gallery, g_conds),
            images=images,
            images_total=count_where(db, Image, i_conds),
        )
