"""``enqueue_job``: write the ``job_runs`` row, push to RQ once the session commits."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, event, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from obscura_core.jobs.feed import feed, mark_unpushed
from obscura_core.jobs.rq_queue import new_rq_job_id, push, push_many
from obscura_core.runtime import get_runtime
from plugin_sdk.db import new_id, new_ids
from plugin_sdk.errors import ValidationError
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow

log = logging.getLogger("obscura.jobs")

_PENDING = "obscura_pending_pushes"


def enqueue_job(
    db: Session,
    queue: str,
    payload: Mapping[str, Any],
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    target_label: str | None = None,
) -> str:
    """See :func:`plugin_sdk.jobs.enqueue_job`."""
    rt = get_runtime()
    qd = rt.registry.queues.get(queue)
    if qd is None:
        raise ValidationError(f"Unknown queue '{queue}'.", code="unknown_queue")
    run_id = new_id()
    rq_job_id = new_rq_job_id(run_id)
    stmt = (
        insert(JobRunRow)
        .values(
            id=run_id,
            queue_name=queue,
            status="waiting",
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            target_label=target_label,
            payload=dict(payload),
            max_attempts=qd.max_attempts,
            rq_job_id=rq_job_id,
        )
        .on_conflict_do_nothing(
            index_elements=["queue_name", "target_type", "target_id"],
            # a literal predicate: PostgreSQL cannot match a partial index to bound parameters
            # (which server-side prepared statements turn them into)
            index_where=text("status IN ('waiting', 'active')"),
        )
        .returning(JobRunRow.id)
    )
    inserted = db.execute(stmt).scalar_one_or_none()
    if inserted is None:
        existing = db.execute(
            select(JobRunRow.id).where(
                and_(
                    JobRunRow.queue_name == queue,
                    JobRunRow.target_type == target_type,
                    JobRunRow.target_id == str(target_id),
                    JobRunRow.status.in_(JOB_ACTIVE_STATUSES),
                )
            )
        ).scalar_one_or_none()
        if existing is not None:
            return existing
        # The active run finished between our insert and select: try once more.
        return enqueue_job(db, queue, payload, target_type=target_type, target_id=target_id, target_label=target_label)
    db.info.setdefault(_PENDING, []).append((queue, run_id, rq_job_id))
    return run_id


_FEED = "obscura_queues_to_feed"

_BULK_INSERT = text(
    """
    INSERT INTO job_runs (id, queue_name, status, target_type, target_id, target_label, payload,
                          max_attempts, attempts, progress)
    SELECT u.id, :queue, 'waiting', u.target_type, u.target_id, u.label, u.payload, :max_attempts, 0, 0
    FROM jsonb_to_recordset(CAST(:items AS jsonb))
         AS u(id text, target_type text, target_id text, label text, payload jsonb)
    ON CONFLICT (queue_name, target_type, target_id) WHERE status IN ('waiting', 'active') DO NOTHING
    """
)
"""One JSON document for every row: a text[] of JSON payloads costs a regex escape per quote."""


def enqueue_jobs(
    db: Session,
    queue: str,
    items: Iterable[tuple[Mapping[str, Any], str | None, str | None, str | None]],
) -> int:
    """Enqueue many runs of one queue: ``items`` are ``(payload, target_type, target_id, label)``.

    One INSERT for all of them (targets already waiting or active are skipped); after the commit
    the feeder hands them to RQ a window at a time (see ``obscura_core.jobs.feed``). Returns how
    many new runs were created.
    """
    rt = get_runtime()
    qd = rt.registry.queues.get(queue)
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
        return 0
    for row, run_id in zip(rows, new_ids(len(rows)), strict=True):
        row["id"] = run_id
    params = {"queue": queue, "max_attempts": qd.max_attempts, "items": json.dumps(rows)}
    created = db.execute(_BULK_INSERT, params).rowcount
    if created:
        db.info.setdefault(_FEED, set()).add(queue)
    return created


@event.listens_for(Session, "after_commit")
def _push_after_commit(session: Session) -> None:
    to_feed = session.info.pop(_FEED, None)
    if to_feed:
        rt = get_runtime()
        for queue in sorted(to_feed):
            mark_unpushed(rt, queue)
            try:
                feed(rt, queue)
            except Exception:  # Redis down: the scheduler's feed picks them up later
                log.exception("could not hand new runs of %s to RQ; they stay waiting", queue)
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    rt = get_runtime()
    by_queue: dict[str, list[tuple[str, str]]] = {}
    for queue, run_id, rq_job_id in pending:
        by_queue.setdefault(queue, []).append((run_id, rq_job_id))
    for queue, runs in by_queue.items():
        try:
            if len(runs) == 1:
                push(rt.redis, rt.registry.queues[queue], runs[0][0], runs[0][1], attempts_done=0)
            else:
                push_many(rt.redis, rt.registry.queues[queue], runs)
        except Exception:  # Redis down: the reconciler re-enqueues waiting rows later.
            log.exception("could not push %s run(s) of %s to RQ; they stay waiting", len(runs), queue)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_FEED, None)
