"""The taxonomy pages at scale: /performers, /studios, /tags grids (first, middle and last page,
sorts, search), a performer's page and its videos panel, and /videos filtered by tag — on the data
of ``bench/taxonomy.py`` (100,000 videos, 20,000 performers, 5,000 tags, 500 studios by default).

Prints p50/p95 of each HTML page (target: p95 ≤ 100 ms for a grid page at any depth).

Usage: python -m bench.taxonomy_pages [--videos 100000 --performers 20000 --tags 5000]  (from the repository root)
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11). Requests go through the real Flask
app (routing, templates) in-process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.taxonomy import fill
from obscura_core.app import create_app
from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings

DB = "obscura_bench_taxonomy_pages"


def measure(client, url: str, n: int = 40) -> tuple[float, float, int]:
    times = []
    size = 0
    for _ in range(n):
        t0 = time.perf_counter()
        resp = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
        size = len(resp.get_data())
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", type=int, default=100_000)
    ap.add_argument("--performers", type=int, default=20_000)
    ap.add_argument("--tags", type=int, default=5_000)
    ap.add_argument("--studios", type=int, default=500)
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + f"/{DB}",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=Path(tempfile.mkdtemp(prefix="obscura-taxonomy-pages-bench-")),
    )
    rt = build_runtime("web", settings, builtins=("videos", "taxonomy"), load_entrypoints=False)
    set_runtime(rt)
    upgrade_all(rt)
    t0 = time.perf_counter()
    names = fill(rt, args.videos, args.performers, args.tags, args.studios)
    print(f"filled in {time.perf_counter() - t0:.1f} s")
    client = create_app(runtime=rt).test_client()
    star = client.get(f"/api/performers?search={quote(names['star'])}").get_json()["data"]["items"][0]["id"]
    last = -(-args.performers // 60)
    cases = {
        "/performers (page 1)": "/performers",
        f"/performers (page {last // 2})": f"/performers?page={last // 2}",
        f"/performers (page {last}, the last)": f"/performers?page={last}",
        "/performers by most videos": "/performers?sort=scenes",
        "/performers by most links": "/performers?sort=count",
        "/performers search 'kari'": "/performers?search=kari",
        "/performers favourites": "/performers?favorite=true",
        "/performers results fragment": "/performers?page=2&fragment=results",
        "/tags by most linked": "/tags?sort=count",
        "/studios": "/studios",
        "/performers/<star>": f"/performers/{star}",
        "videos panel of the star": f"/videos/fragments/linked?entity=performer&id={star}",
        "/videos?tags=<popular tag>": f"/videos?view=grid&tags={quote(names['popular_tag'])}",
    }
    print(f"\nIn-process Flask client, {args.videos:,} videos, {args.performers:,} performers, {args.tags:,} tags:")
    for label, url in cases.items():
        p50, p95, size = measure(client, url)
        print(f"  {label:38} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({size / 1024:,.0f} KiB)")
    with psycopg.connect(admin, autocommit=True) as conn:
        rt.engine.dispose()
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
