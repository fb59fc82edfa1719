"""Sweeping the cache of temporaries whose writer died (``plugin_sdk.storage.sweep_temporaries``).

A write that is retried sweeps its own folder first; what no retry rewrites (a cancelled run, a
run out of attempts, a killed web request) is found by walking the whole cache. That walk runs in
the scheduler's thread: on its first tick, whenever something on this machine died mid-job (a
work horse or worker killed, a run the reconciler found dead — they ask for it through a Redis
flag of this machine) but at most once a minute, and otherwise every few hours.
"""

from __future__ import annotations

import logging
import time

from redis import Redis

from obscura_core.runtime import Runtime
from plugin_sdk.processes import host_tag
from plugin_sdk.storage import sweep_temporaries

log = logging.getLogger("obscura.scheduler")

SWEEP_EVERY_S = 6 * 3600
MIN_GAP_S = 60.0
REQUEST_KEY = "obscura:cache-sweep:{host}"


def request_cache_sweep(redis: Redis) -> None:
    """Ask this machine's scheduler to sweep the cache soon (something died mid-write)."""
    try:
        redis.set(REQUEST_KEY.format(host=host_tag()), 1, ex=24 * 3600)
    except Exception:  # Redis down: the periodic sweep comes anyway
        log.debug("could not ask for a cache sweep", exc_info=True)


class CacheSweeper:
    """Decides, on every scheduler tick, whether the cache is walked now."""

    def __init__(self) -> None:
        self._last: float | None = None

    def maybe_sweep(self, rt: Runtime) -> int | None:
        """Sweep when due or asked for; the number removed, or ``None`` when it did not run."""
        now = time.monotonic()
        if self._last is not None and now - self._last < MIN_GAP_S:
            return None
        asked = bool(rt.redis.delete(REQUEST_KEY.format(host=host_tag())))
        if self._last is not None and not asked and now - self._last < SWEEP_EVERY_S:
            return None
        self._last = now
        started = time.monotonic()
        removed = sweep_temporaries(rt.settings.cache_dir, recursive=True)
        if removed:
            log.info(
                "removed %s half-written file(s) left by stopped writers from the cache (%.1fs)",
                removed,
                time.monotonic() - started,
            )
        return removed
