"""metadata-import throughput: accepting N scrape results, each naming a studio, 3 performers and
5 tags (no image), through real forked RQ workers.

Usage: python -m bench.metadata_import [--results 1000] [--workers 2] [--one-by-one]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11). The names come from pools (50
studios, 600 performers, 120 tags), so early results create most of them and later ones find
them, as in a real library. Prints the time from enqueueing every accept to the last one
completed, and checks each video got its fields and links.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import psycopg
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.app import create_app
from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk.db import new_id
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.models import JobRunRow, LibraryRoot

WORD = ["Blue", "Night", "River", "Stone", "Silver", "Quiet", "Golden", "Red", "Wild", "Lost", "Paper", "Iron"]


def names(prefix: str, count: int) -> list[str]:
    rng = random.Random(prefix)
    return [f"{rng.choice(WORD)} {prefix} {i:04d}" for i in range(count)]


def seed(rt, count: int) -> list[str]:
    """``count`` videos, each with one pending scrape result; returns the result ids."""
    from plugins_builtin.metadata.models import ScrapeResultRow
    from plugins_builtin.videos.models import Video

    rng = random.Random(7)
    studios, performers, tags = names("Studio", 50), names("Performer", 600), names("Tag", 120)
    result_ids = []
    with rt.session() as db:
        root = LibraryRoot(path="/bench/metadata", label="bench")
        db.add(root)
        db.flush()
        for i in range(count):
            vid = new_id()
            db.add(Video(id=vid, kind="movie", library_root_id=root.id, title=f"file_{i:05d}",
                         sort_title=f"file_{i:05d}", file_path=f"/bench/metadata/file_{i:05d}.mp4"))  # fmt: skip
            proposed = {
                "title": f"Scene {i:05d}", "date": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
                "details": "A scene scraped from a site. " * 4, "urls": [f"https://site.example/scenes/{i}"],
                "code": f"SC-{i:05d}", "studio": rng.choice(studios), "performers": rng.sample(performers, 3),
                "tags": rng.sample(tags, 5),
            }  # fmt: skip
            row = ScrapeResultRow(
                entity_type="video", entity_id=vid, kind="scene", source_kind="scrapers", source_id="Bench",
                source_name="Bench", action="sceneByURL", match_type="url", raw_result={}, proposed=proposed,
            )  # fmt: skip
            db.add(row)
            db.flush()
            result_ids.append(row.id)
        db.commit()
    return result_ids


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--one-by-one", action="store_true", help="one job per result (each accept button)")
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "obscura_bench_metadata" WITH (FORCE)')
        conn.execute('CREATE DATABASE "obscura_bench_metadata"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/obscura_bench_metadata",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=Path("/tmp/obscura-bench-metadata"),
    )
    rt = build_runtime("worker", settings, builtins=("videos", "taxonomy", "metadata"), load_entrypoints=False)
    set_runtime(rt)
    upgrade_all(rt)
    rt.redis.flushdb()
    from obscura_core.jobs.worker import fork_workers, stop_children

    result_ids = seed(rt, args.results)
    pids = fork_workers(rt, args.workers)
    try:
        time.sleep(1.0)  # workers register
        t0 = time.perf_counter()
        if args.one_by_one:
            with rt.session() as db:
                items = [({"op": "accept", "resultId": r}, "scrape_result", r, f"Accept · {r[:8]}") for r in result_ids]
                enqueue_jobs(db, "metadata-import", items)
                db.commit()
        else:  # what "accept selected" in the review queue does
            app = create_app(runtime=rt)
            res = app.test_client().post("/api/scrape-results/accept", json={"resultIds": result_ids})
            assert res.status_code == 202, res.get_json()
        while True:
            with rt.session() as db:
                states = dict(db.execute(
                    select(JobRunRow.status, func.count()).where(JobRunRow.queue_name == "metadata-import")
                    .group_by(JobRunRow.status)
                ).all())  # fmt: skip
            if not states.get("waiting") and not states.get("active"):
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - t0
    finally:
        stop_children(pids, redis=rt.redis)
    check(rt, args.results, states)
    how = "one job each" if args.one_by_one else "accepted together"
    print(f"metadata-import of {args.results} results ({how}; studio, 3 performers, 5 tags each; "
          f"{args.workers} forking workers): {elapsed:.2f} s = {args.results / elapsed:.0f} results/s, "
          f"{elapsed / args.results * 1000:.1f} ms each")  # fmt: skip


def check(rt, count: int, states: dict) -> None:
    from plugins_builtin.metadata.models import ScrapeResultRow
    from plugins_builtin.taxonomy.models import EntityPerformer, EntityTag, Performer, Studio, Tag
    from plugins_builtin.videos.models import Video

    with rt.session() as db:
        accepted = db.scalar(select(func.count()).where(ScrapeResultRow.status == "accepted"))
        titled = db.scalar(select(func.count()).where(Video.title.like("Scene %"), Video.organized.is_(True)))
        links = db.scalar(select(func.count()).select_from(EntityPerformer)), db.scalar(
            select(func.count()).select_from(EntityTag)
        )
        made = [db.scalar(select(func.count()).select_from(m)) for m in (Studio, Performer, Tag)]
    assert set(states) == {"completed"} and accepted == count and titled == count, (states, accepted, titled)
    assert links == (3 * count, 5 * count), links
    print(f"checked: {accepted} accepted, {titled} videos titled and organized, {links[0]} performer links, "
          f"{links[1]} tag links; {made[0]} studios, {made[1]} performers, {made[2]} tags created")  # fmt: skip


if __name__ == "__main__":
    main()
