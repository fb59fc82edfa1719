"""Video preview assets (reference §3.4): thumbnail, silent preview clip, trickplay sprite + WebVTT.

Everything here is a pure function of a source path, a few numbers and :class:`PreviewParams`;
ffmpeg does the decoding, Pillow/numpy the sprite tiling, and every output is written to a
temporary name beside its target and renamed into place (:func:`plugin_sdk.storage.atomic_write`),
so a reader never sees half a file and a failed rebuild keeps the previous asset.

Sizes
    :func:`scale_resolution` is the original's ``scaleResolution`` (quality 1 → native size,
    31 → the minimum, linear in between).  Unlike the original, the rule is applied to the
    **longer** side and the other side follows the source aspect ratio, so portrait sources stay
    portrait and nothing is stretched; sources are never upscaled (except trickplay tiles up to
    the 48 px minimum).

Trickplay (:func:`plan_trickplay`, :func:`make_trickplay`)
    One tile every ``interval`` seconds (cue *i* covers ``[i·interval, (i+1)·interval)``), tiles
    fitted in a 320×180 box (180×320 for portrait), a sheet of **up to 10 columns** (the original
    used 5; 10 columns halve the number of rows and keep even a 1-hour sheet at 3200×6480), the
    whole sheet capped at 24 Mpx by shrinking the tiles and then, if needed, raising the interval.

    Frames are extracted in **one** ffmpeg pass piping raw RGB into numpy, never one ffmpeg per
    frame.  The ``fps=1/interval:round=up:start_time=0`` filter picks, for tile *i*, the last
    decoded frame at or before ``i·interval``.  By default (``strategy="auto"``) only keyframes
    are read (``-discard:v nokey`` drops the other packets in the demuxer for MP4/MOV, and
    ``-skip_frame:v nokey`` skips them in the decoder for containers that cannot): on a 10-minute
    720p H.264 file (2 cores) the whole call takes ~0.3 s from MP4 and ~0.7 s from MKV, against
    9–12 s decoding every frame and 4–7 s for the original's one ffmpeg seek per tile.  When the
    keyframes turn out too sparse to be useful (mean gap above ``max(2·interval, 20 s)``, or a
    single keyframe) the pass is redone decoding every frame (``bench/trickplay.py`` measures both).
"""

from __future__ import annotations

import math
import re
import subprocess
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
from PIL import Image

from plugin_sdk import ffmpeg as ff
from plugin_sdk.media import STDERR_TAIL, MediaError, run
from plugin_sdk.storage import atomic_write

__all__ = [
    "MAX_SPRITE_COLUMNS",
    "MAX_SPRITE_PIXELS",
    "PREVIEW_MAX_SIDE",
    "PreviewParams",
    "TrickplayPlan",
    "TrickplayStrategy",
    "make_preview_clip",
    "make_thumbnail",
    "make_trickplay",
    "plan_trickplay",
    "preview_start",
    "scale_resolution",
    "sprite_jpeg_quality",
    "thumbnail_at",
    "thumbnail_size",
    "trickplay_frame_size",
    "trickplay_vtt",
    "vtt_time",
]

#: Native size assumed when the probe did not report one (the original's default).
DEFAULT_NATIVE: Final = (1920, 1080)
#: Thumbnail minimum (quality 31) for the long × short side; a "card" uses (160, 90).
THUMBNAIL_MINIMUM: Final = (320, 180)
#: Trickplay tile: minimum long side at quality 31, and the clamp box (long × short).
TRICKPLAY_MIN_LONG: Final = 160
TRICKPLAY_BOX: Final = (320, 180)
TRICKPLAY_FLOOR_LONG: Final = 48
#: Sheet size cap (pixels) and column count.
MAX_SPRITE_PIXELS: Final = 24_000_000
MAX_SPRITE_COLUMNS: Final = 10
#: Preview clip: longest side, and the scale filter's options (never upscales, even dimensions).
PREVIEW_MAX_SIDE: Final = 960
_PREVIEW_SCALE: Final = {
    "w": f"if(gte(iw,ih),min({PREVIEW_MAX_SIDE},trunc(iw/2)*2),-2)",
    "h": f"if(gte(iw,ih),-2,min({PREVIEW_MAX_SIDE},trunc(ih/2)*2))",
}
#: What every preview output drops besides its one video stream: audio, subtitles, data.
_VIDEO_ONLY: Final = {"an": ff.FLAG, "sn": ff.FLAG, "dn": ff.FLAG}
#: Keyframe-only trickplay falls back to a full decode when keyframes are further apart than this
#: (seconds, or twice the interval when that is larger).
KEYFRAME_GAP_LIMIT_S: Final = 20.0

TrickplayStrategy = Literal["auto", "keyframes", "all"]

_DECODED_RE: Final = re.compile(rb"\(video\): \d+ packets read \([^)]*\); (\d+) frames decoded")
_EMPTY_OUTPUT: Final = b"Output file is empty"


# =========================================================================== parameters


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _js_round(value: float) -> int:
    """``Math.round`` (halves round up), as the original computes sizes."""
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class PreviewParams:
    """Library settings that shape preview assets, clamped like the original.

    Attributes:
        thumbnail_quality: 1 (native size, best JPEG) … 31 (smallest); also the JPEG ``-q:v``.
        trickplay_quality: 1 … 31; tile size and sprite JPEG quality.
        trickplay_interval_s: Seconds between trickplay tiles (minimum 3).
        preview_clip_s: Preview clip length in seconds (minimum 4).
        generate_trickplay: Whether the caller should build trickplay at all (not read here).
    """

    thumbnail_quality: int = 2
    trickplay_quality: int = 2
    trickplay_interval_s: int = 10
    preview_clip_s: int = 8
    generate_trickplay: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "thumbnail_quality", _clamp(int(self.thumbnail_quality), 1, 31))
        object.__setattr__(self, "trickplay_quality", _clamp(int(self.trickplay_quality), 1, 31))
        object.__setattr__(self, "trickplay_interval_s", max(3, int(self.trickplay_interval_s)))
        object.__setattr__(self, "preview_clip_s", max(4, int(self.preview_clip_s)))
        object.__setattr__(self, "generate_trickplay", bool(self.generate_trickplay))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> PreviewParams:
        """Build from ``library_settings`` column names (missing/None keys keep the defaults)."""
        names = {
            "thumbnail_quality": "thumbnail_quality",
            "trickplay_quality": "trickplay_quality",
            "trickplay_interval_seconds": "trickplay_interval_s",
            "preview_clip_duration_seconds": "preview_clip_s",
            "generate_trickplay": "generate_trickplay",
        }
        values = {field: settings[key] for key, field in names.items() if settings.get(key) is not None}
        return cls(**values)


def _duration(duration: float | None) -> float:
    """A usable duration: finite and positive, else 0."""
    if duration is None or not math.isfinite(duration) or duration <= 0:
        return 0.0
    return float(duration)


def _native(width: int | None, height: int | None) -> tuple[int, int, bool]:
    """``(width, height, known)``; unknown sizes become :data:`DEFAULT_NATIVE`."""
    if width and height and width > 0 and height > 0:
        return int(width), int(height), True
    return DEFAULT_NATIVE[0], DEFAULT_NATIVE[1], False


def scale_resolution(native: int, minimum: int, quality: int) -> int:
    """The original's ``scaleResolution``: q≤1 → native, q≥31 → minimum, linear in between."""
    if quality <= 1:
        return native
    if quality >= 31:
        return minimum
    return _js_round(native - (quality - 1) / 30 * (native - minimum))


def _orient(long_side: int, short_side: int, landscape: bool) -> tuple[int, int]:
    return (long_side, short_side) if landscape else (short_side, long_side)


def thumbnail_size(
    width: int | None, height: int | None, quality: int, minimum: tuple[int, int] = THUMBNAIL_MINIMUM
) -> tuple[int, int]:
    """Thumbnail ``(width, height)``: :func:`scale_resolution` on the longer side, aspect kept.

    ``minimum`` is the quality-31 size as (long, short) — ``(320, 180)`` for thumbnails,
    ``(160, 90)`` for cards.  Never larger than the source; unknown sizes assume 1920×1080.
    """
    native_w, native_h, _ = _native(width, height)
    long_n, short_n = max(native_w, native_h), min(native_w, native_h)
    long_side = max(1, min(long_n, scale_resolution(long_n, max(minimum), _clamp(quality, 1, 31))))
    short_side = max(1, _js_round(short_n * long_side / long_n))
    return _orient(long_side, short_side, native_w >= native_h)


def thumbnail_at(duration: float | None) -> float:
    """The original's thumbnail time: ``min(D - 0.5, max(1, 0.18·D))`` (0 when D is unknown)."""
    total = _duration(duration)
    if total <= 0:
        return 0.0
    return max(0.0, min(total - 0.5, max(1.0, 0.18 * total)))


def preview_start(duration: float | None, clip_s: float) -> float:
    """Clip start: 10 % in when the video is longer than the clip (kept so a full clip fits), else 0."""
    total = _duration(duration)
    if total <= clip_s:
        return 0.0
    return max(0.0, min(0.1 * total, total - clip_s))


def sprite_jpeg_quality(quality: int) -> int:
    """Sprite JPEG quality from the trickplay quality: 68 at q=1 down to 38 at q=31."""
    return _js_round(68 - (_clamp(quality, 1, 31) - 1) / 30 * 30)


# =========================================================================== trickplay plan


@dataclass(frozen=True)
class TrickplayPlan:
    """Layout of a trickplay sprite sheet.

    Attributes:
        interval: Seconds covered by each tile / VTT cue.
        count: Number of tiles (``ceil(duration / interval)``, at least 1).
        frame_w: Tile width in pixels.
        frame_h: Tile height in pixels.
        columns: Tiles per sheet row (``min(10, count)``).
        rows: Sheet rows (``ceil(count / columns)``).
    """

    interval: int
    count: int
    frame_w: int
    frame_h: int
    columns: int
    rows: int

    @property
    def sprite_width(self) -> int:
        """Sheet width in pixels."""
        return self.columns * self.frame_w

    @property
    def sprite_height(self) -> int:
        """Sheet height in pixels."""
        return self.rows * self.frame_h

    def tile(self, index: int) -> tuple[int, int, int, int]:
        """``(x, y, w, h)`` of tile ``index`` in the sheet (row-major)."""
        row, column = divmod(index, self.columns)
        return column * self.frame_w, row * self.frame_h, self.frame_w, self.frame_h

    def cue(self, index: int) -> tuple[float, float]:
        """``(start, end)`` seconds of cue ``index``; cues are contiguous and the last ends ≥ duration."""
        return float(index * self.interval), float((index + 1) * self.interval)


def trickplay_frame_size(width: int | None, height: int | None, quality: int) -> tuple[int, int]:
    """Tile size: ``scale_resolution(long, 160, q)`` on the long side, fitted in 320×180 (180×320 portrait).

    The aspect ratio is kept (the original clamped width and height independently, which
    squashed portrait video into landscape tiles); never above the source, never below a 48 px
    long side.
    """
    native_w, native_h, _ = _native(width, height)
    long_n, short_n = max(native_w, native_h), min(native_w, native_h)
    box_long, box_short = TRICKPLAY_BOX
    long_side = min(long_n, scale_resolution(long_n, TRICKPLAY_MIN_LONG, _clamp(quality, 1, 31)))
    long_side = _clamp(long_side, TRICKPLAY_FLOOR_LONG, box_long)
    short_side = _js_round(short_n * long_side / long_n)
    if short_side > box_short:
        short_side = box_short
        long_side = min(box_long, _js_round(box_short * long_n / short_n))
    return _orient(long_side, max(1, short_side), native_w >= native_h)


def plan_trickplay(
    duration: float | None, width: int | None, height: int | None, params: PreviewParams
) -> TrickplayPlan:
    """Plan the sheet for a video of ``duration`` seconds and ``width``×``height`` pixels.

    ``count = ceil(D / interval)`` tiles of :func:`trickplay_frame_size`.  When
    ``count · w · h`` exceeds :data:`MAX_SPRITE_PIXELS` the tiles shrink by ``sqrt(cap / pixels)``
    (aspect kept, long side ≥ 48 px); if that is still too much the interval is raised until the
    tiles fit.  Columns are ``min(10, count)`` — see the module docstring.
    """
    total = _duration(duration)
    interval = params.trickplay_interval_s
    frame_w, frame_h = trickplay_frame_size(width, height, params.trickplay_quality)
    count = max(1, math.ceil(total / interval))
    if count * frame_w * frame_h > MAX_SPRITE_PIXELS:
        landscape = frame_w >= frame_h
        long_0, short_0 = max(frame_w, frame_h), min(frame_w, frame_h)
        ratio = math.sqrt(MAX_SPRITE_PIXELS / (count * frame_w * frame_h))
        long_side = max(TRICKPLAY_FLOOR_LONG, math.floor(long_0 * ratio))
        short_side = max(1, _js_round(short_0 * long_side / long_0))
        while count * long_side * short_side > MAX_SPRITE_PIXELS and long_side > TRICKPLAY_FLOOR_LONG:
            long_side -= 1
            short_side = max(1, _js_round(short_0 * long_side / long_0))
        frame_w, frame_h = _orient(long_side, short_side, landscape)
        if count * frame_w * frame_h > MAX_SPRITE_PIXELS:
            per_sheet = max(1, MAX_SPRITE_PIXELS // (frame_w * frame_h))
            interval = max(interval, math.ceil(total / per_sheet))
            count = max(1, math.ceil(total / interval))
    columns = min(MAX_SPRITE_COLUMNS, count)
    return TrickplayPlan(interval, count, frame_w, frame_h, columns, math.ceil(count / columns))


# =========================================================================== VTT


def vtt_time(seconds: float) -> str:
    """``HH:MM:SS.mmm`` like Stash's ``GetVTTTime``: truncated to ms, hours not wrapped.

    Negative, NaN and infinite inputs give ``00:00:00.000``.
    """
    if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
        return "00:00:00.000"
    millis = int(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def trickplay_vtt(plan: TrickplayPlan, sprite_url: str) -> str:
    """The WebVTT document: one cue per tile pointing at ``<sprite_url>#xywh=x,y,w,h``."""
    lines = ["WEBVTT", ""]
    for index in range(plan.count):
        start, end = plan.cue(index)
        x, y, w, h = plan.tile(index)
        lines += [f"{vtt_time(start)} --> {vtt_time(end)}", f"{sprite_url}#xywh={x},{y},{w},{h}", ""]
    return "\n".join(lines) + "\n"


# =========================================================================== ffmpeg helpers


def _require_file(src: Path) -> None:
    if not src.is_file():
        raise MediaError(f"{src.name} does not exist or is not a file")


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _fit(video: ff.Stream, width: int, height: int, exact: bool) -> ff.Stream:
    """Scale to exactly ``width``×``height``; when the source size is unknown keep its aspect and pad."""
    if exact:
        return video.filter("scale", width, height)
    video = video.filter("scale", width, height, force_original_aspect_ratio="decrease")
    return video.filter("pad", width, height, "(ow-iw)/2", "(oh-ih)/2", color="black").filter("setsar", 1)


# =========================================================================== thumbnail


def make_thumbnail(
    src: Path,
    out_jpg: Path,
    duration: float | None,
    width: int | None,
    height: int | None,
    params: PreviewParams,
    ffmpeg: str = "ffmpeg",
    at: float | None = None,
    *,
    minimum: tuple[int, int] = THUMBNAIL_MINIMUM,
    timeout: float = 120,
) -> Path:
    """Write a JPEG frame of ``src`` to ``out_jpg`` and return ``out_jpg``.

    The frame is taken at ``at`` or :func:`thumbnail_at` (fast input seek, ``-ss`` before
    ``-i``), sized by :func:`thumbnail_size` (``minimum=(160, 90)`` makes a card) and encoded with
    ``-q:v thumbnail_quality``.  When that frame cannot be decoded (truncated file, seek past the
    data) it retries at 0 s.

    Raises:
        MediaError: when no frame can be decoded at all.
    """
    src, out_jpg = Path(src), Path(out_jpg)
    _require_file(src)
    when = thumbnail_at(duration) if at is None else (float(at) if math.isfinite(at) and at > 0 else 0.0)
    thumb_w, thumb_h = thumbnail_size(width, height, params.thumbnail_quality, minimum)
    known = _native(width, height)[2]
    side = max(thumb_w, thumb_h)
    errors: list[str] = []
    for seek in (when, 0.0) if when > 0 else (0.0,):
        video = ff.source(src, **({"ss": _seconds(seek)} if seek > 0 else {}))["V:0"]
        if known:
            video = video.filter("scale", thumb_w, thumb_h)
        else:
            video = video.filter("scale", side, side, force_original_aspect_ratio="decrease")
        options = {"frames:v": 1, "c:v": "mjpeg", "q:v": params.thumbnail_quality}
        try:
            with atomic_write(out_jpg, suffix=".jpg") as tmp:
                out = ff.output(video, target=tmp, **_VIDEO_ONLY, **options, format="image2", update=1)
                result = run(["-v", "warning", "-y", *ff.arguments(out)], timeout=timeout, binary=ffmpeg)
                if tmp.stat().st_size == 0 or _EMPTY_OUTPUT in result.stderr:
                    raise MediaError("no frame decoded")  # leaves the block: the target is not replaced
        except MediaError as exc:
            errors.append(f"at {seek:.1f}s: {exc}")
            continue
        return out_jpg
    raise MediaError(f"cannot decode a thumbnail frame from {src.name}: " + "; ".join(errors))


# =========================================================================== preview clip


def make_preview_clip(
    src: Path,
    out_mp4: Path,
    duration: float | None,
    params: PreviewParams,
    ffmpeg: str = "ffmpeg",
    *,
    timeout: float = 600,
) -> Path:
    """Write a silent H.264 preview clip of ``src`` to ``out_mp4`` and return ``out_mp4``.

    ``preview_clip_s`` seconds from :func:`preview_start` (10 % in when the video is longer than
    the clip), longest side at most 960 px (never upscaled; portrait limits the height), even
    dimensions, ``yuv420p``, ``-preset veryfast -crf 24 -movflags +faststart``; audio, subtitles,
    data, metadata and chapters are dropped.

    Raises:
        MediaError: when ffmpeg fails or encodes no frame.
    """
    src, out_mp4 = Path(src), Path(out_mp4)
    _require_file(src)
    clip = params.preview_clip_s
    start = preview_start(duration, clip)
    seek = {"ss": _seconds(start)} if start > 0 else {}
    video = ff.source(src, **seek, t=str(clip))["V:0"].filter("scale", **_PREVIEW_SCALE)
    encode = {"c:v": "libx264", "preset": "veryfast", "crf": 24, "pix_fmt": "yuv420p", "movflags": "+faststart"}
    with atomic_write(out_mp4, suffix=".mp4") as tmp:
        out = ff.output(video, target=tmp, **_VIDEO_ONLY, map_metadata=-1, map_chapters=-1, **encode, format="mp4")
        try:
            result = run(["-v", "warning", "-y", *ff.arguments(out)], timeout=timeout, binary=ffmpeg)
        except MediaError as exc:
            raise MediaError(f"cannot make a preview clip of {src.name}: {exc}") from None
        if tmp.stat().st_size == 0 or _EMPTY_OUTPUT in result.stderr:
            raise MediaError(f"cannot decode any video frame from {src.name} for the preview clip")
    return out_mp4


# =========================================================================== trickplay


@dataclass
class _Pass:
    """One frame-extraction pass: the sheet, tiles filled, frames decoded, and ffmpeg's verdict."""

    sprite: np.ndarray
    frames: int
    decoded: int | None
    returncode: int
    stderr: str


def _extract_pass(
    src: Path, plan: TrickplayPlan, *, keyframes_only: bool, exact: bool, ffmpeg: str, timeout: float
) -> _Pass:
    """Run one ffmpeg pass piping ``plan.count`` RGB tiles into a fresh sheet."""
    fw, fh = plan.frame_w, plan.frame_h
    frame_bytes = fw * fh * 3
    sprite = np.zeros((plan.sprite_height, plan.sprite_width, 3), dtype=np.uint8)
    skip = {"discard:v": "nokey", "skip_frame:v": "nokey"} if keyframes_only else {}
    video = ff.source(src, **skip)["V:0"].filter("fps", fps=f"1/{plan.interval}", round="up", start_time=0)
    video = _fit(video, fw, fh, exact).filter("format", "rgb24")
    raw = {"frames:v": plan.count, "fps_mode": "passthrough", "pix_fmt": "rgb24"}
    out = ff.output(video, target="-", **_VIDEO_ONLY, **raw, format="rawvideo")
    # verbose: ffmpeg reports "N frames decoded"
    cmd = ff.command(out, "-hide_banner", "-nostdin", "-nostats", "-v", "verbose", binary=ffmpeg)
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise MediaError(f"{ffmpeg} was not found; install ffmpeg") from None
    assert proc.stdout is not None and proc.stderr is not None
    tail: deque[bytes] = deque(maxlen=400)
    decoded: list[int] = []

    def drain_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line)
            match = _DECODED_RE.search(line)
            if match:
                decoded.append(int(match.group(1)))

    reader = threading.Thread(target=drain_stderr, daemon=True)
    reader.start()
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    frames = 0
    try:
        while frames < plan.count:
            chunk = proc.stdout.read(frame_bytes)
            if len(chunk) < frame_bytes:
                break
            x, y, _, _ = plan.tile(frames)
            sprite[y : y + fh, x : x + fw] = np.frombuffer(chunk, dtype=np.uint8).reshape(fh, fw, 3)
            frames += 1
        proc.stdout.read()  # anything past the last tile (ffmpeg stops itself at -frames:v)
        returncode = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        reader.join(timeout=5)
        proc.stderr.close()
    if timed_out.is_set():
        raise MediaError(f"{Path(ffmpeg).name} took longer than {timeout:.0f}s extracting trickplay frames")
    stderr = b"".join(tail).decode(errors="replace")[-STDERR_TAIL:].strip()
    return _Pass(sprite, frames, decoded[-1] if decoded else None, returncode, stderr)


def _keyframes_too_sparse(result: _Pass, plan: TrickplayPlan, duration: float) -> bool:
    """True when a keyframe-only pass would repeat the same picture over many tiles."""
    if result.frames == 0:
        return True
    if plan.count <= 1:
        return False
    if result.decoded is None:  # ffmpeg did not report; trust the pass
        return False
    if result.decoded <= 1:
        return True
    covered = min(duration, plan.count * plan.interval) if duration > 0 else plan.count * plan.interval
    return covered / result.decoded > max(2.0 * plan.interval, KEYFRAME_GAP_LIMIT_S)


def make_trickplay(
    src: Path,
    out_sprite_jpg: Path,
    out_vtt: Path,
    duration: float | None,
    width: int | None,
    height: int | None,
    params: PreviewParams,
    sprite_url: str,
    ffmpeg: str = "ffmpeg",
    *,
    strategy: TrickplayStrategy = "auto",
    timeout: float | None = None,
) -> TrickplayPlan:
    """Build the trickplay sprite sheet (JPEG) and its WebVTT; return the plan used.

    Frames come from a single ffmpeg pass (see the module docstring; ``strategy`` forces
    ``"keyframes"`` or ``"all"``-frames decoding, ``"auto"`` starts keyframe-only and falls back
    to a full decode when keyframes are too sparse).  Tiles the stream does not reach (stream
    shorter than ``duration``) repeat the last decoded frame.  The sprite is written first, then
    the VTT, each atomically.  ``params.generate_trickplay`` is the caller's business.

    Raises:
        MediaError: when not a single frame can be decoded, or ffmpeg times out
            (default ``600 + 2·duration`` seconds per pass).
    """
    src, out_sprite_jpg, out_vtt = Path(src), Path(out_sprite_jpg), Path(out_vtt)
    _require_file(src)
    total = _duration(duration)
    plan = plan_trickplay(total, width, height, params)
    exact = _native(width, height)[2]
    limit = timeout if timeout is not None else 600 + 2 * total
    best: _Pass | None = None
    if strategy in ("auto", "keyframes"):
        best = _extract_pass(src, plan, keyframes_only=True, exact=exact, ffmpeg=ffmpeg, timeout=limit)
    if strategy == "all" or (strategy == "auto" and best is not None and _keyframes_too_sparse(best, plan, total)):
        full = _extract_pass(src, plan, keyframes_only=False, exact=exact, ffmpeg=ffmpeg, timeout=limit)
        if best is None or full.frames >= best.frames:
            best = full
    if best is None or best.frames == 0:
        detail = best.stderr.splitlines()[-1] if best and best.stderr else "no output"
        raise MediaError(f"cannot decode any video frame from {src.name} for trickplay: {detail}")
    sprite = best.sprite
    last_x, last_y, fw, fh = plan.tile(best.frames - 1)
    for index in range(best.frames, plan.count):  # stream shorter than the duration: repeat the last frame
        x, y, _, _ = plan.tile(index)
        sprite[y : y + fh, x : x + fw] = sprite[last_y : last_y + fh, last_x : last_x + fw]
    with atomic_write(out_sprite_jpg, suffix=".jpg") as tmp:
        Image.fromarray(sprite).save(
            tmp, format="JPEG", quality=sprite_jpeg_quality(params.trickplay_quality), optimize=True
        )
    with atomic_write(out_vtt, suffix=".vtt") as tmp:
        tmp.write_text(trickplay_vtt(plan, sprite_url), encoding="utf-8")
    return plan
