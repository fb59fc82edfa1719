"""What a collection shows: pages of members of mixed kinds with their display rows, and the
preview of a rule tree (counts per kind and a sample) before it is saved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from plugin_sdk.collections import collection_sources
from plugin_sdk.sfw import visible_links
from plugins_builtin.collections.compiler import conditions
from plugins_builtin.collections.models import CollectionItem
from plugins_builtin.collections.rules import Group

SAMPLE = 20


def views(db: Session, refs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """Display rows (camelCase dicts) for ``(kind, id)`` pairs, in order; one ``views`` call per kind.

    A member whose kind is not loaded any more (or whose row is gone) is shown as unavailable.
    """
    sources = collection_sources()
    by_kind: dict[str, list[str]] = {}
    for kind, entity_id in refs:
        by_kind.setdefault(kind, []).append(entity_id)
    found = {kind: sources[kind].views(db, ids) if kind in sources else {} for kind, ids in by_kind.items()}
    out = []
    for kind, entity_id in refs:
        view = found[kind].get(entity_id)
        if view is None:
            out.append({"entityType": kind, "entityId": entity_id, "title": "Unavailable", "url": None,
                        "thumbnailUrl": None, "imageUrl": None, "subtitle": None, "available": False})  # fmt: skip
            continue
        out.append({
            "entityType": kind, "entityId": entity_id, "title": view.title, "url": view.url,
            "thumbnailUrl": view.thumbnail_url, "imageUrl": view.image_url, "subtitle": view.subtitle,
            "available": True,
        })  # fmt: skip
    return out


def member_page(
    db: Session, collection_id: str, offset: int, limit: int, entity_type: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """``(members with source and position, total)`` in the collection's order."""
    where = [CollectionItem.collection_id == collection_id]
    if entity_type:
        where.append(CollectionItem.entity_type == entity_type)
    visible = visible_links(db, CollectionItem.entity_type, CollectionItem.entity_id)
    if visible is not None:  # SFW mode: members whose media row is hidden are left out
        where.append(visible)
    total = db.execute(select(func.count()).select_from(CollectionItem).where(*where)).scalar_one()
    rows = (
        db.execute(
            select(CollectionItem)
            .where(*where)
            .order_by(CollectionItem.sort_order, CollectionItem.entity_type, CollectionItem.entity_id)
            .offset(offset)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    shown = views(db, [(r.entity_type, r.entity_id) for r in rows])
    for view, row in zip(shown, rows, strict=True):
        view["source"] = row.source
        view["sortOrder"] = row.sort_order
    return shown, int(total)


def preview(db: Session, tree: Group, sample: int = SAMPLE) -> dict[str, Any]:
    """``{"total", "byType": {kind: count}, "items": [≤ sample display rows]}`` without saving anything."""
    sources = collection_sources()
    where = conditions(db, sources, tree)
    by_type = dict.fromkeys(sources, 0)
    firsts: list[tuple[str, str, str]] = []
    for kind, cond in where.items():
        source = sources[kind]
        by_type[kind] = db.execute(select(func.count()).select_from(source.table).where(cond)).scalar_one()
        rows = db.execute(
            select(cast(source.id_column, String), cast(source.title_column, String))
            .where(cond)
            .order_by(source.title_column, source.id_column)
            .limit(sample)
        ).all()
        firsts.extend((title or "", kind, entity_id) for entity_id, title in rows)
    firsts.sort(key=lambda r: (r[0].lower(), r[1], r[2]))
    items = views(db, [(kind, entity_id) for _, kind, entity_id in firsts[:sample]])
    return {"total": sum(by_type.values()), "byType": by_type, "items": items}
