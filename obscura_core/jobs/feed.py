"""Feeding Redis from PostgreSQL: the only way a run reaches RQ.

Runs are written without an RQ job (``rq_job_id IS NULL``): new ones by ``enqueue_jobs``, runs
Redis lost by the reconciler, runs a worker had no concurrency slot for (``feed_new``). ``feed``
claims the oldest of them and pushes them whenever a queue's RQ backlog falls below
``LOW_WATER``: after the enqueueing commit, after every finished job of that queue, and on every
scheduler tick. Redis stays small, enqueueing 20k runs costs one INSERT, and a flushed Redis loses
nothing that PostgreSQL does not still hold.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import text

from obscura_core.jobs.rq_queue import RQ_JOB_ID_SQL, push, push_many, rq_queue

if TYPE_CHECKING:
    from obscura_core.runtime import Runtime

log = logging.getLogger("obscura.jobs")

WINDOW = 500
LOW_WATER = 100
FLAG = "obscura:unpushed:{queue}"

_CLAIM = text(
    f"""
    UPDATE job_runs SET rq_job_id = {RQ_JOB_ID_SQL}
    WHERE id IN (
        SELECT id FROM job_runs
        WHERE queue_name = :queue AND status = 'waiting' AND rq_job_id IS NULL
        ORDER BY created_at, id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED)
    RETURNING id, rq_job_id, attempts
    """
)


def mark_unpushed(rt: Runtime, queue: str) -> None:
    rt.redis.set(FLAG.format(queue=queue), 1)


def feed(rt: Runtime, queue: str, *, force: bool = False) -> int:
    """Push unpushed waiting runs of ``queue`` while its RQ backlog is low; returns how many."""
    if not force and not rt.redis.exists(FLAG.format(queue=queue)):
        return 0
    qd = rt.registry.queues.get(queue)
    if qd is None:
        return 0
    backlog = rq_queue(rt.redis, queue).count
    if backlog >= LOW_WATER:
        return 0
    limit = WINDOW - backlog
    with rt.session() as db:
        rows = db.execute(_CLAIM, {"queue": queue, "limit": limit}).all()
        db.commit()
    fresh = [(run_id, rq_id) for run_id, rq_id, attempts in rows if not attempts]
    if fresh:
        push_many(rt.redis, qd, fresh)
    for run_id, rq_id, attempts in rows:
        if attempts:
            push(rt.redis, qd, run_id, rq_id, attempts_done=attempts)
    if len(rows) < limit:
        rt.redis.delete(FLAG.format(queue=queue))
    else:
        mark_unpushed(rt, queue)
    return len(rows)


def feed_new(rt: Runtime, queue: str) -> int:
    """``queue`` has runs without an RQ job (just enqueued, or handed back because their RQ job is
    gone or was not allowed to run; their rows are committed): flag it and feed it now."""
    mark_unpushed(rt, queue)
    return feed(rt, queue)


def feed_all(rt: Runtime) -> int:
    """Feed every queue (scheduler tick, worker start): also recovers after Redis lost the flags."""
    return sum(feed(rt, name, force=True) for name in rt.registry.queues)
