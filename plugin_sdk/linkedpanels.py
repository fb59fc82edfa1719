"""The panels a media plugin adds to other pages: its own on the dashboard, and a list of its rows
linked to a performer, studio or tag on their pages (``obscura_panels``), with what such a list's
fragment route needs::

    RECENT = Panel(title="Recent clips", url="/clips/fragments/recent", order=40)
    LINKED = Panel(title="Clips", url="/clips/fragments/linked", order=40)


    def panels(entity_type):
        return media_panels(entity_type, dashboard=[RECENT], linked=[LINKED])


    @bp.get(LINKED.url)
    def linked_clips():
        db = get_db()
        where = linked_clauses(db, "clip", Clip.id)  # 400 unless ?entity=<performer|studio|tag…>&id=…
        rows = db.execute(select(Clip.id, Clip.title).where(*where).limit(20)).all()
        return render_template("clips/_linked.html", rows=rows, total=count_where(db, Clip, where))
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from plugin_sdk.types import Panel

__all__ = ["count_where", "linked_clauses", "media_panels"]


def media_panels(entity_type: str, *, dashboard: Sequence[Panel] = (), linked: Sequence[Panel] = ()) -> list[Panel]:
    """An ``obscura_panels`` answer: ``dashboard`` on the dashboard, ``linked`` on the pages of the
    entity types media are linked to (``plugin_sdk.pages.linked_types``: performers, studios,
    tags…), nothing elsewhere."""
    if entity_type == "dashboard":
        return list(dashboard)
    from plugin_sdk.pages import linked_types

    return list(linked) if entity_type in linked_types() else []


def linked_clauses(db: Session, entity_type: str, id_column: Any) -> list[Any]:
    """For a linked panel's fragment route: the WHERE clauses selecting the ``entity_type`` rows
    (``id_column``: their ids) linked to the entity the request names (``?entity=…&id=…``, see
    ``plugin_sdk.pages.linked_filter``, which answers 400 when it names none)."""
    from flask import request

    from plugin_sdk.links import filter_clauses
    from plugin_sdk.pages import linked_filter

    return filter_clauses(entity_type, id_column, SimpleNamespace(**linked_filter(request.args)), db)


def count_where(db: Session, model: Any, clauses: Sequence[Any]) -> int:
    """How many rows of ``model`` match every one of ``clauses``."""
    return int(db.execute(select(func.count()).select_from(model).where(*clauses)).scalar_one())
