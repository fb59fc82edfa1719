"""After a Redis FLUSHALL the work goes on within seconds, not at the scheduler's next tick.

Runs against a redis-server of its own (flushing the shared one would hit everybody's tests).
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Worker

from obscura_core.jobs.scheduler import SchedulerThread
from obscura_core.jobs.worker import fork_workers, stop_children, worker_name
from obscura_core.runtime import build_runtime, set_runtime
from tests.integration.jobs_soak import soakplugin
from tests.integration.jobs_soak.support import enqueue, run_row, wait_for

pytestmark = pytest.mark.integration

TICK_S = 120.0  # the scheduler's periodic tick: far longer than the test may take


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for(lambda: _pings(url), 10, "redis-server to start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _pings(url: str) -> bool:
    try:
        return bool(Redis.from_url(url).ping())
    except OSError:
        return False
    except Exception:
        return False


def _registered(rt) -> set[str]:
    return {w.name for w in Worker.all(connection=rt.redis)}


def test_work_resumes_within_seconds_after_a_flushall(runtime, own_redis) -> None:
    settings = runtime.settings.with_overrides(redis_url=own_redis, scheduler_tick_s=TICK_S)
    rt = build_runtime("worker", settings, plugins=[("soaktest", soakplugin)], builtins=(), load_entrypoints=False)
    set_runtime(rt)
    pids = fork_workers(rt, 1)
    scheduler = SchedulerThread(rt)
    scheduler.start()
    try:
        wait_for(lambda: worker_name(pids[0]) in _registered(rt), 15, "the worker")
        ids = [enqueue(rt, "soak-slow", {"seconds": 0.5}, f"f{i}") for i in range(6)]
        wait_for(lambda: run_row(rt, ids[0]).status == "active", 15, "the first job to start")
        rt.redis.flushall()
        flushed = time.monotonic()

        wait_for(lambda: all(run_row(rt, i).status == "completed" for i in ids), 30, "every run to complete")
        took = time.monotonic() - flushed
        assert took < 20, f"the runs waited {took:.1f}s after the flush"
        # the worker registered again, so the dashboard and the reconciler see it
        wait_for(lambda: worker_name(pids[0]) in _registered(rt), 10, "re-registration")
    finally:
        scheduler.stop()
        stop_children(pids, redis=rt.redis)
        set_runtime(runtime)
        rt.close()
