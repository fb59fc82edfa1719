"""Which entities are linked to which stash-box scenes, performers, studios and tags: the stash ids
kept by the ``metadata`` plugin.

This plugin may not import ``metadata``, and the SDK has no call for stash ids yet, so this
module reads the metadata plugin's documented ``stash_ids`` table (``entity_type``,
``entity_id``, ``endpoint``, ``stash_id``, ``created_at``; ARCHITECTURE §5) with a lightweight
``sqlalchemy.table()``: no model imported, read only, and this is the one place that knows it.
Should the SDK grow a stash-id reader, only this module changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import column, func, inspect, select, table
from sqlalchemy.orm import Session

from plugin_sdk.errors import ObscuraError

STASH_IDS = table(
    "stash_ids", column("entity_type"), column("entity_id"), column("endpoint"), column("stash_id"),
    column("created_at"),
)  # fmt: skip


class StashIdsUnavailable(ObscuraError):
    """No ``stash_ids`` table: the ``metadata`` plugin, which keeps stash ids, was never installed."""

    status = 409
    code = "plugin_missing"


def check_available(db: Session) -> None:
    """Raise :class:`StashIdsUnavailable` when there is no ``stash_ids`` table to read."""
    if not inspect(db.connection()).has_table("stash_ids"):
        raise StashIdsUnavailable("Stash ids are kept by the metadata plugin, which is not installed.")


def stash_ids(db: Session, entity_type: str, entity_ids: Sequence[str], endpoint: str) -> dict[str, str]:
    """``{entity id: stash id}`` of the entities linked on ``endpoint`` (a GraphQL URL)."""
    ids = list(dict.fromkeys(entity_ids))
    if not ids:
        return {}
    check_available(db)
    rows = db.execute(
        select(STASH_IDS.c.entity_id, STASH_IDS.c.stash_id).where(
            STASH_IDS.c.entity_type == entity_type, STASH_IDS.c.endpoint == endpoint,
            STASH_IDS.c.entity_id.in_(ids),
        )
    ).all()  # fmt: skip
    return {str(entity_id): str(stash_id) for entity_id, stash_id in rows}


def links_by_endpoint(
    db: Session, entity_type: str, entity_ids: Sequence[str], endpoints: Sequence[str]
) -> dict[str, dict[str, str]]:
    """``{entity id: {endpoint: stash id}}`` of the entities' links on any of ``endpoints``."""
    ids = list(dict.fromkeys(entity_ids))
    if not ids or not endpoints:
        return {}
    check_available(db)
    rows = db.execute(
        select(STASH_IDS.c.entity_id, STASH_IDS.c.endpoint, STASH_IDS.c.stash_id).where(
            STASH_IDS.c.entity_type == entity_type, STASH_IDS.c.endpoint.in_(list(endpoints)),
            STASH_IDS.c.entity_id.in_(ids),
        )
    ).all()  # fmt: skip
    out: dict[str, dict[str, str]] = {}
    for entity_id, endpoint, stash_id in rows:
        out.setdefault(str(entity_id), {})[str(endpoint)] = str(stash_id)
    return out


def linked_entities(
    db: Session, entity_type: str, endpoints: Sequence[str], *, offset: int = 0, limit: int = 60
) -> tuple[int, list[str]]:
    """``(total, ids)``: the entities linked on any of ``endpoints``, the most recently linked
    first (one page of ``limit`` from ``offset``)."""
    if not endpoints:
        return 0, []
    check_available(db)
    where = (STASH_IDS.c.entity_type == entity_type, STASH_IDS.c.endpoint.in_(list(endpoints)))
    total = db.scalar(select(func.count(func.distinct(STASH_IDS.c.entity_id))).where(*where)) or 0
    ids = db.scalars(
        select(STASH_IDS.c.entity_id).where(*where).group_by(STASH_IDS.c.entity_id)
        .order_by(func.max(STASH_IDS.c.created_at).desc(), STASH_IDS.c.entity_id).offset(offset).limit(limit)
    ).all()  # fmt: skip
    return int(total), [str(i) for i in ids]
