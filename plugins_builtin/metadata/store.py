"""Scrape results in the database: recording what a source returned, reading and serialising."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import MetadataSource, MetadataTarget, ScrapeResult
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.metadata import metadata_sources, metadata_targets
from plugins_builtin.metadata import normalize, typed
from plugins_builtin.metadata.models import ScrapeResultRow

logger = logging.getLogger("obscura.metadata")


def source(kind: str) -> MetadataSource:
    """The loaded source of that kind; ``NotFoundError`` if none."""
    found = metadata_sources().get(kind)
    if found is None:
        raise NotFoundError(f"No loaded plugin provides the metadata source '{kind}'.")
    return found


def source_by_collection(collection: str) -> MetadataSource:
    for src in metadata_sources().values():
        if src.collection == collection:
            return src
    raise NotFoundError(f"No metadata source serves /api/{collection}.")


def target(entity_type: str) -> MetadataTarget:
    """The loaded target for that entity type; ``ValidationError`` if none."""
    found = metadata_targets().get(entity_type)
    if found is None:
        raise ValidationError(f"No loaded plugin takes metadata for '{entity_type}'.", code="plugin_missing")
    return found


def targets() -> list[MetadataTarget]:
    return list(metadata_targets().values())


def target_by_collection(collection: str) -> MetadataTarget:
    for candidate in targets():
        if collection in candidate.collections:
            return candidate
    raise NotFoundError(f"Nothing takes metadata at /api/{collection}.")


def record(
    db: Session,
    tgt: MetadataTarget,
    entity_id: str,
    src: MetadataSource,
    source_id: str,
    source_name: str | None,
    results: Sequence[ScrapeResult],
) -> list[ScrapeResultRow]:
    """Store each usable result as a pending row (the caller commits); unusable ones are dropped."""
    rows = []
    for result in results:
        raw = dict(result.raw) if isinstance(result.raw, Mapping) else {}
        kind = result.kind or tgt.kind
        if kind != tgt.kind and kind not in tgt.kinds:
            logger.warning("%s answered a %s result for a %s; dropped", src.kind, kind, tgt.label or tgt.entity_type)
            continue
        fields = typed.proposed(kind, raw) if kind in typed.KINDS else normalize.proposed(kind, raw)
        if not normalize.usable(fields):
            continue
        row = ScrapeResultRow(
            entity_type=tgt.entity_type, entity_id=entity_id, kind=kind, source_kind=src.kind,
            source_id=source_id, source_name=source_name, action=str(result.action)[:200],
            match_type=result.match_type, remote_id=result.remote_id, raw_result=raw, proposed=fields,
            match_details=dict(result.match_details) if isinstance(result.match_details, Mapping) else None,
        )  # fmt: skip
        db.add(row)
        rows.append(row)
    db.flush()
    return rows


def get(db: Session, result_id: str, *, lock: bool = False) -> ScrapeResultRow:
    stmt = select(ScrapeResultRow).where(ScrapeResultRow.id == result_id)
    row = db.execute(stmt.with_for_update() if lock else stmt).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"Scrape result {result_id} not found.")
    return row


def dump(row: ScrapeResultRow) -> dict[str, Any]:
    """The API shape of one result."""
    return {
        "id": row.id,
        "status": row.status,
        "entityType": row.entity_type,
        "entityId": row.entity_id,
        "kind": row.kind,
        "source": {"kind": row.source_kind, "id": row.source_id, "name": row.source_name},
        "action": row.action,
        "matchType": row.match_type,
        "remoteId": row.remote_id,
        "matchDetails": row.match_details,
        "proposed": row.proposed,
        "raw": row.raw_result,
        "applied": row.applied,
        "appliedAt": row.applied_at.isoformat() if row.applied_at else None,
        "createdAt": row.created_at.isoformat() if row.created_at else None,
    }
