"""Make Redis agree with ``job_runs`` again after Redis lost jobs (restart, FLUSHALL) or a
work horse died without the wrapper finishing.

Waiting runs whose RQ job is gone, active runs whose job is gone or ended, and runs whose job
RQ still calls ``started`` though nobody runs it any more (its work horse and worker were killed:
:mod:`obscura_core.jobs.liveness`) go back to the feeder (``rq_job_id`` cleared; active ones
become waiting, or failed with the reason when their attempts are used up). Runs not yet handed
to RQ are the feeder's and are left alone. Runs under a PostgreSQL advisory lock so several
workers never reconcile at once.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, text

from obscura_core.jobs.cachesweep import request_cache_sweep
from obscura_core.jobs.feed import feed_new
from obscura_core.jobs.liveness import retire, why_dead
from obscura_core.runtime import Runtime
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow

log = logging.getLogger("obscura.jobs")

RECONCILE_LOCK_KEY = 7_351_002
GONE = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def _rq_job(rt: Runtime, rq_job_id: str | None) -> Job | None:
    if not rq_job_id:
        return None
    try:
        return Job.fetch(rq_job_id, connection=rt.redis, serializer=JSONSerializer)
    except NoSuchJobError:
        return None


def reconcile(rt: Runtime, grace: timedelta = timedelta(seconds=2)) -> dict[str, int]:
    """Re-push lost runs of the queues this runtime knows. Returns counts of what it did."""
    pushed = failed = 0
    dead: list[tuple[Job, str]] = []  # RQ jobs still "started" that nobody runs
    with rt.session() as db:
        locked = db.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": RECONCILE_LOCK_KEY}).scalar()
        if not locked:
            return {"pushed": 0, "failed": 0, "skipped": 1}
        rows = (
            db.execute(
                select(JobRunRow).where(
                    JobRunRow.status.in_(JOB_ACTIVE_STATUSES),
                    JobRunRow.rq_job_id.is_not(None),
                    JobRunRow.queue_name.in_(list(rt.registry.queues)),
                    JobRunRow.updated_at < func.now() - grace,
                )
            )
            .scalars()
            .all()
        )
        handed_back: Counter[str] = Counter()  # queue → runs given back to the feeder
        active_lost = 0
        for row in rows:
            job = _rq_job(rt, row.rq_job_id)
            status = job.get_status(refresh=False) if job is not None else None
            reason = None
            if job is not None and status == JobStatus.STARTED:
                reason = why_dead(rt.redis, job)
                if reason is None:
                    continue
                dead.append((job, reason))
            elif status is not None and status not in GONE:
                continue
            if row.status == "active":
                active_lost += 1
            if row.status == "active" and row.attempts >= row.max_attempts:
                row.status = "failed"
                detail = f" ({reason})" if reason else ""
                row.error = (row.error or "") + f"\nThe worker running this job stopped before it finished{detail}."
                row.finished_at = func.now()
                failed += 1
                continue
            row.status = "waiting"
            row.rq_job_id = None
            row.updated_at = func.now()
            handed_back[row.queue_name] += 1
        db.commit()
    for job, reason in dead:
        try:
            retire(rt.redis, job, reason)
        except Exception:  # the run is handed back already; RQ's clean-up closes it later
            log.warning("could not close RQ's record of dead job %s", job.id, exc_info=True)
    for queue, count in handed_back.items():
        feed_new(rt, queue)
        pushed += count
    if active_lost:  # what those runs were writing is half-written
        request_cache_sweep(rt.redis)
    if pushed or failed:
        log.info("reconciled job_runs with Redis: %s pushed again, %s failed", pushed, failed)
    for job, reason in dead:
        log.warning("RQ job %s was still 'started' but %s: run handed back", job.id, reason)
    return {"pushed": pushed, "failed": failed, "skipped": 0}


def prune_finished(rt: Runtime, keep: int = 500) -> int:
    """Keep the newest ``keep`` completed/dismissed/cancelled runs per queue; delete older ones."""
    with rt.session() as db:
        deleted = db.execute(
            text(
                """
                DELETE FROM job_runs WHERE id IN (
                  SELECT id FROM (
                    SELECT id, row_number() OVER (
                      PARTITION BY queue_name ORDER BY created_at DESC) AS rn
                    FROM job_runs WHERE status IN ('completed', 'dismissed', 'cancelled')
                  ) ranked WHERE rn > :keep)
                """
            ),
            {"keep": keep},
        ).rowcount
        db.commit()
    return deleted
