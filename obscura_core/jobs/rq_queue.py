"""Pushing runs to RQ: one core function (``execute``) called with the ``job_runs`` id.

This module alone names RQ jobs: ``run-<job_runs id>-<token>``, a new token per push, so the
row's ``rq_job_id`` always names the one RQ job allowed to run it (a superseded push finds a
different id on the row and skips). The feeder mints them in SQL as it claims rows
(:data:`RQ_JOB_ID_SQL`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rq import Queue, Retry
from rq.serializers import JSONSerializer

if TYPE_CHECKING:
    from redis import Redis

    from plugin_sdk.types import QueueDefinition

EXECUTE = "obscura_core.jobs.execute.execute"
RESULT_TTL_S = 600
FAILURE_TTL_S = 7 * 24 * 3600


RQ_JOB_ID_SQL = "'run-' || id || '-' || substr(md5(random()::text), 1, 6)"
"""A fresh RQ job id for a ``job_runs`` row, as an SQL expression over its ``id`` column."""


def rq_queue(redis: Redis, name: str) -> Queue:
    return Queue(name, connection=redis, serializer=JSONSerializer)


def _job_options(qd: QueueDefinition, run_id: str, rq_job_id: str, attempts_done: int) -> dict:
    intervals = qd.retry_intervals(attempts_done)
    return {
        "args": (run_id,),
        "job_id": rq_job_id,
        "timeout": qd.timeout_s,
        "result_ttl": RESULT_TTL_S,
        "failure_ttl": FAILURE_TTL_S,
        "retry": Retry(max=len(intervals), interval=intervals) if intervals else None,
        "description": f"{qd.name} {run_id}",
    }


def push(redis: Redis, qd: QueueDefinition, run_id: str, rq_job_id: str, attempts_done: int) -> None:
    """Put the run on its RQ queue with the retries it has left."""
    rq_queue(redis, qd.name).enqueue_call(EXECUTE, **_job_options(qd, run_id, rq_job_id, attempts_done))


def push_many(redis: Redis, qd: QueueDefinition, runs: list[tuple[str, str]], chunk: int = 1000) -> None:
    """Push many new runs ``(run_id, rq_job_id)`` of one queue in Redis pipelines."""
    queue = rq_queue(redis, qd.name)
    for start in range(0, len(runs), chunk):
        datas = [
            Queue.prepare_data(EXECUTE, **_job_options(qd, run_id, rq_id, 0))
            for run_id, rq_id in runs[start : start + chunk]
        ]
        with redis.pipeline() as pipe:
            queue.enqueue_many(datas, pipeline=pipe)
            pipe.execute()
