"""What the rate-limit test runs in other processes (importable by ``multiprocessing``'s spawn)."""

from __future__ import annotations

from typing import Any


def call_me(url: str, key: str, redis_url: str, bucket: str, per_minute: int, calls: int, out: Any) -> None:
    """Ask the fake stash-box ``me`` ``calls`` times behind the shared Redis bucket ``bucket``."""
    from redis import Redis

    from plugins_builtin.stashbox.client import EndpointConfig, StashBoxClient
    from plugins_builtin.stashbox.ratelimit import RedisTokenBucket

    limiter = RedisTokenBucket(Redis.from_url(redis_url), bucket, per_minute)
    client = StashBoxClient(EndpointConfig("e1", "Fake box", url, key), limiter=limiter)
    out.put(sum(client.me() == "tester" for _ in range(calls)))
