"""The ``stash_id`` importer (``obscura_importers``): an entity's ids at StashBox servers, from
another application's library (Stash keeps them per scene, performer, studio and tag).

Upsert on (entity type, entity id, endpoint), the table's unique key: a new link is created, a
link to another StashBox id is updated, the same one is left as it is. Set-based: one SELECT for
the batch's keys (sent as arrays), one ``COPY`` of the new rows and one ``UPDATE … FROM unnest``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text, and_, any_, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from plugin_sdk.db import copy_rows, new_ids
from plugin_sdk.imports import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportOutcome, ImportRecord
from plugin_sdk.metadata import metadata_targets
from plugins_builtin.metadata.models import StashIdRow

COLUMNS = ("id", "entity_type", "entity_id", "endpoint", "stash_id", "updated_at")
"""The columns an import writes (``created_at`` is the database's)."""
TYPE_MAX = 32
ID_MAX = 64

FIELDS = """\
One record per link of an entity to a StashBox id:

* ``entity_type`` (str, required): ``video``, ``performer``, ``studio``, ``tag``… (at most 32):
  a type a loaded plugin takes metadata for, as ``POST /api/stash-ids`` requires.
* ``entity_id`` (str, required): the entity's id here (at most 64), from the outcome of its own
  import (not looked up again: a link of a deleted entity goes with it).
* ``endpoint`` (str, required): the StashBox server's GraphQL URL, as Stash stores it
  (``https://stashdb.org/graphql``).
* ``stash_id`` (str, required): the entity's id at that server.
* ``updated_at`` (datetime or ISO text | None): when the link was last set; kept on a new row.

Upsert on (``entity_type``, ``entity_id``, ``endpoint``): created, updated (another
``stash_id``: it replaces the old one), unchanged (the same). ``id`` is the ``stash_ids`` row's
id. ``target_id`` (a previous import's row) is used when the key matches no row.
"""

_KNOWN = frozenset({"entity_type", "entity_id", "endpoint", "stash_id", "updated_at"})

Key = tuple[str, str, str]
"""``(entity type, entity id, endpoint)``."""


@dataclass(slots=True)
class _Link:
    """One row as the batch knows it (loaded, or made by an earlier record of the batch)."""

    id: str
    key: Key
    stash_id: str


def _text(fields: Any, name: str, limit: int | None = None) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: required (a non-empty text)")
    value = value.strip()
    if limit is not None and len(value) > limit:
        raise ValueError(f"{name}: at most {limit} characters ({len(value)} given)")
    return value


def _time(value: Any) -> tuple[datetime | None, str | None]:
    """``(time, warning)``: naive times are UTC; text that is not a time is a warning."""
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None, f"updated_at: {value!r:.60} is not a time; left out"
    if not isinstance(value, datetime):
        return None, f"updated_at: {type(value).__name__} is not a time; left out"
    return (value if value.tzinfo else value.replace(tzinfo=UTC)), None


def _parse(
    rec: ImportRecord, types: frozenset[str]
) -> tuple[Key, str, datetime | None, list[str], tuple[str, ...]] | str:
    """``(key, stash id, updated_at, warnings, unmapped)``, or the reason to skip the record."""
    fields = rec.fields
    try:
        key = (_text(fields, "entity_type", TYPE_MAX), _text(fields, "entity_id", ID_MAX), _text(fields, "endpoint"))
        stash_id = _text(fields, "stash_id")
    except ValueError as exc:
        return str(exc)
    if key[0] not in types:
        return f"entity_type: no loaded plugin takes metadata for {key[0]!r}"
    updated_at, problem = _time(fields.get("updated_at"))
    unmapped = tuple(k for k, v in fields.items() if k not in _KNOWN and v not in (None, "", [], {}))
    return key, stash_id, updated_at, [problem] if problem else [], unmapped


def _array(values: Any, of: Any = Text) -> Any:
    return cast(literal(list(values), ARRAY(of)), ARRAY(of))


def _values(row_id: str, key: Key, stash_id: str, updated_at: datetime) -> dict[str, Any]:
    return {"id": row_id, "entity_type": key[0], "entity_id": key[1], "endpoint": key[2], "stash_id": stash_id,
            "updated_at": updated_at}  # fmt: skip


def _update(db: Session, rows: list[dict[str, Any]]) -> None:
    """One ``UPDATE … FROM unnest(…)`` for every changed row."""
    arrays = [_array([r[c] for r in rows]) for c in COLUMNS[:-1]]
    arrays.append(_array([r["updated_at"] for r in rows], DateTime(timezone=True)))
    v = func.unnest(*arrays).table_valued(*COLUMNS).render_derived().alias("v")
    db.execute(
        update(StashIdRow)
        .where(StashIdRow.id == v.c.id)
        .values(entity_type=v.c.entity_type, entity_id=v.c.entity_id, endpoint=v.c.endpoint, stash_id=v.c.stash_id,
                updated_at=v.c.updated_at)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def _keys_join(keys: list[Key]) -> tuple[Any, Any]:
    """``(table, ON clause)`` joining ``stash_ids`` with the keys, sent as three arrays (a tuple
    ``IN`` of a thousand keys is planned as a thousand ORs)."""
    types, ids, endpoints = zip(*keys, strict=True)
    k = func.unnest(_array(types), _array(ids), _array(endpoints)).table_valued("t", "i", "e").render_derived()
    k = k.alias("k")
    on = and_(StashIdRow.entity_type == k.c.t, StashIdRow.entity_id == k.c.i, StashIdRow.endpoint == k.c.e)
    return k, on


def import_stash_ids(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """Take a batch of ``stash_id`` records (see :data:`FIELDS`); one outcome per record."""
    types = frozenset(metadata_targets())
    parsed = [_parse(rec, types) for rec in batch.records]
    keys = sorted({p[0] for p in parsed if not isinstance(p, str)})
    cols = (StashIdRow.id, StashIdRow.entity_type, StashIdRow.entity_id, StashIdRow.endpoint, StashIdRow.stash_id)
    links: dict[Key, _Link] = {}
    if keys:
        for row in db.connection().execute(select(*cols).join(*_keys_join(keys))):
            links[(row[1], row[2], row[3])] = _Link(row[0], (row[1], row[2], row[3]), row[4])
    targets = sorted({str(r.target_id) for r, p in zip(batch.records, parsed, strict=True)
                      if r.target_id and not isinstance(p, str) and p[0] not in links})  # fmt: skip
    by_id: dict[str, _Link] = {}
    if targets:
        for row in db.connection().execute(select(*cols).where(StashIdRow.id == any_(_array(targets)))):
            if (row[1], row[2], row[3]) not in links:  # a row that lost its key to another one is not reused
                by_id[row[0]] = _Link(row[0], (row[1], row[2], row[3]), row[4])

    now = datetime.now(UTC)
    fresh = iter(new_ids(len(parsed)))
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    out: list[ImportOutcome] = []
    for rec, p in zip(batch.records, parsed, strict=True):
        if isinstance(p, str):
            out.append(ImportOutcome(rec.key, SKIPPED, reason=p))
            continue
        key, stash_id, updated_at, warnings, unmapped = p
        link = links.get(key)
        if link is None and rec.target_id and (moved := by_id.pop(str(rec.target_id), None)) is not None:
            # the row of a previous import, now under another key (its entity or endpoint changed)
            links.pop(moved.key, None)
            moved.key, moved.stash_id = key, stash_id
            updates[moved.id] = _values(moved.id, key, stash_id, updated_at or now)
            links[key] = moved
            status = UPDATED
        elif link is None:
            link = _Link(next(fresh), key, stash_id)
            inserts[link.id] = _values(link.id, key, stash_id, updated_at or now)
            links[key] = link
            status = CREATED
        elif link.stash_id == stash_id:
            status = UNCHANGED
        else:
            link.stash_id = stash_id
            (inserts if link.id in inserts else updates)[link.id] = _values(link.id, key, stash_id, updated_at or now)
            status = UPDATED
        out.append(ImportOutcome(rec.key, status, id=links[key].id, unmapped=unmapped, warnings=tuple(warnings)))
    if updates:  # first: a row moved to another key frees its old one for an insert
        _update(db, list(updates.values()))
    if inserts:
        copy_rows(db, StashIdRow.__tablename__, COLUMNS, inserts.values())
    return out
