"""A worker with no free slot on one queue takes other queues' work instead of spinning on it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from obscura_core.jobs.worker import fork_workers, stop_children
from plugin_sdk.models import JobRunRow
from tests.integration.jobs_soak.support import enqueue, run_row, wait_for

pytestmark = pytest.mark.integration


def _max_overlap(rows: list[JobRunRow]) -> int:
    events = sorted([(r.started_at, 1) for r in rows] + [(r.finished_at, -1) for r in rows], key=lambda e: (e[0], e[1]))
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    return peak


def test_a_saturated_queue_does_not_hold_up_the_others(client, runtime) -> None:
    assert client.put("/api/settings/library", json={"backgroundWorkerConcurrency": 1}).status_code == 200
    slow = [enqueue(runtime, "soak-slow", {"seconds": 4}, f"s{i}") for i in range(5)]
    pids = fork_workers(runtime, 2)
    try:
        wait_for(lambda: run_row(runtime, slow[0]).status == "active", 30, "the first slow job")
        time.sleep(1)  # the other worker now finds only the saturated queue's jobs
        quick = enqueue(runtime, "soak-quick", {"value": 1}, "q")
        row = wait_for(lambda: (r := run_row(runtime, quick)).status == "completed" and r, 40, "the quick job")
        waited = (row.started_at - row.created_at).total_seconds()
        assert waited < 3, f"the quick job waited {waited:.1f}s behind the saturated queue"

        wait_for(lambda: all(run_row(runtime, i).status == "completed" for i in slow), 60, "the slow jobs")
        with runtime.session() as db:
            rows = db.execute(select(JobRunRow).where(JobRunRow.queue_name == "soak-slow")).scalars().all()
        assert _max_overlap(rows) == 1, "the queue's limit still held"
    finally:
        stop_children(pids, redis=runtime.redis)
