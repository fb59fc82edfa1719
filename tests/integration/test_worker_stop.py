"""Workers stop promptly: a clean stop takes well under 5 s, whatever redis-py/RQ pair is installed.

RQ listens for worker commands with a 60 s blocking read; since redis-py 8 a stop waited for that
read to time out, so test runs hung for a minute at a time and ``obscura serve`` took a minute to
stop. The worker classes poll with a short timeout instead.
"""

from __future__ import annotations

import time

import pytest
from rq.serializers import JSONSerializer

from obscura_core.jobs.worker import InProcessWorker, ObscuraWorker, fork_workers, stop_children, worker_name
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.testing import drain_jobs
from tests.integration import jobplugin

pytestmark = pytest.mark.integration

CLEAN_STOP_SECONDS = 5.0


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("jobtest", jobplugin)], "builtins": (), "load_entrypoints": False}


@pytest.mark.parametrize("worker_class", [ObscuraWorker, InProcessWorker])
def test_the_command_listener_stops_promptly_when_no_message_comes(runtime, worker_class) -> None:
    """The race behind the stall, made certain: the listener has read its unsubscribe reply and
    waits again before the stop flag is set; RQ's own unsubscribe then joins it."""
    worker = worker_class(["test-ok"], connection=runtime.redis, serializer=JSONSerializer)
    worker.subscribe()
    time.sleep(0.3)  # the listener reads its subscribe reply and blocks for the next message
    worker.pubsub.unsubscribe()
    time.sleep(0.3)  # ... reads the unsubscribe reply and blocks again, now unsubscribed
    started = time.monotonic()
    worker.unsubscribe()
    assert time.monotonic() - started < CLEAN_STOP_SECONDS
    assert not worker.pubsub_thread.is_alive()


def test_a_burst_worker_returns_as_soon_as_the_queues_are_empty(runtime) -> None:
    # the stall hit about every other stop, so a few rounds catch it
    for i in range(6):
        with runtime.session() as db:
            enqueue_job(db, "test-ok", {"value": i}, target_type="item", target_id=str(i))
            db.commit()
        started = time.monotonic()
        assert drain_jobs(runtime) == 1
        assert time.monotonic() - started < CLEAN_STOP_SECONDS


def test_worker_processes_stop_cleanly_within_five_seconds(client, runtime) -> None:
    pids = fork_workers(runtime, 2)
    try:
        deadline = time.monotonic() + 30
        while client.get("/api/system/status").get_json()["data"]["workersAlive"] < 2:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
    finally:
        started = time.monotonic()
        stop_children(pids, timeout=20, redis=runtime.redis)
        took = time.monotonic() - started
    assert took < CLEAN_STOP_SECONDS, f"SIGTERM to exit took {took:.1f}s"
    # they said goodbye themselves (RQ's warm shutdown), nothing had to be killed
    names = {w["name"] for w in client.get("/api/system/status").get_json()["data"]["workers"]}
    assert not names & {worker_name(pid) for pid in pids}
