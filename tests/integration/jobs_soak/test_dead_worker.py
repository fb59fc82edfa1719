"""A worker killed together with its work horse: the reconciler sees at once that nobody runs the
job any more (the horse's process is gone, or its worker's RQ registration and heartbeats are),
and the run goes back through the normal retry path, or fails with a reason when it has no
attempts left. A worker killed alone leaves its horse to finish the job."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from obscura_core.jobs.reconcile import reconcile
from obscura_core.jobs.worker import fork_workers, stop_children
from tests.integration.jobs_soak.support import alive, enqueue, run_row, wait_for

pytestmark = pytest.mark.integration

GRACE_S = 2.1  # the reconciler leaves rows alone for 2 s after they changed


def _start_and_kill(runtime, tmp_path, queue: str, payload: dict, *, kill_horse: bool) -> tuple[str, list[int]]:
    pidfile = tmp_path / f"{queue}.pid"
    pids = fork_workers(runtime, 1)
    run_id = enqueue(runtime, queue, {**payload, "pidfile": str(pidfile)}, queue)
    wait_for(lambda: run_row(runtime, run_id).status == "active" and pidfile.exists(), 30, "the job to start")
    horse = int(pidfile.read_text())
    os.kill(pids[0], signal.SIGKILL)
    if kill_horse:
        os.kill(horse, signal.SIGKILL)
        wait_for(lambda: not alive(horse), 5, "the horse to die")
    os.waitpid(pids[0], 0)  # reaped, as `obscura serve` does
    time.sleep(GRACE_S)
    return run_id, pids


def test_a_run_whose_worker_and_horse_were_killed_is_retried_at_once(runtime, tmp_path) -> None:
    run_id, pids = _start_and_kill(runtime, tmp_path, "soak-slow", {"seconds": 60, "slowAttempts": 1}, kill_horse=True)
    try:
        dead = run_row(runtime, run_id)
        assert dead.status == "active" and dead.attempts == 1

        started = time.monotonic()
        assert reconcile(runtime)["pushed"] == 1
        assert time.monotonic() - started < 5
        row = run_row(runtime, run_id)
        assert row.status == "waiting" and row.rq_job_id != dead.rq_job_id
        old = Job.fetch(dead.rq_job_id, connection=runtime.redis, serializer=JSONSerializer)
        assert old.get_status(refresh=True) == JobStatus.FAILED, "RQ's own record is closed too"

        pids += fork_workers(runtime, 1)
        done = wait_for(lambda: (r := run_row(runtime, run_id)).status == "completed" and r, 30, "the retry")
        assert done.attempts == 2
    finally:
        stop_children(pids, redis=runtime.redis)


def test_a_run_with_no_attempts_left_fails_with_a_reason(runtime, tmp_path) -> None:
    run_id, pids = _start_and_kill(runtime, tmp_path, "soak-once", {"seconds": 60}, kill_horse=True)
    try:
        assert reconcile(runtime)["failed"] == 1
        row = run_row(runtime, run_id)
        assert row.status == "failed" and row.finished_at is not None
        assert "stopped before it finished" in (row.error or "")
    finally:
        stop_children(pids, redis=runtime.redis)


def test_a_worker_killed_alone_leaves_its_horse_to_finish(runtime, tmp_path) -> None:
    run_id, pids = _start_and_kill(runtime, tmp_path, "soak-slow", {"seconds": 5}, kill_horse=False)
    try:
        assert reconcile(runtime) == {"pushed": 0, "failed": 0, "skipped": 0}
        assert run_row(runtime, run_id).status == "active"
        done = wait_for(lambda: (r := run_row(runtime, run_id)).status == "completed" and r, 30, "the horse")
        assert done.attempts == 1
    finally:
        stop_children(pids, redis=runtime.redis)
