"""Library-maintenance figures: moving generated files cache → next to the media → cache, on one
filesystem (rename) and across two (verified copy to a tmpfs cache), a rerun that finds everything
in place, and the orphan sweep's folder listing.

Usage: python -P bench/asset_moves.py [--videos 500]   (-P: bench/collections.py must not shadow the stdlib)
Files only (no database): each video gets a 20 kB thumbnail, a 200 kB preview clip, a 100 kB sprite
and a 2 kB track, driven through the same ``Migration`` the ``library-maintenance`` job uses.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugin_sdk.assets import sidecar_path
from plugin_sdk.types import AssetFile, GeneratedAssets
from plugins_builtin.maintenance.migrate import Migration
from plugins_builtin.maintenance.orphans import folder_size

SIZES = {
    "thumb": (".jpg", 20_000),
    "preview": (".mp4", 200_000),
    "sprite": (".jpg", 100_000),
    "trickplay": (".vtt", 2_000),
}


def build(cache: Path, library: Path, videos: int) -> list[GeneratedAssets]:
    rows = []
    for i in range(videos):
        vid = f"{i:08x}" + "0" * 24
        media = library / f"folder{i % 50:02d}" / f"Video {i}.mp4"
        media.parent.mkdir(parents=True, exist_ok=True)
        media.write_bytes(b"")
        files = []
        for key, (ext, size) in SIZES.items():
            cached = cache / "videos" / vid[:2] / vid / f"{key}{ext}"
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(os.urandom(size))
            files.append(AssetFile(key, cached, sidecar_path(media, key, ext)))
        rows.append(GeneratedAssets("video", vid, media.name, media, library, tuple(files)))
    return rows


def run(rows: list[GeneratedAssets], dedicated: bool) -> tuple[float, dict]:
    job = Migration(dedicated)
    started = time.perf_counter()
    for row in rows:
        for asset in row.files:
            job.move_one(row, asset)
    return time.perf_counter() - started, job.result()


def report(label: str, seconds: float, result: dict) -> None:
    files = result["moved"] + result["alreadyThere"] + result["deduplicated"]
    mb = result["bytesMoved"] / 1e6
    print(
        f"{label:44} {seconds:7.2f} s  {files / seconds:8.0f} files/s  {mb / seconds:7.1f} MB/s"
        f"  (moved {result['moved']}, in place {result['alreadyThere']}, failed {result['failed']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=500)
    args = parser.parse_args()
    total_mb = args.videos * sum(s for _, s in SIZES.values()) / 1e6
    print(f"{args.videos} videos, {args.videos * len(SIZES)} files, {total_mb:.0f} MB")
    tmp = Path(tempfile.mkdtemp(prefix="obscura-bench-moves-"))
    shm = Path("/dev/shm") / f"obscura-bench-moves-{os.getpid()}"
    try:
        for label, cache in (("same filesystem (rename)", tmp / "cache"), ("cache on tmpfs (copy+verify)", shm)):
            if cache == shm and not Path("/dev/shm").is_dir():
                continue
            library = tmp / "library"
            rows = build(cache, library, args.videos)
            report(f"{label}: cache → next to media", *run(rows, False))
            report(f"{label}: rerun (all in place)", *run(rows, False))
            report(f"{label}: next to media → cache", *run(rows, True))
            started = time.perf_counter()
            size = sum(folder_size(f.parent)[0] for row in rows for f in (row.files[0].cache_path,))
            sweep_s = time.perf_counter() - started
            print(f"{label}: orphan sweep sizes of {len(rows)} folders    {sweep_s:7.2f} s  ({size / 1e6:.0f} MB)")
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(library, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(shm, ignore_errors=True)


if __name__ == "__main__":
    main()
