"""Cross-process concurrency limits: N PostgreSQL advisory locks per queue.

A job may run only while it holds one of ``concurrency × background_worker_concurrency`` slots
of its queue. Slots are session-level advisory locks on a dedicated connection, so they are
released when the job ends or its process dies. Workers look at the held slots
(:func:`saturated`) before they take a job, so they pass over queues that are full.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy import text

from obscura_core.settings import Settings
from plugin_sdk.models import LibrarySettings

if TYPE_CHECKING:
    from obscura_core.runtime import Runtime


def _queue_key(queue: str) -> int:
    value = zlib.crc32(f"obscura:queue:{queue}".encode())
    return value - 2**32 if value >= 2**31 else value


def _libpq_url(settings: Settings) -> str:
    url = settings.sqlalchemy_url
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Slot:
    """A held slot; ``release()`` (or closing) frees it."""

    def __init__(self, conn: psycopg.Connection, index: int) -> None:
        self._conn = conn
        self.index = index

    def release(self) -> None:
        if not self._conn.closed:
            self._conn.close()


def acquire(settings: Settings, queue: str, limit: int) -> Slot | None:
    """Take a free slot of ``queue`` or return ``None`` when all ``limit`` are taken."""
    conn = psycopg.connect(_libpq_url(settings), autocommit=True)
    key = _queue_key(queue)
    try:
        for index in range(limit):
            got = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (key, index)).fetchone()
            if got and got[0]:
                return Slot(conn, index)
    except Exception:
        conn.close()
        raise
    conn.close()
    return None


_HELD = text(
    """
    SELECT classid::bigint, count(*) FROM pg_locks
    WHERE locktype = 'advisory' AND objsubid = 2 AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    GROUP BY classid
    """
)


def saturated(rt: Runtime, queues: Iterable[str]) -> set[str]:
    """The ``queues`` whose slots are all taken right now (by any worker process): a worker does
    not take their jobs until one is free, and takes other queues' work meanwhile."""
    with rt.session() as db:
        bwc = LibrarySettings.get(db).background_worker_concurrency
        held = {int(key): int(count) for key, count in db.execute(_HELD)}
        db.commit()
    full = set()
    for name in queues:
        qd = rt.registry.queues.get(name)
        if qd is not None and held.get(_queue_key(name) & 0xFFFFFFFF, 0) >= qd.concurrency * bwc:
            full.add(name)
    return full
