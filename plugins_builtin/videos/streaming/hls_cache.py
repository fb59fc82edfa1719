"""The on-disk side of the HLS segment cache: where segments live
(``<cache>/hls/<shard>/<video_id>/<height>p/<n>.ts``), the ``meta.json`` that ties a video's
folder to its source (:class:`SourceSignature`), the ``flock`` lock files that let processes share
the cache, and the LRU size bound with its eviction. :class:`HlsSegmentStore` holds that state;
:class:`.hls.HlsCache` builds on it and adds the encoding.

What it guarantees (of :class:`.hls.HlsCache`, which inherits it):

* **freshness** — ``<cache>/hls/<shard>/<video_id>/meta.json`` records the source path, size and
  mtime (plus the segment length, duration and :data:`CACHE_VERSION`); when they differ the whole
  video folder is renamed away and deleted before use;
* **bounded size** — every hit touches the segment's mtime; after writes push the tracked total
  over ``max_bytes`` (default 5 GiB), the least recently used segments of all videos are deleted
  until the total is under 90 % of it (the cache is rescanned, so other processes' segments count).
  The segment being returned is never the one evicted, but a concurrent request's could be (the
  route then answers 404/500 once; a retry re-encodes it);
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NamedTuple

from plugin_sdk.storage import atomic_write, shard

from .hls_errors import HlsError, HlsNotFoundError
from .hls_playlists import SEGMENT_SECONDS, Rendition

__all__ = [
    "CACHE_VERSION",
    "DEFAULT_MAX_BYTES",
    "HlsSegmentStore",
    "HlsStats",
    "SourceSignature",
]

log = logging.getLogger(__name__)

#: Default bound of the whole HLS cache.
DEFAULT_MAX_BYTES: Final[int] = 5 * 1024**3
#: Bumped whenever the encode arguments change: older cached segments are wiped on next use.
CACHE_VERSION: Final[int] = 1
_LOCK_STRIPES: Final[int] = 1024
_EVICT_LOW_WATER: Final[float] = 0.9
_RESCAN_EVERY: Final[int] = 64
_STALE_TEMP_SECONDS: Final[float] = 3600.0
_ID_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


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
    """Counters of one :class:`.hls.HlsCache` (read them, don't write them)."""

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


class HlsSegmentStore:
    """The segment folders of one cache root: freshness against the source, lock files and the size
    bound. The base of :class:`.hls.HlsCache`, which adds the encoding (see the module docstring).

    ``cache_dir`` is the application cache root; segments go to ``<cache_dir>/hls/<shard>/<id>/``.
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str],
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        segment_s: float = SEGMENT_SECONDS,
    ) -> None:
        self.root = Path(cache_dir) / "hls"
        self.max_bytes = int(max_bytes)
        self.segment_s = float(segment_s)
        self.stats = HlsStats()
        self._lock = threading.Lock()
        self._fresh: dict[str, tuple[object, ...]] = {}
        self._bytes: int | None = None
        self._writes = 0
        self._evict_lock = threading.Lock()

    def video_dir(self, video_id: str | int) -> Path:
        """``<cache>/hls/<shard>/<video_id>/``."""
        vid = self._check_id(video_id)
        return self.root / shard(vid) / vid

    def segment_path(self, video_id: str | int, rendition: Rendition, index: int) -> Path:
        """Where segment ``index`` of ``rendition`` is (or will be) cached."""
        return self.video_dir(video_id) / rendition.name / f"{index}.ts"

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
