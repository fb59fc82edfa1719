"""Worker processes: RQ's forking ``Worker`` listening on exactly the registry's queues.

The parent builds the runtime (plugins, registry) and calls ``obscura_startup(role="worker")``
before forking, so every work horse inherits the loaded plugins and preloaded libraries.
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

from redis import Redis
from rq import SimpleWorker, Worker
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer

from obscura_core.runtime import Runtime, set_runtime

log = logging.getLogger("obscura.worker")


PUBSUB_POLL_SECONDS = 0.5
"""How long the command listener blocks between looks at its stop flag."""


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


class ObscuraWorker(PromptStop, Worker):
    """RQ's forking worker (needed to stop running jobs), with our JSON serializer."""


class InProcessWorker(PromptStop, SimpleWorker):
    """RQ's worker that runs jobs in its own process (``plugin_sdk.testing.drain_jobs``)."""


def worker_name(pid: int) -> str:
    return f"obscura-{socket.gethostname()}-{pid}"


def make_worker(rt: Runtime, queues: Sequence[str] | None = None, name: str | None = None) -> ObscuraWorker:
    names = list(queues or rt.registry.queues)
    redis = Redis.from_url(rt.settings.redis_url or "")
    return ObscuraWorker(
        names,
        connection=redis,
        serializer=JSONSerializer,
        name=name or worker_name(os.getpid()),
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
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                # its own process group (with its RQ scheduler and work horses), so the parent can
                # take the whole group down; Ctrl-C reaches the parent, which stops us gracefully
                os.setpgid(0, 0)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                run_worker(rt, burst=burst)
            except BaseException:
                log.exception("worker crashed")
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        pids.append(pid)
    return pids


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
