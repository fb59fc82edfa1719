"""Server-side render time and size of the ``/videos`` page on 100,000 videos.

Usage: python bench/videos_page.py [--rows 100000] [--requests 40]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11). Requests go through the real Flask
app in-process (routing, queries, Jinja rendering); p50/p95 over repeated requests per case.
Targets: p95 ≤ 150 ms and HTML < 100 KB for the grid and list views.

The rows are COPYed as ``bench/videos_list.py`` does; 10 % of them are episodes of 400 series
(so the series view and the series filter have something to show), most have a thumbnail and a
preview clip (so the cards carry every badge and URL a real library's do).
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

DB_NAME = "obscura_bench_page"
SERIES = 400
TARGET_P95_MS = 150.0
TARGET_BYTES = 100_000


def fill(rt, rows: int) -> None:
    rng = random.Random(42)
    with rt.session() as db:
        root = LibraryRoot(path="/media/bench", label="bench")
        db.add(root)
        db.commit()
        root_id = root.id
    start = datetime(2020, 1, 1, tzinfo=UTC)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    url = rt.settings.sqlalchemy_url.replace("postgresql+psycopg", "postgresql")
    series_ids = [str(uuid.uuid4()) for _ in range(SERIES)]
    raw = psycopg.connect(url)
    with raw, raw.cursor() as cur:
        with cur.copy("COPY video_series (id, library_root_id, folder_path, relative_path, title) FROM STDIN") as copy:
            for i, sid in enumerate(series_ids):
                title = f"{rng.choice(words).title()} {rng.choice(words).title()} Show {i}"
                copy.write_row((sid, root_id, f"/media/bench/{title}", title, title))
        cols = (
            "id, kind, library_root_id, series_id, season_number, episode_number, title, sort_title, file_path, "
            "file_size, duration, width, height, video_codec, rating, organized, play_count, resume_time, "
            "created_at, updated_at, date, thumbnail_at, preview_at"
        )
        episode_no: dict[tuple[str, int], int] = {}
        with cur.copy(f"COPY videos ({cols}) FROM STDIN") as copy:
            for i in range(rows):
                created = start + timedelta(minutes=i)
                probed = rng.random() < 0.9
                height = rng.choice([360, 480, 720, 1080, 2160])
                duration = rng.uniform(60, 7200) if probed else None
                series = season = episode = None
                kind = "movie"
                if rng.random() < 0.1:
                    kind, series, season = "episode", rng.choice(series_ids), rng.choice([1, 1, 2, 3, 0])
                    episode = episode_no[(series, season)] = episode_no.get((series, season), 0) + 1
                title = f"{rng.choice(words)} {rng.choice(words)} {i}"
                plays = rng.choice([0, 0, 0, 1, 5])
                copy.write_row((
                    str(uuid.uuid4()), kind, root_id, series, season, episode, title, title.lower(),
                    f"/media/bench/{i}.mp4", rng.randint(10**7, 10**10), duration,
                    height * 16 // 9 if probed else None, height if probed else None, rng.choice(["h264", "hevc"]),
                    rng.choice([None, None, 20, 40, 60, 80, 100]), rng.random() < 0.3, plays,
                    duration * rng.random() if duration and not plays and rng.random() < 0.1 else None,
                    created, created, f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    created if probed else None, created if probed else None,
                ))  # fmt: skip
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("VACUUM ANALYZE videos")
        c.execute("VACUUM ANALYZE video_series")


def measure(client, url: str, n: int, cold_codecs: bool = False) -> tuple[float, float, int]:
    from plugins_builtin.videos.pages.filter_bar import forget_codecs

    times, size = [], 0
    for _ in range(n):
        if cold_codecs:
            forget_codecs()
        t0 = time.perf_counter()
        resp = client.get(url)
        body = resp.get_data()
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, body[:500]
        size = len(body)
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=40)
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/" + DB_NAME,
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=Path(tempfile.mkdtemp(prefix="obscura-page-bench-")),
    )
    rt = build_runtime("web", settings, builtins=("videos",), load_entrypoints=False)
    set_runtime(rt)
    try:
        upgrade_all(rt)
        t0 = time.perf_counter()
        fill(rt, args.rows)
        print(f"filled {args.rows:,} videos in {time.perf_counter() - t0:.1f} s")
        client = create_app(runtime=rt).test_client()
        client.get("/videos?view=grid")  # warm up templates, connections, the codec list

        import re

        grid = client.get("/videos?view=grid").get_data(as_text=True)
        cursor = re.search(r"cursor=([A-Za-z0-9_-]+)", grid).group(1)
        deep = cursor
        for _ in range(20):  # 20 pages in, the same cost as page 2 (keyset)
            frag = client.get(f"/videos/fragments/more?view=grid&cursor={deep}").get_data(as_text=True)
            deep = re.search(r"cursor=([A-Za-z0-9_-]+)", frag).group(1)
        cases = {
            "grid view": "/videos?view=grid",
            "grid view, codec list uncached": "/videos?view=grid#cold",
            "list view": "/videos?view=list",
            "series view (default)": "/videos",
            "grid, filtered + sorted": "/videos?view=grid&resolution=1080p&played=false&sort=duration",
            "grid, search": "/videos?view=grid&search=bravo%20golf",
            "list, sort by title": "/videos?view=list&sort=title&order=asc",
            "grid, next page (fragment)": f"/videos/fragments/more?view=grid&cursor={cursor}",
            "grid, page 21 (fragment)": f"/videos/fragments/more?view=grid&cursor={deep}",
            "results fragment (list)": "/videos/fragments/results?view=list",
            "dashboard: library panel": "/videos/fragments/panel-library",
            "dashboard: recently added": "/videos/fragments/panel-recent",
            "palette search (hook)": "/api/palette?q=golf",
        }
        print(f"\nGET on {args.rows:,} videos, {args.requests} requests each (in-process Flask client):")
        failed = []
        for label, url in cases.items():
            p50, p95, size = measure(client, url.split("#")[0], args.requests, cold_codecs=url.endswith("#cold"))
            verdict = ""
            if label in ("grid view", "list view"):
                good = p95 <= TARGET_P95_MS and size < TARGET_BYTES
                verdict = "  ok" if good else "  OVER TARGET"
                if not good:
                    failed.append(label)
            print(f"  {label:30} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {size / 1000:6.1f} KB{verdict}")
        print(f"\ntargets (grid, list): p95 ≤ {TARGET_P95_MS:.0f} ms, HTML < {TARGET_BYTES // 1000} KB")
        if failed:
            raise SystemExit(f"over target: {', '.join(failed)}")
    finally:
        rt.close()
        set_runtime(None)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
