"""Essential plugin: the outermost wrapper of ``obscura_run_job`` keeps ``job_runs`` true.

started (``active``, attempts + 1) → completed with the result, and ``obscura_job_finished``
called in the same transaction — or failed with the error, back to ``waiting`` when RQ will
retry, and the exception re-raised so RQ applies its ``Retry``. Conditional updates
(``WHERE status = 'active'``) let a concurrent cancel win.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import traceback
from collections.abc import Generator
from typing import Any

from rq import get_current_job
from sqlalchemy import func, update

from obscura_core.jobs.execute import RunNotClaimable
from plugin_sdk import hookimpl
from plugin_sdk.errors import PermanentJobError
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow
from plugin_sdk.types import JobRun

log = logging.getLogger("obscura.jobs")

MAX_ERROR_CHARS = 4000


def _error_text(exc: BaseException) -> str:
    head = f"{type(exc).__name__}: {exc}"
    tb = "".join(traceback.format_exception(exc))
    text = head if isinstance(exc, PermanentJobError) else f"{head}\n\n{tb}"
    return text[:MAX_ERROR_CHARS]


def _worker_name() -> str:
    job = get_current_job()
    worker = getattr(job, "worker_name", None) if job is not None else None
    return worker or f"{socket.gethostname()}.{os.getpid()}"


@hookimpl(wrapper=True, tryfirst=True)
def obscura_run_job(run: JobRun, ctx: Any) -> Generator[None, Any, Any]:
    db = ctx.db
    attempts = db.execute(
        update(JobRunRow)
        .where(JobRunRow.id == run.id, JobRunRow.status.in_(JOB_ACTIVE_STATUSES))
        .values(
            status="active",
            attempts=JobRunRow.attempts + 1,
            started_at=func.now(),
            finished_at=None,
            progress=0,
            worker_name=_worker_name(),
            updated_at=func.now(),
        )
        .returning(JobRunRow.attempts, JobRunRow.max_attempts)
    ).first()
    db.commit()
    if attempts is None:
        raise RunNotClaimable(run.id)
    attempt, max_attempts = attempts

    try:
        result = yield
        json.dumps(result)  # a result that cannot be stored is a failure of the processor
        done = db.execute(
            update(JobRunRow)
            .where(JobRunRow.id == run.id, JobRunRow.status == "active")
            .values(
                status="completed",
                result=result,
                error=None,
                progress=100,
                finished_at=func.now(),
                updated_at=func.now(),
            )
        ).rowcount
        if done:
            # each plugin in its own SAVEPOINT: one that fails is recorded against its name and
            # leaves nothing half-written, and the run it follows stays completed
            ctx.runtime.hooks.notify(
                "obscura_job_finished", savepoint=db, about=f"after run {run.id} of {run.queue}",
                run=run, result=result, ctx=ctx,
            )  # fmt: skip
        db.commit()
        return result
    except BaseException as exc:
        db.rollback()
        permanent = isinstance(exc, PermanentJobError)
        rq_job = get_current_job()
        retries_left = getattr(rq_job, "retries_left", None) if rq_job is not None else 0
        will_retry = not permanent and attempt < max_attempts and bool(retries_left)
        db.execute(
            update(JobRunRow)
            .where(JobRunRow.id == run.id, JobRunRow.status == "active")
            .values(
                status="waiting" if will_retry else "failed",
                error=_error_text(exc),
                finished_at=None if will_retry else func.now(),
                updated_at=func.now(),
            )
        )
        db.commit()
        log.warning("run %s (%s) attempt %s failed: %s", run.id, run.queue, attempt, exc)
        if permanent:
            return None
        raise
