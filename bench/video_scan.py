"""library-scan throughput on a synthetic tree of empty video files (probe excluded).

Usage: python -m bench.video_scan [--files 20000] [--repeat 5] [--rescan-files 100000] [--tree real|simple]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11). Prints:
- first scan of N files → committed rows and enqueued probe jobs (files/s), median and best of
  ``--repeat`` scans of fresh trees (a shared 2-core VM swings ±30 % from run to run);
- unchanged rescan of M files end to end (s), and per-file cost at M vs at 1k.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos.scan import scan_root


def add_series(root: Path, made: int, count: int) -> None:
    """Series with a season of 20 episodes each, until the tree holds ``count`` files."""
    series = 0
    while made < count:
        season_dir = root / f"Series {series:05d}" / "Season 01"
        season_dir.mkdir(parents=True)
        for e in range(1, 21):
            if made >= count:
                break
            (season_dir / f"Series {series:05d} S01E{e:02d}.mkv").touch()
            made += 1
        series += 1


def make_simple_tree(root: Path, count: int) -> None:
    """The earlier bench tree: movies at the root, series with seasons of 20 episodes each (about
    1/4 movies)."""
    movies = count // 4
    for i in range(movies):
        (root / f"Movie {i:06d} (2001).mp4").touch()
    add_series(root, movies, count)


def make_tree(root: Path, count: int) -> None:
    """About 1/4 movies in the shapes libraries have (half loose at the root, half in
    ``Title (Year)`` folders with an ``Extras`` trailer every 10th and two versions every 25th),
    the rest series with seasons of 20 episodes each. Every file is indexed (as a movie, an
    episode, a version or an extra), so the figures compare with the earlier all-indexed trees."""
    movies = count // 4
    made = i = 0
    while made < movies:
        if i % 2 == 0:
            (root / f"Movie {i:06d} (2001).mp4").touch()
            made += 1
        else:
            folder = root / f"Film {i:06d} (2002)"
            folder.mkdir()
            if i % 25 == 1:
                names = [f"Film {i:06d} (2002) - 1080p.mkv", f"Film {i:06d} (2002) - 2160p.mkv"]
            else:
                names = [f"Film.{i:06d}.2002.1080p.BluRay.x264-GRP.mkv"]
            if i % 10 == 1:
                (folder / "Extras").mkdir()
                names.append(f"Extras/Film {i:06d} Trailer.mp4")
            for name in names[: movies - made]:
                (folder / name).touch()
                made += 1
        i += 1
    add_series(root, made, count)


def scan_once(rt, root_id: str) -> tuple[float, dict]:
    with rt.session() as db:
        root = db.get(LibraryRoot, root_id)
        t0 = time.perf_counter()
        result = scan_root(db, root)
        return time.perf_counter() - t0, result


TREES = {"real": make_tree, "simple": make_simple_tree}


def run(rt, count: int, keep: Path, name: str = "", tree: str = "real") -> tuple[float, float, dict]:
    folder = keep / f"tree-{count}{name}"
    folder.mkdir()
    TREES[tree](folder, count)
    os.sync()  # the tree's own writeback is not the scan's cost
    time.sleep(0.5)
    with rt.session() as db:
        root = LibraryRoot(path=str(folder), label=folder.name)
        db.add(root)
        db.commit()
        root_id = root.id
    first, result = scan_once(rt, root_id)
    assert result["new"] == count, result
    rescan, again = scan_once(rt, root_id)
    assert again["unchanged"] == count and again["new"] == 0, again
    return first, rescan, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rescan-files", type=int, default=100_000)
    ap.add_argument("--tree", choices=sorted(TREES), default="real", help="real-world shapes, or the earlier tree")
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "obscura_bench_scan" WITH (FORCE)')
        conn.execute('CREATE DATABASE "obscura_bench_scan"')
    tmp = Path(tempfile.mkdtemp(prefix="obscura-scan-bench-"))
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/obscura_bench_scan",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=tmp / "data",
    )
    rt = build_runtime("worker", settings, builtins=("videos",), load_entrypoints=False)
    set_runtime(rt)
    upgrade_all(rt)
    rt.redis.flushdb()
    gc.collect()
    gc.freeze()  # as a worker does before forking the work horse that runs a scan
    try:
        _small_first, small_rescan, _ = run(rt, 1000, tmp, tree=args.tree)
        firsts = []
        for i in range(args.repeat):
            first, _, result = run(rt, args.files, tmp, f"-{i}", tree=args.tree)
            firsts.append(first)
        median, best = statistics.median(firsts), min(firsts)
        print(
            f"first scan of {args.files} files: median {median:.2f} s = {args.files / median:,.0f} files/s, "
            f"best {best:.2f} s = {args.files / best:,.0f} files/s over {args.repeat} trees "
            f"(rows committed with {result['probesEnqueued']} probes in {result['probeRuns']} runs); "
            f"each: {', '.join(f'{t:.2f}' for t in firsts)} s"
        )
        big_first, big_rescan, _ = run(rt, args.rescan_files, tmp, tree=args.tree)
        print(
            f"first scan of {args.rescan_files} files: {big_first:.2f} s = {args.rescan_files / big_first:,.0f} files/s"
        )
        print(f"unchanged rescan of {args.rescan_files} files: {big_rescan:.2f} s")
        per_small = small_rescan / 1000 * 1e6
        per_big = big_rescan / args.rescan_files * 1e6
        print(
            f"per-file rescan cost: {per_small:.1f} µs at 1k, {per_big:.1f} µs at {args.rescan_files // 1000}k "
            f"(ratio {per_big / per_small:.2f})"
        )
    finally:
        rt.redis.flushdb()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
