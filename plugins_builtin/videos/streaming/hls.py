"""On-demand HLS: rendition ladder, playlists, and a per-process cache of 6 s MPEG-TS segments.

Public paths (the route's): ``/api/video-stream/<id>/hls/master.m3u8`` → :func:`master_playlist`,
``/hls/<height>p.m3u8`` → :func:`variant_playlist`, ``/hls/<height>p/<n>.ts`` →
:meth:`HlsCache.segment`. Playlists use relative URIs (``720p.m3u8``, ``720p/17.ts``) and list every
segment up front (VOD), so the player can seek anywhere at once.

Segments are encoded one at a time, on request, by ffmpeg with an *input* seek
(``-ss <6i> -i src -t 6 … -output_ts_offset <6i> -f mpegts``): a jump to segment 400 decodes from the
keyframe before 2400 s and encodes 6 s, nothing else. Each encode is a fresh x264 run, so every
segment starts with an IDR frame and is independently decodable.

:class:`HlsCache` (one per process):

* **single flight** — concurrent requests for one segment share one ffmpeg: an in-process map of
  futures guarded by a lock, and an ``fcntl.flock`` lock file (``<cache>/hls/.locks/``, 1024
  stripes) so two gunicorn processes share too (the second waits, then finds the file);
* **prefetch** — after serving segment *n*, *n+1* and *n+2* are queued for one background worker.
  At most ``max_encodes`` (2) ffmpeg run per process. Foreground requests come first: a waiting
  foreground request is always given the next free slot, prefetch encodes run at ``nice 10``,
  and when both slots are held by prefetch encodes a foreground request kills one (that segment is
  simply encoded when it is asked for). A request for a segment being prefetched joins that encode
  (and lifts its nice value when the server may);
* **freshness** — ``<cache>/hls/<shard>/<video_id>/meta.json`` records the source path, size and
  mtime (plus the segment length, duration and :data:`CACHE_VERSION`); when they differ the whole
  video folder is renamed away and deleted before use;
* **bounded size** — every hit touches the segment's mtime; after writes push the tracked total
  over ``max_bytes`` (default 5 GiB), the least recently used segments of all videos are deleted
  until the total is under 90 % of it (the cache is rescanned, so other processes' segments count).
  The segment being returned is never the one evicted, but a concurrent request's could be (the
  route then answers 404/500 once; a retry re-encodes it);
* **timestamps** — segment *i* starts at PTS 6·i, except that x264's B-frame delay makes the muxer
  shift segment 0 by up to two frames (as in the reference); players absorb it;
* **errors** — a bad rendition or segment index raises :class:`HlsNotFoundError` (a ``ValueError``
  and a 404 ``NotFoundError``); ffmpeg failures, empty output and the encode timeout
  (``encode_timeout``, 120 s) raise :class:`HlsError` (5xx, ``status`` on the instance).

Live encode speed on this 2-core AMD EPYC (KVM) box, ffmpeg 5.1, libx264 ``veryfast`` with the
ladder's CRF/VBV settings, one 6 s segment from a 30 fps H.264 source (``bench/streaming.py`` and
:func:`live_transcode_speed`; other work shared the box, load average 3–5, so ±25 %):

==========================================  ===================  ==============================
source → rendition                           one encode           each of two concurrent encodes
==========================================  ===================  ==============================
1080p testsrc2 + light grain → 1080p         2.2–3.0× real time   0.8–1.4× real time
1080p testsrc2 + light grain → 720p          3.5–4.0×             2.0–2.2×
720p testsrc2 → 720p                         4.6–6×  (1.0–1.3 s)  —
720p, 10 segments back to back through HTTP  3.0–4.7× sustained   —
==========================================  ===================  ==============================

One 1080p viewer on an idle box clears the 1.5× bar, but two viewers (or one viewer while a scan
generates previews) do not, and film grain costs more than test patterns. :data:`DEFAULT_MAX_HEIGHT_LIVE`
is therefore 720, which keeps ≥ 2× headroom even with two encodes at once;
:func:`recommended_max_height_live` measures the box it runs on and answers 1080 only when 1080p
encodes at ≥ :data:`LIVE_SPEED_THRESHOLD` × real time *with a second encode running*.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import json
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

from plugin_sdk.errors import NotFoundError, ObscuraError
from plugin_sdk.storage import atomic_write, shard

__all__ = [
    "CACHE_VERSION",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_HEIGHT_LIVE",
    "ENCODE_TIMEOUT",
    "LADDER",
    "LIVE_SPEED_THRESHOLD",
    "SEGMENT_SECONDS",
    "HlsCache",
    "HlsError",
    "HlsNotFoundError",
    "HlsStats",
    "Rendition",
    "SourceSignature",
    "find_rendition",
    "live_transcode_speed",
    "master_playlist",
    "recommended_max_height_live",
    "renditions_for",
    "segment_bounds",
    "segment_command",
    "segment_count",
    "shared_cache",
    "variant_playlist",
]

log = logging.getLogger(__name__)

#: Segment length in seconds.
SEGMENT_SECONDS: Final[float] = 6.0
#: Longest a single segment encode may take before it is killed.
ENCODE_TIMEOUT: Final[float] = 120.0
#: Default bound of the whole HLS cache.
DEFAULT_MAX_BYTES: Final[int] = 5 * 1024**3
#: Bumped whenever the encode arguments change: older cached segments are wiped on next use.
CACHE_VERSION: Final[int] = 1
#: Highest rendition offered for live encoding when nothing was measured (see the module docstring).
DEFAULT_MAX_HEIGHT_LIVE: Final[int] = 720
#: 1080p is offered live only when it encodes at least this many times faster than real time.
LIVE_SPEED_THRESHOLD: Final[float] = 1.5
#: Nice value of prefetch encodes (foreground encodes run at the server's own priority).
PREFETCH_NICE: Final[int] = 10
_LOCK_STRIPES: Final[int] = 1024
_EVICT_LOW_WATER: Final[float] = 0.9
_RESCAN_EVERY: Final[int] = 64
_STALE_TEMP_SECONDS: Final[float] = 3600.0
_STDERR_TAIL: Final[int] = 1500
_MAX_COUNTED: Final[int] = 10_000
_ID_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


# --------------------------------------------------------------------------------------------
# errors


class HlsError(ObscuraError):
    """An HLS segment could not be produced; ``status`` is 500 (ffmpeg failed), 503 (busy, shutting
    down), 504 (encode timeout) or 404/422 (source missing / no duration)."""

    status = 500
    code = "hls_failed"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code)
        if status is not None:
            self.status = status


class HlsNotFoundError(NotFoundError, ValueError):
    """404: unknown rendition, segment index out of range, or an unusable video id."""

    code = "hls_not_found"


class _Retry(Exception):
    """Internal: the job was dropped (preempted, skipped, source changed); ask again."""


# --------------------------------------------------------------------------------------------
# ladder and playlists


@dataclass(frozen=True, slots=True)
class Rendition:
    """One HLS rendition. ``height`` is the nominal size (the *short* side: 720 for 1280×720 and for
    720×1280); ``width``/``frame_height`` are the output frame once fitted to a source."""

    height: int
    video_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    audio_kbps: int
    crf: int
    width: int = 0
    frame_height: int = 0
    portrait: bool = False

    @property
    def name(self) -> str:
        """``"720p"`` — the playlist and folder name."""
        return f"{self.height}p"

    @property
    def bandwidth(self) -> int:
        """Peak bits per second (video maxrate + audio) for ``BANDWIDTH``."""
        return (self.maxrate_kbps + self.audio_kbps) * 1000

    @property
    def average_bandwidth(self) -> int:
        """Average bits per second (video target + audio) for ``AVERAGE-BANDWIDTH``."""
        return (self.video_kbps + self.audio_kbps) * 1000

    @property
    def video_codec_tag(self) -> str:
        """RFC 6381 tag of the H.264 Main profile stream (level 4.0 above 720p, else 3.1)."""
        return "avc1.4d4028" if self.height > 720 else "avc1.4d401f"


#: The reference ladder (name, height, video kb/s, maxrate, bufsize, audio kb/s, crf).
LADDER: Final[tuple[Rendition, ...]] = (
    Rendition(1080, 5200, 5600, 10400, 160, 18),
    Rendition(720, 2800, 3200, 5600, 160, 19),
    Rendition(480, 1400, 1600, 2800, 128, 20),
    Rendition(360, 850, 950, 1700, 128, 21),
    Rendition(240, 450, 520, 900, 96, 22),
    Rendition(180, 320, 360, 640, 96, 23),
)


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def _fit(base: Rendition, height: int, src_w: int, src_h: int) -> Rendition:
    portrait = src_h > src_w
    short, long_ = (src_w, src_h) if portrait else (src_h, src_w)
    other = _even(long_ * height / short)
    width, frame_height = (height, other) if portrait else (other, height)
    return Rendition(
        height,
        base.video_kbps,
        base.maxrate_kbps,
        base.bufsize_kbps,
        base.audio_kbps,
        base.crf,
        width=width,
        frame_height=frame_height,
        portrait=portrait,
    )


def renditions_for(width: int | None, height: int | None, max_height_live: int | None = None) -> list[Rendition]:
    """Renditions for a ``width``×``height`` source, best first, fitted to its aspect ratio.

    The ladder is filtered to heights ≤ the source's short side (and ≤ ``max_height_live`` when
    given). Unknown size → treated as 1280×720. When nothing fits (a 144p source) there is one
    rendition at the source's own (even) short side with the 180p rates.
    """
    if not height or height <= 0:
        width, height = 1280, 720
    if not width or width <= 0:
        width = _even(height * 16 / 9)
    short = min(width, height)
    cap = short if max_height_live is None else min(short, max_height_live)
    fitted = [_fit(r, r.height, width, height) for r in LADDER if r.height <= cap]
    if not fitted:
        fitted = [_fit(LADDER[-1], max(2, int(cap) // 2 * 2), width, height)]
    return fitted


def find_rendition(renditions: Sequence[Rendition], name: str | int) -> Rendition:
    """The rendition called ``name`` (``"720p"``, ``"720"`` or ``720``); :class:`HlsNotFoundError` if none."""
    wanted = str(name).strip().lower().removesuffix("p")
    for rendition in renditions:
        if str(rendition.height) == wanted:
            return rendition
    raise HlsNotFoundError(f"No {name!s} rendition for this video.", code="hls_rendition_not_found")


def segment_count(duration: float | None, segment_s: float = SEGMENT_SECONDS) -> int:
    """``ceil(duration / segment_s)`` (a trailing sliver under 1 ms is not a segment).

    Raises :class:`HlsError` (422) when the duration is unknown or not positive.
    """
    if duration is None or not math.isfinite(duration) or duration <= 0:
        raise HlsError(
            "This video has no known duration, so it cannot be streamed as HLS.", code="hls_no_duration", status=422
        )
    return max(1, math.ceil(duration / segment_s - 0.001 / segment_s))


def segment_bounds(duration: float, index: int, segment_s: float = SEGMENT_SECONDS) -> tuple[float, float]:
    """``(start, length)`` in seconds of segment ``index``; :class:`HlsNotFoundError` if out of range."""
    count = segment_count(duration, segment_s)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
        raise HlsNotFoundError(f"Segment {index} does not exist (0–{count - 1}).", code="hls_segment_not_found")
    start = index * segment_s
    return start, (duration - start) if index == count - 1 else segment_s


def master_playlist(video_id: str | int, renditions: Sequence[Rendition], *, has_audio: bool = True) -> str:
    """The master playlist: one ``#EXT-X-STREAM-INF`` per rendition → ``<height>p.m3u8``.

    ``video_id`` is written as a comment only (URIs are relative). Pass ``has_audio=False`` for a
    silent source so ``CODECS`` does not promise an AAC track the player would wait for.
    """
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS", f"## obscura video {video_id}"]
    for r in renditions:
        codecs = f"{r.video_codec_tag},mp4a.40.2" if has_audio else r.video_codec_tag
        width, height = (r.width, r.frame_height) if r.width else (_even(r.height * 16 / 9), r.height)
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={r.bandwidth},AVERAGE-BANDWIDTH={r.average_bandwidth},"
            f'RESOLUTION={width}x{height},CODECS="{codecs}"'
        )
        lines.append(f"{r.name}.m3u8")
    return "\n".join(lines) + "\n"


def variant_playlist(duration: float, segment_s: float = SEGMENT_SECONDS, *, rendition: Rendition | str | int) -> str:
    """A VOD media playlist listing all ``ceil(duration/segment_s)`` segments as ``<height>p/<n>.ts``.

    Every ``#EXTINF`` is ``segment_s`` except a shorter last one; ``#EXT-X-TARGETDURATION`` is
    ``ceil(segment_s)``. Raises :class:`HlsError` (422) without a positive duration.
    """
    name = rendition.name if isinstance(rendition, Rendition) else f"{str(rendition).removesuffix('p')}p"
    count = segment_count(duration, segment_s)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:6",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-TARGETDURATION:{math.ceil(segment_s)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for index in range(count):
        _, length = segment_bounds(duration, index, segment_s)
        lines.append(f"#EXTINF:{length:.3f},")
        lines.append(f"{name}/{index}.ts")
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def segment_command(
    src: str | os.PathLike[str],
    rendition: Rendition,
    start: float,
    length: float,
    output: str | os.PathLike[str],
    ffmpeg: str = "ffmpeg",
) -> list[str]:
    """The ffmpeg argv for one segment (reference §3.16, plus portrait scaling and ``-sn -dn``)."""
    scale = f"scale=w={rendition.height}:h=-2" if rendition.portrait else f"scale=w=-2:h={rendition.height}"
    r = rendition
    return [
        ffmpeg,
        *["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats"],
        *("-ss", f"{start:.3f}", "-i", str(src), "-t", f"{length:.3f}"),
        *("-vf", f"{scale},format=yuv420p"),
        *["-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn"],
        *f"-c:v libx264 -preset veryfast -crf {r.crf} -profile:v main -pix_fmt yuv420p".split(),
        *["-g", "144", "-keyint_min", "144", "-sc_threshold", "0"],
        *f"-b:v {r.video_kbps}k -maxrate {r.maxrate_kbps}k -bufsize {r.bufsize_kbps}k".split(),
        *f"-c:a aac -b:a {r.audio_kbps}k -ac 2 -ar 48000".split(),
        *("-output_ts_offset", f"{start:.3f}"),
        *["-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts"],
        str(output),
    ]


# --------------------------------------------------------------------------------------------
# the cache


class SourceSignature(NamedTuple):
    """What identifies the source's current content: path, size and mtime (ns)."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> SourceSignature:
        """``stat`` the source; :class:`HlsError` (404) when it is gone."""
        try:
            st = os.stat(path)
        except OSError as exc:
            message = f"The video file is not readable: {exc.strerror}."
            raise HlsError(message, code="source_missing", status=404) from None
        return cls(str(path), st.st_size, st.st_mtime_ns)


@dataclass
class HlsStats:
    """Counters of one :class:`HlsCache` (read them, don't write them)."""

    hits: int = 0
    misses: int = 0
    joins: int = 0
    encodes: int = 0
    failures: int = 0
    prefetched: int = 0
    preempted: int = 0
    wipes: int = 0
    evicted_files: int = 0
    evicted_bytes: int = 0


_Key = tuple[str, SourceSignature, str, int]


@dataclass(eq=False)
class _Job:
    key: _Key
    src: Path
    rendition: Rendition
    index: int
    start: float
    length: float
    target: Path
    meta: dict[str, object]
    foreground: bool
    state: Literal["queued", "claimed", "running", "done"] = "queued"
    preempted: bool = False
    proc: subprocess.Popen[bytes] | None = None
    future: Future[Path] = field(default_factory=Future)


def _present(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _touch_if_present(path: Path) -> bool:
    """Mark a cached segment as used now (LRU by mtime); False when it is missing or empty."""
    try:
        if path.stat().st_size <= 0:
            return False
        os.utime(path)
        return True
    except OSError:
        return False


def _set_nice(pid: int, value: int) -> None:
    """Set the nice value of every thread of ``pid`` (Linux nice is per thread); best effort."""
    try:
        tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        tids = [pid]
    for tid in tids:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, tid, value)


@contextlib.contextmanager
def _flock(path: Path, *, blocking: bool, deadline: float) -> Iterator[bool]:
    """Exclusive ``flock`` on ``path``; yields False when it could not be had (non-blocking/deadline)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        locked = False
        while not locked:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
            except BlockingIOError:
                if not blocking or time.monotonic() >= deadline:
                    break
                time.sleep(0.02)
        if not locked:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class HlsCache:
    """Encodes and caches HLS segments on demand (see the module docstring). One per process.

    ``cache_dir`` is the application cache root; segments go to ``<cache_dir>/hls/<shard>/<id>/``.
    ``prefetch`` is how many following segments to encode ahead (0 disables), ``max_encodes`` the
    cap on concurrent ffmpeg encodes in this process. Call :meth:`close` on shutdown (also run at
    interpreter exit) to stop the prefetch worker and kill running encodes.
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str],
        *,
        ffmpeg: str = "ffmpeg",
        max_bytes: int = DEFAULT_MAX_BYTES,
        segment_s: float = SEGMENT_SECONDS,
        encode_timeout: float = ENCODE_TIMEOUT,
        max_encodes: int = 2,
        prefetch: int = 2,
        prefetch_workers: int = 1,
        prefetch_queue: int = 8,
    ) -> None:
        if max_encodes < 1:
            raise ValueError("max_encodes must be at least 1")
        self.root = Path(cache_dir) / "hls"
        self.ffmpeg = ffmpeg
        self.max_bytes = int(max_bytes)
        self.segment_s = float(segment_s)
        self.encode_timeout = float(encode_timeout)
        self.max_encodes = max_encodes
        self.prefetch = max(0, prefetch)
        self.prefetch_workers = max(1, min(prefetch_workers, max_encodes))
        self.prefetch_queue = max(1, prefetch_queue)
        self.stats = HlsStats()
        #: ffmpeg runs per ``(video_id, rendition name, index)`` — a test hook (reset at 10 000 keys).
        self.encode_counts: Counter[tuple[str, str, int]] = Counter()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._jobs: dict[_Key, _Job] = {}
        self._queue: deque[_Job] = deque()
        self._running: set[_Job] = set()
        self._waiting: set[_Job] = set()
        self._workers: list[threading.Thread] = []
        self._fresh: dict[str, tuple[object, ...]] = {}
        self._bytes: int | None = None
        self._writes = 0
        self._evict_lock = threading.Lock()
        self._closed = False
        atexit.register(self.close)

    # -- public ------------------------------------------------------------------------------

    @property
    def encodes(self) -> int:
        """How many ffmpeg segment encodes this cache started (foreground + prefetch)."""
        return self.stats.encodes

    def video_dir(self, video_id: str | int) -> Path:
        """``<cache>/hls/<shard>/<video_id>/``."""
        vid = self._check_id(video_id)
        return self.root / shard(vid) / vid

    def segment_path(self, video_id: str | int, rendition: Rendition, index: int) -> Path:
        """Where segment ``index`` of ``rendition`` is (or will be) cached."""
        return self.video_dir(video_id) / rendition.name / f"{index}.ts"

    def segment(
        self,
        video_id: str | int,
        src: str | os.PathLike[str],
        duration: float,
        rendition: Rendition,
        index: int,
        source_signature: SourceSignature | None = None,
    ) -> Path:
        """Path of the cached MPEG-TS segment ``index`` of ``rendition``, encoding it if needed.

        ``rendition`` comes from :func:`renditions_for`/:func:`find_rendition` for this source;
        ``source_signature`` defaults to a fresh ``stat`` of ``src``. Queues the next
        ``prefetch`` segments. Raises :class:`HlsNotFoundError` (bad id/rendition/index) or
        :class:`HlsError` (source missing, no duration, ffmpeg failure, timeout, busy).
        """
        vid = self._check_id(video_id)
        if not isinstance(rendition, Rendition) or rendition.height <= 0:
            raise HlsNotFoundError("Unknown rendition.", code="hls_rendition_not_found")
        start, length = segment_bounds(duration, index, self.segment_s)
        source = Path(src)
        for _attempt in range(5):
            sig = source_signature if source_signature is not None else SourceSignature.of(source)
            meta = self._meta(sig, duration)
            vdir = self._ensure_fresh(vid, meta)
            target = vdir / rendition.name / f"{index}.ts"
            if _touch_if_present(target):
                with self._lock:
                    self.stats.hits += 1
                self._schedule_prefetch(vid, sig, source, duration, rendition, index, vdir, meta)
                return target
            with self._lock:
                self.stats.misses += 1
            job = _Job((vid, sig, rendition.name, index), source, rendition, index, start, length, target, meta, True)
            try:
                path = self._foreground(job)
            except _Retry:
                source_signature = None
                continue
            self._schedule_prefetch(vid, sig, source, duration, rendition, index, vdir, meta)
            return path
        raise HlsError("The segment could not be prepared; try again.", code="hls_busy", status=503)

    def close(self) -> None:
        """Stop the prefetch workers, drop queued work and kill running encodes (idempotent)."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            for job in self._queue:
                job.state = "done"
                if not job.future.done():
                    job.future.set_exception(_Retry())
            self._queue.clear()
            for job in self._running:
                if job.proc is not None and job.proc.poll() is None:
                    job.proc.kill()
            self._cond.notify_all()
        for worker in self._workers:
            worker.join(timeout=5)
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)

    # -- freshness ---------------------------------------------------------------------------

    @staticmethod
    def _check_id(video_id: str | int) -> str:
        vid = str(video_id)
        if not _ID_RE.match(vid):
            raise HlsNotFoundError("Unknown video.", code="hls_bad_id")
        return vid

    def _meta(self, sig: SourceSignature, duration: float) -> dict[str, object]:
        return {
            "version": CACHE_VERSION,
            "source_path": sig.path,
            "source_size": sig.size,
            "source_mtime_ns": sig.mtime_ns,
            "duration": round(float(duration), 3),
            "segment_seconds": self.segment_s,
        }

    def _lock_path(self, kind: str, *parts: object) -> Path:
        stripe = zlib.crc32("\x00".join(map(str, parts)).encode()) % _LOCK_STRIPES
        folder = self.root / ".locks"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{kind}{stripe}.lock"

    def _read_meta(self, vdir: Path) -> dict[str, object] | None:
        try:
            return json.loads((vdir / "meta.json").read_text())
        except (OSError, ValueError):
            return None

    def _ensure_fresh(self, vid: str, meta: dict[str, object]) -> Path:
        """Make sure ``<video dir>/meta.json`` describes ``meta``'s source; wipe the folder if not."""
        vdir = self.root / shard(vid) / vid
        memo = tuple(meta.values())
        with self._lock:
            if self._fresh.get(vid) == memo:
                return vdir
        deadline = time.monotonic() + 30
        with _flock(self._lock_path("m", vid), blocking=True, deadline=deadline) as got:
            if not got:
                raise HlsError("The HLS cache is busy; try again.", code="hls_busy", status=503)
            current = self._read_meta(vdir)
            if current != meta:
                if current is not None or vdir.exists():
                    self._wipe(vdir)
                vdir.mkdir(parents=True, exist_ok=True)
                with atomic_write(vdir / "meta.json") as tmp:
                    tmp.write_text(json.dumps(meta, indent=1))
        with self._lock:
            self._fresh[vid] = memo
        return vdir

    def _wipe(self, vdir: Path) -> None:
        trash = self.root / ".trash"
        trash.mkdir(parents=True, exist_ok=True)
        doomed = trash / f"{vdir.name}.{uuid.uuid4().hex}"
        try:
            os.rename(vdir, doomed)
        except FileNotFoundError:
            return
        shutil.rmtree(doomed, ignore_errors=True)
        with self._lock:
            self.stats.wipes += 1
            self._bytes = None  # rescan on next write
        log.info("HLS cache for %s wiped: the source changed", vdir.name)

    # -- scheduling --------------------------------------------------------------------------

    def _foreground(self, job: _Job) -> Path:
        deadline = time.monotonic() + self.encode_timeout + 60
        with self._cond:
            if self._closed:
                raise HlsError("The server is shutting down.", code="hls_unavailable", status=503)
            existing = self._jobs.get(job.key)
            owner = existing is None
            if existing is None:
                job.state = "claimed"
                self._jobs[job.key] = job
            else:
                self.stats.joins += 1
                job = existing
                if not job.foreground:
                    job.foreground = True
                    if job.state == "queued":
                        job.state = "claimed"
                        with contextlib.suppress(ValueError):
                            self._queue.remove(job)
                        owner = True
                    elif job.proc is not None:
                        _set_nice(job.proc.pid, 0)
                    self._cond.notify_all()
        if owner:
            self._execute(job, foreground=True, deadline=deadline)
        try:
            return job.future.result(timeout=max(0.1, deadline - time.monotonic()))
        except FutureTimeout:
            raise HlsError("Timed out waiting for the segment.", code="hls_timeout", status=504) from None

    def _schedule_prefetch(
        self,
        vid: str,
        sig: SourceSignature,
        src: Path,
        duration: float,
        rendition: Rendition,
        index: int,
        vdir: Path,
        meta: dict[str, object],
    ) -> None:
        if not self.prefetch:
            return
        count = segment_count(duration, self.segment_s)
        wanted: list[_Job] = []
        for nxt in range(index + 1, min(count, index + 1 + self.prefetch)):
            target = vdir / rendition.name / f"{nxt}.ts"
            if _present(target):
                continue
            start, length = segment_bounds(duration, nxt, self.segment_s)
            key = (vid, sig, rendition.name, nxt)
            wanted.append(_Job(key, src, rendition, nxt, start, length, target, meta, False))
        if not wanted:
            return
        with self._cond:
            if self._closed:
                return
            for job in reversed(wanted):
                if job.key in self._jobs:
                    continue
                self._jobs[job.key] = job
                self._queue.appendleft(job)  # newest position first; n+1 ends up at the front
            while len(self._queue) > self.prefetch_queue:
                stale = self._queue.pop()
                stale.state = "done"
                if self._jobs.get(stale.key) is stale:
                    del self._jobs[stale.key]
                stale.future.set_exception(_Retry())
            while len(self._workers) < self.prefetch_workers:
                worker = threading.Thread(target=self._worker, name="hls-prefetch", daemon=True)
                self._workers.append(worker)
                worker.start()
            self._cond.notify_all()

    def _worker(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job = self._queue.popleft()
                if job.state != "queued":
                    continue
                job.state = "running"
            self._execute(job, foreground=False, deadline=time.monotonic() + self.encode_timeout + 60)

    def _execute(self, job: _Job, *, foreground: bool, deadline: float) -> None:
        """Produce ``job.target`` and resolve ``job.future`` (never raises)."""
        result: Path | None = None
        error: BaseException | None = None
        try:
            result = self._produce(job, foreground=foreground, deadline=deadline)
        except _Retry as exc:
            error = exc
        except HlsError as exc:
            error = exc
            with self._lock:
                self.stats.failures += 1
            if foreground or job.foreground:
                log.warning("HLS segment %s failed: %s", job.key, exc)
        except Exception as exc:
            log.exception("HLS segment %s failed", job.key)
            error = HlsError(f"Could not encode the segment: {exc}")
        with self._cond:
            job.state = "done"
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]
            if result is not None and not foreground:
                self.stats.prefetched += 1
        if error is None:
            job.future.set_result(result)  # type: ignore[arg-type]
        else:
            job.future.set_exception(error)

    def _acquire_slot(self, job: _Job, *, foreground: bool, deadline: float) -> None:
        """Take one of ``max_encodes`` slots; foreground first, preempting a prefetch if need be."""
        with self._cond:
            self._waiting.add(job)
            try:
                while True:
                    if self._closed:
                        raise HlsError("The server is shutting down.", code="hls_unavailable", status=503)
                    urgent = foreground or job.foreground
                    if not urgent and job.preempted:
                        raise _Retry()
                    free = len(self._running) < self.max_encodes
                    if free and (urgent or not any(w.foreground for w in self._waiting if w is not job)):
                        self._running.add(job)
                        return
                    if urgent and not free:
                        victim = next((r for r in self._running if not r.foreground and not r.preempted), None)
                        if victim is not None:
                            victim.preempted = True
                            self.stats.preempted += 1
                            if victim.proc is not None and victim.proc.poll() is None:
                                victim.proc.kill()
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        if urgent:
                            raise HlsError("The encoder is busy; try again.", code="hls_busy", status=503)
                        raise _Retry()
                    self._cond.wait(min(remaining, 1.0))
            finally:
                self._waiting.discard(job)

    def _release_slot(self, job: _Job) -> None:
        with self._cond:
            self._running.discard(job)
            self._cond.notify_all()

    def _produce(self, job: _Job, *, foreground: bool, deadline: float) -> Path:
        vid = job.key[0]
        lock = self._lock_path("s", vid, job.rendition.name, job.index)
        with _flock(lock, blocking=foreground, deadline=deadline) as got:
            if not got:
                if foreground:
                    raise HlsError("Timed out waiting for another encoder.", code="hls_timeout", status=504)
                raise _Retry()  # another process is encoding it: nothing to prefetch
            if _present(job.target):
                return job.target
            self._acquire_slot(job, foreground=foreground, deadline=deadline)
            try:
                size = self._encode(job)
            finally:
                self._release_slot(job)
        self._account(size, keep=job.target)
        return job.target

    def _encode(self, job: _Job) -> int:
        vid, _, name, index = job.key
        with atomic_write(job.target) as tmp:
            cmd = segment_command(job.src, job.rendition, job.start, job.length, tmp, self.ffmpeg)
            with self._cond:
                if job.preempted and not job.foreground:
                    raise _Retry()
                niced = not job.foreground
                try:
                    proc = subprocess.Popen(
                        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                    )
                except OSError as exc:
                    raise HlsError(f"Could not start ffmpeg: {exc.strerror or exc}.", code="ffmpeg_missing") from None
                if niced:
                    _set_nice(proc.pid, PREFETCH_NICE)
                job.proc = proc
                self.stats.encodes += 1
                if len(self.encode_counts) >= _MAX_COUNTED:
                    self.encode_counts.clear()  # a test/diagnostic hook: don't grow forever
                self.encode_counts[(vid, name, index)] += 1
            try:
                _, err = proc.communicate(timeout=self.encode_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise HlsError(
                    f"Encoding segment {index} took longer than {self.encode_timeout:.0f}s.",
                    code="hls_timeout",
                    status=504,
                ) from None
            finally:
                with self._cond:
                    job.proc = None
            if proc.returncode != 0:
                if job.preempted and not job.foreground:
                    raise _Retry()
                tail = err.decode(errors="replace")[-_STDERR_TAIL:].strip()
                raise HlsError(f"ffmpeg failed on segment {index} (exit {proc.returncode}): {tail or 'no output'}")
            size = tmp.stat().st_size
            if size == 0:
                raise HlsError(f"ffmpeg wrote an empty segment {index}.", code="hls_empty_segment")
            if self._read_meta(job.target.parent.parent) != job.meta:
                with self._lock:
                    self._fresh.pop(vid, None)
                raise _Retry()  # the source changed while encoding: the folder was wiped
        return size

    # -- size bound --------------------------------------------------------------------------

    def _account(self, size: int, *, keep: Path) -> None:
        with self._lock:
            self._writes += 1
            if self._bytes is not None:
                self._bytes += size
            due = self._bytes is None or self._bytes > self.max_bytes or self._writes >= _RESCAN_EVERY
        if due:
            self.evict(keep=keep)

    def evict(self, *, keep: Path | None = None) -> int:
        """Rescan the cache and delete least recently used segments until it is under the bound.

        Returns the bytes the cache holds afterwards. Also removes orphaned temporary files and
        leftovers of wiped folders. Called after writes; safe to call any time.
        """
        with self._evict_lock:
            entries: list[tuple[int, int, Path]] = []
            total = 0
            now = time.time()
            if not self.root.exists():
                return 0
            for dirpath, dirnames, filenames in os.walk(self.root):
                if Path(dirpath) == self.root:
                    if ".trash" in dirnames:
                        for leftover in (self.root / ".trash").iterdir():
                            shutil.rmtree(leftover, ignore_errors=True)
                    dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for filename in filenames:
                    if not filename.endswith(".ts"):
                        continue
                    path = Path(dirpath) / filename
                    try:
                        st = path.stat()
                    except OSError:
                        continue
                    if filename.startswith("."):
                        if now - st.st_mtime > _STALE_TEMP_SECONDS:
                            with contextlib.suppress(OSError):
                                path.unlink()
                        continue
                    entries.append((st.st_mtime_ns, st.st_size, path))
                    total += st.st_size
            if total > self.max_bytes:
                goal = int(self.max_bytes * _EVICT_LOW_WATER)
                entries.sort(key=lambda e: e[0])
                for _mtime, size, path in entries:
                    if total <= goal:
                        break
                    if keep is not None and path == keep:
                        continue
                    try:
                        path.unlink()
                    except FileNotFoundError:
                        pass
                    except OSError:
                        continue
                    total -= size
                    with self._lock:
                        self.stats.evicted_files += 1
                        self.stats.evicted_bytes += size
            with self._lock:
                self._bytes = total
                self._writes = 0
            return total


_shared: dict[tuple[str, str], HlsCache] = {}
_shared_lock = threading.Lock()


def shared_cache(cache_dir: str | os.PathLike[str], ffmpeg: str = "ffmpeg", **options: Any) -> HlsCache:
    """The process-wide :class:`HlsCache` for ``(cache_dir, ffmpeg)``, created on first use.

    ``options`` (``max_bytes``, ``prefetch`` …) apply only when it is created. Routes call
    ``shared_cache(storage.cache_dir(), media.ffmpeg_bin()).segment(...)``.
    """
    key = (str(Path(cache_dir).resolve()), ffmpeg)
    with _shared_lock:
        cache = _shared.get(key)
        if cache is None or cache._closed:
            cache = _shared[key] = HlsCache(cache_dir, ffmpeg=ffmpeg, **options)
        return cache


# --------------------------------------------------------------------------------------------
# live transcode speed


def live_transcode_speed(
    height: int = 720,
    *,
    ffmpeg: str = "ffmpeg",
    seconds: float = SEGMENT_SECONDS,
    source: str | os.PathLike[str] | None = None,
    parallel: int = 1,
) -> float:
    """How many times faster than real time one HLS segment of ``height`` encodes here.

    Encodes ``seconds`` of ``source`` (default: a generated 1080p30 H.264 test pattern with light
    grain) with :func:`segment_command`; with ``parallel`` > 1 that many encodes run at once and the
    slowest counts. Takes a few seconds; raises :class:`HlsError` if ffmpeg fails.
    """
    rendition = next((r for r in renditions_for(1920, 1080) if r.height == height), None)
    if rendition is None:
        rendition = renditions_for(1920, 1080, max_height_live=height)[0]
    with tempfile.TemporaryDirectory(prefix="obscura-speed-") as tmp:
        src = Path(source) if source is not None else Path(tmp) / "src.mp4"
        if source is None:
            pattern = f"testsrc2=s=1920x1080:r=30:d={seconds},noise=alls=3:allf=t"
            gen = [
                ffmpeg,
                *["-hide_banner", "-nostdin", "-y", "-loglevel", "error"],
                *("-f", "lavfi", "-i", pattern, "-f", "lavfi", "-i", f"sine=f=440:d={seconds}"),
                *["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac", "-shortest"],
                str(src),
            ]
            done = subprocess.run(gen, capture_output=True, timeout=300, check=False)
            if done.returncode != 0:
                raise HlsError(f"ffmpeg could not make the test clip: {done.stderr.decode(errors='replace')[-500:]}")
        outs = [Path(tmp) / f"out{i}.ts" for i in range(parallel)]
        cmds = [segment_command(src, rendition, 0.0, seconds, out, ffmpeg) for out in outs]
        began = time.perf_counter()
        procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in cmds]
        errors = [p.communicate(timeout=ENCODE_TIMEOUT)[1] for p in procs]
        elapsed = time.perf_counter() - began
        if any(p.returncode for p in procs):
            raise HlsError(f"ffmpeg failed while measuring: {errors[0].decode(errors='replace')[-500:]}")
    return seconds / elapsed


@functools.cache
def recommended_max_height_live(ffmpeg: str = "ffmpeg") -> int:
    """1080 when this machine encodes 1080p segments ≥ :data:`LIVE_SPEED_THRESHOLD` × real time
    with two encodes running at once (one viewer plus prefetch), else 720. Measured once per
    process (a few seconds); falls back to :data:`DEFAULT_MAX_HEIGHT_LIVE` if ffmpeg fails."""
    try:
        speed = live_transcode_speed(1080, ffmpeg=ffmpeg, parallel=2)
    except (HlsError, OSError, subprocess.SubprocessError):
        return DEFAULT_MAX_HEIGHT_LIVE
    return 1080 if speed >= LIVE_SPEED_THRESHOLD else 720
