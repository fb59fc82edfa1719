"""The job runtime on real PostgreSQL + Redis with real RQ workers: lifecycle, retries,
permanent failures, cancel (waiting and running), chaining, dedupe, Redis loss."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from obscura_core.jobs.reconcile import reconcile
from obscura_core.jobs.worker import fork_workers, stop_children
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.models import JobRunRow
from tests.integration import jobplugin

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("jobtest", jobplugin)], "builtins": (), "load_entrypoints": False}


def _run(client, run_id: str) -> dict[str, Any]:
    return client.get(f"/api/jobs/{run_id}").get_json()["data"]


def _enqueue(runtime, queue: str, payload: dict, target: str | None = None) -> str:
    with runtime.session() as db:
        run_id = enqueue_job(
            db, queue, payload, target_type="item" if target else None, target_id=target, target_label=f"label {target}"
        )
        db.commit()
    return run_id


def _wait(predicate: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_api_enqueued_jobs_complete_with_their_results(client, run_jobs) -> None:
    assert client.post("/api/jobs/queues/test-ok/run", json={}).get_json()["data"]["count"] == 3
    waiting = client.get("/api/jobs?status=waiting").get_json()["data"]
    assert waiting["total"] == 3
    queue = next(q for q in waiting["queues"] if q["name"] == "test-ok")
    assert queue["counts"]["waiting"] == 3 and queue["state"] == "active" and queue["canRun"] is True
    run_jobs()
    data = client.get("/api/jobs?queue=test-ok").get_json()["data"]
    assert {r["status"] for r in data["items"]} == {"completed"}
    first = next(r for r in data["items"] if r["targetId"] == "1")
    assert first["result"] == {"echo": 1, "attempt": 1}
    assert first["attempts"] == 1 and first["progress"] == 100 and first["progressNote"] == "half way"
    assert first["startedAt"] and first["finishedAt"] and first["targetLabel"] == "item 1"
    queue = next(q for q in data["queues"] if q["name"] == "test-ok")
    assert queue["counts"]["completed"] == 3 and queue["state"] == "idle"


def test_one_waiting_run_per_target(runtime, run_jobs) -> None:
    a = _enqueue(runtime, "test-ok", {"value": "a"}, target="t1")
    b = _enqueue(runtime, "test-ok", {"value": "b"}, target="t1")
    assert a == b
    run_jobs()
    c = _enqueue(runtime, "test-ok", {"value": "c"}, target="t1")
    assert c != a, "a finished run does not block a new one"
    # many enqueues on one connection: psycopg switches to prepared statements after 5
    with runtime.session() as db:
        ids = {enqueue_job(db, "test-ok", {"i": i}, target_type="item", target_id=f"m{i % 3}") for i in range(12)}
        db.commit()
    assert len(ids) == 3


def test_failing_processor_is_retried_with_growing_delays_then_fails(client, runtime, run_jobs) -> None:
    jobplugin.flaky_attempt_times.clear()
    run_id = _enqueue(runtime, "test-flaky", {}, target="f")
    run_jobs(timeout=30)
    run = _run(client, run_id)
    assert run["status"] == "failed"
    assert run["attempts"] == 4 == run["maxAttempts"]
    assert run["error"].startswith("RuntimeError: boom on attempt 4")
    times = jobplugin.flaky_attempt_times
    assert len(times) == 4
    # delays of 1, 2 and 4 s; RQ schedules in whole seconds, so each may fire up to 1 s early
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[1] >= 1.0 and gaps[2] >= 3.0, gaps
    assert gaps[2] > gaps[1] > 0 and gaps[2] > gaps[0] + 1.5, gaps
    failed = next(q for q in client.get("/api/jobs").get_json()["data"]["queues"] if q["name"] == "test-flaky")
    assert failed["state"] == "warning"
    # acknowledge, then retry from the dashboard
    assert (
        client.post("/api/jobs/acknowledge-failed", json={"queueName": "test-flaky"}).get_json()["data"]["count"] == 1
    )
    assert _run(client, run_id)["status"] == "dismissed"


def test_permanent_errors_are_not_retried(client, runtime, run_jobs) -> None:
    run_id = _enqueue(runtime, "test-permanent", {}, target="p")
    run_jobs()
    run = _run(client, run_id)
    assert run["status"] == "failed" and run["attempts"] == 1
    assert run["error"] == "PermanentJobError: this file is not a video"
    retried = client.post(f"/api/jobs/{run_id}/retry", json={}).get_json()["data"]["jobRunId"]
    assert retried != run_id and _run(client, retried)["status"] == "waiting"


def test_cancel_a_waiting_job(client, runtime, run_jobs) -> None:
    jobplugin.ran.clear()
    run_id = _enqueue(runtime, "test-ok", {"value": 1}, target="c")
    cancelled = client.post(f"/api/jobs/{run_id}/cancel", json={}).get_json()["data"]
    assert cancelled["status"] == "cancelled"
    run_jobs()
    assert _run(client, run_id)["status"] == "cancelled"
    assert run_id not in jobplugin.ran
    err = client.post(f"/api/jobs/{run_id}/cancel", json={})
    assert err.status_code == 409 and "already cancelled" in err.get_json()["error"]["message"]


def test_cancel_a_running_job_stops_its_work_horse(client, runtime) -> None:
    pids = fork_workers(runtime, 1)
    try:
        run_id = _enqueue(runtime, "test-sleep", {"seconds": 60}, target="long")
        _wait(lambda: _run(client, run_id)["status"] == "active", what="the job to start")
        started = time.monotonic()
        assert client.post(f"/api/jobs/{run_id}/cancel", json={}).get_json()["data"]["status"] == "cancelled"
        with runtime.session() as db:
            rq_id = db.get(JobRunRow, run_id).rq_job_id
        job = Job.fetch(rq_id, connection=runtime.redis, serializer=JSONSerializer)
        _wait(lambda: job.get_status(refresh=True) in (JobStatus.STOPPED, JobStatus.FAILED), what="RQ to stop the job")
        assert time.monotonic() - started < 15
        assert _run(client, run_id)["status"] == "cancelled"
        # the worker goes on with the next job
        nxt = _enqueue(runtime, "test-ok", {"value": "after"}, target="after")
        _wait(lambda: _run(client, nxt)["status"] == "completed", what="the next job")
    finally:
        stop_children(pids, redis=runtime.redis)


def test_job_finished_chains_follow_up_work(client, runtime, run_jobs) -> None:
    jobplugin.finished.clear()
    run_id = _enqueue(runtime, "test-chain", {"next": "second"}, target="chain")
    run_jobs()
    assert ("test-chain", {"next": "second"}) in jobplugin.finished
    chained = client.get("/api/jobs?queue=test-ok").get_json()["data"]["items"]
    assert [r["targetId"] for r in chained] == [f"chained-{run_id}"]
    assert chained[0]["status"] == "completed" and chained[0]["result"]["echo"] == "second"


def test_waiting_runs_survive_a_redis_flush(client, runtime, run_jobs) -> None:
    ids = [_enqueue(runtime, "test-ok", {"value": i}, target=f"r{i}") for i in range(3)]
    runtime.redis.flushdb()  # Redis lost everything (restart without persistence, FLUSHALL)
    time.sleep(2.1)  # past the reconciler's grace period
    assert reconcile(runtime)["pushed"] == 3
    run_jobs()
    assert [_run(client, i)["status"] for i in ids] == ["completed"] * 3


def test_a_lost_active_run_goes_back_to_waiting(client, runtime, run_jobs) -> None:
    run_id = _enqueue(runtime, "test-ok", {"value": "x"}, target="lost")
    with runtime.session() as db:
        row = db.get(JobRunRow, run_id)
        row.status = "active"  # as if a worker died mid-job
        row.attempts = 1
        db.commit()
    runtime.redis.flushdb()
    time.sleep(2.1)
    assert reconcile(runtime)["pushed"] == 1
    run_jobs()
    run = _run(client, run_id)
    assert run["status"] == "completed" and run["attempts"] == 2


def test_worker_heartbeat_shows_in_system_status(client, runtime) -> None:
    pids = fork_workers(runtime, 2)
    try:
        _wait(lambda: client.get("/api/system/status").get_json()["data"]["workersAlive"] == 2, what="2 workers")
        workers = client.get("/api/system/status").get_json()["data"]["workers"]
        assert all("test-ok" in w["queues"] for w in workers)
    finally:
        stop_children(pids, redis=runtime.redis)
    _wait(lambda: client.get("/api/system/status").get_json()["data"]["workersAlive"] == 0, what="workers to leave")
    assert os.getpid() > 0


def test_bulk_enqueue_keeps_the_backlog_in_postgres_and_feeds_rq_a_window(runtime) -> None:
    from sqlalchemy import func, select

    from obscura_core.jobs.feed import WINDOW, feed
    from obscura_core.jobs.rq_queue import rq_queue
    from plugin_sdk.jobs import enqueue_jobs

    items = [({"value": i}, "item", f"b{i}", f"bulk {i}") for i in range(2500)]
    with runtime.session() as db:
        assert enqueue_jobs(db, "test-ok", items + items[:10]) == 2500
        db.commit()
    queue = rq_queue(runtime.redis, "test-ok")

    def unpushed() -> int:
        with runtime.session() as db:
            return db.execute(
                select(func.count()).select_from(JobRunRow).where(JobRunRow.rq_job_id.is_(None))
            ).scalar_one()

    assert queue.count == WINDOW and unpushed() == 2500 - WINDOW
    with runtime.session() as db:
        assert enqueue_jobs(db, "test-ok", items[:100]) == 0, "targets already waiting are skipped"
        db.commit()
        assert db.execute(select(func.count()).select_from(JobRunRow)).scalar_one() == 2500
    assert feed(runtime, "test-ok") == 0, "the RQ backlog is still full"
    queue.empty()  # as if workers had taken the window
    assert feed(runtime, "test-ok") == WINDOW
    assert queue.count == WINDOW and unpushed() == 2500 - 2 * WINDOW
    with runtime.session() as db:
        pushed = set(db.execute(select(JobRunRow.rq_job_id).where(JobRunRow.rq_job_id.is_not(None))).scalars())
    assert set(queue.job_ids) <= pushed
