"""A token bucket per StashBox endpoint, held in Redis so every web and worker process shares it.

Each request first *reserves* a token with one atomic Lua script: the bucket refills at
``per_minute / 60`` tokens a second up to ``burst`` tokens (one second's worth, at least one),
and a reservation may leave it in debt; the caller then sleeps the time the debt takes to
refill. Reservations are served in order, so N processes together never exceed the rate, and
the clock is Redis's own (``TIME``), so the processes' clocks do not matter.

Redis is the app's own (``plugin_sdk.state``). Without any Redis, a bucket held in this process
stands in (with a warning): the limit then holds per process only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

logger = logging.getLogger("obscura.stashbox")

KEY = "obscura:stashbox:bucket:{}"
"""The Redis key of an endpoint's bucket (by endpoint id)."""

_RESERVE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate) - 1
local wait = 0
if tokens < 0 then
  wait = -tokens / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((wait + burst / rate) * 1000) + 1000)
return string.format('%.6f', wait)
"""


class Limiter(Protocol):
    """What the client needs of a rate limiter: wait until one request may go."""

    def acquire(self) -> float: ...


def burst_for(per_minute: int) -> int:
    """The bucket's size for a rate: one second's worth of requests, at least one."""
    return max(1, per_minute // 60)


class RedisTokenBucket:
    """The shared bucket of one endpoint (``key``), refilled at ``per_minute``.

    :param sleep: how to wait (tests pass a fake clock's).
    """

    def __init__(
        self,
        redis: Any,
        key: str,
        per_minute: int,
        *,
        burst: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.redis, self.key, self.per_minute = redis, key, per_minute
        self.burst = burst if burst is not None else burst_for(per_minute)
        self.sleep = sleep
        self._script = redis.register_script(_RESERVE)

    def reserve(self) -> float:
        """Take a token now; the seconds to wait before using it (0 when one was there)."""
        return float(self._script(keys=[self.key], args=[self.per_minute / 60.0, self.burst]))

    def acquire(self) -> float:
        """Wait until a request may go; returns the seconds waited. While Redis cannot be reached,
        this process's own bucket stands in (a warning is logged)."""
        from redis.exceptions import RedisError

        try:
            wait = self.reserve()
        except RedisError as exc:
            logger.warning("StashBox rate limit: Redis failed (%s); limiting in this process only", exc)
            wait = _local_bucket(self.key, self.per_minute).reserve()
        if wait > 0:
            self.sleep(wait)
        return wait


class LocalTokenBucket:
    """The same bucket held in this process (no Redis): the limit holds per process only."""

    def __init__(self, per_minute: int, *, burst: int | None = None, sleep: Callable[[float], None] = time.sleep):
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.rate = per_minute / 60.0
        self.burst = burst if burst is not None else burst_for(per_minute)
        self.tokens, self.ts = float(self.burst), time.monotonic()
        self.sleep = sleep
        self._lock = threading.Lock()

    def reserve(self) -> float:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.ts) * self.rate) - 1
            self.ts = now
            return -self.tokens / self.rate if self.tokens < 0 else 0.0

    def acquire(self) -> float:
        wait = self.reserve()
        if wait > 0:
            self.sleep(wait)
        return wait


# ---- where Redis comes from -------------------------------------------------------------------

_local: dict[tuple[str, int], LocalTokenBucket] = {}
_guard = threading.Lock()


def redis_connection() -> Any | None:
    """The app's Redis (``plugin_sdk.state``), or ``None`` when the process has none."""
    from plugin_sdk.state import redis_client

    try:
        return redis_client()
    except RuntimeError:
        return None


def _local_bucket(key: str, per_minute: int) -> LocalTokenBucket:
    """This process's stand-in bucket for ``key`` at that rate."""
    with _guard:
        if (key, per_minute) not in _local:
            _local[(key, per_minute)] = LocalTokenBucket(per_minute)
        return _local[(key, per_minute)]


def bucket_for(endpoint_id: str, per_minute: int) -> Limiter:
    """The bucket of an endpoint: shared in Redis, or this process's own when there is no Redis."""
    redis = redis_connection()
    if redis is not None:
        return RedisTokenBucket(redis, KEY.format(endpoint_id), per_minute)
    logger.warning("no Redis configured: the StashBox rate limit holds in this process only")
    return _local_bucket(KEY.format(endpoint_id), per_minute)
