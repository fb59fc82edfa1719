"""StashBox bulk identify against the rate limit: N fingerprinted videos identified by fingerprint
against the fake stash-box on loopback, through the API and real forked RQ workers.

Usage: python -m bench.stashbox_identify [--videos 10000] [--known 0.01] [--rate 240] [--workers 2]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11). The videos are inserted directly
(oshash, pHash, MD5, duration each); the fake knows ``known`` of them by their oshash (each
remote scene with a studio, 3 performers and 5 tags) and answers 429 to any request beyond the
rate (it would show as ``refused``). The endpoint's ``maxRequestsPerMinute`` is the same rate.

Prints the run time (``POST …/identify`` with ``action: findByFingerprint`` → the last job
completed) against the rate-limit floor (requests / rate: 250 requests at 240/min = 62.5 s; the
token bucket's burst makes a few requests free), checks the results (one pending fingerprint
match for each known video, none for the others), then measures the per-video work of our code
outside the HTTP calls: the same identify of every video in this process without a rate limit,
minus the time spent waiting for the server (``--profile`` prints where the rest goes).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.app import create_app
from obscura_core.migrate import upgrade_all
from obscura_core.runtime import Runtime, build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk.db import new_id
from plugin_sdk.models import JobRunRow, LibraryRoot
from tests.fixtures.stashbox.server import FakeStashBox

BUILTINS = ("videos", "taxonomy", "metadata", "stashbox")
KEY = "bench-key"
WORDS = ["Blue", "Night", "River", "Stone", "Silver", "Quiet", "Golden", "Red", "Wild", "Lost", "Paper", "Iron"]
GROUP = 40
"""Videos per ``findScenesBySceneFingerprints``."""


def oshash(i: int) -> str:
    return f"{0xA000000000000000 + i:016x}"


def phash(i: int) -> str:
    return f"{0x0000F00000000000 + i:016x}"


def md5(i: int) -> str:
    return f"{i:032x}"


def runtime(name: str, workers_concurrency: int = 2, builtins: Sequence[str] = BUILTINS) -> Runtime:
    """A fresh database ``name`` with the ``builtins``' tables, and the runtime on it."""
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + f"/{name}",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=Path(f"/tmp/{name}"), secret="bench-secret",
    )  # fmt: skip
    rt = build_runtime("worker", settings, builtins=tuple(builtins), load_entrypoints=False)
    set_runtime(rt)
    upgrade_all(rt)
    rt.redis.flushdb()
    with rt.session() as db:
        from plugin_sdk.models import LibrarySettings

        LibrarySettings.get(db).background_worker_concurrency = workers_concurrency
        db.commit()
    return rt


def seed_videos(rt: Runtime, count: int) -> tuple[str, list[str]]:
    """``count`` videos with the i-th one's fingerprints; ``(library root id, video ids)``."""
    from plugins_builtin.videos.models import Video

    ids = [new_id() for _ in range(count)]
    with rt.session() as db:
        root = LibraryRoot(path="/bench/stashbox", label="bench")
        db.add(root)
        db.flush()
        rows = [
            {"id": vid, "kind": "movie", "library_root_id": root.id, "title": f"file_{i:05d}.mp4",
             "sort_title": f"file_{i:05d}.mp4", "file_path": f"/bench/stashbox/file_{i:05d}.mp4",
             "oshash": oshash(i), "phash": phash(i), "md5": md5(i), "duration": 1800.5 + i % 7}
            for i, vid in enumerate(ids)
        ]  # fmt: skip
        for start in range(0, len(rows), 2000):
            db.execute(insert(Video), rows[start : start + 2000])
        db.commit()
        return root.id, ids


def seed_box(box: FakeStashBox, known: Sequence[int]) -> dict[int, str]:
    """Remote scenes for the ``known`` videos (by oshash), each with a studio of 50, 3 performers
    of 600 and 5 tags of 120, as the fake answers them; ``{video index: scene id}``."""
    rng = random.Random(17)
    studios = [box.add_studio(f"{rng.choice(WORDS)} Studio {i:03d}") for i in range(50)]
    performers = [box.add_performer(f"{rng.choice(WORDS)} Performer {i:03d}", gender="FEMALE") for i in range(600)]
    tags = [box.add_tag(f"{rng.choice(WORDS)} Tag {i:03d}") for i in range(120)]
    out = {}
    for i in known:
        scene = box.add_scene(
            f"Remote scene {i:05d}", date=f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}", details="A remote scene. " * 4,
            code=f"RS-{i:05d}", urls=[{"url": f"https://studio.example/scenes/{i}", "type": "STUDIO"}],
            studio=rng.choice(studios), performers=rng.sample(performers, 3), tags=rng.sample(tags, 5),
            fingerprints=[("OSHASH", oshash(i), 1800), ("PHASH", phash(i), 1800)],
        )  # fmt: skip
        out[i] = scene["id"]
    return out


def wait_for_queue(rt: Runtime, queue: str, since: Any = None, poll: float = 0.05) -> dict[str, int]:
    """Wait until no run of ``queue`` waits or runs; the count of its runs by status."""
    while True:
        with rt.session() as db:
            stmt = select(JobRunRow.status, func.count()).where(JobRunRow.queue_name == queue)
            states = dict(db.execute(stmt.group_by(JobRunRow.status)).all())  # type: ignore[arg-type]
        if not states.get("waiting") and not states.get("active"):
            return states
        time.sleep(poll)


def make_endpoint(app: Any, url: str, rate: int) -> dict[str, Any]:
    body = {"name": "Bench box", "endpoint": url, "apiKey": KEY, "maxRequestsPerMinute": rate}
    res = app.test_client().post("/api/stashbox-endpoints", json=body)
    assert res.status_code == 201, res.get_json()
    return res.get_json()["data"]


def timed_http(measure: Callable[[], None]) -> tuple[float, float]:
    """Run ``measure``: ``(total seconds, seconds spent waiting for the server)``."""
    from plugins_builtin.stashbox.client import StashBoxClient

    spent = [0.0]
    post = StashBoxClient._post

    def timed(self: StashBoxClient, body: bytes, headers: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return post(self, body, headers)
        finally:
            spent[0] += time.perf_counter() - t0

    StashBoxClient._post = timed  # type: ignore[method-assign]
    try:
        t0 = time.perf_counter()
        measure()
        return time.perf_counter() - t0, spent[0]
    finally:
        StashBoxClient._post = post  # type: ignore[method-assign]


def per_video_work(rt: Runtime, endpoint_id: str, ids: Sequence[str], profile: bool) -> tuple[float, float, float]:
    """The identify of ``ids`` in this process, as a job runs it (describe, 40 per request, store
    the results), without the rate limit and rolled back: ``(total s, HTTP s, ours s)``."""
    from plugin_sdk.metadata import metadata_sources, metadata_targets
    from plugins_builtin.metadata.scraping import scrape_batch
    from plugins_builtin.stashbox import endpoints

    src, tgt = metadata_sources()["stashbox"], metadata_targets()["video"]
    bucket_for = endpoints.bucket_for
    endpoints.bucket_for = lambda *args: None  # type: ignore[assignment]
    profiler = cProfile.Profile() if profile else None
    try:
        with rt.session() as db:

            def run() -> None:
                if profiler:
                    profiler.enable()
                for start in range(0, len(ids), GROUP):
                    scrape_batch(db, src, endpoint_id, tgt, ids[start : start + GROUP], action="findByFingerprint")
                if profiler:
                    profiler.disable()

            total, http = timed_http(run)
            db.rollback()
    finally:
        endpoints.bucket_for = bucket_for  # type: ignore[assignment]
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return total, http, total - http


def check(rt: Runtime, ids: Sequence[str], known: dict[int, str]) -> int:
    """Each known video has one pending fingerprint match naming its scene; no other has any."""
    from plugins_builtin.metadata.models import ScrapeResultRow

    with rt.session() as db:
        rows = db.execute(select(ScrapeResultRow.entity_id, ScrapeResultRow.match_type, ScrapeResultRow.remote_id,
                                 ScrapeResultRow.status)).all()  # fmt: skip
    got = {entity_id: (match, remote, status) for entity_id, match, remote, status in rows}
    wanted = {ids[i]: ("fingerprint", scene, "pending") for i, scene in known.items()}
    assert len(rows) == len(wanted) and got == wanted, (len(rows), len(wanted))
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", type=int, default=10_000)
    ap.add_argument("--known", type=float, default=0.01, help="share of the videos the box knows")
    ap.add_argument("--rate", type=int, default=240, help="requests per minute (endpoint and fake)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--profile", action="store_true", help="print where our per-video time goes")
    args = ap.parse_args()
    from obscura_core.jobs.worker import fork_workers, stop_children
    from plugins_builtin.stashbox.ratelimit import burst_for

    rt = runtime("obscura_bench_stashbox")
    root_id, ids = seed_videos(rt, args.videos)
    step = max(1, round(1 / args.known)) if args.known > 0 else len(ids) + 1
    known_indexes = list(range(0, len(ids), step))
    pids = fork_workers(rt, args.workers)  # before the fake's threads start
    try:
        with FakeStashBox(api_key=KEY) as box:
            known = seed_box(box, known_indexes)
            box.limit(args.rate, burst=burst_for(args.rate) + 2)  # the fake's own check, a little slack
            app = create_app(runtime=rt)
            endpoint = make_endpoint(app, box.url, args.rate)
            time.sleep(1.0)  # workers register
            box.clear()
            t0 = time.perf_counter()
            body = {"filter": {"rootId": root_id}, "action": "findByFingerprint"}
            res = app.test_client().post(f"/api/stashbox-endpoints/{endpoint['id']}/identify", json=body)
            assert res.status_code == 202, res.get_json()
            states = wait_for_queue(rt, "metadata-import")
            elapsed = time.perf_counter() - t0
            requests = len(box.calls("FindScenesBySceneFingerprints"))
            refused = box.limited
            assert set(states) == {"completed"}, states
            found = check(rt, ids, known)
            sample = ids[: min(len(ids), 10_000)]
            box.limit(None)
            total, http, ours = per_video_work(rt, endpoint["id"], sample, args.profile)
    finally:
        stop_children(pids, redis=rt.redis)
    floor = requests / (args.rate / 60)
    burst = burst_for(args.rate)
    print(f"identify of {args.videos} fingerprinted videos by fingerprint ({len(known)} known to the box; "
          f"{args.workers} forking workers; {args.rate} requests/min):")  # fmt: skip
    print(f"  {requests} findScenesBySceneFingerprints requests ({refused} refused by the fake's rate check), "
          f"{found} pending fingerprint matches, each for its video")  # fmt: skip
    print(f"  run {elapsed:.1f} s; rate-limit floor {floor:.1f} s ({requests} / {args.rate / 60:g} per s; the "
          f"burst of {burst} makes the strict floor {(requests - burst) / (args.rate / 60):.1f} s) "
          f"-> {elapsed / floor:.3f} x floor (goal <= 1.1)")  # fmt: skip
    print(f"  per-video work of ours outside HTTP ({len(sample)} videos in-process, no limit): "
          f"{ours / len(sample) * 1000:.3f} ms (total {total:.2f} s, waiting for the server {http:.2f} s) "
          f"(goal <= 1 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
