"""The ``collection-refresh`` queue: its processor, the "run queue" button and the chaining after
media scans (``obscura_job_finished``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from plugin_sdk import JobContext, JobRun
from plugin_sdk.collections import collection_sources
from plugin_sdk.errors import ValidationError
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.models import JobRunRow
from plugins_builtin.collections.models import Collection
from plugins_builtin.collections.refresh import DYNAMIC_MODES, refresh

QUEUE = "collection-refresh"


def enqueue_all(db: Session) -> int:
    """One refresh per dynamic or hybrid collection (a collection already waiting is skipped)."""
    rows = db.execute(
        select(Collection.id, Collection.name).where(
            Collection.mode.in_(DYNAMIC_MODES), Collection.rule_tree.is_not(None)
        )
    ).all()
    return enqueue_jobs(
        db,
        QUEUE,
        (({"collectionId": cid}, "collection", cid, f"Refresh collection · {name}") for cid, name in rows),
    )


def _refresh_queues() -> set[str]:
    return {q for source in collection_sources().values() for q in source.refresh_after}


def after_job(run: JobRun, ctx: JobContext) -> None:
    """Media rows may have changed: refresh the dynamic collections after a source's scan or probe.

    A collection has one waiting or running refresh at a time, so a scan finishing while its
    refresh runs cannot queue another: when a refresh finishes, it queues one more if a scan or
    probe finished since it started.
    """
    if run.queue != QUEUE:
        if run.queue in _refresh_queues():
            enqueue_all(ctx.db)
        return
    started = ctx.db.execute(select(JobRunRow.started_at).where(JobRunRow.id == run.id)).scalar()
    collection_id = str(run.payload.get("collectionId") or "")
    if started is None or not collection_id:
        return
    missed = ctx.db.execute(
        select(
            exists().where(
                JobRunRow.queue_name.in_(sorted(_refresh_queues())),
                JobRunRow.status == "completed",
                JobRunRow.finished_at >= started,
            )
        )
    ).scalar()
    collection = ctx.db.get(Collection, collection_id) if missed else None
    if collection is not None and collection.mode in DYNAMIC_MODES:
        ctx.enqueue(QUEUE, {"collectionId": collection_id}, target_type="collection", target_id=collection_id,
                    target_label=f"Refresh collection · {collection.name}")  # fmt: skip


def process_refresh(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Re-evaluate one collection's rules in one transaction."""
    collection_id = str(payload.get("collectionId") or "")
    collection = ctx.db.get(Collection, collection_id) if collection_id else None
    if collection is None:
        return {"collectionId": collection_id, "skipped": "the collection no longer exists"}
    try:
        result = refresh(ctx.db, collection)
    except ValidationError as exc:  # rules that no longer compile (a plugin was removed): say so
        ctx.db.rollback()
        collection = ctx.db.get(Collection, collection_id)
        if collection is not None:
            collection.refresh_error = exc.message
        ctx.db.commit()
        return {"collectionId": collection_id, "error": exc.message}
    ctx.db.commit()
    return result
