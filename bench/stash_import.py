"""Stash import figures: a first import of a big Stash library, then a re-run.

Usage: python -P bench/stash_import.py [--scenes 100000] [--files 150000] [--performers 5000] [--tags 2000]
                                      [--stash DIR] [--no-files]
Builds (or reuses, with ``--stash DIR`` holding a ``stash-go.sqlite`` from ``bench/stash_fixture.py
--keep DIR``) a schema-75 Stash database whose scenes live under ``/data/videos``, creates the
files here as sparse files of Stash's sizes (so fingerprints are kept, as on a real disk), then
imports it into a fresh database with every built-in importer (``/data`` mapped to the files'
folder) and prints: the time of the first import and of a re-run, rows per second, the peak RSS
of the process and of its forked scene readers, and the report's counts. Goals (issue 19): first
import ≤ 60 s under 500 MB; re-run ≤ 10 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stash_fixture import build
from bench.stashbox_identify import runtime
from plugins_builtin.stash_import.reader import open_stash_db
from plugins_builtin.stash_import.run import ImportOptions, import_stash

BUILTINS = ("videos", "taxonomy", "images", "collections", "metadata", "stash_import")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_rss_mb() -> float:
    """The peak RSS of the largest child (the forked scene readers), pages shared with us included."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def make_files(db_path: Path, media: Path) -> int:
    """Sparse files of Stash's sizes at every scene file's path (``/data`` → ``media``)."""
    n = 0
    with open_stash_db(db_path) as reader:
        for scene in reader.scenes():
            for f in scene["files"]:
                target = media / f["path"].removeprefix("/data/")
                if target.exists():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as out:
                    out.truncate(f["size"] or 0)
                n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=150_000)
    ap.add_argument("--performers", type=int, default=5_000)
    ap.add_argument("--tags", type=int, default=2_000)
    ap.add_argument("--stash", type=Path, help="a folder holding stash-go.sqlite (built there when missing)")
    ap.add_argument("--no-files", action="store_true", help="leave the files out: every scene imports as missing")
    args = ap.parse_args()

    folder = args.stash or Path(tempfile.mkdtemp(prefix="stash-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "stash-go.sqlite"
    if not db_path.exists():
        t0 = time.perf_counter()
        build(db_path, args.scenes, args.files, args.performers, args.tags, wal=False).close()
        print(f"built the Stash database in {time.perf_counter() - t0:.1f} s")
    media = folder / "media"
    if not args.no_files:
        t0 = time.perf_counter()
        made = make_files(db_path, media)
        print(f"files here: {made} made in {time.perf_counter() - t0:.1f} s")
    else:
        media.mkdir(exist_ok=True)
    (media / "videos").mkdir(parents=True, exist_ok=True)

    rt = runtime("obscura_bench_stash_import", builtins=BUILTINS)
    options = ImportOptions(path=str(db_path), path_map={"/data": str(media)})
    rss0 = _rss_mb()
    for label in ("first import", "re-run"):
        t0 = time.perf_counter()
        with rt.session() as db:
            report = import_stash(db, options)
        took = time.perf_counter() - t0
        scenes = report["entities"]["scenes"]
        print(
            f"{label}: {took:.1f} s — scenes read {scenes['read']}, created {scenes['created']}, merged "
            f"{scenes['merged']}, unchanged {scenes['unchanged']}, skipped {scenes['skipped']} "
            f"({scenes['read'] / max(took, 1e-9):,.0f} scenes/s); peak RSS {_rss_mb():.0f} MB (start {rss0:.0f} MB), "
            f"of a scene reader {_children_rss_mb():.0f} MB"
        )
        for e in report["entities"].values():
            print(
                f"    {e['label']:14} read {e['read']:>7} created {e['created']:>7} merged {e['merged']:>6} "
                f"updated {e['updated']:>6} unchanged {e['unchanged']:>7} skipped {e['skipped']:>6}"
            )
    print(f"goals: first import ≤ 60 s and < 500 MB; re-run ≤ 10 s (pid {os.getpid()})")


if __name__ == "__main__":
    main()
