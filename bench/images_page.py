"""Server-side render time and size of the images pages on 20,000 galleries and 200,000 images.

Usage: python bench/images_page.py [--galleries 20000] [--requests 40]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11). Requests go through the real Flask
app in-process (routing, queries, Jinja rendering); p50/p95 over repeated requests per case.
Targets: p95 ≤ 150 ms and HTML < 100 KB for the /galleries grid; p95 ≤ 150 ms for a gallery page.

Rows are COPYed: a tenth of the galleries are nested in another, a tenth are archives, a few are
collections; every gallery has ten images (most with a thumbnail), and one folder gallery holds
5,000 images with chapters (the gallery page and its deep "Load more" fragment).
"""

from __future__ import annotations

import argparse
import os
import random
import re
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

DB_NAME = "obscura_bench_images_page"
PER_GALLERY = 10
BIG = 5000
TARGET_P95_MS = 150.0
TARGET_BYTES = 100_000
WORDS = ["alpine", "beach", "city", "dunes", "evening", "forest", "garden", "harbour", "island", "jungle"]


def fill(rt, galleries: int) -> str:
    """COPY the rows; returns the id of the 5,000-image gallery."""
    rng = random.Random(7)
    with rt.session() as db:
        root = LibraryRoot(path="/media/pictures", label="pictures")
        db.add(root)
        db.commit()
        root_id = root.id
    start = datetime(2021, 1, 1, tzinfo=UTC)
    url = rt.settings.sqlalchemy_url.replace("postgresql+psycopg", "postgresql")
    ids = [str(uuid.uuid4()) for _ in range(galleries)]
    big = ids[0]
    raw = psycopg.connect(url)
    with raw, raw.cursor() as cur:
        cols = (
            "id, kind, library_root_id, parent_id, path, title, sort_title, date, rating, image_count, "
            "created_at, updated_at"
        )
        with cur.copy(f"COPY galleries ({cols}) FROM STDIN") as copy:
            for i, gid in enumerate(ids):
                kind = "folder" if i == 0 else rng.choices(["folder", "zip", "virtual"], [88, 10, 2])[0]
                parent = rng.choice(ids[:i]) if i > 10 and kind == "folder" and rng.random() < 0.1 else None
                title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}"
                count = BIG if i == 0 else PER_GALLERY
                date = (
                    f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" if rng.random() < 0.5 else None
                )
                created = start + timedelta(minutes=i)
                copy.write_row((
                    gid, kind, None if kind == "virtual" else root_id, parent,
                    None if kind == "virtual" else f"/media/pictures/{i}", title, title.lower(),
                    date,
                    rng.choice([None, None, 20, 40, 60, 80, 100]), 0 if kind == "virtual" else count, created, created,
                ))  # fmt: skip
        cols = (
            "id, library_root_id, gallery_id, sort_order, file_path, member, file_size, title, width, height, "
            "format, rating, thumbnail_at, created_at, updated_at"
        )
        with cur.copy(f"COPY images ({cols}) FROM STDIN") as copy:
            for i, gid in enumerate(ids):
                for n in range(BIG if i == 0 else PER_GALLERY):
                    w, h = rng.choice([(4000, 3000), (3000, 4000), (1920, 1080), (2048, 2048), (6000, 2000)])
                    created = start + timedelta(minutes=i, seconds=n)
                    copy.write_row((
                        str(uuid.uuid4()), root_id, gid, n, f"/media/pictures/{i}/IMG_{n:05d}.jpg", "",
                        rng.randint(10**5, 10**7), f"IMG {n:05d}", w, h, "jpeg", rng.choice([None, None, 60, 80]),
                        created if rng.random() < 0.95 else None, created, created,
                    ))  # fmt: skip
        chapter_cols = "id, gallery_id, title, image_index, created_at, updated_at"
        with cur.copy(f"COPY gallery_chapters ({chapter_cols}) FROM STDIN") as copy:
            for n in range(0, BIG, 500):
                copy.write_row((str(uuid.uuid4()), big, f"Part {n // 500 + 1}", n, start, start))
    with psycopg.connect(url, autocommit=True) as c:
        for table in ("galleries", "images", "gallery_chapters"):
            c.execute(f"VACUUM ANALYZE {table}")
    return big


def measure(client, url: str, n: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(n):
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
    ap.add_argument("--galleries", type=int, default=20_000)
    ap.add_argument("--requests", type=int, default=40)
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/" + DB_NAME,
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=Path(tempfile.mkdtemp(prefix="obscura-images-page-bench-")),
    )
    rt = build_runtime("web", settings, builtins=("images",), load_entrypoints=False)
    set_runtime(rt)
    try:
        upgrade_all(rt)
        t0 = time.perf_counter()
        big = fill(rt, args.galleries)
        print(f"filled {args.galleries:,} galleries, {(args.galleries - 1) * PER_GALLERY + BIG:,} images "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        client = create_app(runtime=rt).test_client()
        client.get("/galleries")  # warm up templates and connections

        def next_cursor(html: str) -> str:
            return re.search(r"cursor=([A-Za-z0-9_-]+)", html).group(1)

        cursor = next_cursor(client.get("/galleries").get_data(as_text=True))
        deep = cursor
        for _ in range(20):  # 20 pages in, the same cost as page 2 (keyset)
            deep = next_cursor(client.get(f"/galleries/fragments/more?cursor={deep}").get_data(as_text=True))
        image = re.search(r'data-id="([^"]+)"', client.get(f"/galleries/{big}").get_data(as_text=True)).group(1)
        cases = {
            "galleries grid": "/galleries",
            "grid, newest first": "/galleries?sort=recent",
            "grid, every level, by rating": "/galleries?nested=1&sort=rating",
            "grid, archives by date": "/galleries?kind=zip&sort=date&order=asc",
            "grid, search": "/galleries?search=harbour%20ci",
            "grid, next page (fragment)": f"/galleries/fragments/more?cursor={cursor}",
            "grid, page 21 (fragment)": f"/galleries/fragments/more?cursor={deep}",
            "gallery of 5,000 images": f"/galleries/{big}",
            "its images at 4,800 (fragment)": f"/galleries/{big}/fragments/images?offset=4800",
            "an image's page": f"/images/{image}",
            "dashboard panel": "/galleries/fragments/panel-recent",
            "palette search (hook)": "/api/palette?q=harbour",
        }
        print(f"\nGET on {args.galleries:,} galleries, {args.requests} requests each (in-process Flask client):")
        failed = []
        for label, url in cases.items():
            p50, p95, size = measure(client, url, args.requests)
            verdict = ""
            if label in ("galleries grid", "gallery of 5,000 images"):
                good = p95 <= TARGET_P95_MS and (size < TARGET_BYTES or label != "galleries grid")
                verdict = "  ok" if good else "  OVER TARGET"
                if not good:
                    failed.append(label)
            print(f"  {label:32} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {size / 1000:6.1f} KB{verdict}")
        print(f"\ntargets: grid p95 ≤ {TARGET_P95_MS:.0f} ms and HTML < {TARGET_BYTES // 1000} KB; gallery p95 ≤ "
              f"{TARGET_P95_MS:.0f} ms")  # fmt: skip
        if failed:
            raise SystemExit(f"over target: {', '.join(failed)}")
    finally:
        rt.close()
        set_runtime(None)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
