"""Importing links of media rows (and performers, studios, tags) to tags, performers and a studio
(``entity_links`` records).

Links are only added: each link table gets one ``INSERT … SELECT FROM json_array_elements(…)
ON CONFLICT DO NOTHING RETURNING`` per batch, whatever its size. A row that already has a studio keeps it (a
warning names it when the record brings another). Ids that name no tag, performer or studio
here are warnings; an entity type or id links cannot be kept for (the rules of
:mod:`.links`), or the id of a row that does not exist (for the entity types a loaded plugin
declares a model for), skips the record. Counts and SFW mode read the link tables live, so new
links count and hide like any other.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from plugin_sdk.db import in_array
from plugin_sdk.imports import CREATED, SKIPPED, UNCHANGED, ImportBatch, ImportOutcome
from plugin_sdk.sfw import entity_model
from plugins_builtin.taxonomy.models import (
    ENTITY_ID_MAX,
    ENTITY_TYPE_MAX,
    EntityStudio,
    Performer,
    Studio,
    Tag,
)

DOC = """\
entity_type: str ("video", "image", "gallery", "series", "performer", "studio"…, at most 32
characters), entity_id: str (its id here), tag_ids: list[str], performer_ids: list[str],
studio_id: str|None (ids here). Only adds links; a row that has a studio keeps it (warning when
another is given). Unknown tag/performer/studio ids are warnings; an entity row that does not exist
skips the record. Outcome: id = entity_id, CREATED when a link was added, else UNCHANGED."""

OWN_TYPES: dict[str, Any] = {"performer": Performer, "studio": Studio, "tag": Tag}
"""Entity types of this plugin's own rows (performers carry tags, studios too)."""

_INSERT = """
WITH added AS (
    INSERT INTO {table} (entity_type, entity_id, {fk})
    SELECT r->>0, r->>1, r->>2 FROM json_array_elements(CAST(:rows AS json)) AS r
    ON CONFLICT DO NOTHING
    RETURNING entity_type, entity_id
)
SELECT DISTINCT entity_type, entity_id FROM added
"""


@dataclass
class _Wanted:
    entity_type: str
    entity_id: str
    tags: list[str] = field(default_factory=list)
    performers: list[str] = field(default_factory=list)
    studio: str | None = None
    warnings: list[str] = field(default_factory=list)


def _ids(rec_fields: Any, key: str, warnings: list[str]) -> list[str]:
    value = rec_fields.get(key) or []
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        warnings.append(f"{key}: not a list of ids")
        return []
    good = [v for v in value if isinstance(v, str) and 0 < len(v) <= ENTITY_ID_MAX]
    if len(good) != len(value):
        warnings.append(f"{key}: {len(value) - len(good)} item(s) are not ids")
    return list(dict.fromkeys(good))


def _read(rec_fields: Any) -> _Wanted | str:
    entity_type, entity_id = rec_fields.get("entity_type"), rec_fields.get("entity_id")
    if not isinstance(entity_type, str) or not 0 < len(entity_type) <= ENTITY_TYPE_MAX:
        return f"entity type {entity_type!r} is not one links can be kept for"
    if not isinstance(entity_id, str) or not 0 < len(entity_id) <= ENTITY_ID_MAX:
        return f"entity id {entity_id!r} is empty, too long or not text"
    wanted = _Wanted(entity_type, entity_id)
    wanted.tags = _ids(rec_fields, "tag_ids", wanted.warnings)
    wanted.performers = _ids(rec_fields, "performer_ids", wanted.warnings)
    studio = rec_fields.get("studio_id")
    if studio is not None and not (isinstance(studio, str) and 0 < len(studio) <= ENTITY_ID_MAX):
        wanted.warnings.append(f"studio_id: {studio!r} is not an id")
    elif studio is not None:
        wanted.studio = studio
    return wanted


def _existing(db: Session, model: Any, ids: Iterable[str]) -> set[str]:
    ids = sorted(set(ids))
    return set(db.execute(select(model.id).where(in_array(model.id, ids))).scalars()) if ids else set()


def _missing_entities(db: Session, wanted: Sequence[_Wanted]) -> set[tuple[str, str]]:
    """``(type, id)`` of the records' entity rows that do not exist (types without a model pass)."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for w in wanted:
        by_type[w.entity_type].add(w.entity_id)
    missing: set[tuple[str, str]] = set()
    for entity_type, ids in by_type.items():
        model = OWN_TYPES.get(entity_type) or entity_model(entity_type)
        if model is not None:
            found = _existing(db, model, ids)
            missing.update((entity_type, i) for i in ids - found)
    return missing


def _studios_of(db: Session, entities: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The studio each ``(type, id)`` already has: one query per entity type, so that the primary
    key ``(entity_type, entity_id)`` finds each row (on ``entity_id`` alone it is a full scan)."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for entity_type, entity_id in entities:
        by_type[entity_type].add(entity_id)
    found: dict[tuple[str, str], str] = {}
    for entity_type, ids in sorted(by_type.items()):
        rows = db.execute(
            select(EntityStudio.entity_id, EntityStudio.studio_id).where(
                EntityStudio.entity_type == entity_type, in_array(EntityStudio.entity_id, sorted(ids))
            )
        )
        found.update(((entity_type, i), s) for i, s in rows)
    return found


def _insert(db: Session, table: str, fk: str, rows: list[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """Insert link rows; the ``(type, id)`` of the entities that gained one."""
    if not rows:
        return set()
    result = db.execute(text(_INSERT.format(table=table, fk=fk)), {"rows": json.dumps(rows)})
    return {(t, i) for t, i in result}


def import_entity_links(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """``apply`` of the ``entity_links`` importer."""
    read = [_read(rec.fields) for rec in batch.records]
    wanted = [w for w in read if isinstance(w, _Wanted)]
    missing = _missing_entities(db, wanted)
    tags = _existing(db, Tag, (t for w in wanted for t in w.tags))
    performers = _existing(db, Performer, (p for w in wanted for p in w.performers))
    studios = _existing(db, Studio, (w.studio for w in wanted if w.studio))
    has_studio = _studios_of(db, [(w.entity_type, w.entity_id) for w in wanted if w.studio])
    tag_rows: dict[tuple[str, str, str], None] = {}
    performer_rows: dict[tuple[str, str, str], None] = {}
    studio_rows: dict[tuple[str, str], str] = {}
    for w in wanted:
        entity = (w.entity_type, w.entity_id)
        if entity in missing:
            continue
        for kind, ids, known, out in (
            ("tag_ids", w.tags, tags, tag_rows),
            ("performer_ids", w.performers, performers, performer_rows),
        ):
            for target in ids:
                if target in known:
                    out[(*entity, target)] = None
                else:
                    w.warnings.append(f"{kind}: no {kind[:-4]} with id {target!r}")
        if w.studio is None:
            continue
        current = has_studio.get(entity) or studio_rows.get(entity)
        if w.studio not in studios:
            w.warnings.append(f"studio_id: no studio with id {w.studio!r}")
        elif current is None:
            studio_rows[entity] = w.studio
        elif current != w.studio:
            w.warnings.append(f"studio_id: the {w.entity_type} already has studio {current}; kept")
    gained = _insert(db, "entity_tags", "tag_id", list(tag_rows))
    gained |= _insert(db, "entity_performers", "performer_id", list(performer_rows))
    gained |= _insert(db, "entity_studios", "studio_id", [(t, i, s) for (t, i), s in studio_rows.items()])
    out: list[ImportOutcome] = []
    for rec, w in zip(batch.records, read, strict=True):
        if not isinstance(w, _Wanted):
            out.append(ImportOutcome(rec.key, SKIPPED, reason=w))
        elif (w.entity_type, w.entity_id) in missing:
            out.append(ImportOutcome(rec.key, SKIPPED, reason=f"no {w.entity_type} with id {w.entity_id!r}"))
        else:
            status = CREATED if (w.entity_type, w.entity_id) in gained else UNCHANGED
            out.append(ImportOutcome(rec.key, status, id=w.entity_id, warnings=tuple(w.warnings)))
    return out
