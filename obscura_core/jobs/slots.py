"""Cross-process concurrency limits: N PostgreSQL advisory locks per queue.

A job may run only while it holds one of ``concurrency × background_worker_concurrency`` slots
of its queue. Slots are session-level advisory locks on a dedicated connection, so they are
released when the job ends or its process dies.
"""

from __future__ import annotations

import zlib

import psycopg

from obscura_core.settings import Settings


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
