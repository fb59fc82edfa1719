"""SFW mode's propagation rule (reference §4.6): media linked to an NSFW performer, studio or tag
are hidden too, whatever their own flag says."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from plugin_sdk.db import in_array
from plugins_builtin.taxonomy.kinds import KINDS, Kind


def sfw_clause(db: Session, entity_type: str, id_column: ColumnElement[Any]) -> ColumnElement[bool] | None:
    """``NOT EXISTS`` a link from the row to an NSFW performer, studio or tag; ``None`` when no
    taxonomy row is NSFW (then nothing is added to the query)."""
    conds: list[ColumnElement[bool]] = []
    for kind in KINDS.values():
        flagged = _flagged_ids(db, kind)
        if flagged:
            conds.append(
                ~exists().where(
                    kind.link.entity_type == entity_type,
                    kind.link.entity_id == id_column,
                    in_array(kind.link_fk, flagged),
                )
            )
    return and_(*conds) if conds else None


def _flagged_ids(db: Session, kind: Kind) -> list[str]:
    """The NSFW rows of ``kind``, read once per session (a request builds the SFW condition of
    every media model: videos, series, images, galleries, tracks, albums)."""
    cache: dict[str, list[str]] = db.info.setdefault("taxonomy_nsfw_ids", {})
    found = cache.get(kind.key)
    if found is None:
        found = cache[kind.key] = list(
            db.execute(select(kind.model.id).where(kind.model.is_nsfw.is_(True))).scalars()
        )
    return found
