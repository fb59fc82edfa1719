"""Images plugin figures: 24-megapixel thumbnails vs plain Pillow, gallery-scan throughput, and the
duplicate query over 100,000 hashes.

Usage: python bench/images.py [--files 50000 --folders 2000 --hashes 100000]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import psycopg
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.app import create_app
from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk.models import LibraryRoot
from plugins_builtin.images.scan import scan_root
from plugins_builtin.images.thumbnails import render_grid, render_preview


def big_jpeg() -> bytes:
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (60, 90, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((6000, 4000), Image.Resampling.BILINEAR)  # 24 MP, photo-like
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def thumbnails(tmp: Path) -> None:
    data = big_jpeg()
    src = tmp / "big.jpg"
    src.write_bytes(data)

    def plain() -> None:
        with Image.open(src) as im:
            im.draft("RGB", (1600, 1600))
            im.thumbnail((1600, 1600))

    def plain_grid() -> None:
        with Image.open(src) as im:
            im.thumbnail((480, 480))  # thumbnail() applies draft() itself

    def job() -> None:
        render_grid(src, tmp / "g.webp")

    def preview() -> None:
        render_preview(src, tmp / "p.webp")

    medians = {}
    for label, fn in (
        ("Pillow open+draft+thumbnail(1600), nothing written", plain),
        ("Pillow open+thumbnail(480) (draft applied), nothing written", plain_grid),
        ("image-thumbnail job: grid WebP + pHash", job),
        ("lightbox preview on first request: 1600 px WebP", preview),
    ):
        times = []
        for _ in range(9):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        medians[fn] = statistics.median(times)
        print(f"24 MP JPEG, {label}: median {medians[fn] * 1000:.0f} ms")
    print(
        f"job / Pillow thumbnail(480): {medians[job] / medians[plain_grid]:.2f}x; "
        f"job / Pillow thumbnail(1600): {medians[job] / medians[plain]:.2f}x; "
        f"preview / Pillow thumbnail(1600): {medians[preview] / medians[plain]:.2f}x"
    )
    with Image.open(tmp / "g.webp") as g:
        g.load()
        t0 = time.perf_counter()
        for _ in range(50):
            from plugins_builtin.images.thumbnails import phash_of

            phash_of(g)
        print(f"pHash from the grid thumbnail: {(time.perf_counter() - t0) / 50 * 1000:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--folders", type=int, default=2_000)
    ap.add_argument("--hashes", type=int, default=100_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="obscura-images-bench-"))
    thumbnails(tmp)

    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "obscura_bench_images" WITH (FORCE)')
        conn.execute('CREATE DATABASE "obscura_bench_images"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/obscura_bench_images",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=tmp / "data",
    )
    rt = build_runtime("web", settings, builtins=("images",), load_entrypoints=False)
    set_runtime(rt)
    upgrade_all(rt)
    rt.redis.flushdb()

    lib = tmp / "lib"
    per = args.files // args.folders
    for f in range(args.folders):
        folder = lib / f"Album {f // 50:03d}" / f"Set {f:05d}"
        folder.mkdir(parents=True)
        for i in range(per):
            (folder / f"img {i}.jpg").touch()
    with rt.session() as db:
        root = LibraryRoot(path=str(lib), label="lib")
        db.add(root)
        db.commit()
        t0 = time.perf_counter()
        result = scan_root(db, root)
        took = time.perf_counter() - t0
    print(
        f"gallery-scan of {result['found']} images in {result['galleries']} galleries: {took:.2f} s = "
        f"{result['found'] / took:,.0f} files/s (rows committed, {result['thumbnailsEnqueued']} thumbnails enqueued)"
    )

    rng = np.random.default_rng(5)
    hashes = rng.integers(-(2**63), 2**63 - 1, args.hashes, dtype=np.int64)
    hashes[1] = hashes[0] ^ 0b101
    url = settings.sqlalchemy_url.replace("postgresql+psycopg", "postgresql")
    copy_sql = "COPY images (id, file_path, member, title, phash) FROM STDIN"
    with psycopg.connect(url) as conn, conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for i, h in enumerate(hashes.tolist()):
            copy.write_row((str(uuid.uuid4()), f"/x/{i}.jpg", "", f"img {i}", h))
    client = create_app(runtime=rt).test_client()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        resp = client.get("/api/images/duplicates?distance=4")
        times.append(time.perf_counter() - t0)
        assert resp.status_code == 200
    groups = resp.get_json()["data"]
    print(
        f"GET /api/images/duplicates?distance=4 over {args.hashes:,} hashes: median "
        f"{statistics.median(times):.2f} s, {len(groups)} group(s)"
    )
    rt.redis.flushdb()


if __name__ == "__main__":
    main()
