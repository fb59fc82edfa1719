"""Read Stash's SQLite database (``stash-go.sqlite``) without ever changing it.

:func:`open_stash_db` checks the file and returns a :class:`StashReader`:

* The original file is only ever opened with ``file:...?mode=ro``. When the database is in
  WAL mode (Stash always runs it so) or has a ``-wal``/``-journal`` file beside it, the
  database and its ``-wal`` are first copied to a private temporary directory and the
  *copy* is opened, so SQLite's WAL recovery happens on the copy and committed rows still
  in Stash's ``-wal`` are read. The ``-shm`` is not copied (SQLite rebuilds it from the WAL).
* A rollback-journal database that another connection holds an exclusive lock on (a write
  in progress) cannot be read consistently, and a copy of it could be torn: after
  ``timeout`` seconds :class:`StashDBLockedError` (409) says so. WAL databases are never
  blocked by Stash's writers.
* Schema versions 60–75 are read (75 = Stash v0.30). The iterators yield one shape for
  every version, the shape Stash's own migrations would give the data at 75: ``urls``
  lists (``performers.url/twitter/instagram`` before 62, ``studios.url`` before 73),
  groups from ``movies`` before 65, ``updated_at`` of stash ids ``1970-01-01`` before 69,
  ``date_precision`` 0 for a set date before 75.
* Rows come in batches (``fetchmany``) with their related rows fetched per batch, so a
  library of 100,000 scenes is never held in memory at once. A batch is converted a column
  at a time from plain tuples, with the garbage collector paused while it is built (see
  "column helpers" and :meth:`StashReader._files`): about half the time of converting row
  by row, with exactly the same values (``tests/unit/stash_import/test_reader_speed_equivalence.py``).
* phash fingerprints (signed int64 in Stash) come out as 16 lowercase hex digits, like
  ``videos.phash`` (:func:`plugin_sdk.hashing.phash_to_hex`).

Errors are :class:`StashDBError` subclasses (``ValidationError``, 400; locked: 409) whose
message names the file and the problem.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections import defaultdict
from collections.abc import Generator, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from plugin_sdk.errors import ValidationError
from plugin_sdk.hashing import hex_to_phash, phash_to_hex

__all__ = [
    "MAX_SCHEMA_VERSION",
    "MIN_SCHEMA_VERSION",
    "NotSQLiteError",
    "NotStashDBError",
    "StashDBError",
    "StashDBLockedError",
    "StashDBNotFoundError",
    "StashReader",
    "UnsupportedStashVersionError",
    "open_stash_db",
    "parse_stash_time",
    "phash_from_stash",
]

MIN_SCHEMA_VERSION = 60
MAX_SCHEMA_VERSION = 75

_SQLITE_MAGIC = b"SQLite format 3\x00"
_EPOCH_STASH_ID = datetime(1970, 1, 1, tzinfo=UTC)


# --------------------------------------------------------------------------- errors


class StashDBError(ValidationError):
    """The file given cannot be read as a Stash database (400)."""

    code = "stash_db_invalid"


class StashDBNotFoundError(StashDBError):
    """No file at that path."""

    code = "stash_db_not_found"


class NotSQLiteError(StashDBError):
    """The file is not an SQLite database."""

    code = "stash_db_not_sqlite"


class NotStashDBError(StashDBError):
    """An SQLite database, but not Stash's (no ``schema_migrations`` / ``scenes``)."""

    code = "stash_db_not_stash"


class UnsupportedStashVersionError(StashDBError):
    """Stash's schema version is outside the range this reader knows."""

    code = "stash_db_unsupported_version"

    def __init__(self, message: str, *, version: int) -> None:
        super().__init__(message)
        self.version = version


class StashDBLockedError(StashDBError):
    """Another process holds a lock that keeps the database from being read (409)."""

    status = 409
    code = "stash_db_locked"


# --------------------------------------------------------------------------- value helpers


def phash_from_stash(value: Any) -> str | None:
    """A phash as Stash stores it (signed int64; hex text in odd rows) -> 16 lowercase hex digits."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str):
        return phash_to_hex(hex_to_phash(value))
    return phash_to_hex(int(value))


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def parse_stash_time(value: Any) -> datetime | None:
    """Parse a Stash timestamp (RFC 3339, or go-sqlite3's ``2006-01-02 15:04:05.999999999-07:00``).

    Returns an aware ``datetime`` (naive text is taken as UTC); ``None`` for NULL or text
    that is not a time.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return _parse_time_text(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return _parse_time_text(_text(value))


@lru_cache(maxsize=4096)
def _parse_time_text(value: str) -> datetime | None:
    try:  # the common case: RFC 3339 / ISO text with up to 6 fractional digits
        ts = datetime.fromisoformat(value)
    except ValueError:
        ts = _parse_time_slow(value)
        if ts is None:
            return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _parse_time_slow(value: str) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = text.replace("T", " ", 1)
    # Go writes up to 9 fractional digits; Python takes 6
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        i = 0
        while i < len(rest) and rest[i].isdigit():
            digits += rest[i]
            i += 1
        text = f"{head}.{(digits + '000000')[:6]}{rest[i:].strip()}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _join_path(folder: str | None, basename: str) -> str:
    if not folder:
        return basename
    sep = "\\" if "\\" in folder and "/" not in folder else "/"
    return folder.rstrip(sep) + sep + basename


def _paths(folders: Sequence[Any], basenames: Sequence[Any]) -> list[Any]:
    """:func:`_join_path` over two columns, working out each folder's prefix once."""
    prefixes = {f: _join_path(f, "") for f in set(folders)}
    try:
        return [prefixes[f] + b for f, b in zip(folders, basenames, strict=True)]
    except TypeError:  # a basename that is not text: exactly as _join_path does it
        return list(map(_join_path, folders, basenames))


def _legacy_social_url(value: str | None, prefix: str) -> str | None:
    """Migration 62's rule: a value ``LIKE 'http%://%'`` is kept, else ``prefix + value``."""
    if not value:
        return None
    if value.lower().startswith("http") and "://" in value[4:]:
        return value
    return prefix + value


def _precision(stored: Any, date: Any) -> int | None:
    if stored is not None:
        return int(stored)
    return 0 if date else None


# --------------------------------------------------------------------------- column helpers
#
# The iterators read plain tuples (no ``sqlite3.Row``) and convert a batch one *column* at a
# time with C built-ins: a column without ``bytes`` in it (the usual case) is not touched by
# ``_text``, a column of ISO timestamps (what Stash writes) goes through one
# ``map(datetime.fromisoformat, ...)``. Anything else falls back to the per-value helpers
# above, lazily (a ``map`` that ``zip`` pulls row by row), so values and errors are exactly
# those of converting value by value.

_fromisoformat = datetime.fromisoformat
_tzinfo = attrgetter("tzinfo")
_NO_FINGERPRINTS: dict[str, Any] = {"md5": None, "oshash": None, "phash": None}
_NO_ROWS: dict[Any, Any] = {}  # a shared, never-mutated default for ``dict.get``
_OWNER, _PRIMARY, _FILE_ID = itemgetter(0), itemgetter(1), itemgetter(2)  # of a files row
_VALUE = itemgetter(1)  # of an (owner, value) row
_MASK64 = (1 << 64) - 1

# a file's keys before its media columns and fingerprints
_FILE_KEYS = ("id", "path", "basename", "folder_path", "parent_folder_id", "zip_file_id", "zip_path", "size",
              "mod_time", "created_at", "updated_at", "primary")  # fmt: skip
# media kind -> (table, columns) joined to a file
_MEDIA_COLUMNS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "video": ("video_files", ("duration", "video_codec", "audio_codec", "format", "width", "height", "frame_rate",
                              "bit_rate", "interactive", "interactive_speed")),
    "image": ("image_files", ("format", "width", "height")),
    "none": (None, ()),
}  # fmt: skip


def _texts(col: Sequence[Any]) -> Sequence[Any]:
    """:func:`_text` over a column: the column itself when it holds no ``bytes``."""
    return list(map(_text, col)) if bytes in {*map(type, col)} else col


def _times(col: Sequence[Any]) -> Iterable[datetime | None]:
    """:func:`parse_stash_time` over a column.

    A list when every value is ISO text; otherwise a lazy ``map`` of
    :func:`parse_stash_time`, so an unparseable value raises only when its row is built.
    """
    try:
        out = list(map(_fromisoformat, col))
    except Exception:  # NULL, bytes, a number, Go's other forms: value by value
        return map(parse_stash_time, col)
    if None in map(_tzinfo, out):  # naive text is UTC
        return [t if t.tzinfo else t.replace(tzinfo=UTC) for t in out]
    return out


def _group(rows: Iterable[tuple[Any, Any]]) -> dict[Any, list[Any]]:
    """``owner -> [values]`` of (owner, value) rows, keeping the row order."""
    out: dict[Any, list[Any]] = defaultdict(list)
    for k, v in rows:
        out[k].append(v)
    return out


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if it runs) for the ``with`` block."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _LazyTimes(dict[Any, list[Any]]):
    """``owner -> [raw time values]`` parsed on :meth:`get`, so a bad value raises at its row."""

    def get(self, key: Any, default: Any = None) -> Any:  # type: ignore[override]
        values = dict.get(self, key)
        return default if values is None else [parse_stash_time(v) for v in values]


# --------------------------------------------------------------------------- opening


def _read_header(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(100)
    except IsADirectoryError:
        raise StashDBNotFoundError(f"{path} is a folder, not a Stash database file") from None
    except PermissionError:
        raise StashDBError(f"{path} cannot be read (permission denied)", code="stash_db_unreadable") from None


def _stat_key(paths: list[Path]) -> tuple[tuple[int, int], ...]:
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append((st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            out.append((-1, -1))
    return tuple(out)


def _copy_for_reading(path: Path) -> tuple[Path, Path]:
    """Copy *path* and its ``-wal``/``-journal`` to a new temp dir; returns (temp dir, copied db).

    Retries while Stash changes the files under the copy (a checkpoint in progress), so
    the copy is one consistent state; the WAL's own checksums cut any torn tail.
    """
    tmp = Path(tempfile.mkdtemp(prefix="obscura-stash-import-"))
    target = tmp / path.name
    sidecars = [Path(f"{path}-wal"), Path(f"{path}-journal")]
    try:
        for _attempt in range(5):
            before = _stat_key([path, *sidecars])
            shutil.copyfile(path, target)
            for side in sidecars:
                dest = Path(f"{target}{side.name[len(path.name) :]}")
                with contextlib.suppress(FileNotFoundError):
                    dest.unlink()
                with contextlib.suppress(FileNotFoundError):
                    shutil.copyfile(side, dest)
            if _stat_key([path, *sidecars]) == before:
                break
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp, target


def _is_locked(exc: sqlite3.Error) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


def open_stash_db(
    path: str | os.PathLike[str],
    *,
    blobs_path: str | os.PathLike[str] | None = None,
    batch_size: int = 1000,
    timeout: float = 5.0,
) -> StashReader:
    """Open Stash's database at *path* for reading; raises a :class:`StashDBError` subclass.

    *blobs_path*: Stash's ``blobs_path`` (with ``blobs_storage: FILESYSTEM``), where
    :meth:`StashReader.image_blob` finds blobs that are not in the ``blobs`` table.
    *timeout*: seconds to wait for another process's lock before :class:`StashDBLockedError`.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise StashDBNotFoundError(f"No file at {p}: give the path of Stash's database (stash-go.sqlite)")
    if p.is_dir():
        raise StashDBNotFoundError(f"{p} is a folder, not a Stash database file (stash-go.sqlite)")
    header = _read_header(p)
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        raise NotSQLiteError(f"{p} is not an SQLite database, so not Stash's database (stash-go.sqlite)")

    wal_mode = header[18] == 2 or header[19] == 2
    has_sidecar = Path(f"{p}-wal").exists() or Path(f"{p}-journal").exists()
    tmp_dir: Path | None = None
    if wal_mode or has_sidecar:
        tmp_dir, opened = _copy_for_reading(p)
        uri = f"file:{quote(opened.as_posix(), safe='/')}?mode=rw"
    else:
        opened = p
        uri = f"file:{quote(p.resolve().as_posix(), safe='/')}?mode=ro"

    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only=ON")
        version = _check_stash(conn, p)
    except StashDBError:
        if conn is not None:
            conn.close()
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        if _is_locked(exc):
            raise StashDBLockedError(
                f"{p} is locked by another process (Stash writing to it?): stop Stash or try again"
            ) from exc
        raise NotSQLiteError(f"{p} cannot be read as an SQLite database: {exc}") from exc
    return StashReader(
        conn,
        path=p,
        opened_path=opened,
        version=version,
        tmp_dir=tmp_dir,
        blobs_path=Path(blobs_path) if blobs_path is not None else None,
        batch_size=batch_size,
    )


def _check_stash(conn: sqlite3.Connection, path: Path) -> int:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in ("schema_migrations", "scenes") if t not in tables]
    if missing:
        raise NotStashDBError(f"{path} is an SQLite database but not Stash's: it has no {' or '.join(missing)} table")
    row = conn.execute("SELECT version, dirty FROM schema_migrations ORDER BY version DESC LIMIT 1").fetchone()
    if row is None or row[0] is None:
        raise NotStashDBError(f"{path} has no schema version in schema_migrations, so it is not a Stash database")
    version, dirty = int(row[0]), bool(row[1])
    if dirty:
        raise StashDBError(
            f"{path}: Stash's migration to schema version {version} did not finish (dirty); "
            "open the database in Stash once so it completes the migration",
            code="stash_db_dirty",
        )
    supported = f"{MIN_SCHEMA_VERSION}–{MAX_SCHEMA_VERSION}"
    if version < MIN_SCHEMA_VERSION:
        raise UnsupportedStashVersionError(
            f"{path} has Stash schema version {version}, older than the supported {supported}: "
            "upgrade Stash and open the database once to migrate it",
            version=version,
        )
    if version > MAX_SCHEMA_VERSION:
        raise UnsupportedStashVersionError(
            f"{path} has Stash schema version {version}, newer than the supported {supported} "
            f"({MAX_SCHEMA_VERSION} = Stash v0.30)",
            version=version,
        )
    return version


# --------------------------------------------------------------------------- the reader


class StashReader:
    """Rows of one Stash database, normalised to the version-75 shape. Use as a context manager."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        path: Path,
        opened_path: Path,
        version: int,
        tmp_dir: Path | None,
        blobs_path: Path | None,
        batch_size: int,
    ) -> None:
        self.conn = conn
        self.path = path
        """The file the user gave (never written)."""
        self.opened_path = opened_path
        """The file actually opened: *path*, or the private copy."""
        self.copied = tmp_dir is not None
        self.version = version
        self.blobs_path = blobs_path
        self.batch_size = max(1, batch_size)
        self._cols: dict[str, list[str]] = {}
        self._tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self._g = "groups" if "groups" in self._tables else "movies"
        self._gid = "group_id" if self._g == "groups" else "movie_id"
        self._gprefix = "group" if self._g == "groups" else "movie"
        self._cleanup = weakref.finalize(self, _cleanup, conn, tmp_dir)

    # ------------------------------------------------------------------ basics

    def close(self) -> None:
        """Close the connection and delete the private copy, if any."""
        self._cleanup()

    def __enter__(self) -> StashReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tables(self) -> list[str]:
        """The table names, sorted (``sqlite_*`` internals left out)."""
        return sorted(t for t in self._tables if not t.startswith("sqlite_"))

    def has_table(self, name: str) -> bool:
        """Whether the database has table *name*."""
        return name in self._tables

    def columns(self, table: str) -> list[str]:
        """The column names of *table* (empty if there is no such table)."""
        if table not in self._cols:
            if table not in self._tables:
                return []
            self._cols[table] = [r[1] for r in self.conn.execute(f'PRAGMA table_info("{table}")')]
        return self._cols[table]

    def counts(self) -> dict[str, int]:
        """Rows per entity: scenes, files, performers, studios, tags, markers, galleries, images, groups."""
        tables = {
            "scenes": "scenes",
            "files": "files",
            "performers": "performers",
            "studios": "studios",
            "tags": "tags",
            "markers": "scene_markers",
            "galleries": "galleries",
            "images": "images",
            "groups": self._g,
            "saved_filters": "saved_filters",
        }
        return {
            k: int(self.conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0])
            for k, t in tables.items()
            if t in self._tables
        }

    # ------------------------------------------------------------------ batching

    def _cursor(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """A cursor over *sql* giving plain tuples (``self.conn`` keeps ``sqlite3.Row``)."""
        cur = self.conn.cursor()
        cur.row_factory = None
        return cur.execute(sql, params)

    def _batches(self, sql: str | sqlite3.Cursor, params: tuple[Any, ...] = ()) -> Iterator[list[tuple[Any, ...]]]:
        """Rows of *sql* (or of a cursor already run) as tuples, ``batch_size`` at a time."""
        cur = self._cursor(sql, params) if isinstance(sql, str) else sql
        try:
            while True:
                rows = cur.fetchmany(self.batch_size)
                if not rows:
                    return
                yield rows
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # the reader was closed mid-iteration
                cur.close()

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cur = self._cursor(sql, params)
        try:
            return cur.fetchall()
        finally:
            cur.close()

    def _select(self, table: str, cols: Iterable[str], optional: Iterable[str] = (), alias: str = "") -> str:
        """A select list of *cols*; an *optional* column this version lacks reads as NULL."""
        have = set(self.columns(table))
        skip = set(optional) - have
        return ", ".join("NULL" if c in skip else f'{alias}"{c}"' for c in cols)

    def _related(self, sql: str, lo: int, hi: int) -> dict[int, list[tuple[Any, ...]]]:
        """Rows of *sql* (first column = owner id; ``?`` ``?`` = id range) grouped by owner."""
        out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for r in self._rows(sql, (lo, hi)):
            out[r[0]].append(r)
        return out

    def _pairs(self, table: str, owner: str, value: str, lo: int, hi: int, order: str) -> list[tuple[Any, Any]]:
        """(owner, value) rows of *table* for owners in [lo, hi], by owner then *order*."""
        if table not in self._tables:
            return []
        order_by = f"{owner}, {order}" if order else owner
        sql = f'SELECT "{owner}", "{value}" FROM "{table}" WHERE "{owner}" BETWEEN ? AND ? ORDER BY {order_by}'
        return self._rows(sql, (lo, hi))

    def _values(self, table: str, owner: str, value: str, lo: int, hi: int, order: str = "") -> dict[int, list[Any]]:
        """``owner -> [value]`` of *table* for owners in [lo, hi] (values through :func:`_text`)."""
        rows = self._pairs(table, owner, value, lo, hi, order)
        if bytes in {*map(type, map(_VALUE, rows))}:
            rows = [(k, _text(v)) for k, v in rows]
        return _group(rows)

    def _time_values(self, table: str, owner: str, value: str, lo: int, hi: int, order: str) -> dict[int, list[Any]]:
        """Like :meth:`_values` with every value through :func:`parse_stash_time`."""
        rows = self._pairs(table, owner, value, lo, hi, order)
        if not rows:
            return {}
        owners, values = zip(*rows, strict=True)
        parsed = _times(values)
        if isinstance(parsed, list):
            return _group(zip(owners, parsed, strict=True))
        return _LazyTimes(_group(rows))

    def _urls(self, table: str, owner: str, lo: int, hi: int) -> dict[int, list[str]]:
        return self._values(table, owner, "url", lo, hi, order="position, rowid")

    def _stash_ids(self, table: str, owner: str, lo: int, hi: int) -> dict[int, list[dict[str, Any]]]:
        if table not in self._tables:
            return {}
        has_updated = "updated_at" in self.columns(table)
        cols = f'"{owner}", endpoint, stash_id' + (", updated_at" if has_updated else "")
        sql = f'SELECT {cols} FROM "{table}" WHERE "{owner}" BETWEEN ? AND ? ORDER BY "{owner}", rowid'
        rows = self._rows(sql, (lo, hi))
        if not rows:
            return {}
        owners, endpoints, stash_ids, *updated = zip(*rows, strict=True)
        times = list(_times(updated[0])) if has_updated else [_EPOCH_STASH_ID] * len(rows)
        return _group(
            zip(
                owners,
                [
                    {"endpoint": e, "stash_id": s, "updated_at": u}
                    for e, s, u in zip(_texts(endpoints), _texts(stash_ids), times, strict=True)
                ],
                strict=True,
            )
        )

    def _fingerprints(self, join_table: str, owner: str, lo: int, hi: int) -> dict[int, dict[Any, Any]]:
        """``file id -> {type: value}`` of owners in [lo, hi], row by row (first row of a type wins)."""
        fp_sql = (
            f'SELECT fp.file_id, fp.type, fp.fingerprint FROM "{join_table}" j '
            f'JOIN files_fingerprints fp ON fp.file_id = j.file_id WHERE j."{owner}" BETWEEN ? AND ?'
        )
        fps: dict[int, dict[Any, Any]] = defaultdict(dict)
        for fid, kind, value in self._rows(fp_sql, (lo, hi)):
            kind = _text(kind)
            fps[fid].setdefault(kind, phash_from_stash(value) if kind == "phash" else _text(value))
        return fps

    def _zip_paths(self, zip_ids: Sequence[Any]) -> list[str | None]:
        """The path of the zip file each file is inside of (``None`` when it is not in one)."""
        found: dict[Any, tuple[Any, Any]] = {}
        wanted = list({z for z in zip_ids if z is not None})
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            for zid, basename, folder in self._rows(
                "SELECT zf.id, zf.basename, zfo.path FROM files zf "
                "LEFT JOIN folders zfo ON zfo.id = zf.parent_folder_id "
                f"WHERE zf.id IN ({', '.join('?' * len(chunk))})",
                tuple(chunk),
            ):
                found[zid] = (basename, folder)
        out: list[str | None] = []
        for z in zip_ids:
            basename, folder = found.get(z, (None, None)) if z is not None else (None, None)
            out.append(_join_path(_text(folder), _text(basename)) if basename else None)
        return out

    def _files(self, join_table: str, owner: str, lo: int, hi: int, media: str) -> dict[int, list[dict[str, Any]]]:
        """Files of owners in [lo, hi] with path, media columns and fingerprints, primary first.

        The hot path of a big import, so:

        * md5 / oshash / phash come with each file from scalar sub-queries. That is exact only
          when the files have nothing but one row of each of those types, which a count of the
          batch's fingerprint rows checks; otherwise :meth:`_fingerprints` reads them row by row.
        * Python sorts the rows (owner, primary first, file id): much cheaper than SQLite
          sorting whole rows, and the same order for numbers, texts and blobs. Values Python
          cannot compare with each other (text next to a number, a NULL) are left to ``ORDER BY``.
        * the zip a file is inside of is looked up only for files that are in one.
        """
        mtable, mcols = _MEDIA_COLUMNS[media]
        select_media = "".join(f', m."{c}"' for c in mcols)
        join_media = f'LEFT JOIN "{mtable}" m ON m.file_id = f.id' if mtable else ""
        fp = "(SELECT fp.fingerprint FROM files_fingerprints fp WHERE fp.file_id = f.id AND fp.type = '{}')"
        sql = (
            f'SELECT j."{owner}", j."primary", f.id, f.basename, f.zip_file_id, f.parent_folder_id, f.size, '
            f"f.mod_time, f.created_at, f.updated_at, fo.path{select_media}, "
            f"{fp.format('md5')}, {fp.format('oshash')}, {fp.format('phash')} "
            f'FROM "{join_table}" j JOIN files f ON f.id = j.file_id '
            f"LEFT JOIN folders fo ON fo.id = f.parent_folder_id {join_media} "
            f'WHERE j."{owner}" BETWEEN ? AND ?'
        )
        rows = self._rows(sql, (lo, hi))
        out: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if not rows:
            return out
        try:
            rows.sort(key=_FILE_ID)
            rows.sort(key=_PRIMARY, reverse=True)  # stable: file ids stay in order
            rows.sort(key=_OWNER)
        except TypeError:
            rows = self._rows(f'{sql} ORDER BY j."{owner}", j."primary" DESC, f.id', (lo, hi))
        (owners, primary, ids, basenames, zip_ids, parent_ids, sizes, mod_times, created, updated, folders,
         *media_values, md5, oshash, phash) = zip(*rows, strict=True)  # fmt: skip
        found = 3 * len(rows) - md5.count(None) - oshash.count(None) - phash.count(None)
        in_id_range = "SELECT count(*) FROM files_fingerprints WHERE file_id BETWEEN ? AND ?"  # the cheap count
        if len(set(ids)) == len(ids) and found == self._rows(in_id_range, (min(ids), max(ids)))[0][0]:
            n_fingerprints = found
        else:  # files shared by two owners, or other files' fingerprints in that id range
            n_fingerprints = self._rows(
                f'SELECT count(*) FROM "{join_table}" j JOIN files_fingerprints fp ON fp.file_id = j.file_id '
                f'WHERE j."{owner}" BETWEEN ? AND ?',
                (lo, hi),
            )[0][0]
        if n_fingerprints == found:
            fingerprints = [
                # phash_to_hex inline: a function call per file is a noticeable part of the time
                {"md5": a, "oshash": b, "phash": f"{c & _MASK64:016x}" if type(c) is int else phash_from_stash(c)}
                for a, b, c in zip(_texts(md5), _texts(oshash), phash, strict=True)
            ]
        else:  # another type, two of a type, ...: row by row
            fps = self._fingerprints(join_table, owner, lo, hi)
            fingerprints = [{**_NO_FINGERPRINTS, **fps.get(fid, _NO_ROWS)} for fid in ids]
        folders = _texts(folders)
        basenames = _texts(basenames)
        paths = _paths(folders, basenames)
        zip_paths = [None] * len(rows) if zip_ids.count(None) == len(rows) else self._zip_paths(zip_ids)
        if "interactive" in mcols:
            i = mcols.index("interactive")
            media_values[i] = list(map(bool, media_values[i]))
        media_rows = zip(*media_values, strict=True) if media_values else [()] * len(rows)
        template = dict.fromkeys((*_FILE_KEYS, *mcols, "fingerprints"))
        for own, fid, path, folder, basename, parent_id, zip_id, zip_path, size, mod_time, created_at, updated_at, \
                is_primary, media_row, fingerprint in zip(
                    owners, ids, paths, folders, basenames, parent_ids, zip_ids, zip_paths, sizes, _times(mod_times),
                    _times(created), _times(updated), map(bool, primary), media_rows, fingerprints, strict=True,
                ):  # fmt: skip
            f = template.copy()  # a copy of a dict with every key is the fastest way to build one
            f["id"] = fid
            f["path"] = path
            f["basename"] = basename
            f["folder_path"] = folder
            f["parent_folder_id"] = parent_id
            f["zip_file_id"] = zip_id
            f["zip_path"] = zip_path
            f["size"] = size
            f["mod_time"] = mod_time
            f["created_at"] = created_at
            f["updated_at"] = updated_at
            f["primary"] = is_primary
            if media == "video":  # _MEDIA_COLUMNS' order; spelt out, as update(zip(...)) costs more
                (f["duration"], f["video_codec"], f["audio_codec"], f["format"], f["width"], f["height"],
                 f["frame_rate"], f["bit_rate"], f["interactive"], f["interactive_speed"]) = media_row  # fmt: skip
            elif media_row:
                f.update(zip(mcols, media_row, strict=True))
            f["fingerprints"] = fingerprint
            out[own].append(f)
        return out

    def _built_in_batches(self, items: Generator[dict[str, Any], None, None]) -> Iterator[dict[str, Any]]:
        """*items* (an entity's generator), built a batch at a time with the cyclic GC paused.

        Building a batch makes thousands of lists and dicts that live until the batch is
        consumed; with the collector running meanwhile they are promoted to its oldest
        generation and set off full collections of the whole heap, a tenth of the reading
        time. They hold no reference cycles, so nothing is left for the collector to find.
        An error while building comes after the items built before it, as it would lazily.
        """
        try:
            while True:
                built: list[dict[str, Any]] = []
                error: Exception | None = None
                with _gc_paused():
                    try:  # one batch of the entity's rows (the next item needs the next batch's queries)
                        built.extend(islice(items, self.batch_size))  # keeps what came before an error
                    except Exception as exc:
                        error = exc
                if not built and error is None:
                    return
                built.reverse()
                while built:
                    yield built.pop()  # held by the consumer only, as when built one by one
                if error is not None:
                    raise error
        finally:
            items.close()

    # ------------------------------------------------------------------ entities

    def scenes(self, ids: tuple[int, int] | None = None) -> Iterator[dict[str, Any]]:
        """Every scene (with an id in ``ids``, inclusive, when given), by id, with files (primary
        first) + fingerprints, URLs, history and links."""
        return self._built_in_batches(self._scenes(ids))

    def scene_id_parts(self, parts: int) -> list[tuple[int, int]]:
        """The scenes' ids cut into at most ``parts`` ranges of about as many scenes each."""
        (count,) = self.conn.execute("SELECT count(*) FROM scenes").fetchone()
        if not count:
            return []
        size = -(-count // max(1, parts))
        bounds = [
            self.conn.execute("SELECT id FROM scenes ORDER BY id LIMIT 1 OFFSET ?", (start,)).fetchone()[0]
            for start in range(0, count, size)
        ]
        (last,) = self.conn.execute("SELECT max(id) FROM scenes").fetchone()
        return [(lo, (bounds[i + 1] - 1) if i + 1 < len(bounds) else last) for i, lo in enumerate(bounds)]

    def reopen(self) -> StashReader:
        """Another connection to the file this reader opened (its private copy, if any), for a
        process forked from this one: an SQLite connection must not cross a fork. The copy stays
        this reader's to delete."""
        mode = "rw" if self.copied else "ro"
        uri = f"file:{quote(self.opened_path.resolve().as_posix(), safe='/')}?mode={mode}"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only=ON")
        return StashReader(
            conn,
            path=self.path,
            opened_path=self.opened_path,
            version=self.version,
            tmp_dir=None,
            blobs_path=self.blobs_path,
            batch_size=self.batch_size,
        )

    def _scenes(self, ids: tuple[int, int] | None = None) -> Generator[dict[str, Any], None, None]:
        g = self._g
        keys = ("id", "title", "code", "details", "director", "date", "date_precision", "rating", "organized",
                "studio_id", "resume_time", "play_duration", "cover_blob", "created_at", "updated_at")  # fmt: skip
        cols = self._select("scenes", keys, optional=("date_precision",))
        template = dict.fromkeys((*keys, "urls", "o_counter", "o_history", "play_count", "play_history", "files",
                                  "tag_ids", "performer_ids", "gallery_ids", "groups", "stash_ids"))  # fmt: skip
        where, params = ("WHERE id BETWEEN ? AND ? ", ids) if ids is not None else ("", ())
        for batch in self._batches(f"SELECT {cols} FROM scenes {where}ORDER BY id", params):
            lo, hi = batch[0][0], batch[-1][0]
            files = self._files("scenes_files", "scene_id", lo, hi, "video")
            urls = self._urls("scene_urls", "scene_id", lo, hi)
            o_dates = self._time_values("scenes_o_dates", "scene_id", "o_date", lo, hi, order="o_date, rowid")
            views = self._time_values("scenes_view_dates", "scene_id", "view_date", lo, hi, order="view_date, rowid")
            tags = self._values("scenes_tags", "scene_id", "tag_id", lo, hi, order="tag_id")
            performers = self._values("performers_scenes", "scene_id", "performer_id", lo, hi, order="performer_id")
            galleries = self._values("scenes_galleries", "scene_id", "gallery_id", lo, hi, order="gallery_id")
            groups = self._related(
                f'SELECT scene_id, "{self._gid}", scene_index FROM "{g}_scenes" '
                f'WHERE scene_id BETWEEN ? AND ? ORDER BY scene_id, "{self._gid}"',
                lo,
                hi,
            )
            stash_ids = self._stash_ids("scene_stash_ids", "scene_id", lo, hi)
            (ids, title, code, details, director, date, precision, rating, organized, studio_id, resume_time,
             play_duration, cover_blob, created_at, updated_at) = zip(*batch, strict=True)  # fmt: skip
            for sid, title_, code_, details_, director_, date_, precision_, rating_, organized_, studio_id_, \
                    resume_time_, play_duration_, cover_blob_, created_at_, updated_at_ in zip(
                        ids, _texts(title), _texts(code), _texts(details), _texts(director), _texts(date),
                        map(_precision, precision, date), rating, map(bool, organized), studio_id, resume_time,
                        play_duration, _texts(cover_blob), _times(created_at), _times(updated_at), strict=True,
                    ):  # fmt: skip
                o_hist = o_dates.get(sid) or []
                play_hist = views.get(sid) or []
                scene = template.copy()  # a copy of a dict with every key is the fastest way to build one
                scene["id"] = sid
                scene["title"] = title_
                scene["code"] = code_
                scene["details"] = details_
                scene["director"] = director_
                scene["date"] = date_
                scene["date_precision"] = precision_
                scene["rating"] = rating_
                scene["organized"] = organized_
                scene["studio_id"] = studio_id_
                scene["resume_time"] = resume_time_
                scene["play_duration"] = play_duration_
                scene["cover_blob"] = cover_blob_
                scene["created_at"] = created_at_
                scene["updated_at"] = updated_at_
                scene["urls"] = urls.get(sid) or []
                scene["o_counter"] = len(o_hist)
                scene["o_history"] = o_hist
                scene["play_count"] = len(play_hist)
                scene["play_history"] = play_hist
                scene["files"] = files.get(sid) or []
                scene["tag_ids"] = tags.get(sid) or []
                scene["performer_ids"] = performers.get(sid) or []
                scene["gallery_ids"] = galleries.get(sid) or []
                in_groups = groups.get(sid)
                scene["groups"] = [{"group_id": x[1], "scene_index": x[2]} for x in in_groups] if in_groups else []
                scene["stash_ids"] = stash_ids.get(sid) or []
                yield scene

    def performers(self) -> Iterator[dict[str, Any]]:
        """Every performer with aliases, URLs, tags, stash ids, custom fields and image blob checksum."""
        return self._built_in_batches(self._performers())

    def _performers(self) -> Generator[dict[str, Any], None, None]:
        legacy = {"url", "twitter", "instagram"}
        cur = self._cursor("SELECT * FROM performers ORDER BY id")
        names = [d[0] for d in cur.description]
        at = {n: i for i, n in enumerate(names)}
        keep = [i for i, n in enumerate(names) if n not in legacy]
        keys = [names[i] for i in keep]
        id_at = at["id"]
        has_urls = "performer_urls" in self._tables
        for batch in self._batches(cur):
            lo, hi = batch[0][id_at], batch[-1][id_at]
            aliases = self._values("performer_aliases", "performer_id", "alias", lo, hi, order="rowid")
            urls = self._urls("performer_urls", "performer_id", lo, hi)
            tags = self._values("performers_tags", "performer_id", "tag_id", lo, hi, order="tag_id")
            stash_ids = self._stash_ids("performer_stash_ids", "performer_id", lo, hi)
            custom: dict[int, dict[Any, Any]] = defaultdict(dict)
            if "performer_custom_fields" in self._tables:
                for owner, field, value in self._rows(
                    "SELECT performer_id, field, value FROM performer_custom_fields "
                    "WHERE performer_id BETWEEN ? AND ? ORDER BY performer_id, field",
                    (lo, hi),
                ):
                    custom[owner][_text(field)] = _text(value)
            cols = list(zip(*batch, strict=True))
            nones = (None,) * len(batch)
            birthdate_precision, death_date_precision, url, twitter, instagram = (
                cols[at[name]] if name in at else nones  # a column this version lacks reads as None
                for name in ("birthdate_precision", "death_date_precision", "url", "twitter", "instagram")
            )
            texts = zip(*[_texts(cols[i]) for i in keep], strict=True)
            converted = zip(
                map(bool, cols[at["favorite"]]),
                map(bool, cols[at["ignore_auto_tag"]]),
                _times(cols[at["created_at"]]),
                _times(cols[at["updated_at"]]),
                map(_precision, birthdate_precision, cols[at["birthdate"]]),
                map(_precision, death_date_precision, cols[at["death_date"]]),
                strict=True,
            )
            legacy_urls = zip(url, twitter, instagram, strict=True)
            for row, values, conv, legacy_url in zip(batch, texts, converted, legacy_urls, strict=True):
                pid = row[id_at]
                out = dict(zip(keys, values, strict=True))
                (out["favorite"], out["ignore_auto_tag"], out["created_at"], out["updated_at"],
                 out["birthdate_precision"], out["death_date_precision"]) = conv  # fmt: skip
                if has_urls:
                    out["urls"] = urls.get(pid) or []
                else:  # before 62, as migration 62 builds performer_urls
                    url_, twitter_, instagram_ = legacy_url
                    out["urls"] = [
                        u
                        for u in (
                            _text(url_) or None,
                            _legacy_social_url(_text(twitter_), "https://www.twitter.com/"),
                            _legacy_social_url(_text(instagram_), "https://www.instagram.com/"),
                        )
                        if u
                    ]
                out["aliases"] = aliases.get(pid) or []
                out["tag_ids"] = tags.get(pid) or []
                out["stash_ids"] = stash_ids.get(pid) or []
                out["custom_fields"] = dict(custom.get(pid, _NO_ROWS))
                yield out

    def studios(self) -> Iterator[dict[str, Any]]:
        """Every studio with parent, aliases, URLs, tags, stash ids and image blob checksum."""
        return self._built_in_batches(self._studios())

    def _studios(self) -> Generator[dict[str, Any], None, None]:
        keys = ("id", "name", "parent_id", "details", "rating", "favorite", "ignore_auto_tag", "image_blob",
                "created_at", "updated_at")  # fmt: skip
        cols = self._select("studios", (*keys, "url"), optional=("favorite", "url"))
        has_urls = "studio_urls" in self._tables
        for batch in self._batches(f"SELECT {cols} FROM studios ORDER BY id"):
            lo, hi = batch[0][0], batch[-1][0]
            aliases = self._values("studio_aliases", "studio_id", "alias", lo, hi, order="rowid")
            urls = self._urls("studio_urls", "studio_id", lo, hi)
            tags = self._values("studios_tags", "studio_id", "tag_id", lo, hi, order="tag_id")
            stash_ids = self._stash_ids("studio_stash_ids", "studio_id", lo, hi)
            (ids, name, parent_id, details, rating, favorite, ignore_auto_tag, image_blob, created_at, updated_at,
             legacy_url) = zip(*batch, strict=True)  # fmt: skip
            rows = zip(
                ids, _texts(name), parent_id, _texts(details), rating, map(bool, favorite), map(bool, ignore_auto_tag),
                _texts(image_blob), _times(created_at), _times(updated_at), strict=True,
            )  # fmt: skip
            for sid, url, row in zip(ids, legacy_url, rows, strict=True):
                studio = dict(zip(keys, row, strict=True))
                studio["aliases"] = aliases.get(sid) or []
                if has_urls:
                    studio["urls"] = urls.get(sid) or []
                else:  # before 73: one URL in studios.url
                    studio["urls"] = [_text(url)] if url else []
                studio["tag_ids"] = tags.get(sid) or []
                studio["stash_ids"] = stash_ids.get(sid) or []
                yield studio

    def tags(self) -> Iterator[dict[str, Any]]:
        """Every tag with aliases, parents, children, stash ids (74+) and image blob checksum."""
        return self._built_in_batches(self._tags())

    def _tags(self) -> Generator[dict[str, Any], None, None]:
        keys = ("id", "name", "sort_name", "description", "ignore_auto_tag", "favorite", "image_blob", "created_at",
                "updated_at")  # fmt: skip
        cols = self._select("tags", keys, optional=("sort_name", "favorite"))
        for batch in self._batches(f"SELECT {cols} FROM tags ORDER BY id"):
            lo, hi = batch[0][0], batch[-1][0]
            aliases = self._values("tag_aliases", "tag_id", "alias", lo, hi, order="rowid")
            parents = self._values("tags_relations", "child_id", "parent_id", lo, hi, order="parent_id")
            children = self._values("tags_relations", "parent_id", "child_id", lo, hi, order="child_id")
            stash_ids = self._stash_ids("tag_stash_ids", "tag_id", lo, hi)
            (ids, name, sort_name, description, ignore_auto_tag, favorite, image_blob, created_at,
             updated_at) = zip(*batch, strict=True)  # fmt: skip
            rows = zip(
                ids, _texts(name), _texts(sort_name), _texts(description), map(bool, ignore_auto_tag),
                map(bool, favorite), _texts(image_blob), _times(created_at), _times(updated_at), strict=True,
            )  # fmt: skip
            for tid, row in zip(ids, rows, strict=True):
                tag = dict(zip(keys, row, strict=True))
                tag["aliases"] = aliases.get(tid) or []
                tag["parent_ids"] = parents.get(tid) or []
                tag["child_ids"] = children.get(tid) or []
                tag["stash_ids"] = stash_ids.get(tid) or []
                yield tag

    def markers(self) -> Iterator[dict[str, Any]]:
        """Every scene marker (seconds, end seconds from 70, primary tag, tags)."""
        return self._built_in_batches(self._markers())

    def _markers(self) -> Generator[dict[str, Any], None, None]:
        cols = self._select(
            "scene_markers",
            ("id", "scene_id", "title", "seconds", "end_seconds", "primary_tag_id", "created_at", "updated_at"),
            optional=("end_seconds",),
        )
        for batch in self._batches(f"SELECT {cols} FROM scene_markers ORDER BY id"):
            lo, hi = batch[0][0], batch[-1][0]
            tags = self._values("scene_markers_tags", "scene_marker_id", "tag_id", lo, hi, order="tag_id")
            ids, scene_ids, titles, seconds, end_seconds, primary_tag_ids, created_at, updated_at = zip(
                *batch, strict=True
            )
            for mid, scene_id, title, secs, end_secs, primary_tag_id, created, updated in zip(
                ids, scene_ids, _texts(titles), seconds, end_seconds, primary_tag_ids, _times(created_at),
                _times(updated_at), strict=True,
            ):  # fmt: skip
                yield {
                    "id": mid,
                    "scene_id": scene_id,
                    "title": title,
                    "seconds": secs,
                    "end_seconds": end_secs,
                    "primary_tag_id": primary_tag_id,
                    "tag_ids": tags.get(mid) or [],
                    "created_at": created,
                    "updated_at": updated,
                }

    def galleries(self) -> Iterator[dict[str, Any]]:
        """Every gallery: ``kind`` folder / zip / virtual, its images, cover (66+), chapters and links."""
        return self._built_in_batches(self._galleries())

    def _galleries(self) -> Generator[dict[str, Any], None, None]:
        cols = self._select(
            "galleries",
            ("id", "folder_id", "title", "code", "details", "photographer", "date", "date_precision", "rating",
             "organized", "studio_id", "created_at", "updated_at"),
            optional=("date_precision",),
            alias="g.",
        )  # fmt: skip
        sql = f"SELECT {cols}, fo.path AS folder_path FROM galleries g LEFT JOIN folders fo ON fo.id = g.folder_id "
        sql += "ORDER BY g.id"
        has_cover = "cover" in self.columns("galleries_images")
        for batch in self._batches(sql):
            lo, hi = batch[0][0], batch[-1][0]
            files = self._files("galleries_files", "gallery_id", lo, hi, "none")
            urls = self._urls("gallery_urls", "gallery_id", lo, hi)
            images = self._related(
                "SELECT gallery_id, image_id"
                + (", cover" if has_cover else ", 0")
                + " FROM galleries_images WHERE gallery_id BETWEEN ? AND ? ORDER BY gallery_id, image_id",
                lo,
                hi,
            )
            chapters = self._related(
                "SELECT gallery_id, id, title, image_index, created_at, updated_at FROM galleries_chapters "
                "WHERE gallery_id BETWEEN ? AND ? ORDER BY gallery_id, image_index, id",
                lo,
                hi,
            )
            scenes = self._values("scenes_galleries", "gallery_id", "scene_id", lo, hi, order="scene_id")
            performers = self._values(
                "performers_galleries", "gallery_id", "performer_id", lo, hi, order="performer_id"
            )
            tags = self._values("galleries_tags", "gallery_id", "tag_id", lo, hi, order="tag_id")
            (ids, folder_ids, title, code, details, photographer, date, precision, rating, organized, studio_ids,
             created_at, updated_at, folder_path) = zip(*batch, strict=True)  # fmt: skip
            for (gid, folder_id, title_, code_, details_, photographer_, date_, precision_, rating_, organized_,
                 studio_id, folder_path_, created, updated) in zip(
                ids, folder_ids, _texts(title), _texts(code), _texts(details), _texts(photographer), _texts(date),
                map(_precision, precision, date), rating, map(bool, organized), studio_ids, _texts(folder_path),
                _times(created_at), _times(updated_at), strict=True,
            ):  # fmt: skip
                gfiles = files.get(gid) or []
                kind = "folder" if folder_id is not None else "zip" if gfiles else "virtual"
                imgs = images.get(gid) or []
                cover = [x[1] for x in imgs if x[2]]
                yield {
                    "id": gid,
                    "kind": kind,
                    "title": title_,
                    "code": code_,
                    "details": details_,
                    "photographer": photographer_,
                    "date": date_,
                    "date_precision": precision_,
                    "rating": rating_,
                    "organized": organized_,
                    "studio_id": studio_id,
                    "folder_id": folder_id,
                    "folder_path": folder_path_,
                    "files": gfiles,
                    "created_at": created,
                    "updated_at": updated,
                    "urls": urls.get(gid) or [],
                    "image_ids": [x[1] for x in imgs],
                    "cover_image_id": cover[0] if cover else None,
                    "chapters": [
                        {
                            "id": c[1],
                            "title": _text(c[2]),
                            "image_index": c[3],
                            "created_at": parse_stash_time(c[4]),
                            "updated_at": parse_stash_time(c[5]),
                        }
                        for c in chapters.get(gid) or []
                    ],
                    "scene_ids": scenes.get(gid) or [],
                    "performer_ids": performers.get(gid) or [],
                    "tag_ids": tags.get(gid) or [],
                }

    def images(self) -> Iterator[dict[str, Any]]:
        """Every image with its files (incl. inside zips) + fingerprints, galleries and links."""
        return self._built_in_batches(self._images())

    def _images(self) -> Generator[dict[str, Any], None, None]:
        keys = ("id", "title", "code", "details", "photographer", "date", "date_precision", "rating", "o_counter",
                "organized", "studio_id", "created_at", "updated_at")  # fmt: skip
        optional = ("code", "details", "photographer", "date", "date_precision")
        cols = self._select("images", keys, optional=optional)
        for batch in self._batches(f"SELECT {cols} FROM images ORDER BY id"):
            lo, hi = batch[0][0], batch[-1][0]
            files = self._files("images_files", "image_id", lo, hi, "image")
            urls = self._urls("image_urls", "image_id", lo, hi)
            galleries = self._values("galleries_images", "image_id", "gallery_id", lo, hi, order="gallery_id")
            tags = self._values("images_tags", "image_id", "tag_id", lo, hi, order="tag_id")
            performers = self._values("performers_images", "image_id", "performer_id", lo, hi, order="performer_id")
            (ids, title, code, details, photographer, date, precision, rating, o_counter, organized, studio_id,
             created_at, updated_at) = zip(*batch, strict=True)  # fmt: skip
            rows = zip(
                ids, _texts(title), _texts(code), _texts(details), _texts(photographer), _texts(date),
                map(_precision, precision, date), rating, o_counter, map(bool, organized), studio_id,
                _times(created_at), _times(updated_at), strict=True,
            )  # fmt: skip
            for iid, row in zip(ids, rows, strict=True):
                image = dict(zip(keys, row, strict=True))
                image["urls"] = urls.get(iid) or []
                image["files"] = files.get(iid) or []
                image["gallery_ids"] = galleries.get(iid) or []
                image["tag_ids"] = tags.get(iid) or []
                image["performer_ids"] = performers.get(iid) or []
                yield image

    def groups(self) -> Iterator[dict[str, Any]]:
        """Every group (``movies`` before 65) with its scenes in order, sub-groups (67+), URLs, tags."""
        return self._built_in_batches(self._groups())

    def _groups(self) -> Generator[dict[str, Any], None, None]:
        g, gid_col, prefix = self._g, self._gid, self._gprefix
        desc_col = "description" if "description" in self.columns(g) else "synopsis"
        keys = ("id", "name", "aliases", "duration", "date", "date_precision", "rating", "studio_id", "director",
                "description", "front_image_blob", "back_image_blob", "created_at", "updated_at")  # fmt: skip
        cols = self._select(g, [desc_col if k == "description" else k for k in keys], optional=("date_precision",))
        for batch in self._batches(f'SELECT {cols} FROM "{g}" ORDER BY id'):
            lo, hi = batch[0][0], batch[-1][0]
            urls = self._urls(f"{prefix}_urls", gid_col, lo, hi)
            tags = self._values(f"{g}_tags", gid_col, "tag_id", lo, hi, order="tag_id")
            scenes = self._related(
                f'SELECT "{gid_col}", scene_id, scene_index FROM "{g}_scenes" WHERE "{gid_col}" BETWEEN ? AND ? '
                f'ORDER BY "{gid_col}", scene_index IS NULL, scene_index, scene_id',
                lo,
                hi,
            )
            subs: dict[int, list[tuple[Any, ...]]] = {}
            if "groups_relations" in self._tables:
                subs = self._related(
                    "SELECT containing_id, sub_id, order_index, description FROM groups_relations "
                    "WHERE containing_id BETWEEN ? AND ? ORDER BY containing_id, order_index",
                    lo,
                    hi,
                )
            (ids, name, aliases, duration, date, precision, rating, studio_id, director, description, front, back,
             created_at, updated_at) = zip(*batch, strict=True)  # fmt: skip
            rows = zip(
                ids, _texts(name), _texts(aliases), duration, _texts(date), map(_precision, precision, date), rating,
                studio_id, _texts(director), _texts(description), _texts(front), _texts(back), _times(created_at),
                _times(updated_at), strict=True,
            )  # fmt: skip
            for gid, row in zip(ids, rows, strict=True):
                group = dict(zip(keys, row, strict=True))
                group["urls"] = urls.get(gid) or []
                group["tag_ids"] = tags.get(gid) or []
                group["scenes"] = [{"scene_id": s[1], "scene_index": s[2]} for s in scenes.get(gid) or []]
                group["sub_groups"] = [
                    {"group_id": s[1], "order_index": s[2], "description": _text(s[3])} for s in subs.get(gid) or []
                ]
                yield group

    def saved_filters(self) -> Iterator[dict[str, Any]]:
        """Every saved filter with its JSON columns parsed (``None`` when empty or not JSON)."""
        return self._built_in_batches(self._saved_filters())

    def _saved_filters(self) -> Generator[dict[str, Any], None, None]:

        def parse(v: Any) -> Any:
            if v is None:
                return None
            try:
                return json.loads(_text(v))
            except (ValueError, TypeError):
                return None

        cols = self._select(
            "saved_filters",
            ("id", "name", "mode", "find_filter", "object_filter", "ui_options"),
            optional=("find_filter", "object_filter", "ui_options"),
        )
        for batch in self._batches(f"SELECT {cols} FROM saved_filters ORDER BY id"):
            for fid, name, mode, find_filter, object_filter, ui_options in batch:
                yield {
                    "id": fid,
                    "name": _text(name),
                    "mode": _text(mode),
                    "find_filter": parse(find_filter),
                    "object_filter": parse(object_filter),
                    "ui_options": parse(ui_options),
                }

    def folders(self) -> Iterator[dict[str, Any]]:
        """Every folder row (``zip_file_id`` set for the inside of a zip), for path mapping."""
        return self._built_in_batches(self._folders())

    def _folders(self) -> Generator[dict[str, Any], None, None]:
        for batch in self._batches("SELECT id, path, parent_folder_id, zip_file_id, mod_time FROM folders ORDER BY id"):
            ids, paths, parent_ids, zip_ids, mod_times = zip(*batch, strict=True)
            for fid, path, parent_id, zip_id, mod_time in zip(
                ids, _texts(paths), parent_ids, zip_ids, _times(mod_times), strict=True
            ):
                yield {
                    "id": fid,
                    "path": path,
                    "parent_folder_id": parent_id,
                    "zip_file_id": zip_id,
                    "mod_time": mod_time,
                }

    # ------------------------------------------------------------------ blobs

    def blob_file_path(self, checksum: str) -> Path | None:
        """Where Stash's filesystem blob store keeps *checksum* (``<blobs>/ab/cd/abcd…``)."""
        if self.blobs_path is None or len(checksum) < 4:
            return None
        return self.blobs_path / checksum[0:2] / checksum[2:4] / checksum

    def image_blob(self, checksum: str | None) -> bytes | None:
        """The bytes of blob *checksum*: from the ``blobs`` table, else from the blobs folder.

        ``None`` when it is in neither (a filesystem blob without ``blobs_path``, or a file gone).
        """
        if not checksum:
            return None
        row = self.conn.execute("SELECT blob FROM blobs WHERE checksum = ?", (checksum,)).fetchone()
        if row is not None and row[0] is not None:
            return bytes(row[0])
        fp = self.blob_file_path(checksum)
        if fp is not None and fp.is_file():
            return fp.read_bytes()
        return None


def _cleanup(conn: sqlite3.Connection, tmp_dir: Path | None) -> None:
    with contextlib.suppress(sqlite3.Error):
        conn.close()
    if tmp_dir is not None:
        shutil.rmtree(tmp_dir, ignore_errors=True)
