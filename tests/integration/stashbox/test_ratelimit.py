"""The token bucket per endpoint in Redis: N + k requests at N a minute take the time the k need
to refill, and two processes sharing the bucket together hold the rate."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from plugins_builtin.stashbox.ratelimit import LocalTokenBucket, RedisTokenBucket, burst_for
from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox import workers
from tests.integration.stashbox.conftest import KEY

pytestmark = pytest.mark.integration

PER_MINUTE = 600  # 10 a second: seconds of test instead of minutes
RATE = PER_MINUTE / 60


@pytest.fixture
def redis_url(obscura_service_urls: tuple[str, str]) -> str:
    return obscura_service_urls[1]


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    yield connection
    connection.close()


def _bucket_key() -> str:
    return f"obscura:stashbox:bucket:test-{uuid.uuid4()}"


def test_n_plus_k_requests_wait_for_k_tokens(redis: Redis) -> None:
    bucket = RedisTokenBucket(redis, _bucket_key(), PER_MINUTE)
    assert bucket.burst == burst_for(PER_MINUTE) == 10
    extra = 15
    start = time.monotonic()
    waits = [bucket.acquire() for _ in range(bucket.burst + extra)]
    elapsed = time.monotonic() - start
    assert waits[: bucket.burst - 1] == [0.0] * (bucket.burst - 1), "a full bucket answers at once"
    expected = extra / RATE  # 1.5 s
    assert expected - 0.05 <= elapsed <= expected + 1.5, elapsed  # the upper bound only catches a stuck bucket
    assert redis.ttl(bucket.key) > 0, "the bucket expires once idle"


def test_the_bucket_refills_while_idle(redis: Redis) -> None:
    bucket = RedisTokenBucket(redis, _bucket_key(), PER_MINUTE)
    for _ in range(bucket.burst):
        bucket.reserve()
    assert bucket.reserve() == pytest.approx(1 / RATE, abs=0.02), "in debt: wait for one token"
    time.sleep(0.5)
    assert bucket.reserve() == 0.0


def test_two_processes_share_one_bucket(redis_url: str) -> None:
    per_process, key = 20, _bucket_key()
    context = multiprocessing.get_context("spawn")
    out: Any = context.Queue()
    with FakeStashBox(api_key=KEY) as box:
        procs = [context.Process(target=workers.call_me, args=(box.url, KEY, redis_url, key, PER_MINUTE,
                                                                per_process, out)) for _ in range(2)]  # fmt: skip
        for proc in procs:
            proc.start()
        done = [out.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(timeout=30)
        times = sorted(call.at for call in box.calls("Me"))
    assert done == [per_process, per_process] and len(times) == 2 * per_process
    burst = burst_for(PER_MINUTE)
    floor = (2 * per_process - burst) / RATE  # 3.0 s; each process alone would need 1.0 s
    assert times[-1] - times[0] >= floor - 0.15, times[-1] - times[0]
    for i, first in enumerate(times):  # no one-second window holds more than the bucket allows
        in_window = sum(1 for t in times[i:] if t - first < 1.0)
        assert in_window <= burst + RATE + 1, (i, in_window)


def test_without_redis_a_local_bucket_holds_the_rate_in_process() -> None:
    bucket = LocalTokenBucket(PER_MINUTE)
    start = time.monotonic()
    for _ in range(bucket.burst + 5):
        bucket.acquire()
    assert 0.45 <= time.monotonic() - start <= 2.0


def test_a_redis_outage_falls_back_to_this_process(redis: Redis) -> None:
    broken = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    bucket = RedisTokenBucket(broken, _bucket_key(), PER_MINUTE)
    start = time.monotonic()
    for _ in range(bucket.burst + 3):
        bucket.acquire()
    assert 0.25 <= time.monotonic() - start <= 3.0
