"""Records waiting to be handed over, read back in path order.

Stash numbers scenes in the order it found them, so one batch of a thousand scene ids can touch
files in hundreds of folders; the videos importer places each file with its siblings, so it is
much faster when a batch holds whole folders. The records a run must hand over are written here
(a temporary SQLite file, pickled) while the database is read in id order, then read back sorted
by path: memory stays flat whatever the library's size, and a re-run, which hands over nothing,
writes nothing here.
"""

from __future__ import annotations

import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class PathSpool:
    """``add((path, item), …)`` then ``sorted_batches(n)``: the items by path, in batches."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="obscura-stash-spool-"))
        self._conn = sqlite3.connect(self._dir / "spool.sqlite")
        self._conn.execute("PRAGMA journal_mode=OFF")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("CREATE TABLE spool (seq INTEGER PRIMARY KEY, path TEXT NOT NULL, item BLOB NOT NULL)")
        self.count = 0

    def add(self, items: list[tuple[str, Any]]) -> None:
        if not items:
            return
        self._conn.executemany(
            "INSERT INTO spool (path, item) VALUES (?, ?)",
            [(path, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)) for path, item in items],
        )
        self.count += len(items)

    def sorted_batches(self, size: int) -> Iterator[list[Any]]:
        if not self.count:
            return
        cursor = self._conn.execute("SELECT item FROM spool ORDER BY path, seq")
        while rows := cursor.fetchmany(size):
            yield [pickle.loads(r[0]) for r in rows]

    def close(self) -> None:
        self._conn.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> PathSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
