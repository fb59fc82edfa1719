"""Job round-trip latency: enqueue → completed for a no-op job, through real forked RQ workers.

Usage: DATABASE_URL=... REDIS_URL=... python bench/job_roundtrip.py [--jobs 100] [--workers 2]
(defaults to the local services and a scratch database ``obscura_bench``). Prints the median,
p90 and max of 100 sequential round trips, and the throughput of a burst.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.jobs.worker import fork_workers, stop_children
from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk import QueueDefinition, hookimpl
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.models import JobRunRow


def noop(payload, ctx):
    return {"ok": True}


bench_plugin = types.ModuleType("bench_plugin")
bench_plugin.obscura_queues = hookimpl(lambda: [QueueDefinition("bench-noop", "No-op", concurrency=4)])
bench_plugin.obscura_queues.__name__ = "obscura_queues"
bench_plugin.obscura_processors = hookimpl(lambda: {"bench-noop": noop})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "obscura_bench" WITH (FORCE)')
        conn.execute('CREATE DATABASE "obscura_bench"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/obscura_bench",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=Path("/tmp/obscura-bench"),
    )
    rt = build_runtime("worker", settings, builtins=(), load_entrypoints=False, plugins=[("bench", bench_plugin)])
    set_runtime(rt)
    upgrade_all(rt)
    rt.redis.flushdb()
    with rt.session() as db:
        from obscura_core.api.settings import LibrarySettings

        LibrarySettings.get(db).background_worker_concurrency = 2
        db.commit()
    pids = fork_workers(rt, args.workers)
    try:
        time.sleep(1.0)  # workers register
        latencies = []
        for i in range(args.jobs):
            t0 = time.perf_counter()
            with rt.session() as db:
                run_id = enqueue_job(db, "bench-noop", {"i": i})
                db.commit()
            while True:
                with rt.session() as db:
                    if db.get(JobRunRow, run_id).status == "completed":
                        break
                time.sleep(0.001)
            latencies.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        with rt.session() as db:
            ids = [enqueue_job(db, "bench-noop", {"burst": i}) for i in range(args.jobs)]
            db.commit()
        while True:
            with rt.session() as db:
                left = db.query(JobRunRow).filter(JobRunRow.id.in_(ids), JobRunRow.status != "completed").count()
            if not left:
                break
            time.sleep(0.01)
        burst_s = time.perf_counter() - t0
    finally:
        stop_children(pids, redis=rt.redis)
    latencies.sort()
    print(f"job round trip (enqueue -> completed, no-op, {args.workers} forking workers, {args.jobs} sequential):")
    print(
        f"  median {statistics.median(latencies):.1f} ms   p90 {latencies[int(len(latencies) * 0.9)]:.1f} ms"
        f"   max {latencies[-1]:.1f} ms"
    )
    print(f"burst of {args.jobs}: {burst_s:.2f} s = {args.jobs / burst_s:.0f} jobs/s")


if __name__ == "__main__":
    main()
