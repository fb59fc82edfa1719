"""A record merged into the row already here: what changes, column by column.

The record's catalogue values win, except the fields the user edited here (``edited_fields``)
and values the record lacks (an empty field never erases ours). URLs are joined. Counters keep
the larger value, so a second import changes nothing. Hashes fill ours where they are empty, and
probe facts come only to a row not probed yet: our own reading of the file is the truth, and a
file whose size differs from the record's is not the file those values describe.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plugins_builtin.videos.importing.records import HASH_FIELDS, META_FIELDS, TECH_FIELDS, VideoRecord, year_of

MERGE_COLUMNS = (
    "id", "file_path", "file_size", "edited_fields", "year", "probed_at", "play_count", "play_duration",
    "o_counter", "resume_time", "last_played_at", "missing_at", "custom_thumbnail",
    *META_FIELDS, *TECH_FIELDS, *HASH_FIELDS,
)  # fmt: skip
"""The columns of a row :func:`merge_changes` reads."""
SIZE_DIFFERS = "the file's size differs from the source's: its hashes and media details are read here again"


def same_file(rec: VideoRecord, size: int | None) -> bool:
    """Whether the record's hashes and probe facts may describe the file of ``size`` bytes."""
    return rec.size is None or size is None or rec.size == size


def merge_changes(row: Any, rec: VideoRecord, now: datetime, *, by_path: bool) -> dict[str, Any]:
    """The columns of ``row`` (a ``videos`` row) that change when ``rec`` is merged into it.

    ``by_path``: the record names the row's own file, so its ``missing`` flag speaks of it.
    Warnings go to ``rec.warnings``."""
    change: dict[str, Any] = {}
    edited = set(row.edited_fields or ())
    meta = rec.meta
    for name in META_FIELDS:
        if name in edited or name not in meta:
            continue
        value = meta[name]
        if name == "urls":
            value = list(dict.fromkeys([*(row.urls or []), *value]))
        if getattr(row, name) != value:
            change[name] = value
    if "title" in change:
        change["sort_title"] = change["title"].lower()
    if row.year is None and (year := year_of(meta.get("date"))) is not None:
        change["year"] = year

    if same_file(rec, row.file_size):
        for name in HASH_FIELDS:
            if getattr(row, name) is None and name in rec.hashes:
                change[name] = rec.hashes[name]
        if row.probed_at is None and rec.tech.get("duration") is not None:
            facts = {name: rec.tech.get(name) for name in TECH_FIELDS}
            change.update({name: value for name, value in facts.items() if getattr(row, name) != value})
            change.update(probed_at=now, probe_error=None)
    elif rec.hashes or rec.tech:
        rec.warnings.append(SIZE_DIFFERS)

    counters = {"play_count": rec.play_count, "play_duration": rec.play_duration, "o_counter": rec.o_counter}
    for name, value in counters.items():
        if value > getattr(row, name):
            change[name] = value
    if rec.resume_time is not None and rec.resume_time != row.resume_time:
        change["resume_time"] = rec.resume_time
    last = rec.last_played_at
    if last is not None and (row.last_played_at is None or last > row.last_played_at):
        change["last_played_at"] = last

    if by_path:
        if rec.missing and row.missing_at is None:
            change["missing_at"] = now
        elif not rec.missing and row.missing_at is not None:
            change["missing_at"] = None
    return change
