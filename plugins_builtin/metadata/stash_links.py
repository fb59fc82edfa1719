"""Reading stash ids for other plugins (``MetadataStore.stash_ids`` and ``.linked``): which
entities are linked to which StashBox scenes, performers, studios and tags."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins_builtin.metadata.models import StashIdRow


def stash_ids(
    db: Session, entity_type: str, entity_ids: Sequence[str], endpoints: Sequence[str]
) -> dict[str, dict[str, str]]:
    """``{entity id: {endpoint: stash id}}`` of the entities' links on any of ``endpoints``."""
    ids = list(dict.fromkeys(entity_ids))
    if not ids or not endpoints:
        return {}
    rows = db.execute(
        select(StashIdRow.entity_id, StashIdRow.endpoint, StashIdRow.stash_id).where(
            StashIdRow.entity_type == entity_type, StashIdRow.endpoint.in_(list(endpoints)),
            StashIdRow.entity_id.in_(ids),
        )
    ).all()  # fmt: skip
    out: dict[str, dict[str, str]] = {}
    for entity_id, endpoint, stash_id in rows:
        out.setdefault(str(entity_id), {})[str(endpoint)] = str(stash_id)
    return out


def linked(db: Session, entity_type: str, endpoints: Sequence[str], offset: int, limit: int) -> tuple[int, list[str]]:
    """``(total, ids)``: a page of the entities linked on any of ``endpoints``, newest link first."""
    if not endpoints:
        return 0, []
    where = (StashIdRow.entity_type == entity_type, StashIdRow.endpoint.in_(list(endpoints)))
    total = db.scalar(select(func.count(func.distinct(StashIdRow.entity_id))).where(*where)) or 0
    ids = db.scalars(
        select(StashIdRow.entity_id).where(*where).group_by(StashIdRow.entity_id)
        .order_by(func.max(StashIdRow.created_at).desc(), StashIdRow.entity_id).offset(offset).limit(limit)
    ).all()  # fmt: skip
    return int(total), [str(i) for i in ids]
