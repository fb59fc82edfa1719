"""Enqueueing: every run is a ``job_runs`` row first; RQ sees it only through the feeder.

There is one path from a plugin to a processor (``docs/jobs.md``):

1. ``enqueue_jobs`` (``enqueue_job`` is the same with one item) inserts ``waiting`` rows with no
   RQ job, in the caller's transaction, skipping targets that already have a waiting or active
   run;
2. after the commit, ``feed`` (``obscura_core.jobs.feed``) claims the oldest unpushed rows of the
   queue, gives each its RQ job id and pushes them, a window at a time;
3. a worker's ``execute(run id)`` runs the queue's processor inside the bookkeeping wrapper, which
   marks the run completed and calls ``obscura_job_finished``, or failed and lets RQ retry.

A rolled-back transaction enqueues nothing; a lost Redis loses nothing (the rows are still there).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, event, select, text
from sqlalchemy.orm import Session

from obscura_core.jobs.feed import feed_new
from obscura_core.runtime import get_runtime
from plugin_sdk.db import new_ids
from plugin_sdk.errors import ValidationError
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow

log = logging.getLogger("obscura.jobs")

_FEED = "obscura_queues_to_feed"

_INSERT = text(
    """
    INSERT INTO job_runs (id, queue_name, status, target_type, target_id, target_label, payload,
                          max_attempts, attempts, progress)
    SELECT u.id, :queue, 'waiting', u.target_type, u.target_id, u.label, u.payload, :max_attempts, 0, 0
    FROM jsonb_to_recordset(CAST(:items AS jsonb))
         AS u(id text, target_type text, target_id text, label text, payload jsonb)
    ON CONFLICT (queue_name, target_type, target_id) WHERE status IN ('waiting', 'active') DO NOTHING
    RETURNING id
    """
)
"""One JSON document for every row: a text[] of JSON payloads costs a regex escape per quote."""

Item = tuple[Mapping[str, Any], str | None, str | None, str | None]


def enqueue_job(
    db: Session,
    queue: str,
    payload: Mapping[str, Any],
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    target_label: str | None = None,
) -> str:
    """See :func:`plugin_sdk.jobs.enqueue_job`: :func:`enqueue_jobs` with one item, returning the
    new run's id, or the id of the run already waiting or active for that target."""
    tid = None if target_id is None else str(target_id)
    created = _insert(db, queue, [(payload, target_type, tid, target_label)])
    if created:
        return created[0]
    existing = db.execute(
        select(JobRunRow.id).where(
            and_(
                JobRunRow.queue_name == queue,
                JobRunRow.target_type == target_type,
                JobRunRow.target_id == tid,
                JobRunRow.status.in_(JOB_ACTIVE_STATUSES),
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    # The active run finished between our insert and select: try once more.
    return enqueue_job(db, queue, payload, target_type=target_type, target_id=tid, target_label=target_label)


def enqueue_jobs(db: Session, queue: str, items: Iterable[Item]) -> int:
    """Enqueue many runs of one queue: ``items`` are ``(payload, target_type, target_id, label)``.

    One INSERT for all of them (targets already waiting or active are skipped); after the commit
    the feeder hands them to RQ a window at a time. Returns how many new runs were created.
    """
    return len(_insert(db, queue, items))


def _insert(db: Session, queue: str, items: Iterable[Item]) -> list[str]:
    """Insert the runs (one statement), have the queue fed after the commit; the new runs' ids."""
    qd = get_runtime().registry.queues.get(queue)
    if qd is None:
        raise ValidationError(f"Unknown queue '{queue}'.", code="unknown_queue")
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str | None, str]] = set()
    for payload, target_type, target_id, label in items:
        tid = None if target_id is None else str(target_id)
        if tid is not None:
            if (target_type, tid) in seen:  # one statement cannot insert the same target twice
                continue
            seen.add((target_type, tid))
        rows.append({"target_type": target_type, "target_id": tid, "label": label, "payload": dict(payload)})
    if not rows:
        return []
    for row, run_id in zip(rows, new_ids(len(rows)), strict=True):
        row["id"] = run_id
    params = {"queue": queue, "max_attempts": qd.max_attempts, "items": json.dumps(rows)}
    created = list(db.execute(_INSERT, params).scalars())
    if created:
        db.info.setdefault(_FEED, set()).add(queue)
    return created


@event.listens_for(Session, "after_commit")
def _feed_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy reports a released SAVEPOINT (each hook call with ``savepoint=db``) as a
        # commit too; the rows are not committed yet, so the feed waits for the real commit
        return
    to_feed = session.info.pop(_FEED, None)
    if not to_feed:
        return
    rt = get_runtime()
    for queue in sorted(to_feed):
        try:
            feed_new(rt, queue)
        except Exception:  # Redis down: the scheduler's feed picks them up later
            log.exception("could not hand new runs of %s to RQ; they stay waiting", queue)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_FEED, None)
