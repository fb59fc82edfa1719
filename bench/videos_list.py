"""``GET /api/videos?perPage=60`` latency on 100,000 videos, with the database time and plans.

Usage: python bench/videos_list.py [--rows 100000]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11). Requests go through the real Flask
app (routing, validation, serialisation) in-process; p50/p95 over repeated requests per case.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.app import create_app
from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk.models import LibraryRoot


def fill(rt, rows: int) -> None:
    rng = random.Random(42)
    with rt.session() as db:
        root = LibraryRoot(path="/media/bench", label="bench")
        db.add(root)
        db.commit()
        root_id = root.id
    start = datetime(2020, 1, 1, tzinfo=UTC)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    raw = psycopg.connect(rt.settings.sqlalchemy_url.replace("postgresql+psycopg", "postgresql"))
    cols = (
        "id, kind, library_root_id, title, sort_title, file_path, file_size, duration, width, height, "
        "video_codec, rating, organized, play_count, created_at, updated_at, date"
    )
    with raw, raw.cursor() as cur, cur.copy(f"COPY videos ({cols}) FROM STDIN") as copy:
        for i in range(rows):
            title = f"{rng.choice(words)} {rng.choice(words)} {i}"
            created = start + timedelta(minutes=i)
            probed = rng.random() < 0.9
            height = rng.choice([360, 480, 720, 1080, 2160])
            copy.write_row((
                str(uuid.uuid4()), "movie", root_id, title, title.lower(), f"/media/bench/{i}.mp4",
                rng.randint(10**7, 10**10), rng.uniform(60, 7200) if probed else None,
                height * 16 // 9 if probed else None, height if probed else None, rng.choice(["h264", "hevc"]),
                rng.choice([None, None, 20, 40, 60, 80, 100]), rng.random() < 0.3, rng.choice([0, 0, 0, 1, 5]),
                created, created, f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            ))  # fmt: skip
    with psycopg.connect(rt.settings.sqlalchemy_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute("VACUUM ANALYZE videos")


def measure(client, url: str, n: int = 40) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        resp = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, resp.get_json()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "obscura_bench_list" WITH (FORCE)')
        conn.execute('CREATE DATABASE "obscura_bench_list"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/obscura_bench_list",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=Path(tempfile.mkdtemp(prefix="obscura-list-bench-")),
    )
    rt = build_runtime("web", settings, builtins=("videos",), load_entrypoints=False)
    set_runtime(rt)
    upgrade_all(rt)
    fill(rt, args.rows)
    client = create_app(runtime=rt).test_client()

    first = client.get("/api/videos?perPage=60").get_json()["data"]
    deep_cursor = first["nextCursor"]
    for _ in range(5):  # a cursor a few pages in; keyset cost does not depend on depth
        deep_cursor = client.get(f"/api/videos?perPage=60&cursor={deep_cursor}").get_json()["data"]["nextCursor"]
    mid = client.get(f"/api/videos?perPage=60&page={args.rows // 120}").get_json()["data"]["items"][-1]
    cases = {
        "default sort, page 1": "/api/videos?perPage=60",
        "default sort, page 2 by cursor": f"/api/videos?perPage=60&cursor={first['nextCursor']}",
        f"default sort, page {args.rows // 120} (offset)": f"/api/videos?perPage=60&page={args.rows // 120}",
        "default sort, deep cursor": f"/api/videos?perPage=60&cursor={deep_cursor}",
        "duration desc, page 1": "/api/videos?perPage=60&sort=duration",
        "title, page 1": "/api/videos?perPage=60&sort=title",
        "filter organized + 1080p": "/api/videos?perPage=60&organized=true&resolution=1080p",
        "filter search": "/api/videos?perPage=60&search=bravo%20golf",
    }
    print(f"GET /api/videos on {args.rows:,} videos (in-process Flask client, {mid['title']!r} mid-list):")
    for label, url in cases.items():
        p50, p95 = measure(client, url)
        print(f"  {label:36} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")

    with rt.engine.connect() as conn:
        from sqlalchemy import text

        for label, sql in {
            "page 1, default sort": "SELECT * FROM videos ORDER BY created_at DESC, id DESC LIMIT 60",
            "deep keyset, default sort": "SELECT * FROM videos WHERE (created_at, id) < "
            "(now() - interval '1 year', 'z') ORDER BY created_at DESC, id DESC LIMIT 60",
            "count(*)": "SELECT count(*) FROM videos",
        }.items():
            plan = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)).scalars().all()
            print(f"\nEXPLAIN ANALYZE — {label}:\n  " + "\n  ".join(plan))


if __name__ == "__main__":
    main()
