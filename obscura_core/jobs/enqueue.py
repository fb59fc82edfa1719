"""``enqueue_job``: write the ``job_runs`` row, push to RQ once the session commits."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, event, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from obscura_core.jobs.rq_queue import new_rq_job_id, push
from obscura_core.runtime import get_runtime
from plugin_sdk.db import new_id
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


@event.listens_for(Session, "after_commit")
def _push_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    rt = get_runtime()
    for queue, run_id, rq_job_id in pending:
        try:
            push(rt.redis, rt.registry.queues[queue], run_id, rq_job_id, attempts_done=0)
        except Exception:  # Redis down: the reconciler re-enqueues waiting rows later.
            log.exception("could not push run %s to RQ; it stays waiting", run_id)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
