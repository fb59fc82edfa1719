"""Merging performers, studios or tags into one (something the original Obscura lacks).

In one transaction: the sources' links move to the target (deduplicated), their names and aliases
become the target's aliases, the target's empty fields are filled from the sources, sub-tags and
sub-studios are re-attached (never making a cycle), and the sources are deleted.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.storage import atomic_write
from plugins_builtin.taxonomy import pictures
from plugins_builtin.taxonomy.hierarchy import studio_ancestors, studio_descendants, tag_ancestors, tag_descendants
from plugins_builtin.taxonomy.kinds import STUDIOS, TAGS, Kind
from plugins_builtin.taxonomy.models import Studio, TagParent
from plugins_builtin.taxonomy.names import merged_aliases

MAX_SOURCES = 100
KEEP = {"id", "name", "name_key", "disambiguation", "aliases", "alias_keys", "image_format", "image_at", "created_at",
        "updated_at", "parent_id", "favorite", "is_nsfw", "image_source", "ignore_auto_tag"}  # fmt: skip


def _fill_blanks(kind: Kind, target: Any, sources: Sequence[Any]) -> None:
    for column in kind.model.__table__.columns:
        name = column.key
        if name in KEEP:
            continue
        if name == "urls":
            target.urls = list(dict.fromkeys([*(target.urls or []), *(u for s in sources for u in s.urls or [])]))
        elif name == "custom_fields":
            merged = {k: v for s in reversed(sources) for k, v in (s.custom_fields or {}).items()}
            target.custom_fields = {**merged, **(target.custom_fields or {})}
        elif getattr(target, name) in (None, ""):
            value = next((getattr(s, name) for s in sources if getattr(s, name) not in (None, "")), None)
            if value is not None:
                setattr(target, name, value)
    target.favorite = target.favorite or any(s.favorite for s in sources)
    target.is_nsfw = target.is_nsfw or any(s.is_nsfw for s in sources)
    target.ignore_auto_tag = target.ignore_auto_tag or any(s.ignore_auto_tag for s in sources)


def _move_links(db: Session, kind: Kind, target_id: str, ids: list[str]) -> int:
    link, fk = kind.link, kind.link_fk
    if kind.single:  # one studio per media row: repoint
        return db.execute(update(link).where(fk.in_(ids)).values({fk.key: target_id})).rowcount or 0
    moved = select(link.entity_type, link.entity_id, literal(target_id)).where(fk.in_(ids)).distinct()
    stmt = pg_insert(link).from_select(["entity_type", "entity_id", fk.key], moved).on_conflict_do_nothing()
    return db.execute(stmt).rowcount or 0


def _move_tag_edges(db: Session, target_id: str, ids: list[str]) -> None:
    above = tag_ancestors(db, target_id)
    children = set(db.execute(select(TagParent.tag_id).where(TagParent.parent_id.in_(ids))).scalars())
    for child in sorted(children - {target_id} - set(ids) - above):
        db.execute(pg_insert(TagParent).values(tag_id=child, parent_id=target_id).on_conflict_do_nothing())
    below = tag_descendants(db, target_id)
    parents = set(db.execute(select(TagParent.parent_id).where(TagParent.tag_id.in_(ids))).scalars())
    for parent in sorted(parents - {target_id} - set(ids) - below):
        db.execute(pg_insert(TagParent).values(tag_id=target_id, parent_id=parent).on_conflict_do_nothing())


def _move_studio_tree(db: Session, target: Any, sources: Sequence[Any], ids: list[str]) -> None:
    above = studio_ancestors(db, target.id)
    db.execute(
        update(Studio)
        .where(Studio.parent_id.in_(ids), Studio.id != target.id, Studio.id.not_in(above))
        .values(parent_id=target.id)
    )
    if target.parent_id in ids:
        source = next(s for s in sources if s.id == target.parent_id)
        below = studio_descendants(db, target.id)
        new_parent = source.parent_id
        ok = new_parent and new_parent not in ids and new_parent != target.id and new_parent not in below
        target.parent_id = new_parent if ok else None


def _adopt_picture(kind: Kind, target: Any, sources: Sequence[Any]) -> None:
    if target.image_format:
        return
    for source in sources:
        if source.image_format:
            src = pictures.picture_path(kind.plural, source.id, source.image_format)
            if src.is_file():
                with atomic_write(pictures.picture_path(kind.plural, target.id, source.image_format)) as tmp:
                    shutil.copyfile(src, tmp)
                target.image_format, target.image_at = source.image_format, source.image_at
                target.image_source = source.image_source
                return


def merge(db: Session, kind: Kind, target: Any, source_ids: Sequence[str]) -> dict[str, Any]:
    """Merge ``source_ids`` into ``target`` (the caller commits, then deletes the sources' files).

    :return: ``{"merged": [source ids], "linksMoved": n}``.
    """
    ids = list(dict.fromkeys(source_ids))
    if not ids:
        raise ValidationError("body.sourceIds: give at least one id to merge.")
    if len(ids) > MAX_SOURCES:
        raise ValidationError(f"body.sourceIds: at most {MAX_SOURCES} at a time.")
    if target.id in ids:
        raise ValidationError(f"A {kind.key} cannot be merged into itself.")
    model = kind.model
    sources = db.execute(select(model).where(model.id.in_(ids)).order_by(model.created_at, model.id)).scalars().all()
    missing = set(ids) - {s.id for s in sources}
    if missing:
        raise NotFoundError(f"No {kind.key} with id '{sorted(missing)[0]}'.")
    moved = _move_links(db, kind, target.id, ids)
    if kind is TAGS:
        _move_tag_edges(db, target.id, ids)
    elif kind is STUDIOS:
        _move_studio_tree(db, target, sources, ids)
    _fill_blanks(kind, target, sources)
    _adopt_picture(kind, target, sources)
    target.aliases, target.alias_keys = merged_aliases(
        kind.own_keys(target), target.aliases or [], [(s.name, s.aliases or []) for s in sources]
    )
    db.execute(delete(model).where(model.id.in_(ids)))
    return {"merged": ids, "linksMoved": moved}
