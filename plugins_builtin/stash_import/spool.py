"""Records waiting to be handed over, read back in path order.

Stash numbers scenes in the order it found them, so one batch of a thousand scene ids can touch
files in hundreds of folders; the videos importer places each file with its siblings, so it is
much faster when a batch holds whole folders. The records a run must hand over are written here
(a temporary SQLite file, pickled) while the database is read in id order, then read back sorted
by path: memory stays flat whatever the library's size, and a re-run, which hands over nothing,
writes nothing here.
"""

from __future__ import annotations

import heapq
import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any


class PathSpool:
    """``add((path, item), …)`` then ``sorted_batches(n)``: the items by path, in batches.

    ``PathSpool(at)`` keeps its file at ``at``, a :meth:`part` of another spool, for a process
    forked to fill it; that spool's :meth:`sorted_batches` reads its parts too, merged by path."""

    def __init__(self, at: Path | None = None) -> None:
        self._own = at is None
        self._dir = Path(tempfile.mkdtemp(prefix="obscura-stash-spool-")) if at is None else at.parent
        self._parts: list[Path] = []
        self._conn = sqlite3.connect(at or self._dir / "spool.sqlite")
        self._conn.execute("PRAGMA journal_mode=OFF")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("CREATE TABLE spool (seq INTEGER PRIMARY KEY, path TEXT NOT NULL, item BLOB NOT NULL)")

    def add(self, items: list[tuple[str, Any]]) -> None:
        if not items:
            return
        self._conn.executemany(
            "INSERT INTO spool (path, item) VALUES (?, ?)",
            [(path, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)) for path, item in items],
        )

    def finish(self) -> None:
        """Commit and close (a part filled by a forked process, read back by its spool)."""
        self._conn.commit()
        self._conn.close()

    def part(self, name: str) -> Path:
        """Where a forked process's :class:`PathSpool` ``name`` is to live (read back here)."""
        path = self._dir / f"{name}.sqlite"
        self._parts.append(path)
        return path

    def sorted_batches(self, size: int) -> Iterator[list[Any]]:
        sources = [self._conn.execute("SELECT path, seq, item FROM spool ORDER BY path, seq")]
        for path in self._parts:
            if path.exists():
                name = f"part{len(sources)}"
                self._conn.execute(f"ATTACH DATABASE ? AS {name}", (str(path),))
                sources.append(self._conn.execute(f"SELECT path, seq, item FROM {name}.spool ORDER BY path, seq"))
        rows = heapq.merge(*sources) if len(sources) > 1 else sources[0]
        while batch := list(islice(rows, size)):
            yield [pickle.loads(r[2]) for r in batch]

    def close(self) -> None:
        self._conn.close()
        if self._own:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> PathSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
