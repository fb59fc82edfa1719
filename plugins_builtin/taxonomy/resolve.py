"""Find-or-create by name, and the SQL that finds entities by a name, an alias or an id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk.db import new_id
from plugin_sdk.errors import ValidationError
from plugins_builtin.taxonomy.kinds import Kind
from plugins_builtin.taxonomy.names import NAME_MAX, is_uuid, name_key, unique_names


def find_or_create(db: Session, kind: Kind, names: Iterable[str | None], created: set[str] | None = None) -> list[str]:
    """The ids of ``names`` (one per distinct name, in order), creating the missing ones.

    A name finds the entity whose name has the same key; else the oldest entity having it as an
    alias; else a new entity is inserted with ``ON CONFLICT (name_key) DO NOTHING``, so two
    requests creating "Tom Hanks" at once end with one row. Blank names are skipped. The ids of
    the rows this call inserted are added to ``created``.
    """
    wanted = unique_names(names)
    for shown, _ in wanted:
        if len(shown) > NAME_MAX:
            raise ValidationError(f"A {kind.key} name may be at most {NAME_MAX} characters ('{shown[:40]}…').")
    if not wanted:
        return []
    model = kind.model
    keys = [key for _, key in wanted]
    found: dict[str, str] = dict(db.execute(select(model.name_key, model.id).where(model.name_key.in_(keys))).all())
    missing = [key for key in keys if key not in found]
    if missing:
        by_alias = db.execute(
            select(model.id, model.alias_keys)
            .where(model.alias_keys.overlap(missing))
            .order_by(model.created_at, model.id)
        ).all()
        for row_id, alias_keys in by_alias:
            for key in alias_keys:
                if key in missing:
                    found.setdefault(key, row_id)
        create = sorted((key, shown) for shown, key in wanted if key not in found)  # one lock order
        if create:
            rows = [{"id": new_id(), "name": shown, "name_key": key, "aliases": [], "alias_keys": []}
                    for key, shown in create]  # fmt: skip
            stmt = (
                pg_insert(model)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["name_key"])
                .returning(model.name_key, model.id)
            )
            inserted = dict(db.execute(stmt).all())
            found.update(inserted)
            if created is not None:
                created.update(inserted.values())
            raced = [key for key, _ in create if key not in found]
            if raced:  # created by a concurrent request since we looked
                found.update(dict(db.execute(select(model.name_key, model.id).where(model.name_key.in_(raced))).all()))
    return [found[key] for key in keys]


def matches(kind: Kind, value: str) -> ColumnElement[bool]:
    """Rows of ``kind`` that ``value`` designates: by id, by name or by alias (case-insensitive)."""
    model = kind.model
    key = name_key(value)
    conds: list[ColumnElement[bool]] = [model.name_key == key, model.alias_keys.contains([key])]
    if is_uuid(value.strip()):
        conds.append(model.id == value.strip().lower())
    return or_(*conds)
