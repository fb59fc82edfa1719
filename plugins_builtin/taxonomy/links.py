"""What the taxonomy plugin does for media plugins: link fields of PATCH bodies, the links shown
in API answers, list filters and forgetting deleted rows. Called from the hooks in ``__init__``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, false, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk import LinkKind
from plugin_sdk.db import in_array
from plugin_sdk.errors import ValidationError
from plugins_builtin.taxonomy.hierarchy import studio_tree, tag_tree
from plugins_builtin.taxonomy.kinds import PERFORMERS, STUDIOS, TAGS, Kind
from plugins_builtin.taxonomy.models import (
    ENTITY_ID_MAX,
    ENTITY_TYPE_MAX,
    EntityPerformer,
    EntityStudio,
    EntityTag,
    Performer,
)
from plugins_builtin.taxonomy.resolve import find_or_create, matches

PATCH_FIELDS: dict[str, Kind] = {"performer_names": PERFORMERS, "tag_names": TAGS, "studio_name": STUDIOS}
FILTER_KEYS: dict[str, Kind] = {"performers": PERFORMERS, "tags": TAGS, "studio": STUDIOS, "studios": STUDIOS}
MAX_FILTER_VALUES = 20

LINK_KINDS = (
    LinkKind(
        "performer_names",
        filter="performers",
        linked_type="performer",
        description="performers, by name",
        scraped="performers",
    ),
    LinkKind("tag_names", filter="tags", linked_type="tag", description="tags, by name", max_items=500, scraped="tags"),
    LinkKind(
        "studio_name",
        filter="studio",
        many=False,
        linked_type="studio",
        description="the studio, by name",
        scraped="studio",
    ),
)
"""The fields of media PATCH bodies and the filters of media lists this plugin answers."""


def image_url(kind: Kind, row: Any) -> str | None:
    """URL of an entity's picture (versioned, so browsers may cache it), or ``None``."""
    if not row.image_format:
        return None
    stamp = int(row.image_at.timestamp()) if row.image_at else 0
    return f"/api/{kind.plural}/{row.id}/image?v={stamp}"


def _check_target(entity_type: str, entity_ids: Sequence[str]) -> list[str]:
    if not entity_type or len(entity_type) > ENTITY_TYPE_MAX:
        raise ValidationError(f"Entity type '{entity_type[:40]}' is not one links can be kept for.")
    ids = list(dict.fromkeys(str(i) for i in entity_ids))
    if any(not i or len(i) > ENTITY_ID_MAX for i in ids):
        raise ValidationError("An entity id is empty or too long.")
    return ids


def replace_links(db: Session, kind: Kind, entity_type: str, entity_ids: list[str], target_ids: list[str]) -> None:
    """Make ``target_ids`` the only links of ``kind`` of each entity."""
    link = kind.link
    db.execute(delete(link).where(link.entity_type == entity_type, in_array(link.entity_id, entity_ids)))
    rows = [
        {"entity_type": entity_type, "entity_id": eid, kind.link_fk.key: tid}
        for eid in entity_ids
        for tid in target_ids
    ]
    if rows:
        db.execute(pg_insert(link).on_conflict_do_nothing(), rows)


def apply_changes(db: Session, entity_type: str, entity_ids: Sequence[str], changes: Mapping[str, Any]) -> set[str]:
    """Find or create the named performers, tags and studio and make them the entities' links.

    :return: the keys of ``changes`` applied (the taxonomy's own link fields).
    """
    fields = {k: v for k, v in changes.items() if k in PATCH_FIELDS and v is not None}
    if not fields:
        return set()
    ids = _check_target(entity_type, entity_ids)
    for field, value in fields.items():
        kind = PATCH_FIELDS[field]
        names = [value] if isinstance(value, str) else list(value)
        if any(not isinstance(n, str) for n in names):
            raise ValidationError(f"{field}: names must be strings.")
        target_ids = find_or_create(db, kind, names)
        if kind.single and len(target_ids) > 1:
            raise ValidationError(f"{field}: one {kind.key} at most.")
        replace_links(db, kind, entity_type, ids, target_ids)
    return set(fields)


def _ref(kind: Kind, row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "imageUrl": image_url(kind, row)}


def _linked(db: Session, kind: Kind, entity_type: str, ids: list[str], *extra: Any) -> list[Any]:
    """``(entity_id, id, name, image_format, image_at, *extra)`` rows of one kind, by name."""
    model, link = kind.model, kind.link
    return list(
        db.execute(
            select(link.entity_id, model.id, model.name, model.image_format, model.image_at, *extra)
            .join(model, model.id == kind.link_fk)
            .where(link.entity_type == entity_type, in_array(link.entity_id, ids))
            .order_by(model.name_key)
        )
    )


def links_for(db: Session, entity_type: str, entity_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``{id: {"performers": [...], "tags": [...], "studio": {...} | None}}`` in three queries."""
    ids = list(dict.fromkeys(entity_ids))
    out: dict[str, dict[str, Any]] = {i: {"performers": [], "tags": [], "studio": None} for i in ids}
    if not ids:
        return out
    for row in _linked(db, PERFORMERS, entity_type, ids, Performer.disambiguation):
        out[row.entity_id]["performers"].append({**_ref(PERFORMERS, row), "disambiguation": row.disambiguation})
    for row in _linked(db, TAGS, entity_type, ids):
        out[row.entity_id]["tags"].append(_ref(TAGS, row))
    for row in _linked(db, STUDIOS, entity_type, ids):
        out[row.entity_id]["studio"] = _ref(STUDIOS, row)
    return out


def resolve_ids(db: Session, kind: Kind, value: str) -> list[str]:
    """Ids ``value`` designates (a name, an alias or an id), with every sub-tag or sub-studio."""
    roots = select(kind.model.id.label("id")).where(matches(kind, value))
    if kind is TAGS:
        roots = select(tag_tree(roots).c.id)
    elif kind is STUDIOS:
        roots = select(studio_tree(roots).c.id)
    return list(db.execute(roots).scalars())


def filter_clause(
    db: Session, entity_type: str, id_column: ColumnElement[Any], key: str, values: Sequence[str]
) -> ColumnElement[bool] | None:
    """Rows linked to every value given (a name, an alias or an id); tags and studios match their
    sub-tags and sub-studios too. ``None`` for keys that are not the taxonomy's.

    The ids are resolved first and written into the SQL as literals, so PostgreSQL plans with its
    statistics of the link table: a rare tag probes a few rows by primary key, a common one walks
    the list's sort index (a recursive CTE or an ``ANY(ARRAY(…))`` in the query misled it).
    """
    kind = FILTER_KEYS.get(key)
    if kind is None:
        return None
    wanted = [v for v in (str(v).strip() for v in values) if v]
    if len(wanted) > MAX_FILTER_VALUES:
        raise ValidationError(f"query.{key}: at most {MAX_FILTER_VALUES} values.")
    conds: list[ColumnElement[bool]] = []
    for value in wanted:
        ids = resolve_ids(db, kind, value)
        if not ids:
            return false()
        linked = select(kind.link.entity_id).where(
            kind.link.entity_type == entity_type,
            kind.link_fk.in_(bindparam(None, ids, expanding=True, literal_execute=True)),
        )
        conds.append(id_column.in_(linked))
    return and_(*conds) if conds else true()


def forget(db: Session, entity_type: str, entity_ids: Sequence[str]) -> None:
    """Drop every link of deleted media rows."""
    ids = [str(i) for i in entity_ids]
    if not ids:
        return
    for link in (EntityPerformer, EntityTag, EntityStudio):
        db.execute(delete(link).where(link.entity_type == entity_type, in_array(link.entity_id, ids)))
