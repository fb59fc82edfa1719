"""Bulk imports from another application's library, handed to the plugins that own the rows.

An *import source* (the built-in Stash importer, say) reads another application's data. It never
writes another plugin's tables: it turns each source row into an :class:`ImportRecord` in the
shape the owning plugin documents, and hands a batch of them to the :class:`Importer` that plugin
registered for that entity (``obscura_importers``). The importer writes its own rows and answers
one :class:`ImportOutcome` per record: the id the row has here and what happened to it::

    @hookimpl
    def obscura_importers():
        return [Importer("clips", "clip", apply=import_clips, label="Clips", fields=CLIP_FIELDS)]

    def import_clips(db, batch):
        out = []
        for rec in batch.records:
            row = db.get(Clip, rec.target_id) if rec.target_id else find_by_path(db, rec.fields["path"])
            ...
            out.append(ImportOutcome(rec.key, CREATED, id=row.id))
        return out

Rules every importer keeps:

* It runs inside the caller's transaction (the caller commits one batch at a time) and never
  commits; with ``batch.dry_run`` it writes rows as usual (the caller rolls them back) but no
  files.
* ``record.target_id`` is the id a previous import gave the row: update that row. Without one,
  find the row the record stands for by its natural key (a file path, a name) and *merge* into
  it, or create it. Importing the same records twice must change nothing the second time.
* References to other entities (``tag_ids``, ``video_id``…) are ids *here*: the source resolves
  them from the outcomes of earlier batches.
* A record it cannot take is ``SKIPPED`` with a ``reason``; a field without a home here is named
  in ``unmapped`` (listed in the import's report, never silently lost); a problem with one field
  (an image that is not an image) is a ``warning`` and the rest of the record still comes in.

:func:`run_import` calls an importer inside a savepoint: an importer that raises or answers
wrongly is logged with its plugin's name, its work in that batch is rolled back, and every record
of the batch comes back ``SKIPPED`` with the fault as the reason; other importers go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plugin_sdk.errors import ConflictError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "CREATED",
    "MERGED",
    "OUTCOMES",
    "SKIPPED",
    "UNCHANGED",
    "UPDATED",
    "ImportBatch",
    "ImportOutcome",
    "ImportRecord",
    "Importer",
    "importer",
    "importers",
    "run_import",
]

log = logging.getLogger("obscura.imports")

CREATED = "created"
"""A new row was made for the record."""
MERGED = "merged"
"""The record matched a row that was already here (by natural key) and was merged into it."""
UPDATED = "updated"
"""The row a previous import made (``target_id``) was updated."""
UNCHANGED = "unchanged"
"""The row already held everything the record brings."""
SKIPPED = "skipped"
"""The record was not taken (``reason`` says why)."""
OUTCOMES = (CREATED, MERGED, UPDATED, UNCHANGED, SKIPPED)


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One source row, in the shape the importer of its entity documents.

    :param key: the source's id of the row (echoed in its outcome).
    :param fields: the row's values, keyed as the importer's ``fields`` documentation says.
    :param target_id: the id a previous import of this source row gave it here, if any.
    """

    key: str
    fields: Mapping[str, Any]
    target_id: str | None = None


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What became of one record.

    :param key: the record's ``key``.
    :param status: one of :data:`OUTCOMES`.
    :param id: the row's id here (``None`` when skipped).
    :param reason: why a record was skipped.
    :param unmapped: names of the record's fields that have no home here (and had a value).
    :param warnings: problems with single fields; the rest of the record came in.
    """

    key: str
    status: str
    id: str | None = None
    reason: str | None = None
    unmapped: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """Records of one entity handed to its importer at once.

    :param source: who imports (``"stash"``), for logs and provenance.
    :param entity: the entity the records are (the importer's ``entity``).
    :param records: the records, at most a few thousand.
    :param dry_run: rows are written and rolled back by the caller; write no files.
    :param options: source-wide switches an importer may document (none are required).
    """

    source: str
    entity: str
    records: Sequence[ImportRecord]
    dry_run: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Importer:
    """A plugin takes imported records of one entity into its own tables.

    :param name: the plugin's name (for logs and the report).
    :param entity: the entity it takes (``"video"``, ``"tag"``…); one importer per entity.
    :param apply: ``(db, ImportBatch) -> [ImportOutcome]``, one per record in the same order.
    :param label: the entity's name in reports (``"Videos"``).
    :param fields: the record shape it takes, for import sources' authors (a docstring-like text).
    """

    name: str
    entity: str
    apply: Callable[[Any, ImportBatch], Sequence[ImportOutcome]]
    label: str = ""
    fields: str = ""


def _registry() -> Any:
    from obscura_core.runtime import get_runtime

    return get_runtime().registry


def importers() -> dict[str, Importer]:
    """``{entity: importer}`` of the loaded plugins (``obscura_importers``)."""
    return {entity: imp for entity, (_, imp) in _registry().importers.items()}


def importer(entity: str) -> Importer:
    """The importer of ``entity``; a 409 naming the entity when no loaded plugin takes it."""
    found = importers().get(entity)
    if found is None:
        raise ConflictError(f"No loaded plugin imports '{entity}' rows.", code="plugin_missing")
    return found


def _valid(batch: ImportBatch, answer: Any) -> str | None:
    if not isinstance(answer, Sequence) or isinstance(answer, (str, bytes)):
        return f"returned {type(answer).__name__}, not a list of ImportOutcome"
    if len(answer) != len(batch.records):
        return f"returned {len(answer)} outcomes for {len(batch.records)} records"
    for rec, out in zip(batch.records, answer, strict=True):
        if not isinstance(out, ImportOutcome) or out.key != rec.key or out.status not in OUTCOMES:
            return f"returned {out!r} for record {rec.key!r}"
        if out.status != SKIPPED and not out.id:
            return f"returned no id for the {out.status} record {rec.key!r}"
    return None


def run_import(db: Session, imp: Importer, batch: ImportBatch) -> list[ImportOutcome]:
    """Hand ``batch`` to ``imp`` inside a savepoint of ``db``; its outcomes, one per record.

    An importer that raises, or answers anything but one valid outcome per record, is a plugin
    fault: logged with its name (and listed in Settings → Plugins), its writes in this batch are
    rolled back to the savepoint, and every record comes back ``SKIPPED`` with the fault as the
    reason. The caller's transaction stays usable.
    """
    if not batch.records:
        return []
    savepoint = db.begin_nested()
    try:
        answer = imp.apply(db, batch)
        problem = _valid(batch, answer)
        exc: BaseException | None = None
    except Exception as e:  # a plugin's fault must not fail the import of other entities
        problem, exc = f"{type(e).__name__}: {e}", e
    if problem is None:
        savepoint.commit()
        return list(answer)
    savepoint.rollback()
    kind = "raised" if exc is not None else "returned"
    try:
        _registry().hooks.fault(imp.name, "obscura_importers", f"{batch.entity}: {problem}", kind, exc)
    except Exception:  # no runtime (a script): the log line is enough
        log.error("importer '%s' of %s failed: %s", imp.name, batch.entity, problem, exc_info=exc)
    reason = f"the {imp.name} plugin failed: {problem}"[:500]
    return [ImportOutcome(rec.key, SKIPPED, reason=reason) for rec in batch.records]
