"""On-demand HLS: rendition ladder, playlists, and a per-process cache of 6 s MPEG-TS segments.

Public paths (the route's): ``/api/video-stream/<id>/hls/master.m3u8`` → :func:`~.hls_playlists.master_playlist`,
``/hls/<height>p.m3u8`` → :func:`~.hls_playlists.variant_playlist`, ``/hls/<height>p/<n>.ts`` →
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
* **freshness** and **bounded size** — the on-disk rules, kept by :class:`~.hls_cache.HlsSegmentStore`
  (its module docstring has them);
* **timestamps** — segment *i* starts at PTS 6·i, except that x264's B-frame delay makes the muxer
  shift segment 0 by up to two frames (as in the reference); players absorb it;
* **errors** — a bad rendition or segment index raises :class:`HlsNotFoundError` (a ``ValueError``
  and a 404 ``NotFoundError``); ffmpeg failures, empty output and the encode timeout
  (``encode_timeout``, 120 s) raise :class:`HlsError` (5xx, ``status`` on the instance).

Where the rest lives: the ladder, segment arithmetic and playlist text in :mod:`.hls_playlists`;
the segment folders, ``meta.json`` freshness and LRU eviction in :mod:`.hls_cache`; the ffmpeg argv
of one segment, the encode timeout and the live-transcode speed measurement (which sets
:data:`~.hls_encode.DEFAULT_MAX_HEIGHT_LIVE`) in :mod:`.hls_encode`; the errors in
:mod:`.hls_errors`. This module runs the encodes: :class:`HlsCache` and :func:`shared_cache`.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import subprocess
import threading
import time
from collections import Counter, deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from plugin_sdk.storage import atomic_write

from .hls_cache import (
    DEFAULT_MAX_BYTES,
    HlsSegmentStore,
    SourceSignature,
    _flock,
    _present,
    _touch_if_present,
)
from .hls_encode import ENCODE_TIMEOUT, segment_command
from .hls_errors import HlsError, HlsNotFoundError
from .hls_playlists import SEGMENT_SECONDS, Rendition, segment_bounds, segment_count

__all__ = [
    "PREFETCH_NICE",
    "HlsCache",
    "shared_cache",
]

log = logging.getLogger(__name__)

#: Nice value of prefetch encodes (foreground encodes run at the server's own priority).
PREFETCH_NICE: Final[int] = 10
_STDERR_TAIL: Final[int] = 1500
_MAX_COUNTED: Final[int] = 10_000


class _Retry(Exception):
    """Internal: the job was dropped (preempted, skipped, source changed); ask again."""


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


def _set_nice(pid: int, value: int) -> None:
    """Set the nice value of every thread of ``pid`` (Linux nice is per thread); best effort."""
    try:
        tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        tids = [pid]
    for tid in tids:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, tid, value)


class HlsCache(HlsSegmentStore):
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
        super().__init__(cache_dir, max_bytes=max_bytes, segment_s=segment_s)
        self.ffmpeg = ffmpeg
        self.encode_timeout = float(encode_timeout)
        self.max_encodes = max_encodes
        self.prefetch = max(0, prefetch)
        self.prefetch_workers = max(1, min(prefetch_workers, max_encodes))
        self.prefetch_queue = max(1, prefetch_queue)
        #: ffmpeg runs per ``(video_id, rendition name, index)`` — a test hook (reset at 10 000 keys).
        self.encode_counts: Counter[tuple[str, str, int]] = Counter()
        self._cond = threading.Condition(self._lock)
        self._jobs: dict[_Key, _Job] = {}
        self._queue: deque[_Job] = deque()
        self._running: set[_Job] = set()
        self._waiting: set[_Job] = set()
        self._workers: list[threading.Thread] = []
        self._closed = False
        atexit.register(self.close)

    # -- public ------------------------------------------------------------------------------

    @property
    def encodes(self) -> int:
        """How many ffmpeg segment encodes this cache started (foreground + prefetch)."""
        return self.stats.encodes

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
