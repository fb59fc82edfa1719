"""The ``collection`` importer (``obscura_importers``): collections from another application's
library, such as Stash's groups (manual, in their scene order) and saved filters (dynamic).

A record is matched to the row of a previous import (``target_id``), else to a collection of the
same name and mode, else created. Matching never takes anything away and never overwrites what
is there (collections keep no list of user-edited fields, so every value already set counts as
the user's): a missing description or rule tree is filled in, and the manual members the row
lacks are added after its last member, in the record's order. Importing the same records again
changes nothing. A new or newly ruled dynamic collection gets the refresh job the collections
plugin queues for it (not in a dry run). Set-based: a few queries per batch, whatever its size.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import Text, cast, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from plugin_sdk.collections import collection_sources
from plugin_sdk.db import copy_rows, in_array, new_ids
from plugin_sdk.errors import ValidationError
from plugin_sdk.imports import CREATED, MERGED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportOutcome
from plugin_sdk.jobs import enqueue_jobs
from plugins_builtin.collections.compiler import conditions
from plugins_builtin.collections.models import ENTITY_ID_MAX, ENTITY_TYPE_MAX, MODES, Collection, CollectionItem
from plugins_builtin.collections.refresh import DYNAMIC_MODES, recount
from plugins_builtin.collections.rules import Group

QUEUE = "collection-refresh"
COLLECTION_COLUMNS = ("id", "name", "description", "mode", "rule_tree", "item_count", "created_at", "updated_at")
"""The columns an import writes; the others take the table's defaults."""
NAME_MAX = 200
"""As the API takes them."""

FIELDS = """\
One record per collection:

* ``name`` (str, required, at most 200 characters) and ``description`` (str | None).
* ``mode``: ``"manual"`` | ``"dynamic"`` | ``"hybrid"`` (default ``"manual"``).
* ``rule_tree`` (dict | None): the rules of a dynamic or hybrid collection, in the collections'
  rule language (``{"type": "group", "operator": "and", "children": [...]}``); required for a
  dynamic one. A tree that does not validate against the loaded kinds skips the record, with the
  validation message as the reason.
* ``items``: ``[{"entity_type": "video", "entity_id": "<id here>"}, ...]``, the manual members in
  order (a Stash group's scene order); rows that do not exist here are left out with a warning.
* ``cover`` (bytes | None): collections show their members' thumbnails, so an uploaded picture
  has no home here and is listed as unmapped.
* ``created_at`` / ``updated_at`` (datetime or ISO text | None): kept on a new row.
* ``unmapped_fields`` (list[str]): fields the source already knows have no home; echoed in the
  outcome's ``unmapped``.

Matching: ``target_id`` → the same ``name`` and ``mode`` → a new collection. A match fills only
what the row lacks (description, rule tree) and adds the manual members it lacks at the end; it
never removes or reorders the user's. Outcomes: created, merged / updated (something was added),
unchanged, skipped (with the reason). ``id`` is the collection's id.
"""

_KNOWN = frozenset(
    {"name", "description", "mode", "rule_tree", "items", "cover", "created_at", "updated_at", "unmapped_fields"}
)

Ref = tuple[str, str]
"""``(entity type, entity id)``."""


@dataclass(slots=True)
class _Record:
    """One record, checked."""

    key: str
    target_id: str | None
    name: str
    description: str | None
    mode: str
    tree: dict[str, Any] | None
    items: list[Ref]
    created_at: datetime | None
    updated_at: datetime | None
    unmapped: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    """What the batch knows of one collection row (loaded, or created by an earlier record)."""

    id: str
    name: str
    mode: str
    description: str | None
    tree: dict[str, Any] | None
    members: dict[Ref, str] = field(default_factory=dict)
    last: int = -1
    created: bool = False


# ----------------------------------------------------------------------------------------- parsing


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expects a text, not {type(value).__name__}")
    return value


def _time(name: str, value: Any, warnings: list[str]) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    warnings.append(f"{name}: {value!r:.60} is not a time; left out")
    return None


def _pydantic_message(exc: PydanticError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return "; ".join(parts)


def _tree(db: Session, raw: Any) -> dict[str, Any] | None:
    """The rule tree as the collections plugin stores it; ``ValueError`` with the validation message."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError(f"rule_tree: expects a rule group, not {type(raw).__name__}")
    try:
        tree = Group.model_validate(dict(raw))
    except PydanticError as exc:
        raise ValueError(f"rule_tree: {_pydantic_message(exc)}") from None
    try:
        conditions(db, collection_sources(), tree)
    except ValidationError as exc:
        raise ValueError(f"rule_tree: {exc.message}") from None
    return tree.dump()


def _items(raw: Any, warnings: list[str]) -> list[Ref]:
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        warnings.append(f"items: expects a list, not {type(raw).__name__}; left out")
        return []
    refs: list[Ref] = []
    bad = 0
    for item in raw:
        try:
            kind, entity_id = item["entity_type"], item["entity_id"]
        except (TypeError, KeyError, IndexError):  # not a mapping, or a key missing
            bad += 1
            continue
        if (
            type(kind) is not str
            or type(entity_id) is not str
            or not 0 < len(kind) <= ENTITY_TYPE_MAX
            or not 0 < len(entity_id) <= ENTITY_ID_MAX
        ):
            bad += 1
            continue
        refs.append((kind, entity_id))
    if bad:
        warnings.append(f"items: {bad} item(s) without a valid entity_type and entity_id; left out")
    return list(dict.fromkeys(refs))


def _parse(db: Session, rec: Any) -> _Record | ImportOutcome:
    fields = rec.fields
    warnings: list[str] = []
    try:
        name = (_text(fields.get("name")) or "").strip()
        if not name:
            raise ValueError("name: a collection needs a name")
        if len(name) > NAME_MAX:
            raise ValueError(f"name: at most {NAME_MAX} characters ({len(name)} given)")
        description = _text(fields.get("description"))
        mode = fields.get("mode") or "manual"
        if mode not in MODES:
            raise ValueError(f"mode: one of {', '.join(MODES)}, not {mode!r:.40}")
        tree = _tree(db, fields.get("rule_tree"))
        if mode == "dynamic" and tree is None:
            raise ValueError("rule_tree: a dynamic collection needs rules")
    except ValueError as exc:
        return ImportOutcome(rec.key, SKIPPED, reason=str(exc))
    known_unmapped = fields.get("unmapped_fields") or ()
    if isinstance(known_unmapped, str):
        known_unmapped = [known_unmapped]
    unmapped = [str(f) for f in known_unmapped if f]
    if fields.get("cover") is not None:
        unmapped.append("cover")  # collections show their members' thumbnails; no uploaded picture
    unmapped.extend(k for k, v in fields.items() if k not in _KNOWN and v not in (None, "", [], {}))
    items = _items(fields.get("items"), warnings)
    if mode == "dynamic" and items:
        warnings.append(f"items: a dynamic collection holds what its rules match; {len(items)} item(s) left out")
        items = []
    return _Record(
        key=rec.key,
        target_id=str(rec.target_id) if rec.target_id else None,
        name=name,
        description=description if description and description.strip() else None,
        mode=mode,
        tree=tree,
        items=items,
        created_at=_time("created_at", fields.get("created_at"), warnings),
        updated_at=_time("updated_at", fields.get("updated_at"), warnings),
        unmapped=tuple(dict.fromkeys(unmapped)),
        warnings=warnings,
    )


# ----------------------------------------------------------------------------------------- lookups


def _existing_refs(db: Session, records: list[_Record]) -> set[Ref]:
    """The ``(kind, id)`` of every item that names a row here: one query per kind; items of
    unknown kinds or missing rows are named in their record's warnings."""
    sources = collection_sources()
    wanted: dict[str, set[str]] = {}
    for rec in records:
        for kind, entity_id in rec.items:
            wanted.setdefault(kind, set()).add(entity_id)
    found: set[Ref] = set()
    for kind, ids in wanted.items():
        if kind not in sources:
            continue
        col = cast(sources[kind].id_column, Text)
        rows = db.connection().execute(select(col).where(in_array(col, sorted(ids))))
        found.update((kind, i) for i in rows.scalars())
    for rec in records:
        missing: dict[str, list[str]] = {}
        for ref in rec.items:
            if ref not in found:
                missing.setdefault(ref[0], []).append(ref[1])
        for kind, ids in missing.items():
            shown = ", ".join(ids[:3]) + ("…" if len(ids) > 3 else "")
            if kind not in sources:
                rec.warnings.append(f"items: no loaded plugin holds {kind!r} rows; {len(ids)} item(s) left out")
            else:
                rec.warnings.append(f"items: {len(ids)} {kind} row(s) not found ({shown}); left out")
        if missing:
            rec.items = [r for r in rec.items if r in found]
    return found


def _row(c: Any) -> _Row:
    return _Row(id=c.id, name=c.name, mode=c.mode, description=c.description, tree=c.rule_tree)


def _load_rows(db: Session, records: list[_Record]) -> tuple[dict[str, _Row], dict[tuple[str, str], _Row]]:
    """``({id: row}`` of the records' targets, ``{(name, mode): oldest row})``."""
    cols = (Collection.id, Collection.name, Collection.mode, Collection.description, Collection.rule_tree)
    targets = sorted({r.target_id for r in records if r.target_id})
    by_id: dict[str, _Row] = {}
    if targets:
        by_id = {c.id: _row(c) for c in db.connection().execute(select(*cols).where(in_array(Collection.id, targets)))}
    keys = {(r.name, r.mode) for r in records if r.target_id not in by_id}
    by_key: dict[tuple[str, str], _Row] = {}
    if keys:
        names = sorted({name for name, _ in keys})
        rows = db.connection().execute(
            select(*cols).where(in_array(Collection.name, names)).order_by(Collection.created_at, Collection.id)
        )
        for c in rows:
            if (c.name, c.mode) in keys:
                by_key.setdefault((c.name, c.mode), _row(c))
    return by_id, by_key


def _load_members(db: Session, rows: list[_Row]) -> None:
    """Fill each row's current members and last position (one query)."""
    if not rows:
        return
    index = {r.id: r for r in rows}
    for cid, kind, entity_id, source, order in db.connection().execute(
        select(
            CollectionItem.collection_id, CollectionItem.entity_type, CollectionItem.entity_id,
            CollectionItem.source, CollectionItem.sort_order,
        ).where(in_array(CollectionItem.collection_id, sorted(index)))
    ):  # fmt: skip
        row = index[cid]
        row.members[(kind, entity_id)] = source
        row.last = max(row.last, order)


# ----------------------------------------------------------------------------------------- apply


@dataclass(slots=True)
class _Writes:
    """Everything one batch writes, applied at the end in a few statements."""

    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    """New rows by id (a later record of the batch may still fill them)."""
    items: list[dict[str, Any]] = field(default_factory=list)
    """Members of rows that exist already (inserted with ``ON CONFLICT DO NOTHING``)."""
    new_items: list[dict[str, Any]] = field(default_factory=list)
    """Members of new rows (copied in: nothing can conflict)."""
    promote: list[tuple[str, str, str]] = field(default_factory=list)
    fills: list[dict[str, Any]] = field(default_factory=list)
    recount: set[str] = field(default_factory=set)
    refresh: dict[str, str] = field(default_factory=dict)


def _add_members(row: _Row, refs: list[Ref], writes: _Writes) -> int:
    """Append the refs the row lacks (a dynamic member listed by hand becomes manual)."""
    changed = 0
    for ref in refs:
        source = row.members.get(ref)
        if source == "manual":
            continue
        if source is None:
            row.last += 1
            row.members[ref] = "manual"
            values = {"collection_id": row.id, "entity_type": ref[0], "entity_id": ref[1], "source": "manual",
                      "sort_order": row.last}  # fmt: skip
            (writes.new_items if row.created else writes.items).append(values)
        else:
            row.members[ref] = "manual"
            writes.promote.append((row.id, *ref))
        changed += 1
    return changed


def _create(rec: _Record, new_id: str, now: datetime, writes: _Writes) -> _Row:
    row = _Row(id=new_id, name=rec.name, mode=rec.mode, description=rec.description, tree=rec.tree, created=True)
    writes.collections[new_id] = {
        "id": new_id, "name": rec.name, "description": rec.description, "mode": rec.mode, "rule_tree": rec.tree,
        "item_count": len(rec.items), "created_at": rec.created_at or now,
        "updated_at": rec.updated_at or rec.created_at or now,
    }  # fmt: skip
    for order, (kind, entity_id) in enumerate(rec.items):
        row.members[(kind, entity_id)] = "manual"
        writes.new_items.append({"collection_id": new_id, "entity_type": kind, "entity_id": entity_id,
                                 "source": "manual", "sort_order": order})  # fmt: skip
    row.last = len(rec.items) - 1
    if rec.mode in DYNAMIC_MODES and rec.tree is not None:
        writes.refresh[new_id] = rec.name
    return row


def _merge(rec: _Record, row: _Row, writes: _Writes) -> bool:
    """Fill what the row lacks and add its missing members; whether anything changed."""
    fill: dict[str, Any] = {}
    if rec.description and not (row.description and row.description.strip()):
        fill["description"] = row.description = rec.description
    if rec.tree is not None and row.tree is None:
        fill["rule_tree"] = row.tree = rec.tree
        if row.mode in DYNAMIC_MODES:
            writes.refresh[row.id] = row.name
    if fill:
        if row.created:  # made by an earlier record of this batch: not written yet
            writes.collections[row.id].update(fill)
        else:
            writes.fills.append({"id": row.id, **fill})
    added = 0
    if rec.items:
        if row.mode == "dynamic":
            rec.warnings.append(
                f"items: the collection is dynamic (its rules choose its members); {len(rec.items)} item(s) left out"
            )
        else:
            added = _add_members(row, rec.items, writes)
            if added:
                if row.created:
                    writes.collections[row.id]["item_count"] = len(row.members)
                else:
                    writes.recount.add(row.id)
    return bool(fill) or bool(added)


def _write(db: Session, writes: _Writes, dry_run: bool) -> None:
    if writes.collections:
        rows = [
            {**c, "rule_tree": json.dumps(c["rule_tree"]) if c["rule_tree"] is not None else None}
            for c in writes.collections.values()
        ]
        copy_rows(db, Collection.__tablename__, COLLECTION_COLUMNS, rows)
    for values in writes.fills:
        cid = values.pop("id")
        db.execute(update(Collection).where(Collection.id == cid).values(**values))
    if writes.new_items:
        columns = ["collection_id", "entity_type", "entity_id", "source", "sort_order"]
        copy_rows(db, CollectionItem.__tablename__, columns, writes.new_items)
    if writes.items:
        db.execute(pg_insert(CollectionItem).on_conflict_do_nothing(), writes.items)
    if writes.promote:
        db.execute(
            update(CollectionItem)
            .where(tuple_(CollectionItem.collection_id, CollectionItem.entity_type, CollectionItem.entity_id)
                   .in_(writes.promote))
            .values(source="manual")
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    recount(db, sorted(writes.recount))
    if writes.refresh and not dry_run:
        enqueue_jobs(
            db,
            QUEUE,
            (
                ({"collectionId": cid}, "collection", cid, f"Refresh collection · {name}")
                for cid, name in writes.refresh.items()
            ),
        )


def import_collections(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """Take a batch of ``collection`` records (see :data:`FIELDS`); one outcome per record."""
    parsed = [_parse(db, rec) for rec in batch.records]
    records = [p for p in parsed if isinstance(p, _Record)]
    _existing_refs(db, records)
    by_id, by_key = _load_rows(db, records)
    rows = {r.id: r for r in [*by_id.values(), *by_key.values()]}  # one object per collection
    by_id = {i: rows[i] for i in by_id}
    by_key = {k: rows[r.id] for k, r in by_key.items()}
    _load_members(db, list(rows.values()))
    now = datetime.now(UTC)
    fresh = iter(new_ids(len(records)))
    writes = _Writes()
    out: list[ImportOutcome] = []
    for item in parsed:
        if isinstance(item, ImportOutcome):
            out.append(item)
            continue
        rec = item
        row = by_id.get(rec.target_id) if rec.target_id else None
        if row is not None:
            status = UPDATED if _merge(rec, row, writes) else UNCHANGED
        elif (row := by_key.get((rec.name, rec.mode))) is not None:
            status = MERGED if _merge(rec, row, writes) else UNCHANGED
        else:
            row = _create(rec, next(fresh), now, writes)
            by_key[(rec.name, rec.mode)] = row
            status = CREATED
        out.append(ImportOutcome(rec.key, status, id=row.id, unmapped=rec.unmapped, warnings=tuple(rec.warnings)))
    _write(db, writes, batch.dry_run)
    return out
