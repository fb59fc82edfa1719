"""THE RQ entry point: every RQ job calls ``execute(job_runs id)`` and nothing else.

The worker built its runtime (plugins, registry) before forking, so the processor for the run's
queue is resolved from the same registry the web app uses.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rq import get_current_job
from sqlalchemy import update

from obscura_core.jobs import slots
from obscura_core.jobs.context import RunContext
from obscura_core.jobs.feed import feed, feed_new
from obscura_core.runtime import Runtime, get_runtime
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow, LibrarySettings
from plugin_sdk.types import JobRun, QueueDefinition

log = logging.getLogger("obscura.jobs")

DEFER_DELAY_S = 0.25


class RunNotClaimable(Exception):
    """The run was cancelled or finished between the check and the claim."""


def execute(run_id: str) -> dict[str, Any] | Any:
    """Run the job recorded as ``job_runs.id == run_id`` (called by RQ in the work horse)."""
    rt = get_runtime()
    rq_job = get_current_job()
    with rt.session() as db:
        row = db.get(JobRunRow, run_id)
        if row is None:
            return {"skipped": "missing"}
        if row.status not in JOB_ACTIVE_STATUSES:
            return {"skipped": row.status}
        if rq_job is not None and row.rq_job_id and rq_job.id != row.rq_job_id:
            return {"skipped": "superseded"}
        qd = rt.registry.queues.get(row.queue_name)
        if qd is None:
            installed = ", ".join(p.name for p in rt.report.loaded)
            raise LookupError(
                f"no processor for queue '{row.queue_name}' in this worker; installed plugins: {installed}"
            )
        limit = qd.concurrency * LibrarySettings.get(db).background_worker_concurrency
        db.commit()
        run = JobRun(
            id=row.id,
            queue=row.queue_name,
            payload=dict(row.payload or {}),
            target_type=row.target_type,
            target_id=row.target_id,
            target_label=row.target_label,
            attempts=row.attempts + 1,
            created_at=row.created_at,
        )
        current_rq_id = row.rq_job_id

    slot = slots.acquire(rt.settings, qd.name, limit)
    if slot is None:
        _defer(rt, qd, run_id, current_rq_id)
        return {"deferred": True}
    try:
        with rt.session() as db:
            ctx = RunContext(runtime=rt, run=run, db=db)
            try:
                return rt.pm.hook.obscura_run_job(run=run, ctx=ctx)
            except RunNotClaimable:
                return {"skipped": "not claimable"}
    finally:
        slot.release()
        try:
            feed(rt, qd.name)  # top RQ up from the runs still waiting in PostgreSQL
        except Exception:
            log.exception("feeding queue %s failed", qd.name)


def _defer(rt: Runtime, qd: QueueDefinition, run_id: str, rq_job_id: str | None) -> None:
    """All slots are busy: hand the run back to the feeder, which pushes it again in its turn."""
    time.sleep(DEFER_DELAY_S)
    with rt.session() as db:
        moved = db.execute(
            update(JobRunRow)
            .where(
                JobRunRow.id == run_id,
                JobRunRow.rq_job_id == rq_job_id,
                JobRunRow.status.in_(JOB_ACTIVE_STATUSES),
            )
            .values(rq_job_id=None)
        ).rowcount
        db.commit()
    if moved:
        feed_new(rt, qd.name)
