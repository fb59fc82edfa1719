"""Cancelling runs and acknowledging failures."""

from __future__ import annotations

import logging

from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from obscura_core.runtime import Runtime
from plugin_sdk.errors import ConflictError, NotFoundError
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow

log = logging.getLogger("obscura.jobs")


def cancel_run(rt: Runtime, db: Session, run_id: str) -> JobRunRow:
    """Cancel a waiting or running run: mark it ``cancelled``, then stop its RQ job.

    A running job's work horse is killed (ffmpeg with it); a waiting one is removed from its
    queue. Raises ``ConflictError`` when the run already finished.
    """
    row = db.get(JobRunRow, run_id)
    if row is None:
        raise NotFoundError(f"No job run with id '{run_id}'.")
    was = row.status
    cancelled = db.execute(
        update(JobRunRow)
        .where(JobRunRow.id == run_id, JobRunRow.status.in_(JOB_ACTIVE_STATUSES))
        .values(status="cancelled", finished_at=func.now(), updated_at=func.now())
    ).rowcount
    db.commit()
    if not cancelled:
        db.refresh(row)
        raise ConflictError(
            f"This job is already {row.status}; only waiting or running jobs can be cancelled.",
            code="job_not_active",
        )
    if row.rq_job_id:
        _stop_rq_job(rt, row.rq_job_id, running=(was == "active"))
    db.refresh(row)
    return row


def _stop_rq_job(rt: Runtime, rq_job_id: str, running: bool) -> None:
    try:
        job = Job.fetch(rq_job_id, connection=rt.redis, serializer=JSONSerializer)
    except NoSuchJobError:
        return
    try:
        if job.get_status(refresh=True) == JobStatus.STARTED:
            send_stop_job_command(rt.redis, rq_job_id, serializer=JSONSerializer)
        else:
            job.cancel()
            job.delete()
    except (InvalidJobOperation, NoSuchJobError) as exc:
        log.info("RQ job %s could not be stopped (%s); the run is cancelled anyway", rq_job_id, exc)


def acknowledge_failed(db: Session, queue: str | None = None) -> int:
    """Move failed runs (of one queue, or all) to ``dismissed``; returns how many."""
    stmt = update(JobRunRow).where(JobRunRow.status == "failed").values(status="dismissed", updated_at=func.now())
    if queue:
        stmt = stmt.where(JobRunRow.queue_name == queue)
    count = db.execute(stmt).rowcount
    db.commit()
    return count


def retry_failed(db: Session, run_id: str) -> str:
    """Enqueue a failed run's payload again as a new run; returns the new run's id."""
    from obscura_core.jobs.enqueue import enqueue_job

    row = db.get(JobRunRow, run_id)
    if row is None:
        raise NotFoundError(f"No job run with id '{run_id}'.")
    if row.status not in ("failed", "cancelled", "dismissed"):
        raise ConflictError(f"Only failed or cancelled runs can be retried (this one is {row.status}).")
    new_id = enqueue_job(
        db,
        row.queue_name,
        row.payload,
        target_type=row.target_type,
        target_id=row.target_id,
        target_label=row.target_label,
    )
    if row.status == "failed":
        row.status = "dismissed"
    db.commit()
    return new_id


def status_counts(db: Session) -> dict[str, dict[str, int]]:
    """``{queue: {status: count}}`` from ``job_runs``."""
    rows = db.execute(
        select(JobRunRow.queue_name, JobRunRow.status, func.count()).group_by(JobRunRow.queue_name, JobRunRow.status)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for queue, status, count in rows:
        out.setdefault(queue, {})[status] = count
    return out
