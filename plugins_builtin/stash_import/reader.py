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
  library of 100,000 scenes is never held in memory at once.
* phash fingerprints (signed int64 in Stash) come out as 16 lowercase hex digits, like
  ``videos.phash`` (:func:`plugin_sdk.hashing.phash_to_hex`).

Errors are :class:`StashDBError` subclasses (``ValidationError``, 400; locked: 409) whose
message names the file and the problem.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
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

    def _batches(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[list[dict[str, Any]]]:
        cur = self.conn.execute(sql, params)
        try:
            while True:
                rows = cur.fetchmany(self.batch_size)
                if not rows:
                    return
                yield [dict(r) for r in rows]
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # the reader was closed mid-iteration
                cur.close()

    def _related(self, sql: str, lo: int, hi: int) -> dict[int, list[sqlite3.Row]]:
        """Rows of *sql* (first column = owner id; ``?`` ``?`` = id range) grouped by owner."""
        out: dict[int, list[sqlite3.Row]] = defaultdict(list)
        for r in self.conn.execute(sql, (lo, hi)):
            out[r[0]].append(r)
        return out

    def _values(self, table: str, owner: str, value: str, lo: int, hi: int, order: str = "") -> dict[int, list[Any]]:
        if table not in self._tables:
            return {}
        order_by = f"{owner}, {order}" if order else owner
        sql = f'SELECT "{owner}", "{value}" FROM "{table}" WHERE "{owner}" BETWEEN ? AND ? ORDER BY {order_by}'
        return {k: [_text(r[1]) for r in rows] for k, rows in self._related(sql, lo, hi).items()}

    def _urls(self, table: str, owner: str, lo: int, hi: int) -> dict[int, list[str]]:
        return self._values(table, owner, "url", lo, hi, order="position, rowid")

    def _stash_ids(self, table: str, owner: str, lo: int, hi: int) -> dict[int, list[dict[str, Any]]]:
        if table not in self._tables:
            return {}
        has_updated = "updated_at" in self.columns(table)
        cols = f'"{owner}", endpoint, stash_id' + (", updated_at" if has_updated else "")
        sql = f'SELECT {cols} FROM "{table}" WHERE "{owner}" BETWEEN ? AND ? ORDER BY "{owner}", rowid'
        return {
            k: [
                {
                    "endpoint": _text(r["endpoint"]),
                    "stash_id": _text(r["stash_id"]),
                    "updated_at": parse_stash_time(r["updated_at"]) if has_updated else _EPOCH_STASH_ID,
                }
                for r in rows
            ]
            for k, rows in self._related(sql, lo, hi).items()
        }

    @staticmethod
    def _range(batch: list[dict[str, Any]]) -> tuple[int, int]:
        return batch[0]["id"], batch[-1]["id"]

    def _files(self, join_table: str, owner: str, lo: int, hi: int, media: str) -> dict[int, list[dict[str, Any]]]:
        """Files of owners in [lo, hi] with path, media columns and fingerprints, primary first."""
        media_cols = {
            "video": (
                "video_files",
                [
                    "duration",
                    "video_codec",
                    "audio_codec",
                    "format",
                    "width",
                    "height",
                    "frame_rate",
                    "bit_rate",
                    "interactive",
                    "interactive_speed",
                ],
            ),
            "image": ("image_files", ["format", "width", "height"]),
            "none": (None, []),
        }[media]
        mtable, mcols = media_cols
        select_media = "".join(f', m."{c}" AS "{c}"' for c in mcols)
        join_media = f'LEFT JOIN "{mtable}" m ON m.file_id = f.id' if mtable else ""
        sql = (
            f'SELECT j."{owner}" AS owner, j."primary" AS is_primary, f.id, f.basename, f.zip_file_id, '
            f"f.parent_folder_id, f.size, f.mod_time, f.created_at, f.updated_at, fo.path AS folder_path, "
            f"zf.basename AS zip_basename, zfo.path AS zip_folder_path{select_media} "
            f'FROM "{join_table}" j JOIN files f ON f.id = j.file_id '
            f"LEFT JOIN folders fo ON fo.id = f.parent_folder_id "
            f"LEFT JOIN files zf ON zf.id = f.zip_file_id LEFT JOIN folders zfo ON zfo.id = zf.parent_folder_id "
            f"{join_media} "
            f'WHERE j."{owner}" BETWEEN ? AND ? ORDER BY j."{owner}", j."primary" DESC, f.id'
        )
        fps: dict[int, dict[str, Any]] = defaultdict(dict)
        fp_sql = (
            f'SELECT fp.file_id, fp.type, fp.fingerprint FROM "{join_table}" j '
            f'JOIN files_fingerprints fp ON fp.file_id = j.file_id WHERE j."{owner}" BETWEEN ? AND ?'
        )
        for r in self.conn.execute(fp_sql, (lo, hi)):
            kind = _text(r["type"])
            value = phash_from_stash(r["fingerprint"]) if kind == "phash" else _text(r["fingerprint"])
            fps[r["file_id"]].setdefault(kind, value)
        out: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in self.conn.execute(sql, (lo, hi)):
            folder = _text(r["folder_path"])
            basename = _text(r["basename"])
            zip_path = _join_path(_text(r["zip_folder_path"]), _text(r["zip_basename"])) if r["zip_basename"] else None
            f: dict[str, Any] = {
                "id": r["id"],
                "path": _join_path(folder, basename),
                "basename": basename,
                "folder_path": folder,
                "parent_folder_id": r["parent_folder_id"],
                "zip_file_id": r["zip_file_id"],
                "zip_path": zip_path,
                "size": r["size"],
                "mod_time": parse_stash_time(r["mod_time"]),
                "created_at": parse_stash_time(r["created_at"]),
                "updated_at": parse_stash_time(r["updated_at"]),
                "primary": bool(r["is_primary"]),
            }
            for c in mcols:
                f[c] = r[c]
            if "interactive" in f:
                f["interactive"] = bool(f["interactive"])
            fp = fps.get(r["id"], {})
            f["fingerprints"] = {
                "md5": fp.get("md5"),
                "oshash": fp.get("oshash"),
                "phash": fp.get("phash"),
                **{k: v for k, v in fp.items() if k not in ("md5", "oshash", "phash")},
            }
            out[r["owner"]].append(f)
        return out

    # ------------------------------------------------------------------ entities

    def scenes(self) -> Iterator[dict[str, Any]]:
        """Every scene, by id, with files (primary first) + fingerprints, URLs, history and links."""
        g = self._g
        for batch in self._batches("SELECT * FROM scenes ORDER BY id"):
            lo, hi = self._range(batch)
            files = self._files("scenes_files", "scene_id", lo, hi, "video")
            urls = self._urls("scene_urls", "scene_id", lo, hi)
            o_dates = self._values("scenes_o_dates", "scene_id", "o_date", lo, hi, order="o_date, rowid")
            views = self._values("scenes_view_dates", "scene_id", "view_date", lo, hi, order="view_date, rowid")
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
            for r in batch:
                sid = r["id"]
                o_hist = [parse_stash_time(d) for d in o_dates.get(sid, [])]
                play_hist = [parse_stash_time(d) for d in views.get(sid, [])]
                yield {
                    "id": sid,
                    "title": _text(r["title"]),
                    "code": _text(r["code"]),
                    "details": _text(r["details"]),
                    "director": _text(r["director"]),
                    "date": _text(r["date"]),
                    "date_precision": _precision(r.get("date_precision"), r["date"]),
                    "rating": r["rating"],
                    "organized": bool(r["organized"]),
                    "studio_id": r["studio_id"],
                    "resume_time": r["resume_time"],
                    "play_duration": r["play_duration"],
                    "cover_blob": _text(r["cover_blob"]),
                    "created_at": parse_stash_time(r["created_at"]),
                    "updated_at": parse_stash_time(r["updated_at"]),
                    "urls": urls.get(sid, []),
                    "o_counter": len(o_hist),
                    "o_history": o_hist,
                    "play_count": len(play_hist),
                    "play_history": play_hist,
                    "files": files.get(sid, []),
                    "tag_ids": tags.get(sid, []),
                    "performer_ids": performers.get(sid, []),
                    "gallery_ids": galleries.get(sid, []),
                    "groups": [{"group_id": x[1], "scene_index": x[2]} for x in groups.get(sid, [])],
                    "stash_ids": stash_ids.get(sid, []),
                }

    def performers(self) -> Iterator[dict[str, Any]]:
        """Every performer with aliases, URLs, tags, stash ids, custom fields and image blob checksum."""
        legacy = {"url", "twitter", "instagram"}
        for batch in self._batches("SELECT * FROM performers ORDER BY id"):
            lo, hi = self._range(batch)
            aliases = self._values("performer_aliases", "performer_id", "alias", lo, hi, order="rowid")
            urls = self._urls("performer_urls", "performer_id", lo, hi)
            tags = self._values("performers_tags", "performer_id", "tag_id", lo, hi, order="tag_id")
            stash_ids = self._stash_ids("performer_stash_ids", "performer_id", lo, hi)
            custom: dict[int, dict[str, Any]] = defaultdict(dict)
            if "performer_custom_fields" in self._tables:
                for row in self._related(
                    "SELECT performer_id, field, value FROM performer_custom_fields "
                    "WHERE performer_id BETWEEN ? AND ? ORDER BY performer_id, field",
                    lo,
                    hi,
                ).values():
                    for c in row:
                        custom[c[0]][_text(c[1])] = _text(c[2])
            for r in batch:
                pid = r["id"]
                out = {k: _text(v) for k, v in r.items() if k not in legacy}
                out["favorite"] = bool(r["favorite"])
                out["ignore_auto_tag"] = bool(r["ignore_auto_tag"])
                out["created_at"] = parse_stash_time(r["created_at"])
                out["updated_at"] = parse_stash_time(r["updated_at"])
                out["birthdate_precision"] = _precision(r.get("birthdate_precision"), r["birthdate"])
                out["death_date_precision"] = _precision(r.get("death_date_precision"), r["death_date"])
                if "performer_urls" in self._tables:
                    out["urls"] = urls.get(pid, [])
                else:  # before 62, as migration 62 builds performer_urls
                    out["urls"] = [
                        u
                        for u in (
                            _text(r.get("url")) or None,
                            _legacy_social_url(_text(r.get("twitter")), "https://www.twitter.com/"),
                            _legacy_social_url(_text(r.get("instagram")), "https://www.instagram.com/"),
                        )
                        if u
                    ]
                out["aliases"] = aliases.get(pid, [])
                out["tag_ids"] = tags.get(pid, [])
                out["stash_ids"] = stash_ids.get(pid, [])
                out["custom_fields"] = dict(custom.get(pid, {}))
                yield out

    def studios(self) -> Iterator[dict[str, Any]]:
        """Every studio with parent, aliases, URLs, tags, stash ids and image blob checksum."""
        for batch in self._batches("SELECT * FROM studios ORDER BY id"):
            lo, hi = self._range(batch)
            aliases = self._values("studio_aliases", "studio_id", "alias", lo, hi, order="rowid")
            urls = self._urls("studio_urls", "studio_id", lo, hi)
            tags = self._values("studios_tags", "studio_id", "tag_id", lo, hi, order="tag_id")
            stash_ids = self._stash_ids("studio_stash_ids", "studio_id", lo, hi)
            for r in batch:
                sid = r["id"]
                if "studio_urls" in self._tables:
                    studio_urls = urls.get(sid, [])
                else:  # before 73: one URL in studios.url
                    studio_urls = [_text(r["url"])] if r.get("url") else []
                yield {
                    "id": sid,
                    "name": _text(r["name"]),
                    "parent_id": r["parent_id"],
                    "details": _text(r["details"]),
                    "rating": r["rating"],
                    "favorite": bool(r.get("favorite") or 0),
                    "ignore_auto_tag": bool(r["ignore_auto_tag"]),
                    "image_blob": _text(r["image_blob"]),
                    "created_at": parse_stash_time(r["created_at"]),
                    "updated_at": parse_stash_time(r["updated_at"]),
                    "aliases": aliases.get(sid, []),
                    "urls": studio_urls,
                    "tag_ids": tags.get(sid, []),
                    "stash_ids": stash_ids.get(sid, []),
                }

    def tags(self) -> Iterator[dict[str, Any]]:
        """Every tag with aliases, parents, children, stash ids (74+) and image blob checksum."""
        for batch in self._batches("SELECT * FROM tags ORDER BY id"):
            lo, hi = self._range(batch)
            aliases = self._values("tag_aliases", "tag_id", "alias", lo, hi, order="rowid")
            parents = self._values("tags_relations", "child_id", "parent_id", lo, hi, order="parent_id")
            children = self._values("tags_relations", "parent_id", "child_id", lo, hi, order="child_id")
            stash_ids = self._stash_ids("tag_stash_ids", "tag_id", lo, hi)
            for r in batch:
                tid = r["id"]
                yield {
                    "id": tid,
                    "name": _text(r["name"]),
                    "sort_name": _text(r.get("sort_name")),
                    "description": _text(r["description"]),
                    "ignore_auto_tag": bool(r["ignore_auto_tag"]),
                    "favorite": bool(r.get("favorite") or 0),
                    "image_blob": _text(r["image_blob"]),
                    "created_at": parse_stash_time(r["created_at"]),
                    "updated_at": parse_stash_time(r["updated_at"]),
                    "aliases": aliases.get(tid, []),
                    "parent_ids": parents.get(tid, []),
                    "child_ids": children.get(tid, []),
                    "stash_ids": stash_ids.get(tid, []),
                }

    def markers(self) -> Iterator[dict[str, Any]]:
        """Every scene marker (seconds, end seconds from 70, primary tag, tags)."""
        for batch in self._batches("SELECT * FROM scene_markers ORDER BY id"):
            lo, hi = self._range(batch)
            tags = self._values("scene_markers_tags", "scene_marker_id", "tag_id", lo, hi, order="tag_id")
            for r in batch:
                yield {
                    "id": r["id"],
                    "scene_id": r["scene_id"],
                    "title": _text(r["title"]),
                    "seconds": r["seconds"],
                    "end_seconds": r.get("end_seconds"),
                    "primary_tag_id": r["primary_tag_id"],
                    "tag_ids": tags.get(r["id"], []),
                    "created_at": parse_stash_time(r["created_at"]),
                    "updated_at": parse_stash_time(r["updated_at"]),
                }

    def galleries(self) -> Iterator[dict[str, Any]]:
        """Every gallery: ``kind`` folder / zip / virtual, its images, cover (66+), chapters and links."""
        sql = "SELECT g.*, fo.path AS folder_path FROM galleries g LEFT JOIN folders fo ON fo.id = g.folder_id "
        sql += "ORDER BY g.id"
        has_cover = "cover" in self.columns("galleries_images")
        for batch in self._batches(sql):
            lo, hi = self._range(batch)
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
            for r in batch:
                gid = r["id"]
                gfiles = files.get(gid, [])
                kind = "folder" if r["folder_id"] is not None else "zip" if gfiles else "virtual"
                imgs = images.get(gid, [])
                cover = [x[1] for x in imgs if x[2]]
                yield {
                    "id": gid,
                    "kind": kind,
                    "title": _text(r["title"]),
                    "code": _text(r["code"]),
                    "details": _text(r["details"]),
                    "photographer": _text(r["photographer"]),
                    "date": _text(r["date"]),
                    "date_precision": _precision(r.get("date_precision"), r["date"]),
                    "rating": r["rating"],
                    "organized": bool(r["organized"]),
                    "studio_id": r["studio_id"],
                    "folder_id": r["folder_id"],
                    "folder_path": _text(r["folder_path"]),
                    "files": gfiles,
                    "created_at": parse_stash_time(r["created_at"]),
                    "updated_at": parse_stash_time(r["updated_at"]),
                    "urls": urls.get(gid, []),
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
                        for c in chapters.get(gid, [])
                    ],
                    "scene_ids": scenes.get(gid, []),
                    "performer_ids": performers.get(gid, []),
                    "tag_ids": tags.get(gid, []),
                }

    def images(self) -> Iterator[dict[str, Any]]:
        """Every image with its files (incl. inside zips) + fingerprints, galleries and links."""
        for batch in self._batches("SELECT * FROM images ORDER BY id"):
            lo, hi = self._range(batch)
            files = self._files("images_files", "image_id", lo, hi, "image")
            urls = self._urls("image_urls", "image_id", lo, hi)
            galleries = self._values("galleries_images", "image_id", "gallery_id", lo, hi, order="gallery_id")
            tags = self._values("images_tags", "image_id", "tag_id", lo, hi, order="tag_id")
            performers = self._values("performers_images", "image_id", "performer_id", lo, hi, order="performer_id")
            for r in batch:
                iid = r["id"]
                yield {
                    "id": iid,
                    "title": _text(r["title"]),
                    "code": _text(r.get("code")),
                    "details": _text(r.get("details")),
                    "photographer": _text(r.get("photographer")),
                    "date": _text(r.get("date")),
                    "date_precision": _precision(r.get("date_precision"), r.get("date")),
                    "rating": r["rating"],
                    "o_counter": r["o_counter"],
                    "organized": bool(r["organized"]),
                    "studio_id": r["studio_id"],
                    "created_at": parse_stash_time(r["created_at"]),
                    "updated_at": parse_stash_time(r["updated_at"]),
                    "urls": urls.get(iid, []),
                    "files": files.get(iid, []),
                    "gallery_ids": galleries.get(iid, []),
                    "tag_ids": tags.get(iid, []),
                    "performer_ids": performers.get(iid, []),
                }

    def groups(self) -> Iterator[dict[str, Any]]:
        """Every group (``movies`` before 65) with its scenes in order, sub-groups (67+), URLs, tags."""
        g, gid_col, prefix = self._g, self._gid, self._gprefix
        desc_col = "description" if "description" in self.columns(g) else "synopsis"
        for batch in self._batches(f'SELECT * FROM "{g}" ORDER BY id'):
            lo, hi = self._range(batch)
            urls = self._urls(f"{prefix}_urls", gid_col, lo, hi)
            tags = self._values(f"{g}_tags", gid_col, "tag_id", lo, hi, order="tag_id")
            scenes = self._related(
                f'SELECT "{gid_col}", scene_id, scene_index FROM "{g}_scenes" WHERE "{gid_col}" BETWEEN ? AND ? '
                f'ORDER BY "{gid_col}", scene_index IS NULL, scene_index, scene_id',
                lo,
                hi,
            )
            subs: dict[int, list[sqlite3.Row]] = {}
            if "groups_relations" in self._tables:
                subs = self._related(
                    "SELECT containing_id, sub_id, order_index, description FROM groups_relations "
                    "WHERE containing_id BETWEEN ? AND ? ORDER BY containing_id, order_index",
                    lo,
                    hi,
                )
            for r in batch:
                gid = r["id"]
                yield {
                    "id": gid,
                    "name": _text(r["name"]),
                    "aliases": _text(r["aliases"]),
                    "duration": r["duration"],
                    "date": _text(r["date"]),
                    "date_precision": _precision(r.get("date_precision"), r["date"]),
                    "rating": r["rating"],
                    "studio_id": r["studio_id"],
                    "director": _text(r["director"]),
                    "description": _text(r[desc_col]),
                    "front_image_blob": _text(r["front_image_blob"]),
                    "back_image_blob": _text(r["back_image_blob"]),
                    "created_at": parse_stash_time(r["created_at"]),
                    "updated_at": parse_stash_time(r["updated_at"]),
                    "urls": urls.get(gid, []),
                    "tag_ids": tags.get(gid, []),
                    "scenes": [{"scene_id": s[1], "scene_index": s[2]} for s in scenes.get(gid, [])],
                    "sub_groups": [
                        {"group_id": s[1], "order_index": s[2], "description": _text(s[3])} for s in subs.get(gid, [])
                    ],
                }

    def saved_filters(self) -> Iterator[dict[str, Any]]:
        """Every saved filter with its JSON columns parsed (``None`` when empty or not JSON)."""

        def parse(v: Any) -> Any:
            if v is None:
                return None
            try:
                return json.loads(_text(v))
            except (ValueError, TypeError):
                return None

        for batch in self._batches("SELECT * FROM saved_filters ORDER BY id"):
            for r in batch:
                yield {
                    "id": r["id"],
                    "name": _text(r["name"]),
                    "mode": _text(r["mode"]),
                    "find_filter": parse(r.get("find_filter")),
                    "object_filter": parse(r.get("object_filter")),
                    "ui_options": parse(r.get("ui_options")),
                }

    def folders(self) -> Iterator[dict[str, Any]]:
        """Every folder row (``zip_file_id`` set for the inside of a zip), for path mapping."""
        for batch in self._batches("SELECT id, path, parent_folder_id, zip_file_id, mod_time FROM folders ORDER BY id"):
            for r in batch:
                yield {
                    "id": r["id"],
                    "path": _text(r["path"]),
                    "parent_folder_id": r["parent_folder_id"],
                    "zip_file_id": r["zip_file_id"],
                    "mod_time": parse_stash_time(r["mod_time"]),
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
