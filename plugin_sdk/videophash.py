"""Stash-compatible video perceptual hash.

Port of stash ``pkg/hash/videophash/phash.go``: 25 frames are grabbed with one
ffmpeg process each (``-ss`` before ``-i``, scaled to 160 px wide, BMP on
stdout), pasted in a 5x5 montage on a transparent-black canvas, and hashed with
:func:`plugin_sdk.hashing.perception_hash` (goimagehash ``PerceptionHash``).
"""

from __future__ import annotations

import io
import math
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from plugin_sdk.hashing import perception_hash, perception_hash_rgb

__all__ = [
    "VideoPhashError",
    "build_montage",
    "frame_times",
    "go_float_str",
    "screenshot_args",
    "video_phash",
]

SCREENSHOT_WIDTH = 160
COLUMNS = 5
ROWS = 5
CHUNK_COUNT = COLUMNS * ROWS


class VideoPhashError(RuntimeError):
    """Raised when the montage for a video phash cannot be built."""


def go_float_str(value: float) -> str:
    """Format a float like Go's ``fmt.Sprint(float64)`` (Stash's ``-ss`` argument).

    Go's ``%v`` is ``strconv.FormatFloat(v, 'g', -1, 64)``: the shortest digits
    that round-trip (the same digits as Python's ``repr``), in exponent form
    (``1e+06``, ``1.5e-05``; at least two exponent digits) when the decimal
    exponent is < -4 or >= 6, otherwise plain with no trailing zeros
    (``12``, ``0.5``, ``3290.4``).
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    mant, _, exp_text = repr(abs(value)).partition("e")
    int_part, _, frac_part = mant.partition(".")
    all_digits = int_part + frac_part
    scale = (int(exp_text) if exp_text else 0) - len(frac_part)
    digits = all_digits.lstrip("0")
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    digits = stripped
    exp10 = len(digits) - 1 + scale  # value = d.ddd * 10**exp10
    if exp10 < -4 or exp10 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'+' if exp10 >= 0 else '-'}{abs(exp10):02d}"
    if exp10 >= 0:
        whole = digits[: exp10 + 1].ljust(exp10 + 1, "0")
        frac = digits[exp10 + 1 :]
    else:
        whole = "0"
        frac = "0" * (-exp10 - 1) + digits
    return sign + whole + ("." + frac if frac else "")


def frame_times(duration: float) -> list[float]:
    """The 25 seek times Stash uses: ``0.05*d + i*((0.9*d)/25)`` for i in 0..24."""
    if not math.isfinite(duration) or duration <= 0:
        raise ValueError(f"video duration must be a positive number of seconds, got {duration!r}")
    offset = 0.05 * duration
    step = (0.9 * duration) / float(CHUNK_COUNT)
    return [offset + (float(i) * step) for i in range(CHUNK_COUNT)]


def screenshot_args(ffmpeg: str, path: str, t: float) -> list[str]:
    """The ffmpeg command line Stash's ``ScreenshotTime`` builds for one BMP frame."""
    return [
        ffmpeg,
        "-v", "error",
        "-y",
        "-ss", go_float_str(t),
        "-i", path,
        "-frames:v", "1",
        "-vf", f"scale={SCREENSHOT_WIDTH}:-2",
        "-c:v", "bmp",
        "-f", "rawvideo",
        "-",
    ]  # fmt: skip


def _grab_frame(ffmpeg: str, path: str, index: int, t: float, timeout: float | None) -> Image.Image:
    args = screenshot_args(ffmpeg, path, t)
    where = f"frame {index} at {go_float_str(t)}s of {path!r}"
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise VideoPhashError(f"ffmpeg executable not found: {ffmpeg!r}") from exc
    except subprocess.TimeoutExpired as exc:
        raise VideoPhashError(f"ffmpeg timed out after {timeout}s extracting {where}") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise VideoPhashError(f"ffmpeg failed (exit {proc.returncode}) extracting {where}: {err}")
    if not proc.stdout:
        raise VideoPhashError(f"ffmpeg produced no image data for {where}")
    try:
        img = Image.open(io.BytesIO(proc.stdout))
        img.load()
    except Exception as exc:
        raise VideoPhashError(f"could not decode the BMP ffmpeg produced for {where}: {exc}") from exc
    return img


def build_montage(frames: list[Image.Image]) -> Image.Image:
    """Paste *frames* (in order) into Stash's 5x5 sprite on a transparent-black RGBA canvas.

    The tile size comes from frame 0; frame *i* goes to ``(w*(i%5), h*(i//5))``
    and replaces the canvas pixels (no blending), like ``imaging.Paste``.
    """
    if not frames:
        raise VideoPhashError("no frames to build a montage from")
    width, height = frames[0].size
    canvas = Image.new("RGBA", (width * COLUMNS, height * ROWS), (0, 0, 0, 0))
    for index, frame in enumerate(frames):
        x = width * (index % COLUMNS)
        y = height * (index // ROWS)
        canvas.paste(frame.convert("RGBA"), (x, y))
    return canvas


def video_phash(
    path: str | os.PathLike[str],
    duration: float,
    ffmpeg: str = "ffmpeg",
    *,
    workers: int = 4,
    timeout: float | None = 300.0,
) -> int:
    """Compute Stash's video phash of *path* (an unsigned 64-bit int).

    *duration* is the container duration in seconds (as ffprobe reports it).
    The 25 ffmpeg processes run on a small thread pool (*workers*); the
    montage order is always by frame index.  Any failing frame raises
    :class:`VideoPhashError` (Stash stores no phash in that case).
    """
    times = frame_times(duration)
    src = os.fspath(path)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="videophash") as pool:
        futures = [pool.submit(_grab_frame, ffmpeg, src, i, t, timeout) for i, t in enumerate(times)]
        try:
            frames = [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    montage = montage_array(frames)
    if montage is not None:  # the usual case: equal opaque frames tile the whole canvas
        return perception_hash_rgb(montage)
    return perception_hash(build_montage(frames))


def montage_array(frames: list[Image.Image]) -> np.ndarray | None:
    """Stash's 5x5 montage as an RGB array when every frame has frame 0's size (then the
    transparent canvas is fully covered, so the image is opaque); ``None`` otherwise."""
    if len(frames) != COLUMNS * ROWS:
        return None
    width, height = frames[0].size
    if any(f.size != (width, height) for f in frames):
        return None
    canvas = np.empty((height * ROWS, width * COLUMNS, 3), dtype=np.uint8)
    for index, frame in enumerate(frames):
        x, y = width * (index % COLUMNS), height * (index // ROWS)
        canvas[y : y + height, x : x + width] = np.asarray(frame.convert("RGB"), dtype=np.uint8)
    return canvas
