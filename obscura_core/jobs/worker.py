"""Worker processes: RQ's forking ``Worker`` listening on exactly the registry's queues.

The parent builds the runtime (plugins, registry) and calls ``obscura_startup(role="worker")``
before forking, so every work horse inherits the loaded plugins and preloaded libraries.

What RQ's worker does not do, ours adds: it takes jobs only from queues with a free concurrency
slot (so a full queue never holds up the others), registers again when Redis lost its keys, kills
whatever a killed work horse left running, and names its horse in the job (for the reconciler).
:class:`WorkerSupervisor` keeps the processes running: one that dies is replaced.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import redis.exceptions
from redis import Redis
from rq import SimpleWorker, Worker, worker_registration
from rq.exceptions import DequeueTimeout, StopRequested
from rq.job import Job
from rq.queue import Queue
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer
from rq.utils import now, utcformat
from rq.worker.base import WorkerStatus

from obscura_core.jobs import slots
from obscura_core.jobs.cachesweep import request_cache_sweep
from obscura_core.jobs.liveness import WORKER_PREFIX, record_horse
from obscura_core.runtime import Runtime, get_runtime, set_runtime

log = logging.getLogger("obscura.worker")


PUBSUB_POLL_SECONDS = 0.5
"""How long the command listener blocks between looks at its stop flag."""

DEQUEUE_POLL_SECONDS = 2.0
"""How long an idle worker waits for a job before it looks again at which queues have a free
slot (and heartbeats, which registers it again after Redis lost its keys)."""

_REDIS_ERRORS = (redis.exceptions.RedisError, OSError)

JOB_MONITORING_INTERVAL = 10
"""Seconds between the heartbeats a worker sends while its horse works (RQ's default is 30): a
worker that died is seen as gone (its key expires) 70 s later at most."""


class PromptStop:
    """Listen for RQ's worker commands (stop-job, shutdown) with a short poll, so a worker stops
    within a second.

    RQ runs the listener with ``sleep_time=60``; since redis-py 8, ``PubSubWorkerThread.stop()``
    joins the thread, so every worker exit waited for that 60 s read to time out (burst workers
    in tests as well as ``obscura serve``'s). The subscription itself is RQ's.
    """

    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_POLL_SECONDS, daemon=True, exception_handler=self._pubsub_exception_handler
        )


class Registered:
    """Heartbeats that notice when Redis lost this worker's registration (a FLUSHALL, a restart
    with nothing on disk) and register it again, so dashboards and the reconciler see it; and
    a work horse that names itself in the job it runs (``obscura_core.jobs.liveness``)."""

    def heartbeat(self, timeout: int | None = None, pipeline: redis.client.Pipeline | None = None) -> None:
        if pipeline is not None:
            super().heartbeat(timeout, pipeline=pipeline)  # type: ignore[misc]
            return
        timeout = timeout or self.worker_ttl + 60
        self.last_heartbeat = now()
        with self.connection.pipeline() as pipe:
            pipe.hset(self.key, "last_heartbeat", utcformat(self.last_heartbeat))
            pipe.expire(self.key, timeout)
            pipe.sismember(worker_registration.REDIS_WORKER_KEYS, self.key)
            _, _, registered = pipe.execute()
        if not registered and not self.connection.hexists(self.key, "death"):
            log.warning("Redis lost the registration of worker %s; registering again", self.name)
            with self.connection.pipeline() as pipe:
                pipe.hset(self.key, mapping=self.serialize())
                worker_registration.register(self, pipe)
                pipe.expire(self.key, timeout)
                pipe.execute()

    def perform_job(self, job: Job, queue: Queue) -> bool:
        try:
            record_horse(job)
        except redis.exceptions.RedisError:
            log.warning("could not record the work horse of job %s", job.id, exc_info=True)
        return super().perform_job(job, queue)  # type: ignore[misc]


class ObscuraWorker(Registered, PromptStop, Worker):
    """RQ's forking worker (needed to stop running jobs), with our JSON serializer; it passes
    over full queues, and takes down what a killed work horse left running."""

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> tuple[Job, Queue] | None:
        """RQ's dequeue loop, taking jobs only from queues with a free concurrency slot.

        A job of a full queue would only be handed back (``execute`` defers it) and taken again
        at once, ahead of every other queue's work; so full queues are left out, and looked at
        again every :data:`DEQUEUE_POLL_SECONDS`. ``timeout`` ``None`` is burst mode: return
        ``None`` once no queue has a job this worker could take or wait for.
        """
        self.set_state(WorkerStatus.IDLE)
        self.procline("Listening on " + ",".join(self.queue_names()))
        connection_wait = 1.0
        idle_since = now()
        while True:
            self._stop_if_asked()
            try:
                self.heartbeat()
                if self.should_run_maintenance_tasks:
                    self.run_maintenance_tasks()
                full = self._full_queues()
                open_queues = [q for q in self._ordered_queues if q.name not in full]
                result = None
                if open_queues:
                    result = self.queue_class.dequeue_any(
                        open_queues,
                        None if timeout is None else DEQUEUE_POLL_SECONDS,
                        connection=self.connection,
                        job_class=self.job_class,
                        serializer=self.serializer,
                        death_penalty_class=self.death_penalty_class,
                    )
                if result is not None:
                    job, queue = result
                    self.reorder_queues(reference_queue=queue)
                    job.redis_server_version = self.get_redis_server_version()
                    self.log.info("Worker %s: %s: %s", self.name, queue.name, job.id)
                    self.heartbeat()
                    return result
                if timeout is None and not any(q.count for q in self._ordered_queues if q.name in full):
                    return None  # burst: nothing left that this worker could take
                if timeout is None or not open_queues:
                    time.sleep(DEQUEUE_POLL_SECONDS / 4 if timeout is None else DEQUEUE_POLL_SECONDS)
            except DequeueTimeout:
                pass
            except redis.exceptions.ConnectionError as exc:
                self.log.error("Worker %s: cannot reach Redis (%s); retrying in %ds", self.name, exc, connection_wait)
                time.sleep(connection_wait)
                connection_wait = min(connection_wait * self.exponential_backoff_factor, self.max_connection_wait_time)
            if max_idle_time is not None and (now() - idle_since).total_seconds() >= max_idle_time:
                return None

    def _stop_if_asked(self) -> None:
        """RQ's SIGTERM handler raises ``StopRequested`` wherever the idle worker is; a library
        that turns it into its own error (the database driver) must not make us miss it."""
        if self._shutdown_requested_date is not None:
            raise StopRequested()

    def _full_queues(self) -> set[str]:
        try:
            return slots.saturated(get_runtime(), self.queue_names())
        except StopRequested:
            raise
        except Exception:  # the database is away: take anything, execute() still holds the limit
            self._stop_if_asked()
            log.warning("could not read the held concurrency slots", exc_info=True)
            return set()

    def kill_horse(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """RQ kills the horse's process group (a stopped job, a timeout): what it was writing is
        left half-written."""
        super().kill_horse(sig)
        request_cache_sweep(self.connection)

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: object) -> None:
        """The horse died on its own (SIGKILL, OOM): take down whatever it started (its process
        group: ffmpeg) and have the cache swept of what it was writing."""
        if retpid:
            try:
                os.killpg(retpid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        request_cache_sweep(self.connection)
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)


class InProcessWorker(Registered, PromptStop, SimpleWorker):
    """RQ's worker that runs jobs in its own process (``plugin_sdk.testing.drain_jobs``)."""


def worker_name(pid: int) -> str:
    return f"{WORKER_PREFIX}{socket.gethostname()}-{pid}"


def make_worker(rt: Runtime, queues: Sequence[str] | None = None, name: str | None = None) -> ObscuraWorker:
    names = list(queues or rt.registry.queues)
    redis = Redis.from_url(rt.settings.redis_url or "")
    return ObscuraWorker(
        names,
        connection=redis,
        serializer=JSONSerializer,
        name=name or worker_name(os.getpid()),
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
    )


def run_worker(rt: Runtime, *, burst: bool = False) -> bool:
    """Work in this process until stopped (or, with ``burst``, until the queues are empty).

    RQ's own scheduler process is not started here: it is forked from the worker with the
    worker's signal handlers and, when a stop arrives before it installs its own, the worker
    waits for it forever. :class:`RetryScheduler` runs in the parent process instead.
    """
    set_runtime(rt)
    worker = make_worker(rt)
    # The loaded plugins and libraries live as long as the process: out of every collection (a
    # scan's tens of thousands of new objects otherwise make the collector walk them all again)
    # and untouched, so shared copy-on-write, in the forked work horses.
    gc.freeze()
    return worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")


class RetryScheduler(threading.Thread):
    """Moves due retries (and other scheduled RQ jobs) to their queues, once a second.

    Holds RQ's per-queue scheduler locks, so among several machines one schedules each queue.
    """

    def __init__(self, rt: Runtime, interval: float = 1.0) -> None:
        super().__init__(name="obscura-retry-scheduler", daemon=True)
        self.scheduler = RQScheduler(
            list(rt.registry.queues), connection=Redis.from_url(rt.settings.redis_url or ""), serializer=JSONSerializer
        )
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                if self.scheduler.acquire_locks():
                    self.scheduler.enqueue_scheduled_jobs()
            except Exception:
                log.warning("moving due retries to their queues failed", exc_info=True)
            self._stop_event.wait(self.interval)
        try:
            self.scheduler.release_locks()
        except Exception:
            pass

    def stop(self) -> None:
        self._stop_event.set()


def fork_workers(rt: Runtime, count: int, *, burst: bool = False) -> list[int]:
    """Start ``count`` worker processes (children of this one); returns their pids."""
    rt.startup()
    if rt._engine is not None:
        rt._engine.dispose()
    return [fork_worker(rt, burst=burst) for _ in range(count)]


def fork_worker(rt: Runtime, *, burst: bool = False) -> int:
    """Fork one worker process from this one (its runtime already started); returns its pid."""
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            # its own process group (with its RQ scheduler and work horses), so the parent can
            # take the whole group down; Ctrl-C reaches the parent, which stops us gracefully
            os.setpgid(0, 0)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            rt._redis = None  # the parent's connections stay the parent's (its threads use them)
            run_worker(rt, burst=burst)
        except BaseException:
            log.exception("worker crashed")
            code = 1
        finally:
            sys.stdout.flush()
            os._exit(code)
    return pid


@dataclass
class _Place:
    """One of the supervisor's worker places: the process in it, or when the next one starts."""

    pid: int | None
    started: float
    short_lives: int = 0  # workers in a row that died before STABLE_AFTER_S
    restart_at: float | None = None


class WorkerSupervisor:
    """Keeps ``count`` worker processes running for ``obscura serve`` and ``obscura worker``.

    :meth:`check` (called from the main loop about once a second) reaps a worker that exited — a
    crash, ``kill -9``, the OOM killer —, removes its RQ registration (a killed worker cannot), and
    forks a new one: at once after a worker that ran a while, then after 1, 2, 4 … 60 s while
    workers keep dying young, so a crash loop does not spin.
    """

    STABLE_AFTER_S = 60.0
    FIRST_DELAY_S = 1.0
    MAX_DELAY_S = 60.0

    def __init__(self, rt: Runtime, count: int) -> None:
        self.rt = rt
        self.count = count
        self._places: list[_Place] = []
        self.restarts = 0

    @property
    def pids(self) -> list[int]:
        """The pids of the running workers."""
        return [p.pid for p in self._places if p.pid is not None]

    def start(self) -> list[int]:
        started = time.monotonic()
        self._places = [_Place(pid, started) for pid in fork_workers(self.rt, self.count)]
        return self.pids

    def check(self, now: float | None = None) -> int:
        """Reap workers that exited and start the new ones that are due; returns how many exited."""
        now = time.monotonic() if now is None else now
        exited = 0
        for place in self._places:
            if place.pid is not None:
                status = _exit_status(place.pid)
                if status is None:
                    continue
                lived = now - place.started
                place.short_lives = 0 if lived >= self.STABLE_AFTER_S else place.short_lives + 1
                delay = 0.0 if not place.short_lives else self.FIRST_DELAY_S * 2 ** (place.short_lives - 1)
                delay = min(delay, self.MAX_DELAY_S)
                log.warning(
                    "worker %s %s after %.0fs; starting a new one%s",
                    place.pid,
                    status,
                    lived,
                    f" in {delay:.0f}s" if delay else "",
                )
                self._bury(place.pid)
                place.pid, place.restart_at = None, now + delay
                exited += 1
            if place.restart_at is not None and now >= place.restart_at:
                try:
                    pid = fork_worker(self.rt)
                except OSError:  # no memory or pids left for now: try again later
                    log.exception("could not start a worker; trying again in %.0fs", self.MAX_DELAY_S)
                    place.restart_at = now + self.MAX_DELAY_S
                    continue
                place.pid, place.started, place.restart_at = pid, time.monotonic(), None
                self.restarts += 1
                log.warning("started worker %s in place of the one that exited", place.pid)
        return exited

    def _bury(self, pid: int) -> None:
        try:  # leftovers of its process group (its work horse has a group of its own and goes on)
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            conn = self.rt.redis
            dead = ObscuraWorker.find_by_key(ObscuraWorker.redis_worker_namespace_prefix + worker_name(pid), conn)
            if dead is not None:
                dead.register_death()
            request_cache_sweep(conn)
        except _REDIS_ERRORS:
            log.warning("could not unregister worker %s from Redis", pid, exc_info=True)

    def stop(self, timeout: float = 20.0) -> None:
        """Stop every worker (see :func:`stop_children`); none is started again."""
        pids = self.pids
        for place in self._places:
            place.pid = place.restart_at = None
        stop_children(pids, timeout=timeout, redis=self.rt.redis)


def _exit_status(pid: int) -> str | None:
    """``None`` while ``pid`` (a child) runs; else how it ended ("was killed by SIGKILL")."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return "is gone"
    if not done:
        return None
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with code {os.waitstatus_to_exitcode(status)}"


def stop_children(pids: Sequence[int], timeout: float = 20.0, redis: Redis | None = None) -> None:
    """SIGTERM (RQ's warm shutdown: finish the current job), then SIGKILL the process group of
    any worker still there after ``timeout``; finally reap leftovers of every group (RQ's
    scheduler process, work horses)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    remaining = set(pids)
    while remaining and time.monotonic() < deadline:
        for pid in list(remaining):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                remaining.discard(pid)
        time.sleep(0.05)
    for pid in remaining:
        log.warning("worker %s did not stop within %ss; killing it", pid, timeout)
        try:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        if redis is not None:  # a killed worker cannot unregister itself
            dead = ObscuraWorker.find_by_key(ObscuraWorker.redis_worker_namespace_prefix + worker_name(pid), redis)
            if dead is not None:
                dead.register_death()
    for pid in pids:  # orphans left in a worker's group (its scheduler, a horse)
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
