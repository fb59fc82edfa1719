"""Fingerprint costs: MD5 vs plain hashlib, oshash vs its two 64 KiB reads, Stash pHash vs its
25 ffmpeg frame grabs, and the hashing step alone.

Usage: python bench/hashing.py [--size-mib 1024]  (writes scratch files under /tmp, removes them)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugin_sdk.hashing import md5_file, oshash_file, perception_hash, perception_hash_rgb
from plugin_sdk.videophash import build_montage, frame_times, montage_array, screenshot_args, video_phash


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def plain_md5(path: Path) -> str:
    h = hashlib.md5()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def two_reads(path: Path) -> None:
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.read(65536)
        fh.seek(max(0, size - 65536))
        fh.read(65536)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=1024)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="obscura-hash-bench-") as tmp:
        big = Path(tmp) / "big.bin"
        with big.open("wb") as fh:
            for _ in range(args.size_mib):
                fh.write(os.urandom(1 << 20))
        plain_md5(big)  # warm the page cache so both read from memory
        base = best(lambda: plain_md5(big))
        ours = best(lambda: md5_file(big))
        mb = args.size_mib * 1.048576
        print(
            f"MD5 of {args.size_mib} MiB: hashlib {base:.2f} s ({mb / base:.0f} MB/s), "
            f"md5_file {ours:.2f} s ({mb / ours:.0f} MB/s) -> {ours / base:.2f}x"
        )
        reads = best(lambda: [two_reads(big) for _ in range(200)]) / 200
        osh = best(lambda: [oshash_file(big) for _ in range(200)]) / 200
        print(f"oshash: {osh * 1e6:.0f} us vs its two 64 KiB reads {reads * 1e6:.0f} us -> {osh / reads:.2f}x")

        video = Path(tmp) / "clip.mp4"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=1280x720:rate=25",
                "-t",
                "120",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "50",
                str(video),
            ],
            check=True,
        )
        duration = 120.0

        def grabs() -> None:
            for t in frame_times(duration):
                subprocess.run(screenshot_args("ffmpeg", str(video), t), capture_output=True, check=True)

        seq = best(grabs, repeat=2)
        full = best(lambda: video_phash(video, duration), repeat=2)
        print(
            f"pHash of a 2-minute 720p clip: {full:.2f} s; its 25 ffmpeg grabs one after another {seq:.2f} s "
            f"-> {full / seq:.2f}x (grabs run 4 at a time)"
        )
        import numpy as np
        from PIL import Image

        rng = np.random.default_rng(1)
        frames = [Image.fromarray(rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)) for _ in range(25)]
        for label, fn in (
            ("montage + hash (what video_phash runs)", lambda: perception_hash_rgb(montage_array(frames))),
            ("hash of a ready PIL montage", lambda m=build_montage(frames): perception_hash(m)),
        ):
            hashes = []
            for _ in range(100):
                t0 = time.perf_counter()
                fn()
                hashes.append(time.perf_counter() - t0)
            print(
                f"hashing step, {label}: median {statistics.median(hashes) * 1000:.1f} ms, "
                f"best {min(hashes) * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
