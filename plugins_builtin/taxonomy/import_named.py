"""Importing tags, studios and performers: each record matched to a row and merged, or created.

A batch costs a handful of statements whatever its size: one ``SELECT`` of every row a record
may match (its ``target_id``, its name's key, or its key among a row's aliases), one
``INSERT … ON CONFLICT (name_key) DO NOTHING`` of the new rows, one ``UPDATE`` per set of
changed columns (:mod:`.bulk_rows`), and the pictures (:mod:`.import_pictures`).

Merging never overwrites: the row keeps its name and every non-blank value; the record's
aliases (and its name, when it is not the row's) are added, blank columns filled, URLs and
custom-field keys added, ``favorite``/``ignore_auto_tag`` set when the record sets them. A row
found by ``target_id`` is merged into the same way, so importing the same records again changes
nothing, and values edited here since the last import are kept. Records of one batch that name
the same row (``"Rock"`` and ``"rock"``) all land on it, the first creating it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from plugin_sdk.db import in_array, new_id
from plugin_sdk.imports import CREATED, MERGED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportOutcome, ImportRecord
from plugins_builtin.taxonomy.bulk_rows import insert_new, update_by_id
from plugins_builtin.taxonomy.import_pictures import PictureWish, place_pictures
from plugins_builtin.taxonomy.import_shapes import Parsed, Shape, parse
from plugins_builtin.taxonomy.import_values import RecordValues
from plugins_builtin.taxonomy.kinds import STUDIOS
from plugins_builtin.taxonomy.names import clean_aliases, merged_aliases

MAX_PASSES = 3
"""A new row whose name another transaction created meanwhile is merged on the next pass."""


@dataclass
class _Landed:
    """Where a record landed: its row and what happened."""

    row_id: str
    status: str


class _Pass:
    """One round of matching records to rows, with the rows they may match loaded once."""

    def __init__(self, db: Session, shape: Shape, items: list[tuple[int, ImportRecord, Parsed]], now: datetime):
        self.db = db
        self.shape = shape
        self.table: Table = shape.kind.model.__table__  # type: ignore[assignment]
        self.items = items
        self.now = now
        self.rows: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, str] = {}
        self.by_alias: dict[str, str] = {}
        self.new: set[str] = set()
        self.dirty: dict[str, set[str]] = defaultdict(set)

    def load(self) -> None:
        """Every row a record may match, in one query (primary key, ``name_key``, GIN on aliases)."""
        t = self.table
        targets = sorted({rec.target_id for _, rec, _ in self.items if rec.target_id})
        keys = sorted({p.key for _, _, p in self.items})
        conds = [in_array(t.c.name_key, keys), t.c.alias_keys.overlap(keys)]
        if targets:
            conds.append(in_array(t.c.id, targets))
        found = self.db.execute(select(t).where(or_(*conds)).order_by(t.c.created_at, t.c.id)).mappings()
        for row in found:
            state = dict(row)
            self.rows[state["id"]] = state
            self.by_key[state["name_key"]] = state["id"]
            for key in state["alias_keys"]:
                self.by_alias.setdefault(key, state["id"])  # the oldest row with the alias

    def land(self, rec: ImportRecord, parsed: Parsed) -> _Landed:
        """Match one record (target, name, alias) and merge it, or make its new row."""
        row = self.rows.get(rec.target_id) if rec.target_id else None
        status = UPDATED
        if row is None:
            found = self.by_key.get(parsed.key) or self.by_alias.get(parsed.key)
            row, status = (self.rows[found], MERGED) if found else (None, CREATED)
        if row is None:
            row = self._create(parsed)
            return _Landed(row["id"], CREATED)
        changes = self._merge(row, parsed)
        if changes:
            row.update(changes)
            if row["id"] not in self.new:
                self.dirty[row["id"]].update(changes)
            for key in changes.get("alias_keys", ()):
                self.by_alias.setdefault(key, row["id"])
        elif status == UPDATED:
            status = UNCHANGED
        return _Landed(row["id"], status)

    def _create(self, parsed: Parsed) -> dict[str, Any]:
        row: dict[str, Any] = {c.key: None for c in self.table.columns}
        aliases, alias_keys = clean_aliases(parsed.aliases, {parsed.key})
        row.update(
            id=new_id(), name=parsed.name, name_key=parsed.key, aliases=aliases, alias_keys=alias_keys,
            favorite=False, is_nsfw=False, ignore_auto_tag=False, created_at=self.now, updated_at=self.now,
        )  # fmt: skip
        if "urls" in row:
            row["urls"] = list(parsed.urls or [])
        if "custom_fields" in row:
            row["custom_fields"] = dict(parsed.custom or {})
        if self.shape.kind is STUDIOS:
            row["url"] = row["urls"][0] if row["urls"] else None
        row.update(parsed.fill)
        row.update(parsed.flags)
        row.update(parsed.created)
        if "created_at" in parsed.created and "updated_at" not in parsed.created:
            row["updated_at"] = parsed.created["created_at"]
        self.rows[row["id"]] = row
        self.new.add(row["id"])
        self.by_key[row["name_key"]] = row["id"]
        for key in alias_keys:
            self.by_alias.setdefault(key, row["id"])
        return row

    def _merge(self, row: dict[str, Any], parsed: Parsed) -> dict[str, Any]:
        """The columns the record changes in ``row`` (blanks filled, lists and flags added to)."""
        changes: dict[str, Any] = {}
        for column, value in parsed.fill.items():
            if row[column] is None or row[column] == "":
                changes[column] = value
        for column, value in parsed.flags.items():
            if value and not row[column]:
                changes[column] = True
        if parsed.urls:
            urls = list(dict.fromkeys([*(row["urls"] or []), *parsed.urls]))
            if urls != row["urls"]:
                changes["urls"] = urls
            if self.shape.kind is STUDIOS and not row["url"]:
                changes["url"] = urls[0]
        if parsed.custom:
            have = row["custom_fields"] or {}
            added = {k: v for k, v in parsed.custom.items() if k not in have}
            if added:
                changes["custom_fields"] = {**have, **added}
        own = row["name_key"]
        names = [(parsed.name if parsed.key != own else "", parsed.aliases)]
        aliases, alias_keys = merged_aliases({own}, row["aliases"] or [], names)
        if aliases != list(row["aliases"] or []):
            changes["aliases"], changes["alias_keys"] = aliases, alias_keys
        return changes

    def write(self, landed: dict[int, _Landed]) -> list[int]:
        """Insert the new rows and update the changed ones; the records to match again (taken out
        of ``landed``): those whose new row's name another transaction created meanwhile. They
        changed nothing but that row, so the other rows' updates stand."""
        raced: set[str] = set()
        if self.new:
            new_rows = [self.rows[i] for i in sorted(self.new, key=lambda i: self.rows[i]["name_key"])]
            raced = self.new - insert_new(self.db, self.table, new_rows, "name_key")
        again = [i for i, got in landed.items() if got.row_id in raced]
        for i in again:
            del landed[i]
        for row_id in raced:
            del self.rows[row_id]
        self._update()
        return again

    def _update(self) -> None:
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row_id, columns in self.dirty.items():
            cols = tuple(sorted(columns))
            groups[cols].append({"id": row_id, **{c: self.rows[row_id][c] for c in cols}})
        for params in groups.values():
            update_by_id(self.db, self.table, params)


def import_named(db: Session, shape: Shape, batch: ImportBatch) -> list[ImportOutcome]:
    """``apply`` of the ``tag``, ``studio`` and ``performer`` importers."""
    now = datetime.now(UTC)
    records = list(batch.records)
    values = [RecordValues(rec.fields, shape.known) for rec in records]
    parsed: list[Parsed | str] = [parse(shape, v) for v in values]
    pending = [(i, rec, p) for i, (rec, p) in enumerate(zip(records, parsed, strict=True)) if isinstance(p, Parsed)]
    landed: dict[int, _Landed] = {}
    rows: dict[str, dict[str, Any]] = {}
    for _ in range(MAX_PASSES):
        if not pending:
            break
        round_ = _Pass(db, shape, pending, now)
        round_.load()
        got = {i: round_.land(rec, p) for i, rec, p in pending}
        again = set(round_.write(got))
        landed.update(got)
        rows.update(round_.rows)
        pending = [item for item in pending if item[0] in again]
    if pending:
        raise RuntimeError(f"{len(pending)} {shape.kind.plural} kept being created by another transaction")
    wishes = [
        PictureWish(i, landed[i].row_id, p.image, f"{batch.source}:{records[i].key}")
        for i, p in enumerate(parsed)
        if isinstance(p, Parsed) and p.image is not None
    ]
    created = {got.row_id for got in landed.values() if got.status == CREATED}
    changed, picture_warnings = place_pictures(db, shape.kind, rows, wishes, batch.dry_run, created)
    out: list[ImportOutcome] = []
    for i, rec in enumerate(records):
        p = parsed[i]
        if not isinstance(p, Parsed):
            out.append(ImportOutcome(rec.key, SKIPPED, reason=p, unmapped=tuple(values[i].unmapped)))
            continue
        status = landed[i].status
        if status == UNCHANGED and i in changed:
            status = UPDATED
        out.append(
            ImportOutcome(
                rec.key, status, id=landed[i].row_id, unmapped=tuple(values[i].unmapped),
                warnings=tuple(values[i].warnings + picture_warnings.get(i, [])),
            )
        )  # fmt: skip
    return out
