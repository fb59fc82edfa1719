"""Importing the tag and studio hierarchies (``tag_parent`` and ``studio_parent`` records).

Both only add: a tag gains the parents it lacks, a studio without a parent gets one. A studio
already under another studio keeps it (chosen here, or by an earlier record), with a warning. A
parent that would put an entity below itself is refused with a warning (the rule of
:func:`~plugins_builtin.taxonomy.hierarchy.cycle_parents`, which the API applies too), checked
against the database and the links added earlier in the same batch.

Each batch reads, in one query, the sub-trees below its entities (all a cycle check needs) and
writes its new links in one statement.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from plugin_sdk.db import in_array
from plugin_sdk.imports import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportOutcome
from plugins_builtin.taxonomy.bulk_rows import update_by_id
from plugins_builtin.taxonomy.hierarchy import cycle_parents, studio_tree, tag_tree
from plugins_builtin.taxonomy.models import ENTITY_ID_MAX, Studio, Tag, TagParent

TAG_PARENT_DOC = """\
tag_id: str (a tag here), parent_ids: list[str] (tags here). Adds the links the tag lacks, never
removes one; a parent that is unknown or would make a cycle is a warning. Outcome: id = tag_id,
CREATED when a link was added, else UNCHANGED."""

STUDIO_PARENT_DOC = """\
studio_id: str (a studio here), parent_id: str|None (a studio here). Sets the parent of a studio
that has none; a studio already under another keeps it (warning), as do an unknown parent or one
that would make a cycle (warnings). Outcome: id = studio_id, UPDATED when set, else UNCHANGED."""

_ADD_EDGES = """
INSERT INTO tag_parents (tag_id, parent_id)
SELECT r->>0, r->>1 FROM json_array_elements(CAST(:edges AS json)) AS r
ON CONFLICT DO NOTHING
"""


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= ENTITY_ID_MAX else None


def _below(children: Mapping[str, Iterable[str]], top: str) -> set[str]:
    """Every id below ``top`` in ``children`` (not ``top`` itself, unless a cycle already exists)."""
    found: set[str] = set()
    todo = list(children.get(top, ()))
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo.extend(children.get(node, ()))
    return found


def import_tag_parents(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """``apply`` of the ``tag_parent`` importer."""
    wanted: list[tuple[str | None, list[Any]]] = []
    for rec in batch.records:
        parents = rec.fields.get("parent_ids") or []
        listed = list(parents) if isinstance(parents, (list, tuple)) else [parents]
        wanted.append((_id(rec.fields.get("tag_id")), listed))
    tags = sorted({t for t, _ in wanted if t})
    named = sorted({*tags, *(p for _, ps in wanted for p in ps if _id(p))})
    known = set(db.execute(select(Tag.id).where(in_array(Tag.id, named))).scalars()) if named else set()
    children: dict[str, set[str]] = defaultdict(set)
    if tags:
        tree = tag_tree(select(Tag.id.label("id")).where(in_array(Tag.id, tags)))
        edges = select(TagParent.tag_id, TagParent.parent_id).where(
            or_(TagParent.parent_id.in_(select(tree.c.id)), in_array(TagParent.tag_id, tags))
        )
        for child, parent in db.execute(edges):
            children[parent].add(child)
    added: list[tuple[str, str]] = []
    out: list[ImportOutcome] = []
    for rec, (tag_id, parents) in zip(batch.records, wanted, strict=True):
        if tag_id is None or tag_id not in known:
            out.append(ImportOutcome(rec.key, SKIPPED, reason=f"no tag with id {rec.fields.get('tag_id')!r}"))
            continue
        warnings: list[str] = []
        below = _below(children, tag_id)
        new = 0
        for raw in parents:
            parent = _id(raw)
            if parent is None or parent not in known:
                warnings.append(f"parent_ids: no tag with id {raw!r}")
            elif tag_id in children.get(parent, ()):
                continue
            elif cycle_parents(tag_id, [parent], below):
                warnings.append(f"parent_ids: {parent} is this tag or below it; linking it would make a cycle")
            else:
                children[parent].add(tag_id)
                added.append((tag_id, parent))
                new += 1
        out.append(ImportOutcome(rec.key, CREATED if new else UNCHANGED, id=tag_id, warnings=tuple(warnings)))
    if added:
        db.execute(text(_ADD_EDGES), {"edges": json.dumps(added)})
    return out


def import_studio_parents(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """``apply`` of the ``studio_parent`` importer."""
    wanted = [(_id(rec.fields.get("studio_id")), rec.fields.get("parent_id")) for rec in batch.records]
    studios = sorted({s for s, _ in wanted if s})
    named = sorted({*studios, *(p for _, p in wanted if _id(p))})
    known = set(db.execute(select(Studio.id).where(in_array(Studio.id, named))).scalars()) if named else set()
    parent_of: dict[str, str | None] = {}
    children: dict[str, set[str]] = defaultdict(set)
    if studios:
        tree = studio_tree(select(Studio.id.label("id")).where(in_array(Studio.id, studios)))
        for sid, parent in db.execute(select(Studio.id, Studio.parent_id).where(Studio.id.in_(select(tree.c.id)))):
            parent_of[sid] = parent
            if parent:
                children[parent].add(sid)
    changed: dict[str, str] = {}
    out: list[ImportOutcome] = []
    for rec, (studio_id, parent) in zip(batch.records, wanted, strict=True):
        if studio_id is None or studio_id not in known:
            out.append(ImportOutcome(rec.key, SKIPPED, reason=f"no studio with id {rec.fields.get('studio_id')!r}"))
            continue
        warning = None
        current = parent_of.get(studio_id)
        if parent is None or parent == current:
            pass
        elif not _id(parent) or parent not in known:
            warning = f"parent_id: no studio with id {parent!r}"
        elif current is not None:
            warning = f"parent_id: the studio is already under studio {current}; kept"
        elif cycle_parents(studio_id, [parent], _below(children, studio_id)):
            warning = f"parent_id: {parent} is this studio or below it; making it the parent would make a cycle"
        else:
            parent_of[studio_id] = changed[studio_id] = parent
            children[parent].add(studio_id)
            out.append(ImportOutcome(rec.key, UPDATED, id=studio_id))
            continue
        out.append(ImportOutcome(rec.key, UNCHANGED, id=studio_id, warnings=(warning,) if warning else ()))
    update_by_id(db, Studio.__table__, [{"id": s, "parent_id": p} for s, p in changed.items()])
    return out
