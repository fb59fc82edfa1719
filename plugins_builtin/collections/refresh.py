"""Re-evaluating a collection's rules: the dynamic members become exactly the matching rows.

One transaction, set-based: a single ``INSERT … SELECT`` whose ``WITH`` evaluates the rule tree
once (a ``UNION ALL`` of one ``SELECT`` per kind), full-joins it with the current members, deletes
the dynamic members that no longer match and appends the new matches after the current last
position (ordered by kind, then title).
Manual members are never touched: a row that is both manual and matched stays manual. Members
that still match keep their position, so a manual reordering survives refreshes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, and_, cast, delete, func, literal, select, text, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk.collections import collection_sources
from plugins_builtin.collections.compiler import conditions
from plugins_builtin.collections.models import Collection, CollectionItem
from plugins_builtin.collections.rules import Group

DYNAMIC_MODES = ("dynamic", "hybrid")


def matching_select(db: Session, tree: Group) -> Any:
    """``SELECT entity_type, entity_id, kind_order, title`` of every row the tree matches, or ``None``."""
    sources = collection_sources()
    where = conditions(db, sources, tree)
    parts = []
    for order, (kind, source) in enumerate(sources.items()):
        if kind not in where:
            continue
        parts.append(
            select(
                literal(kind, String).label("entity_type"),
                cast(source.id_column, String).label("entity_id"),
                literal(order).label("kind_order"),
                cast(source.title_column, String).label("title"),
            ).where(where[kind])
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else union_all(*parts)


def recount(db: Session, collection_ids: list[str]) -> None:
    """Store each collection's member count."""
    if not collection_ids:
        return
    counted = (
        select(func.count())
        .where(CollectionItem.collection_id == Collection.id)
        .correlate(Collection)
        .scalar_subquery()
    )
    db.execute(update(Collection).where(Collection.id.in_(collection_ids)).values(item_count=counted))


def refresh(db: Session, collection: Collection) -> dict[str, Any]:
    """Replace the dynamic members with the rule tree's matches; the caller commits.

    :return: ``{"collectionId", "itemCount", "added", "removed"}``.
    """
    db.execute(select(Collection.id).where(Collection.id == collection.id).with_for_update())
    cid = collection.id
    item = CollectionItem
    tree = Group.model_validate(collection.rule_tree) if collection.rule_tree else None
    matched_select = matching_select(db, tree) if tree is not None and collection.mode in DYNAMIC_MODES else None
    added = 0
    if matched_select is None:
        removed = db.execute(delete(item).where(item.collection_id == cid, item.source == "dynamic")).rowcount
    else:
        # one FULL JOIN of the matches with the current members (PostgreSQL runs a full join as a
        # hash or merge join, never a nested loop, whatever its row estimates): rows only on the
        # members' side are stale, rows only on the matches' side are new
        matched = matched_select.cte("matched")
        current = select(item.entity_type, item.entity_id).where(item.collection_id == cid).cte("current")
        same = and_(matched.c.entity_type == current.c.entity_type, matched.c.entity_id == current.c.entity_id)
        diff = (
            select(
                func.coalesce(matched.c.entity_type, current.c.entity_type).label("entity_type"),
                func.coalesce(matched.c.entity_id, current.c.entity_id).label("entity_id"),
                matched.c.kind_order,
                matched.c.title,
                matched.c.entity_id.is_(None).label("gone"),
                current.c.entity_id.is_(None).label("new"),
            )
            .select_from(matched.join(current, same, full=True))
            .cte("diff")
        )
        stale = (
            delete(item)
            .where(
                item.collection_id == cid,
                item.source == "dynamic",
                item.entity_type == diff.c.entity_type,
                item.entity_id == diff.c.entity_id,
                diff.c.gone,
            )
            .returning(item.entity_id)
            .cte("stale")
        )
        base = select(func.coalesce(func.max(item.sort_order), 0)).where(item.collection_id == cid).scalar_subquery()
        position = base + func.row_number().over(order_by=(diff.c.kind_order, diff.c.title, diff.c.entity_id))
        fresh = select(
            literal(cid, String), diff.c.entity_type, diff.c.entity_id, literal("dynamic", String), position
        ).where(diff.c.new)
        inserted = (
            pg_insert(item)
            .from_select(["collection_id", "entity_type", "entity_id", "source", "sort_order"], fresh)
            .on_conflict_do_nothing()
            .returning(item.entity_id)
            .cte("inserted")
        )
        counts = select(
            select(func.count()).select_from(inserted).scalar_subquery(),
            select(func.count()).select_from(stale).scalar_subquery(),
        )
        # bulk set operations: hash joins whatever the (often stale) row estimates of the members say
        db.execute(text("SET LOCAL enable_nestloop = off"))
        added, removed = db.execute(counts).one()
        db.execute(text("SET LOCAL enable_nestloop = on"))
    recount(db, [cid])
    db.execute(
        update(Collection).where(Collection.id == cid).values(last_refreshed_at=datetime.now(UTC), refresh_error=None)
    )
    db.expire(collection)
    return {"collectionId": cid, "itemCount": collection.item_count, "added": int(added), "removed": int(removed or 0)}
