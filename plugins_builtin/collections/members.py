"""Manual membership: adding, removing and reordering members, and forgetting deleted rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, case, cast, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk.collections import collection_sources
from plugin_sdk.errors import ConflictError, NotFoundError, ValidationError
from plugins_builtin.collections.models import Collection, CollectionItem
from plugins_builtin.collections.refresh import recount

Ref = tuple[str, str]
"""``(entity type, entity id)``."""


def _unique(refs: Sequence[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))


def check_exists(db: Session, refs: Sequence[Ref]) -> None:
    """404 unless every ``(kind, id)`` names an existing row of a loaded kind."""
    sources = collection_sources()
    by_kind: dict[str, list[str]] = {}
    for kind, entity_id in refs:
        if kind not in sources:
            raise ValidationError(f"Unknown entity type {kind!r}; loaded kinds: {', '.join(sources) or 'none'}.")
        by_kind.setdefault(kind, []).append(entity_id)
    for kind, ids in by_kind.items():
        source = sources[kind]
        found = set(db.execute(select(cast(source.id_column, String)).where(source.id_column.in_(ids))).scalars())
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFoundError(f"No {kind} with id {missing[0]!r}.")


def add_manual(db: Session, collection: Collection, refs: Sequence[Ref]) -> int:
    """Add rows as manual members at the end (a dynamic member becomes manual); the caller commits.

    :return: how many rows were not members before.
    """
    if collection.mode == "dynamic":
        raise ConflictError(
            "A dynamic collection holds only what its rules match; make it hybrid to add items by hand."
        )
    refs = _unique(refs)
    check_exists(db, refs)
    before = db.execute(
        select(func.count()).where(
            CollectionItem.collection_id == collection.id,
            tuple_(CollectionItem.entity_type, CollectionItem.entity_id).in_(refs),
        )
    ).scalar_one()
    last = db.execute(
        select(func.coalesce(func.max(CollectionItem.sort_order), 0)).where(
            CollectionItem.collection_id == collection.id
        )
    ).scalar_one()
    rows = [
        {"collection_id": collection.id, "entity_type": k, "entity_id": i, "source": "manual", "sort_order": last + n}
        for n, (k, i) in enumerate(refs, start=1)
    ]
    stmt = pg_insert(CollectionItem).values(rows)
    db.execute(stmt.on_conflict_do_update(index_elements=["collection_id", "entity_type", "entity_id"],
                                          set_={"source": "manual"}))  # fmt: skip
    recount(db, [collection.id])
    return len(refs) - int(before)


def remove(db: Session, collection: Collection, refs: Sequence[Ref]) -> int:
    """Remove members; the caller commits. Returns how many were removed."""
    refs = _unique(refs)
    removed = db.execute(
        delete(CollectionItem).where(
            CollectionItem.collection_id == collection.id,
            tuple_(CollectionItem.entity_type, CollectionItem.entity_id).in_(refs),
        )
    ).rowcount
    recount(db, [collection.id])
    return int(removed or 0)


def reorder(db: Session, collection: Collection, refs: Sequence[Ref]) -> None:
    """Put the given members in the given order, in the positions they held between them.

    Sending a page of members reorders that page; sending two swaps them.
    """
    refs = _unique(refs)
    rows = db.execute(
        select(CollectionItem.entity_type, CollectionItem.entity_id, CollectionItem.sort_order).where(
            CollectionItem.collection_id == collection.id,
            tuple_(CollectionItem.entity_type, CollectionItem.entity_id).in_(refs),
        )
    ).all()
    if len(rows) != len(refs):
        known = {(r.entity_type, r.entity_id) for r in rows}
        kind, entity_id = next(r for r in refs if r not in known)
        raise ValidationError(f"body.items: {kind} {entity_id} is not in this collection.")
    positions = sorted(r.sort_order for r in rows)  # equal positions are spread out below
    for n in range(1, len(positions)):
        positions[n] = max(positions[n], positions[n - 1] + 1)
    wanted = case(
        *[
            ((CollectionItem.entity_type == k) & (CollectionItem.entity_id == i), pos)
            for (k, i), pos in zip(refs, positions, strict=True)
        ],
        else_=CollectionItem.sort_order,
    )
    db.execute(
        update(CollectionItem)
        .where(
            CollectionItem.collection_id == collection.id,
            tuple_(CollectionItem.entity_type, CollectionItem.entity_id).in_(refs),
        )
        .values(sort_order=wanted)
        .execution_options(synchronize_session=False)
    )


def forget(db: Session, entity_type: str, entity_ids: Sequence[str]) -> None:
    """Drop deleted media rows from every collection and recount those that held them."""
    ids = [str(i) for i in entity_ids]
    if not ids:
        return
    touched = db.execute(
        delete(CollectionItem)
        .where(CollectionItem.entity_type == entity_type, CollectionItem.entity_id.in_(ids))
        .returning(CollectionItem.collection_id)
    ).scalars()
    recount(db, sorted(set(touched)))


def remove_manual(db: Session, collection: Collection) -> None:
    """Drop the members added by hand (a collection becoming purely dynamic)."""
    db.execute(
        delete(CollectionItem).where(CollectionItem.collection_id == collection.id, CollectionItem.source == "manual")
    )
    recount(db, [collection.id])
