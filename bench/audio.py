"""Audio plugin figures: the waveform of a one-hour track against ffmpeg decoding it alone, and
audio-scan + audio-probe of 5,000 tagged tracks through real forked RQ workers.

Usage: python bench/audio.py [--hours 1 --tracks 5000 --workers 2]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from mutagen.id3 import ID3, TALB, TIT2, TPE1, TRCK

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.jobs.worker import fork_workers, stop_children
from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.models import JobRunRow, LibraryRoot, LibrarySettings
from plugins_builtin.audio import waveform


def encode(target: Path, seconds: float) -> None:
    """Speech-like material (noise shaped by a slow sine), stereo 44.1 kHz MP3 at 192 kb/s."""
    graph = f"anoisesrc=d={seconds}:c=pink:r=44100:a=0.5,volume='0.3+0.7*abs(sin(t/3))':eval=frame"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", graph, "-ac", "2",
         "-c:a", "libmp3lame", "-b:a", "192k", str(target)],
        check=True,
    )  # fmt: skip


def bench_waveform(tmp: Path, hours: float) -> None:
    src = tmp / "hour.mp3"
    seconds = hours * 3600
    t0 = time.perf_counter()
    encode(src, seconds)
    print(f"(encoded a {seconds / 60:.0f}-minute MP3 in {time.perf_counter() - t0:.1f} s)")
    decode, wave = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(src), "-f", "null", "-"], check=True)
        decode.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        doc = waveform.compute(src, seconds)
        size = waveform.write(doc, tmp / "waveform.json")
        wave.append(time.perf_counter() - t0)
    d, w = min(decode), min(wave)
    print(
        f"waveform of {seconds / 60:.0f} min: {w:.2f} s vs ffmpeg decode alone {d:.2f} s = {w / d:.2f}x "
        f"(target <= 2x); {doc['length']:,} points, {size / 1000:.0f} KB (target < 300 KB)"
    )


def build_tracks(lib: Path, count: int, per_folder: int = 20) -> None:
    sample = lib.parent / "sample.mp3"
    encode(sample, 5)
    for i in range(count):
        folder = lib / f"Artist {i // 200:03d}" / f"Album {i // per_folder:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{i % per_folder + 1:02d} - track {i}.mp3"
        shutil.copyfile(sample, path)
        tags = ID3()
        tags.add(TIT2(encoding=3, text=[f"Song {i}"]))
        tags.add(TPE1(encoding=3, text=[f"Artist {i // 200}"]))
        tags.add(TALB(encoding=3, text=[f"Album {i // per_folder}"]))
        tags.add(TRCK(encoding=3, text=[str(i % per_folder + 1)]))
        tags.save(path)


def bench_scan_probe(tmp: Path, count: int, workers: int) -> None:
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "obscura_bench_audio" WITH (FORCE)')
        conn.execute('CREATE DATABASE "obscura_bench_audio"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/obscura_bench_audio",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=tmp / "data",
    )
    rt = build_runtime("worker", settings, builtins=("audio",), load_entrypoints=False)
    set_runtime(rt)
    upgrade_all(rt)
    rt.redis.flushdb()
    lib = tmp / "Music"
    t0 = time.perf_counter()
    build_tracks(lib, count)
    print(f"(wrote {count:,} tagged MP3s in {time.perf_counter() - t0:.1f} s)")
    with rt.session() as db:
        s = LibrarySettings.get(db)
        s.background_worker_concurrency = 2
        s.auto_generate_fingerprints = False  # the probe step alone, as the target names it
        s.auto_generate_preview = False
        root = LibraryRoot(
            path=str(lib), label="Music", options={"scan_movies": False, "scan_series": False, "scan_images": False}
        )
        db.add(root)
        db.commit()
        enqueue_job(db, "audio-scan", {"rootId": root.id}, target_type="library-root", target_id=root.id)
        db.commit()
    pids = fork_workers(rt, workers)
    try:
        while True:
            time.sleep(0.25)
            with rt.session() as db:
                runs = db.query(JobRunRow).all()
                if runs and all(r.status in ("completed", "failed") for r in runs) and len(runs) > 1:
                    break
    finally:
        stop_children(pids, redis=rt.redis)
    scan = next(r for r in runs if r.queue_name == "audio-scan")
    probes = [r for r in runs if r.queue_name == "audio-probe"]
    probed = sum(len(r.result["trackIds"]) for r in probes if r.result)
    start = min(r.started_at for r in probes)
    end = max(r.finished_at for r in probes)
    step = (end - start).total_seconds()
    scan_s = (scan.finished_at - scan.started_at).total_seconds()
    print(
        f"audio-scan of {scan.result['found']:,} tracks in {scan.result['libraries']} libraries: {scan_s:.2f} s "
        f"({scan.result['found'] / scan_s:,.0f} tracks/s)"
    )
    print(
        f"audio-probe with background_worker_concurrency=2 ({workers} workers): {probed:,} tracks in {step:.2f} s = "
        f"{probed / step:,.0f} tracks/s (target >= 100); {len(probes)} runs, "
        f"{sum(r.status == 'failed' for r in probes)} failed"
    )
    rt.redis.flushdb()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--tracks", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="obscura-audio-bench-"))
    try:
        bench_waveform(tmp, args.hours)
        bench_scan_probe(tmp, args.tracks, args.workers)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
