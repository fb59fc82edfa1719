"""Essential plugin: ``/api/jobs`` — queue counts, runs, cancel, run a queue, acknowledge."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import Blueprint, current_app
from pydantic import Field
from sqlalchemy import func, select

from obscura_core.jobs import control
from obscura_core.runtime import Runtime
from plugin_sdk import hookimpl
from plugin_sdk.db import get_db
from plugin_sdk.errors import NotFoundError
from plugin_sdk.http import ApiModel, Pagination, api_route, ok
from plugin_sdk.models import JOB_STATUSES, JobRunRow, LibrarySettings

Status = Literal["waiting", "active", "completed", "failed", "cancelled", "dismissed"]


class JobRunOut(ApiModel):
    id: str
    queue_name: str
    status: str
    target_type: str | None
    target_id: str | None
    target_label: str | None
    payload: dict[str, Any]
    result: Any | None
    error: str | None
    progress: int
    progress_note: str | None
    attempts: int
    max_attempts: int
    worker_name: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


class QueueOut(ApiModel):
    name: str
    label: str
    description: str
    plugin: str
    concurrency: int
    effective_concurrency: int
    can_run: bool
    counts: dict[str, int]
    state: Literal["idle", "active", "warning"]


class JobsQuery(Pagination):
    queue: str | None = None
    status: Status | list[Status] | None = None


class JobsOut(ApiModel):
    queues: list[QueueOut]
    items: list[JobRunOut]
    total: int
    page: int
    per_page: int


class AcknowledgeIn(ApiModel):
    queue_name: str | None = None


class RunQueueIn(ApiModel):
    pass


class CountOut(ApiModel):
    count: int = Field(..., description="how many runs were affected")


def _rt() -> Runtime:
    return current_app.extensions["obscura"]


def queue_summaries(rt: Runtime, db: Any) -> list[QueueOut]:
    counts = control.status_counts(db)
    bwc = LibrarySettings.get(db).background_worker_concurrency
    out = []
    for name, qd in rt.registry.queues.items():
        c = {s: counts.get(name, {}).get(s, 0) for s in JOB_STATUSES}
        state = "warning" if c["failed"] else "active" if c["active"] or c["waiting"] else "idle"
        out.append(
            QueueOut(
                name=name,
                label=qd.label,
                description=qd.description,
                plugin=rt.registry.queue_owner[name],
                concurrency=qd.concurrency,
                effective_concurrency=qd.concurrency * bwc,
                can_run=qd.enqueue_missing is not None,
                counts=c,
                state=state,
            )
        )
    return out


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_jobs", __name__)

    @api_route(bp, "/api/jobs", query=JobsQuery, response=JobsOut)
    def list_jobs(query: JobsQuery):
        """Per-queue counts by status and a page of runs (filter by queue and status)."""
        rt, db = _rt(), get_db()
        stmt = select(JobRunRow)
        if query.queue:
            rt.registry.queue(query.queue)
            stmt = stmt.where(JobRunRow.queue_name == query.queue)
        if query.status:
            statuses = query.status if isinstance(query.status, list) else [query.status]
            stmt = stmt.where(JobRunRow.status.in_(statuses))
        total = db.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
        rows = db.execute(
            stmt.order_by(JobRunRow.created_at.desc(), JobRunRow.id).offset(query.offset).limit(query.per_page)
        ).scalars()
        data = JobsOut(
            queues=queue_summaries(rt, db),
            items=[JobRunOut.model_validate(r) for r in rows],
            total=total,
            page=query.page,
            per_page=query.per_page,
        )
        db.commit()
        return ok(data)

    @api_route(bp, "/api/jobs/<run_id>", response=JobRunOut)
    def get_job(run_id: str):
        """One run, with its payload, result and error."""
        row = get_db().get(JobRunRow, run_id)
        if row is None:
            raise NotFoundError(f"No job run with id '{run_id}'.")
        return ok(JobRunOut.model_validate(row))

    @api_route(bp, "/api/jobs/<run_id>/cancel", methods=["POST"], response=JobRunOut)
    def cancel(run_id: str):
        """Cancel a waiting or running job (409 when it already finished)."""
        row = control.cancel_run(_rt(), get_db(), run_id)
        return ok(JobRunOut.model_validate(row))

    @api_route(bp, "/api/jobs/<run_id>/retry", methods=["POST"])
    def retry(run_id: str):
        """Run a failed or cancelled job again (a new run with the same payload)."""
        return ok({"jobRunId": control.retry_failed(get_db(), run_id)}, status=201)

    @api_route(bp, "/api/jobs/queues/<queue_name>/run", methods=["POST"], body=RunQueueIn, response=CountOut)
    def run_queue(queue_name: str, body: RunQueueIn):
        """Enqueue the queue's missing work, as its plugin defines it."""
        rt, db = _rt(), get_db()
        enqueue_missing = rt.registry.queue(queue_name).enqueue_missing
        count = enqueue_missing(db) if enqueue_missing is not None else 0
        db.commit()
        return ok(CountOut(count=count))

    @api_route(bp, "/api/jobs/queues/<queue_name>/cancel", methods=["POST"], response=CountOut)
    def cancel_queue(queue_name: str):
        """Cancel every waiting or running job of a queue."""
        rt, db = _rt(), get_db()
        rt.registry.queue(queue_name)
        ids = (
            db.execute(
                select(JobRunRow.id).where(
                    JobRunRow.queue_name == queue_name, JobRunRow.status.in_(("waiting", "active"))
                )
            )
            .scalars()
            .all()
        )
        done = 0
        for run_id in ids:
            try:
                control.cancel_run(rt, db, run_id)
                done += 1
            except Exception:
                db.rollback()
        return ok(CountOut(count=done))

    @api_route(bp, "/api/jobs/acknowledge-failed", methods=["POST"], body=AcknowledgeIn, response=CountOut)
    def acknowledge(body: AcknowledgeIn):
        """Dismiss failed runs (of one queue, or all)."""
        if body.queue_name:
            _rt().registry.queue(body.queue_name)
        return ok(CountOut(count=control.acknowledge_failed(get_db(), body.queue_name)))

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]
