"""Stash database fixture + reader figures: build a big Stash library database, then read it.

Usage: python -P bench/stash_fixture.py [--scenes 100000] [--files 150000] [--performers 5000] [--tags 2000]
                                        [--batch 1000] [--wal] [--keep DIR]
Builds a schema-75 ``stash-go.sqlite`` in a temp dir with ``tests.fixtures.stash_db.StashDB``
(each scene: 1–2 video files with md5/oshash/phash, 2 performers, 3 tags, a URL, o/play
history), prints the build time, then times ``StashReader.scenes()`` iterating every scene
with its files and fingerprints (and performers/tags), with the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugins_builtin.stash_import.reader import open_stash_db
from tests.fixtures.stash_db import StashDB


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path, scenes: int, files: int, performers: int, tags: int, wal: bool) -> StashDB:
    rnd = random.Random(19)
    db = StashDB.create(path, wal=wal)
    db.folder("/data")  # Stash keeps every folder from its library path down
    db.folder("/data/videos")
    for k in range(min(scenes, 500)):
        db.folder(f"/data/videos/{k:03d}")
    tag_ids = [db.tag(f"Tag {i}", aliases=[f"t{i}"]) for i in range(tags)]
    for i in range(1, tags):
        if i % 10:
            db.conn.execute(
                "INSERT INTO tags_relations (parent_id, child_id) VALUES (?, ?)", (tag_ids[i // 10], tag_ids[i])
            )
    studio_ids = [db.studio(f"Studio {i}", urls=[f"https://studio{i}.example"]) for i in range(200)]
    perf_ids = [
        db.performer(
            f"Performer {i}",
            gender="FEMALE" if i % 3 else "MALE",
            birthdate="1990-01-01",
            aliases=[f"P{i}"],
            urls=[f"https://p{i}.example"],
            stash_ids=[("https://stashdb.org/graphql", f"{i:08x}-0000-0000-0000-000000000000")],
        )
        for i in range(performers)
    ]
    extra = max(0, files - scenes)
    for i in range(scenes):
        n_files = 2 if i < extra else 1
        fids = [
            db.video_file(
                f"/data/videos/{i % 500:03d}/scene{i}{'-' + str(k) if k else ''}.mp4",
                md5=f"{rnd.getrandbits(128):032x}",
                oshash=f"{rnd.getrandbits(64):016x}",
                phash=rnd.getrandbits(64),
                size=rnd.randrange(100_000_000, 4_000_000_000),
                duration=rnd.uniform(300, 7200),
            )
            for k in range(n_files)
        ]
        db.scene(
            f"Scene {i}",
            files=fids,
            date="2021-06-15",
            rating=rnd.choice([None, 20, 40, 60, 80, 100]),
            studio_id=rnd.choice(studio_ids),
            urls=[f"https://studio.example/scenes/{i}"],
            o_dates=["2024-01-02 03:04:05+00:00"] * (i % 3),
            view_dates=["2024-01-01T10:00:00Z"] * (i % 4),
            performers=rnd.sample(perf_ids, 2),
            tags=rnd.sample(tag_ids, 3),
        )
        if i % 5000 == 4999:
            db.commit()
    db.commit()
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=150_000)
    ap.add_argument("--performers", type=int, default=5_000)
    ap.add_argument("--tags", type=int, default=2_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--wal", action="store_true", help="leave the rows in a WAL file (the reader copies)")
    ap.add_argument("--keep", type=Path, help="build into this folder and keep it")
    args = ap.parse_args()

    tmp = args.keep or Path(tempfile.mkdtemp(prefix="stash-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "stash-go.sqlite"
    if path.exists():
        path.unlink()
    try:
        t0 = time.perf_counter()
        db = build(path, args.scenes, args.files, args.performers, args.tags, args.wal)
        if not args.wal:
            db.close()
        t_build = time.perf_counter() - t0
        size = path.stat().st_size + (Path(f"{path}-wal").stat().st_size if args.wal else 0)
        print(
            f"build: {args.scenes} scenes / {args.files} files / {args.performers} performers / {args.tags} tags "
            f"in {t_build:.1f} s ({size / 1e6:.0f} MB)"
        )

        rss0 = _rss_mb()
        t0 = time.perf_counter()
        n_scenes = n_files = n_fp = 0
        with open_stash_db(path, batch_size=args.batch) as reader:
            t_open = time.perf_counter() - t0
            for scene in reader.scenes():
                n_scenes += 1
                for f in scene["files"]:
                    n_files += 1
                    n_fp += sum(1 for v in f["fingerprints"].values() if v)
            t_scenes = time.perf_counter() - t0
            n_perf = sum(1 for _ in reader.performers())
            n_tags = sum(1 for _ in reader.tags())
        t_all = time.perf_counter() - t0
        print(f"open: {t_open:.2f} s ({'copied (WAL)' if args.wal else 'read-only in place'})")
        print(
            f"read: {n_scenes} scenes, {n_files} files, {n_fp} fingerprints in {t_scenes:.1f} s "
            f"({n_scenes / max(t_scenes, 1e-9):,.0f} scenes/s); + {n_perf} performers, {n_tags} tags: {t_all:.1f} s"
        )
        print(f"peak RSS: {_rss_mb():.0f} MB (before reading {rss0:.0f} MB)")
        if args.wal:
            db.close()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
