"""Is anybody still running a job RQ calls ``started``? Asked by the reconciler.

RQ keeps a job ``started`` until its worker says otherwise; a worker killed together with its
work horse says nothing, and RQ's own clean-up notices only every 10 minutes. What tells sooner:

1. the work horse's process token, which the horse writes into the job's meta as it starts
   (:func:`record_horse`): on this machine, the process is there or it is not;
2. otherwise (the horse ran on another machine, or died before writing it) RQ's registrations:
   the worker's key (gone once its heartbeat TTL ran out, marked ``death`` when it was stopped),
   on this machine the worker's process itself, and the job's execution heartbeats in the
   queue's ``StartedJobRegistry``.
"""

from __future__ import annotations

import socket
import time

from redis import Redis
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.worker import Worker

from obscura_core.jobs.rq_queue import FAILURE_TTL_S, rq_queue
from plugin_sdk.processes import pid_alive, process_token, token_alive

HORSE_META = "obscura_horse"
"""Key in an RQ job's meta: the process token of the work horse running it."""

WORKER_PREFIX = "obscura-"
"""Worker names are ``obscura-<hostname>-<pid>`` (:func:`obscura_core.jobs.worker.worker_name`)."""


def record_horse(job: Job) -> None:
    """In the work horse, before the job runs: say which process runs it."""
    job.meta[HORSE_META] = process_token()
    job.save_meta()


def _local_worker_pid(name: str) -> int | None:
    prefix = f"{WORKER_PREFIX}{socket.gethostname()}-"
    tail = name[len(prefix) :] if name.startswith(prefix) else ""
    return int(tail) if tail.isdigit() else None


def _executions(redis: Redis, job: Job) -> list[tuple[bytes, float]]:
    """``(registry entry, heartbeat deadline)`` of the job's executions in its started registry."""
    registry = StartedJobRegistry(job.origin, connection=redis)
    entries = redis.zrange(registry.key, 0, -1, withscores=True)
    mine = f"{job.id}:".encode()
    return [(entry, score) for entry, score in entries if entry.startswith(mine)]


def why_dead(redis: Redis, job: Job) -> str | None:
    """Why nobody runs the ``started`` job any more, or ``None`` while somebody may."""
    token = job.meta.get(HORSE_META)
    if isinstance(token, str):
        alive = token_alive(token)
        if alive is not None:
            return None if alive else "its work horse process is gone"
    name = job.worker_name
    if name:
        key = Worker.redis_worker_namespace_prefix + name
        registered, death = redis.exists(key), redis.hget(key, "death")
        if not registered:
            return f"its worker {name} is no longer registered"
        if death:
            return f"its worker {name} stopped"
        pid = _local_worker_pid(name)
        if pid is not None and not pid_alive(pid):
            return f"its worker {name} is gone"
    executions = _executions(redis, job)
    if executions and all(deadline < time.time() for _, deadline in executions):
        return "its heartbeats stopped"
    return None


def retire(redis: Redis, job: Job, reason: str) -> None:
    """Close RQ's record of a dead job (out of the started registry, failed), as RQ's own clean-up
    would, so that clean-up does not run it again later; the ``job_runs`` row retries it."""
    queue = rq_queue(redis, job.origin)
    with redis.pipeline() as pipe:
        for entry, _ in _executions(redis, job):
            pipe.zrem(StartedJobRegistry(queue=queue).key, entry)
        job.set_status(JobStatus.FAILED, pipeline=pipe)
        FailedJobRegistry(queue=queue).add(
            job, ttl=FAILURE_TTL_S, exc_string=f"Nobody runs this job any more: {reason}.", pipeline=pipe
        )
        pipe.execute()
