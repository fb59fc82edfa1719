"""The ``video_marker`` importer: markers matched by ``target_id``, else by video, time and
title, else created; in bulk (one read of the batch's videos and their markers, one INSERT)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from plugin_sdk.db import new_id
from plugin_sdk.imports import CREATED, MERGED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportOutcome
from plugins_builtin.videos.importing.records import moment, number, text, unmapped_fields
from plugins_builtin.videos.models import Video, VideoMarker

MARKER_KEYS = frozenset(
    ("video_id", "title", "seconds", "end_seconds", "primary_tag_id", "tag_ids", "created_at", "updated_at")
)
VALUE_COLUMNS = ("video_id", "title", "seconds", "end_seconds", "primary_tag_id", "tag_ids")
"""The columns a record sets (the times only on a new marker)."""
ID_MAX = 36


@dataclass
class MarkerRecord:
    key: str
    target_id: str | None
    values: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    warnings: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    skip: str | None = None

    @property
    def natural_key(self) -> tuple[str, float, str]:
        return self.values["video_id"], self.values["seconds"], self.values["title"]


def _tag_id(value: Any, name: str, warnings: list[str]) -> str | None:
    tag = text(value)
    if tag is not None and len(tag) > ID_MAX:
        warnings.append(f"{name}: {tag!r} is not a tag id (left out)")
        return None
    return tag


def read_marker(fields: Mapping[str, Any], key: str, target_id: str | None) -> MarkerRecord:
    """The record in column form; ``skip`` says why it cannot come in."""
    out = MarkerRecord(key, str(target_id) if target_id else None, unmapped=unmapped_fields(fields, MARKER_KEYS))
    video_id = text(fields.get("video_id"))
    if video_id is None:
        out.skip = "no video_id"
        return out
    try:
        seconds = number(fields.get("seconds"), float)
    except (TypeError, ValueError):
        out.skip = f"seconds must be a number of seconds ≥ 0, not {fields.get('seconds')!r}"
        return out
    end = fields.get("end_seconds")
    if end is not None:
        try:
            end = number(end, float)
        except (TypeError, ValueError):
            out.skip = f"end_seconds must be a number of seconds ≥ 0, not {end!r}"
            return out
        if end < seconds:
            out.skip = f"the marker ends ({end:g} s) before it starts ({seconds:g} s)"
            return out
    tags = (_tag_id(t, "tag_ids", out.warnings) for t in fields.get("tag_ids") or ())
    out.values = {
        "video_id": video_id,
        "title": text(fields.get("title")) or "",
        "seconds": seconds,
        "end_seconds": end,
        "primary_tag_id": _tag_id(fields.get("primary_tag_id"), "primary_tag_id", out.warnings),
        "tag_ids": list(dict.fromkeys(t for t in tags if t)),
    }
    for name in ("created_at", "updated_at"):
        try:
            setattr(out, name, moment(fields.get(name)))
        except (TypeError, ValueError):
            out.warnings.append(f"{name}: {fields.get(name)!r} is not a time (left out)")
    return out


def import_markers(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """Take a batch of ``video_marker`` records (``plugins_builtin.videos.importer.MARKER_FIELDS``)."""
    now = datetime.now(UTC)
    recs = [read_marker(r.fields, r.key, r.target_id) for r in batch.records]
    video_ids = {r.values["video_id"] for r in recs if r.skip is None}
    known_videos = set(db.execute(select(Video.id).where(Video.id.in_(video_ids))).scalars()) if video_ids else set()
    targets = {r.target_id for r in recs if r.target_id and r.skip is None}
    wanted = [VideoMarker.video_id.in_(known_videos)]
    if targets:
        wanted.append(VideoMarker.id.in_(targets))
    columns = (VideoMarker.id, *(getattr(VideoMarker, c) for c in VALUE_COLUMNS))
    markers: dict[str, dict[str, Any]] = {
        row.id: dict(row._mapping) for row in db.execute(select(*columns).where(or_(*wanted)))
    }
    by_key = {(m["video_id"], m["seconds"], m["title"]): m for m in markers.values()}
    new: dict[str, dict[str, Any]] = {}  # markers this batch creates, by id
    changed: dict[str, dict[str, Any]] = {}  # markers already here that change, by id
    outcomes: list[ImportOutcome] = []
    for rec in recs:
        if rec.skip is None and rec.values["video_id"] not in known_videos:
            rec.skip = "video not found"
        if rec.skip is not None:
            outcomes.append(ImportOutcome(rec.key, SKIPPED, reason=rec.skip, unmapped=tuple(rec.unmapped)))
            continue
        marker, status = markers.get(rec.target_id or ""), UPDATED
        if marker is None:
            marker, status = by_key.get(rec.natural_key), MERGED
        if marker is None:
            marker = {"id": new_id(), **rec.values, "created_at": rec.created_at or now}
            marker["updated_at"] = rec.updated_at or marker["created_at"]
            new[marker["id"]] = marker
            by_key[rec.natural_key] = marker
            status = CREATED
        else:
            diff = {c: rec.values[c] for c in VALUE_COLUMNS if marker[c] != rec.values[c]}
            if diff:
                by_key.pop((marker["video_id"], marker["seconds"], marker["title"]), None)
                marker.update(diff)
                by_key[rec.natural_key] = marker
                if marker["id"] not in new:
                    changed[marker["id"]] = marker
            elif marker["id"] not in new and marker["id"] not in changed:
                status = UNCHANGED
        outcomes.append(
            ImportOutcome(rec.key, status, id=marker["id"], unmapped=tuple(rec.unmapped), warnings=tuple(rec.warnings))
        )
    if new:
        db.execute(insert(VideoMarker), list(new.values()))
    if changed:
        db.execute(update(VideoMarker), [{"id": m["id"], **{c: m[c] for c in VALUE_COLUMNS}} for m in changed.values()])
    return outcomes
