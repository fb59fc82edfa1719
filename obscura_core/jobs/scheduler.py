"""The periodic loop of ``obscura serve`` / ``obscura worker``.

Every tick: reconcile ``job_runs`` with Redis; when ``autoScanEnabled``, ask the media plugins
(``obscura_scan_roots``) to scan every enabled root once ``scanIntervalMinutes`` (min 5) have
passed; prune old finished runs; sweep the cache of half-written files when due
(:mod:`obscura_core.jobs.cachesweep`). Guarded by advisory locks, so any number of processes may
run it.

Between ticks it watches Redis once a second: a key it keeps there (:data:`REDIS_MARK_KEY`)
vanishes when Redis loses its data (FLUSHALL, a restart with nothing on disk), and then the
runs still waiting in PostgreSQL are handed to RQ again at once, not at the next tick.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select, text

from obscura_core.jobs.cachesweep import CacheSweeper
from obscura_core.jobs.feed import feed_all
from obscura_core.jobs.reconcile import prune_finished, reconcile
from obscura_core.runtime import Runtime
from plugin_sdk.models import LibraryRoot, LibrarySettings

log = logging.getLogger("obscura.scheduler")

AUTO_SCAN_LOCK_KEY = 7_351_003
LAST_AUTO_SCAN_KEY = "obscura:schedule:auto-scan:last"
MIN_SCAN_INTERVAL_MINUTES = 5
PRUNE_EVERY_S = 600
REDIS_MARK_KEY = "obscura:redis-mark"
WATCH_EVERY_S = 1.0
RECOVER_AGAIN_AFTER_S = 3.0
"""After a loss, recover once more when the reconciler's grace (2 s) has passed for runs that
changed just before it."""


def scan_roots(rt: Runtime, db, trigger: str, root_ids: list[str] | None = None) -> int:
    """Ask every plugin to enqueue its scan of the enabled roots (or the given ones)."""
    stmt = select(LibraryRoot).where(LibraryRoot.enabled.is_(True)).order_by(LibraryRoot.path)
    if root_ids is not None:
        stmt = stmt.where(LibraryRoot.id.in_(root_ids))
    roots = list(db.execute(stmt).scalars())
    if not roots:
        return 0
    counts = rt.hooks.answers("obscura_scan_roots", returns=int, savepoint=db, db=db, roots=roots, trigger=trigger)
    db.commit()
    return sum(count for _, count in counts)


def maybe_auto_scan(rt: Runtime, now: float | None = None) -> int:
    """Enqueue the periodic scan when it is enabled and due. Returns runs enqueued."""
    now = time.time() if now is None else now
    with rt.session() as db:
        if not db.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": AUTO_SCAN_LOCK_KEY}).scalar():
            return 0
        settings = LibrarySettings.get(db)
        if not settings.auto_scan_enabled:
            db.commit()
            return 0
        interval_s = 60 * max(MIN_SCAN_INTERVAL_MINUTES, settings.scan_interval_minutes)
        last = rt.redis.get(LAST_AUTO_SCAN_KEY)
        if last is not None and now - float(last) < interval_s:
            db.commit()
            return 0
        count = scan_roots(rt, db, "schedule")
        rt.redis.set(LAST_AUTO_SCAN_KEY, str(now))
        log.info("scheduled scan: %s runs enqueued", count)
        return count


class SchedulerThread(threading.Thread):
    """Runs :func:`tick` every ``settings.scheduler_tick_s`` seconds until stopped, and between
    ticks :meth:`watch_redis` every second."""

    def __init__(self, rt: Runtime) -> None:
        super().__init__(name="obscura-scheduler", daemon=True)
        self.rt = rt
        self._stop_event = threading.Event()
        self._last_prune = 0.0
        self._sweeper = CacheSweeper()
        self._marked = False
        self._recover_at: float | None = None
        self._watch_failing = False
        self._next_tick = 0.0

    def tick(self) -> None:
        reconcile(self.rt)
        feed_all(self.rt)
        maybe_auto_scan(self.rt)
        if time.monotonic() - self._last_prune > PRUNE_EVERY_S:
            prune_finished(self.rt)
            self._last_prune = time.monotonic()
        self._sweeper.maybe_sweep(self.rt)

    def watch_redis(self) -> bool:
        """Put the mark back if Redis lost it; then (not on the first look) hand the runs Redis
        lost back to RQ. True when it recovered."""
        lost = bool(self.rt.redis.set(REDIS_MARK_KEY, "1", nx=True))
        first, self._marked = not self._marked, True
        due = self._recover_at is not None and time.monotonic() >= self._recover_at
        if (not lost or first) and not due:
            return False
        if lost and not first:
            log.warning("Redis lost its data (restart or FLUSHALL): handing the waiting runs to RQ again")
            self._recover_at = time.monotonic() + RECOVER_AGAIN_AFTER_S
        else:
            self._recover_at = None
        reconcile(self.rt)
        feed_all(self.rt)
        return True

    def tick_soon(self, delay: float = RECOVER_AGAIN_AFTER_S) -> None:
        """Bring the next tick forward to ``delay`` seconds from now (a worker died: reconcile
        its runs once the reconciler's grace has passed, not at the next regular tick)."""
        self._next_tick = min(self._next_tick, time.monotonic() + delay)

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.watch_redis()
                self._watch_failing = False
            except Exception:
                if not self._watch_failing:  # once per outage, not every second
                    log.warning("cannot watch Redis", exc_info=True)
                self._watch_failing = True
            if time.monotonic() >= self._next_tick:
                self._next_tick = time.monotonic() + self.rt.settings.scheduler_tick_s
                try:
                    self.tick()
                except Exception:
                    log.exception("scheduler tick failed")
            self._stop_event.wait(max(0.0, min(WATCH_EVERY_S, self._next_tick - time.monotonic())))

    def stop(self) -> None:
        self._stop_event.set()
