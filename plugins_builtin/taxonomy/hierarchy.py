"""Tag and studio hierarchies: sub-trees in SQL (recursive CTEs) and the no-cycle rule."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import CTE, Select, select
from sqlalchemy.orm import Session

from plugin_sdk.errors import ValidationError
from plugins_builtin.taxonomy.models import Studio, TagParent


def tag_tree(roots: Select[Any]) -> CTE:
    """A recursive CTE (column ``id``) of the tags selected by ``roots`` and all their descendants."""
    tree = roots.cte(recursive=True)
    return tree.union(select(TagParent.tag_id).join(tree, TagParent.parent_id == tree.c.id))


def studio_tree(roots: Select[Any]) -> CTE:
    """A recursive CTE (column ``id``) of the studios selected by ``roots`` and their sub-studios."""
    tree = roots.cte(recursive=True)
    return tree.union(select(Studio.id).join(tree, Studio.parent_id == tree.c.id))


def tag_ancestors(db: Session, tag_id: str) -> set[str]:
    """Every tag above ``tag_id`` (not including it)."""
    up = select(TagParent.parent_id.label("id")).where(TagParent.tag_id == tag_id).cte(recursive=True)
    up = up.union(select(TagParent.parent_id).join(up, TagParent.tag_id == up.c.id))
    return set(db.execute(select(up.c.id)).scalars())


def studio_ancestors(db: Session, studio_id: str) -> set[str]:
    """Every studio above ``studio_id`` (not including it)."""
    up = select(Studio.parent_id.label("id")).where(Studio.id == studio_id, Studio.parent_id.is_not(None))
    tree = up.cte(recursive=True)
    parent = select(Studio.parent_id).join(tree, Studio.id == tree.c.id).where(Studio.parent_id.is_not(None))
    tree = tree.union(parent)
    return set(db.execute(select(tree.c.id)).scalars())


def tag_descendants(db: Session, tag_id: str) -> set[str]:
    """Every tag below ``tag_id`` (not including it)."""
    tree = tag_tree(select(TagParent.tag_id.label("id")).where(TagParent.parent_id == tag_id))
    return set(db.execute(select(tree.c.id)).scalars())


def studio_descendants(db: Session, studio_id: str) -> set[str]:
    """Every studio below ``studio_id`` (not including it)."""
    tree = studio_tree(select(Studio.id).where(Studio.parent_id == studio_id))
    return set(db.execute(select(tree.c.id)).scalars())


def cycle_parents(entity_id: str, parent_ids: Iterable[str], descendants: Collection[str]) -> list[str]:
    """The proposed parents that would make a cycle: the entity itself or one of its descendants."""
    return [p for p in parent_ids if p == entity_id or p in descendants]


def check_parents(kind: str, entity_id: str, parent_ids: Iterable[str], descendants: Collection[str]) -> None:
    """Refuse (400) parents that would put ``entity_id`` above itself."""
    bad = cycle_parents(entity_id, parent_ids, descendants)
    if bad:
        if bad[0] == entity_id:
            raise ValidationError(f"A {kind} cannot be its own parent.", code="cycle")
        raise ValidationError(
            f"The {kind} '{bad[0]}' is below this {kind}; making it a parent would create a cycle.", code="cycle"
        )
