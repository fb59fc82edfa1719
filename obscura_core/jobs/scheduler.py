"""The periodic loop of ``obscura serve`` / ``obscura worker``.

Every tick: reconcile ``job_runs`` with Redis; when ``autoScanEnabled``, ask the media plugins
(``obscura_scan_roots``) to scan every enabled root once ``scanIntervalMinutes`` (min 5) have
passed; prune old finished runs. Guarded by advisory locks, so any number of processes may run it.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select, text

from obscura_core.jobs.feed import feed_all
from obscura_core.jobs.reconcile import prune_finished, reconcile
from obscura_core.runtime import Runtime
from plugin_sdk.models import LibraryRoot, LibrarySettings

log = logging.getLogger("obscura.scheduler")

AUTO_SCAN_LOCK_KEY = 7_351_003
LAST_AUTO_SCAN_KEY = "obscura:schedule:auto-scan:last"
MIN_SCAN_INTERVAL_MINUTES = 5
PRUNE_EVERY_S = 600


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
    """Runs :func:`tick` every ``settings.scheduler_tick_s`` seconds until stopped."""

    def __init__(self, rt: Runtime) -> None:
        super().__init__(name="obscura-scheduler", daemon=True)
        self.rt = rt
        self._stop_event = threading.Event()
        self._last_prune = 0.0

    def tick(self) -> None:
        reconcile(self.rt)
        feed_all(self.rt)
        maybe_auto_scan(self.rt)
        if time.monotonic() - self._last_prune > PRUNE_EVERY_S:
            prune_finished(self.rt)
            self._last_prune = time.monotonic()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            self._stop_event.wait(self.rt.settings.scheduler_tick_s)

    def stop(self) -> None:
        self._stop_event.set()
