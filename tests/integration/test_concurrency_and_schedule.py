"""Queue concurrency × backgroundWorkerConcurrency holds across worker processes; the periodic
scan scheduler follows autoScanEnabled / scanIntervalMinutes."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlalchemy import select

from obscura_core.jobs.scheduler import LAST_AUTO_SCAN_KEY, maybe_auto_scan
from obscura_core.jobs.worker import fork_workers, stop_children
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.models import JobRunRow
from tests.integration import jobplugin

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("jobtest", jobplugin)], "builtins": (), "load_entrypoints": False}


def _max_overlap(intervals: list[tuple[datetime, datetime]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals], key=lambda x: (x[0], x[1]))
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    return peak


def _run_sleepers(client, runtime, workers: int, jobs: int, seconds: float) -> list[tuple[datetime, datetime]]:
    with runtime.session() as db:
        for i in range(jobs):
            enqueue_job(db, "test-sleep", {"seconds": seconds}, target_type="sleep", target_id=str(i))
        db.commit()
    pids = fork_workers(runtime, workers)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with runtime.session() as db:
                rows = db.execute(select(JobRunRow).where(JobRunRow.queue_name == "test-sleep")).scalars().all()
            if all(r.status == "completed" for r in rows):
                return [(r.started_at, r.finished_at) for r in rows]
            time.sleep(0.1)
        raise AssertionError("sleep jobs did not finish")
    finally:
        stop_children(pids, redis=runtime.redis)


@pytest.mark.parametrize(("bwc", "workers", "expected"), [(2, 3, 2), (1, 2, 1)])
def test_concurrency_limit_holds_across_worker_processes(client, runtime, bwc, workers, expected) -> None:
    assert client.put("/api/settings/library", json={"backgroundWorkerConcurrency": bwc}).status_code == 200
    intervals = _run_sleepers(client, runtime, workers=workers, jobs=6, seconds=0.6)
    assert _max_overlap(intervals) == expected, intervals


def test_auto_scan_runs_when_enabled_and_due(client, runtime, tmp_path) -> None:
    (tmp_path / "lib").mkdir()
    client.post("/api/libraries", json={"path": str(tmp_path / "lib")})
    assert maybe_auto_scan(runtime) == 0, "disabled by default"

    client.put("/api/settings/library", json={"autoScanEnabled": True, "scanIntervalMinutes": 5})
    now = time.time()
    assert maybe_auto_scan(runtime, now=now) == 1
    assert float(runtime.redis.get(LAST_AUTO_SCAN_KEY)) == now
    assert maybe_auto_scan(runtime, now=now + 60) == 0, "not due yet"
    with runtime.session() as db:
        db.query(JobRunRow).update({"status": "completed"})
        db.commit()
    assert maybe_auto_scan(runtime, now=now + 5 * 60 + 1) == 1
    runs = client.get("/api/jobs?queue=test-scan").get_json()["data"]["items"]
    assert len(runs) == 2 and runs[0]["payload"]["trigger"] == "schedule"
