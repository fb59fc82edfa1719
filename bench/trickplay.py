"""Trickplay extraction speed on a 10-minute 1280x720 ``testsrc2`` H.264 file.

Usage: python bench/trickplay.py [--workdir DIR] [--interval 10] [--repeat 3]

The source (x264 ``ultrafast``, 25 fps, keyframe every 250 frames = 10 s) is generated once into
``--workdir`` (default ``<tmp>/obscura-bench-trickplay``) and reused, together with an MKV remux.
Prints, per variant, the best wall time of ``--repeat`` runs, tiles per second and source frames
per second:

* ``make_trickplay`` with ``strategy="auto"`` (keyframe-only, the default), ``"keyframes"`` and
  ``"all"`` (full decode), on MP4 and on MKV (where the demuxer cannot drop non-key packets);
* the original's approach for comparison: one ``ffmpeg -ss <t> -i … -frames:v 1`` per tile.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugins_builtin.videos.media.previews import PreviewParams, make_trickplay, plan_trickplay

DURATION = 600
WIDTH, HEIGHT, FPS = 1280, 720, 25


def ensure_sources(workdir: Path, ffmpeg: str) -> tuple[Path, Path]:
    """Generate the MP4 (and its MKV remux) unless they already exist."""
    workdir.mkdir(parents=True, exist_ok=True)
    mp4 = workdir / f"testsrc2-{HEIGHT}p-{DURATION}s.mp4"
    mkv = mp4.with_suffix(".mkv")
    base = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    if not mp4.exists():
        print(f"generating {mp4} …", flush=True)
        started = time.perf_counter()
        tmp = mp4.with_name(".partial.mp4")
        source = f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}:duration={DURATION}"
        cmd = [*base, "-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        subprocess.run([*cmd, str(tmp)], check=True)
        tmp.rename(mp4)
        print(f"  done in {time.perf_counter() - started:.1f}s ({mp4.stat().st_size / 1e6:.0f} MB)")
    if not mkv.exists():
        tmp = mkv.with_name(".partial.mkv")
        subprocess.run([*base, "-i", str(mp4), "-c", "copy", str(tmp)], check=True)
        tmp.rename(mkv)
    return mp4, mkv


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """Best wall time of ``repeat`` runs of ``action``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def per_frame_baseline(src: Path, ffmpeg: str, params: PreviewParams) -> None:
    """The original's extraction: one input-seeking ffmpeg per tile, raw RGB to a pipe."""
    plan = plan_trickplay(DURATION, WIDTH, HEIGHT, params)
    for index in range(plan.count):
        at = min(index * plan.interval, DURATION - 0.5)
        cmd = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", str(at), "-i", str(src)]
        cmd += ["-frames:v", "1", "-vf", f"scale={plan.frame_w}:{plan.frame_h}", "-f", "rawvideo", "-pix_fmt", "rgb24"]
        subprocess.run([*cmd, "-"], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "obscura-bench-trickplay")
    parser.add_argument("--interval", type=int, default=10, help="trickplay interval in seconds (min 3)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the best is reported")
    parser.add_argument("--ffmpeg", default=shutil.which("ffmpeg") or "ffmpeg")
    args = parser.parse_args()

    mp4, mkv = ensure_sources(args.workdir, args.ffmpeg)
    params = PreviewParams(trickplay_interval_s=args.interval)
    plan = plan_trickplay(DURATION, WIDTH, HEIGHT, params)
    out = args.workdir / "out"
    print(
        f"source {DURATION}s {WIDTH}x{HEIGHT} @{FPS}fps ({DURATION * FPS} frames); "
        f"plan: {plan.count} tiles of {plan.frame_w}x{plan.frame_h}, {plan.columns}x{plan.rows} sheet"
    )

    def trickplay(src: Path, strategy: str) -> Callable[[], object]:
        return lambda: make_trickplay(
            src,
            out / "sprite.jpg",
            out / "trickplay.vtt",
            DURATION,
            WIDTH,
            HEIGHT,
            params,
            "/sprite",
            ffmpeg=args.ffmpeg,
            strategy=strategy,  # type: ignore[arg-type]
        )

    variants: list[tuple[str, Callable[[], object], int]] = [
        ("make_trickplay auto (mp4)", trickplay(mp4, "auto"), args.repeat),
        ("make_trickplay keyframes (mp4)", trickplay(mp4, "keyframes"), args.repeat),
        ("make_trickplay auto (mkv)", trickplay(mkv, "auto"), args.repeat),
        ("make_trickplay all-frames (mp4)", trickplay(mp4, "all"), 1),
        ("original: ffmpeg per tile (mp4)", lambda: per_frame_baseline(mp4, args.ffmpeg, params), 1),
    ]
    print(f"{'variant':34} {'seconds':>8} {'tiles/s':>9} {'src frames/s':>13}")
    for name, action, repeat in variants:
        seconds = best_of(repeat, action)
        print(f"{name:34} {seconds:8.2f} {plan.count / seconds:9.1f} {DURATION * FPS / seconds:13.0f}", flush=True)


if __name__ == "__main__":
    main()
