"""New rows for imported files, placed exactly where a scan would put them.

A file goes to the library root whose path is the longest one containing it. Its placement
(movie or episode, series and season, movie groups, parts and versions) comes from the same rules
a scan uses, applied to the files it is placed with (``placement_unit``: its top-level folder of
the root, or below named containers its folder there), the batch's and the ones already known: a
new file may change how its known siblings are placed (a second version, a first episode marker),
and those rows move as a scan would move them.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.db import new_ids
from plugin_sdk.library import root_option
from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos.importing.merging import SIZE_DIFFERS, same_file
from plugins_builtin.videos.importing.records import HASH_FIELDS, TECH_FIELDS, VideoRecord, year_of
from plugins_builtin.videos.new_rows import (
    Containers,
    Placer,
    RowMaker,
    execute_unprepared,
    link_groups,
    placement_unit,
    skip_reason,
)
from plugins_builtin.videos.scan import replace_rows
from plugins_builtin.videos.scanning.layout import LAYOUT_VERSION
from plugins_builtin.videos.settings import SCAN_FLAT
from plugins_builtin.videos.walk import FileEntry, WalkResult

NO_ROOT = "not under a library root"
NOT_ON_DISK = "the file is not on disk: imported as missing"


@dataclass
class NewFile:
    """A record to create, with the file as the disk (or, when missing, the record) gives it."""

    rec: VideoRecord
    entry: FileEntry
    id: str = ""


def root_for(roots: Sequence[LibraryRoot], path: str) -> LibraryRoot | None:
    """The root whose path is the longest one holding ``path`` (whole folder names only)."""
    best: LibraryRoot | None = None
    for root in roots:
        prefix = root.path.rstrip(os.sep) + os.sep
        if path.startswith(prefix) and (best is None or len(root.path) > len(best.path)):
            best = root
    return best


def file_entry(rec: VideoRecord) -> FileEntry | str:
    """The record's file as the disk has it: its size and mtime read there (so a later scan sees
    it unchanged); the record's own when it is missing. A reason instead when it cannot come in."""
    if not rec.missing:
        try:
            st = os.stat(rec.path)
        except OSError:
            rec.missing = True
            rec.warnings.append(NOT_ON_DISK)
        else:
            if stat.S_ISDIR(st.st_mode):
                return "the path is a folder, not a video file"
            if not same_file(rec, st.st_size):
                if rec.hashes or rec.tech:
                    rec.warnings.append(SIZE_DIFFERS)
                rec.hashes.clear()
                rec.tech.clear()
            return FileEntry(rec.path, st.st_size, st.st_mtime)
    return FileEntry(rec.path, rec.size or 0, rec.mtime or 0.0)


_KNOWN_SQL = """
    SELECT v.id, v.file_path, v.file_size, v.file_mtime
    FROM unnest(CAST(%(lo)s AS text[]), CAST(%(hi)s AS text[]), CAST(%(direct)s AS boolean[])) AS u(lo, hi, direct)
    JOIN videos v ON v.file_path COLLATE "C" >= u.lo AND v.file_path COLLATE "C" < u.hi
    WHERE v.library_root_id = %(root)s AND (NOT u.direct OR strpos(substr(v.file_path, length(u.lo) + 1), %(sep)s) = 0)
"""
"""The rows under each unit's folder: a range of ``ix_videos_path_bytes`` per unit (byte order, where a
folder's paths are exactly those from ``folder/`` up to ``folder0``), so a batch reads its units'
rows, not its root's."""


def _above(head: str) -> str:
    """The least string above every string starting with ``head`` in byte (code point) order."""
    return head[:-1] + chr(ord(head[-1]) + 1)


def known_rows(db: Session, root_id: str, prefix: str, units: set[tuple[str, bool]]) -> list[Known]:
    """The rows of a root whose files are in the placement ``units`` (``placement_unit``), with
    ``id``, ``file_path``, ``file_size`` and ``file_mtime``."""
    heads = sorted((prefix + (folder + os.sep if folder else ""), direct) for folder, direct in units)
    params = {
        "lo": [h for h, _ in heads],
        "hi": [_above(h) for h, _ in heads],
        "direct": [d for _, d in heads],
        "root": root_id,
        "sep": os.sep,
    }
    rows = execute_unprepared(db, _KNOWN_SQL, params)
    return [Known(*row) for row in dict.fromkeys(rows)]  # a row in two units (a folder and a file of it) once


class Known(NamedTuple):
    """A row already in a placement unit."""

    id: str
    file_path: str
    file_size: int | None
    file_mtime: float | None


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format (formatted here: psycopg's adaptation of every
    value costs more than the insert itself)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        value = json.dumps(value)
    return value.translate(_COPY_ESCAPES) if isinstance(value, str) else str(value)


def copy_videos(db: Session, rows: list[dict[str, Any]]) -> None:
    """COPY new ``videos`` rows (dicts with the same keys) in ``db``'s transaction."""
    columns = [c for c in rows[0] if any(row[c] is not None for row in rows)]  # the others default to NULL
    lines = "".join("\t".join([_copy_text(row[c]) for c in columns]) + "\n" for row in rows)
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY videos ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(lines)


class RootCreator:
    """Creates the new rows of one root's files (:meth:`create`)."""

    def __init__(self, db: Session, root: LibraryRoot, now: datetime, cover: Callable[[VideoRecord], bytes | None]):
        self.db, self.root, self.now, self.cover = db, root, now, cover
        self.placer = Placer(root)
        self.place = Containers(db, root)
        self.maker = RowMaker(root, WalkResult(), self.place)
        self.flat = root_option(root, SCAN_FLAT)

    def create(self, files: list[NewFile]) -> dict[str, str]:
        """Place and insert ``files``; each one's id is set. Returns the skipped ones' reasons by key."""
        prefix = self.placer.prefix
        known = known_rows(self.db, self.root.id, prefix, {placement_unit(prefix, f.entry.path) for f in files})
        known_entries = [FileEntry(r.file_path, r.file_size or 0, r.file_mtime or 0.0) for r in known]
        entries = [f.entry for f in files]
        # flat mode places every file on its own: the known ones cannot move
        placements = self.placer.place(entries if self.flat or not known else entries + known_entries)
        skipped: dict[str, str] = {}
        kept = []
        for f in files:
            p = placements.get(f.entry.path)
            reason = skip_reason(f.entry.path, p)
            if reason is not None:
                skipped[f.rec.key] = reason
            else:
                kept.append((f, p))
        if kept:
            self.place.prepare_for((f.entry, p) for f, p in kept)
            rows = [self.row(f, p, vid) for (f, p), vid in zip(kept, new_ids(len(kept)), strict=True)]
            copy_videos(self.db, rows)
        if known and not self.flat:
            recheck = [(r.id, e, placements.get(r.file_path)) for r, e in zip(known, known_entries, strict=True)]
            replace_rows(self.db, self.maker, recheck)
        link_groups(self.db, self.root.id, [r.id for r in known] + [f.id for f, _ in kept])
        return skipped

    def row(self, f: NewFile, p: Any, video_id: str) -> dict[str, Any]:
        """The new row of ``f`` placed at ``p``: the placement's columns and name, the record's values."""
        f.id = video_id
        rec, entry = f.rec, f.entry
        values, _ = self.maker.values(entry, p)
        meta = rec.meta
        title = meta.get("title") or values["title"]
        day = meta.get("date") or values["date"]
        created = rec.created_at or self.now
        probed = rec.tech.get("duration") is not None
        values.update(
            id=video_id, library_root_id=self.root.id, title=title, sort_title=title.lower(), date=day,
            year=values["year"] if values["year"] is not None else year_of(day),
            code=meta.get("code"), details=meta.get("details"), director=meta.get("director"),
            rating=meta.get("rating"), organized=meta.get("organized", False),
            urls=meta.get("urls", []), is_nsfw=self.root.is_nsfw, layout_version=LAYOUT_VERSION,
            file_path=entry.path, file_size=entry.size if not rec.missing else rec.size,
            file_mtime=entry.mtime if not rec.missing else rec.mtime,
            probed_at=self.now if probed else None,
            play_count=rec.play_count, play_duration=rec.play_duration, resume_time=rec.resume_time,
            last_played_at=rec.last_played_at, o_counter=rec.o_counter,
            missing_at=self.now if rec.missing else None, custom_thumbnail=self.cover(rec) is not None,
            created_at=created, updated_at=rec.updated_at or created,
        )  # fmt: skip
        for name in TECH_FIELDS:
            values[name] = rec.tech.get(name) if probed else None
        for name in HASH_FIELDS:
            values[name] = rec.hashes.get(name)
        return values


def create_videos(
    db: Session, files: list[NewFile], now: datetime, cover: Callable[[VideoRecord], bytes | None]
) -> dict[str, str]:
    """Create the rows of ``files`` (their ``id`` set), root by root. Returns the reasons of the
    files that were skipped, by record key."""
    roots = db.execute(select(LibraryRoot)).scalars().all()
    by_root: dict[str, list[NewFile]] = {}
    skipped: dict[str, str] = {}
    found = {}
    for f in files:
        root = root_for(roots, f.entry.path)
        if root is None:
            skipped[f.rec.key] = NO_ROOT
            continue
        found[root.id] = root
        by_root.setdefault(root.id, []).append(f)
    for root_id, group in by_root.items():
        skipped.update(RootCreator(db, found[root_id], now, cover).create(group))
    return skipped
