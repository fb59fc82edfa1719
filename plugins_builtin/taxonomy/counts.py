"""How many media rows each performer, studio or tag is linked to, per kind of media — in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from plugin_sdk.db import in_array
from plugin_sdk.sfw import visible_links
from plugins_builtin.taxonomy.kinds import Kind

SCENES = "video"
"""The entity type counted by the ``scenes`` sort (Stash's scene count)."""


def counts_by_type(db: Session, kind: Kind, ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """``{entity id: {entity type: links}}`` for a page of entities, in one grouped query
    (an index-only scan of the link table's ``(fk, entity_type, entity_id)`` index)."""
    out: dict[str, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return out
    stmt = select(kind.link_fk, kind.link.entity_type, func.count()).where(in_array(kind.link_fk, ids))
    shown = visible_links(db, kind.link.entity_type, kind.link.entity_id)
    if shown is not None:  # SFW mode: links to hidden media are not counted
        stmt = stmt.where(shown)
    rows = db.execute(stmt.group_by(kind.link_fk, kind.link.entity_type)).all()
    for eid, entity_type, n in rows:
        out[eid][entity_type] = n
    return out


def link_totals(db: Session, kind: Kind, entity_type: str | None) -> Subquery:
    """A subquery ``(eid, n)``: links per entity of ``kind``, of one media type or all (in SFW
    mode, links to hidden media left out)."""
    stmt: Any = select(kind.link_fk.label("eid"), func.count().label("n"))
    if entity_type is not None:
        stmt = stmt.where(kind.link.entity_type == entity_type)
    shown = visible_links(db, kind.link.entity_type, kind.link.entity_id)
    if shown is not None:
        stmt = stmt.where(shown)
    return stmt.group_by(kind.link_fk).subquery()
