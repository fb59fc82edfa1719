"""The ``video`` importer: a batch of records matched, merged or created, in bulk.

Each record finds its row here by ``target_id`` (the row an earlier import made), else by its
path, else, when its file is not on disk at that path, by its oshash (the same file known here
under another path: the row keeps its path, the disk is the truth). Found rows are merged
(``merging``), the others created (``creating``); their plays and o's are added to the history,
covers stored as custom thumbnails. Two records of one batch that meet on the same row or path
are taken one after the other (rounds), so the batch ends as if they had come one by one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from plugin_sdk.db import in_array, refresh_statistics
from plugin_sdk.edits import entity_changed
from plugin_sdk.imports import CREATED, MERGED, SKIPPED, UNCHANGED, UPDATED, ImportBatch, ImportOutcome
from plugins_builtin.videos.generation import enqueue_generation
from plugins_builtin.videos.importing.covers import NOT_AN_IMAGE, CoverWriter, cover_jpeg
from plugins_builtin.videos.importing.creating import NOT_ON_DISK, NewFile, create_videos, file_entry
from plugins_builtin.videos.importing.history import add_events
from plugins_builtin.videos.importing.merging import MERGE_COLUMNS, merge_changes
from plugins_builtin.videos.importing.records import VideoRecord, read_video
from plugins_builtin.videos.models import Video

_COLUMNS = tuple(getattr(Video, c) for c in MERGE_COLUMNS)


class _Batch:
    """One batch's records, outcomes and covers, worked through in rounds (:meth:`round`)."""

    def __init__(self, db: Session, batch: ImportBatch) -> None:
        self.db = db
        self.now = datetime.now(UTC)
        self.recs = [read_video(r) for r in batch.records]
        self.outcomes: list[ImportOutcome | None] = [None] * len(self.recs)
        self.covers = CoverWriter(batch.dry_run)
        self._jpegs: dict[int, bytes | None] = {}
        self.touched: set[str] = set()  # rows created or changed: what they need is queued
        self.changed_fields: set[str] = set()
        self.merged_ids: list[str] = []
        self.created = 0

    def cover(self, rec: VideoRecord) -> bytes | None:
        """The record's cover as JPEG (read once; a cover that is no image is a warning)."""
        if rec.cover is None:
            return None
        key = id(rec)
        if key not in self._jpegs:
            jpeg = self._jpegs[key] = cover_jpeg(rec.cover)
            if jpeg is None:
                rec.warnings.append(NOT_AN_IMAGE)
        return self._jpegs[key]

    def done(self, index: int, status: str, video_id: str | None = None, reason: str | None = None) -> None:
        rec = self.recs[index]
        self.outcomes[index] = ImportOutcome(
            rec.key, status, id=video_id, reason=reason, unmapped=tuple(rec.unmapped), warnings=tuple(rec.warnings)
        )

    def _found(self, pending: Sequence[int]) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[Any]]]:
        """The rows the pending records may stand for, by id, by path and by oshash (oldest first)."""
        recs = [self.recs[i] for i in pending]
        ids = {r.target_id for r in recs if r.target_id}
        paths = {r.path for r in recs}
        oshashes = {r.hashes["oshash"] for r in recs if r.missing and "oshash" in r.hashes}
        wanted = [in_array(Video.file_path, paths)]
        if ids:
            wanted.append(in_array(Video.id, ids))
        if oshashes:
            wanted.append(in_array(Video.oshash, oshashes))
        rows = self.db.execute(select(*_COLUMNS).where(or_(*wanted)).order_by(Video.created_at, Video.id)).all()
        by_oshash: dict[str, list[Any]] = {}
        for row in rows:
            if row.oshash in oshashes:
                by_oshash.setdefault(row.oshash, []).append(row)
        return {r.id: r for r in rows}, {r.file_path: r for r in rows}, by_oshash

    def round(self, pending: Sequence[int]) -> list[int]:
        """Match, merge and create the ``pending`` records; the ones that meet an earlier record
        of this round on a row or a path wait for the next round, which this returns."""
        by_id, by_path, by_oshash = self._found(pending)
        later: list[int] = []
        claimed: set[str] = set()
        creating: set[str] = set()
        merges: list[tuple[int, Any, str]] = []
        creates: list[int] = []
        for i in pending:
            rec = self.recs[i]
            row, status = by_id.get(rec.target_id or ""), UPDATED
            if row is None:
                row, status = by_path.get(rec.path), MERGED
            if row is None and rec.missing and "oshash" in rec.hashes:
                row = next(iter(by_oshash.get(rec.hashes["oshash"], ())), None)
            if row is not None:
                if row.id in claimed:
                    later.append(i)
                else:
                    claimed.add(row.id)
                    merges.append((i, row, status))
            elif rec.path in creating:
                later.append(i)
            else:
                creating.add(rec.path)
                creates.append(i)
        events = self._merge(merges)
        known = {row.id for _, row, _ in merges}
        events += self._create(creates)
        gained = add_events(self.db, events, known)
        for i, row, status in merges:
            changed = row.id in self.touched or row.id in gained
            self.done(i, status if changed else UNCHANGED, row.id)
        return later

    def _merge(self, merges: list[tuple[int, Any, str]]) -> list[tuple[str, list[datetime], list[datetime]]]:
        updates: list[dict[str, Any]] = []
        events = []
        for i, row, _ in merges:
            rec = self.recs[i]
            by_path = row.file_path == rec.path
            change: dict[str, Any] = {}
            if by_path and not rec.missing and row.missing_at is not None:  # the file may be back
                try:
                    st = os.stat(rec.path)
                    change.update(file_size=st.st_size, file_mtime=st.st_mtime)
                except OSError:
                    rec.missing = True
                    rec.warnings.append(NOT_ON_DISK)
            change.update(merge_changes(row, rec, self.now, by_path=by_path))
            if not row.custom_thumbnail and (jpeg := self.cover(rec)) is not None:
                change["custom_thumbnail"] = True
                self.covers.write(row.id, jpeg)
            if change:
                updates.append({"id": row.id, **change})
                self.touched.add(row.id)
                self.changed_fields.update(change)
            self.merged_ids.append(row.id)
            events.append((row.id, rec.plays, rec.os))
        groups: dict[frozenset[str], list[dict[str, Any]]] = {}
        for u in updates:
            groups.setdefault(frozenset(u), []).append(u)
        for group in groups.values():
            self.db.execute(update(Video), group)
        return events

    def _create(self, creates: list[int]) -> list[tuple[str, list[datetime], list[datetime]]]:
        files: list[tuple[int, NewFile]] = []
        for i in creates:
            rec = self.recs[i]
            entry = file_entry(rec)
            if isinstance(entry, str):
                self.done(i, SKIPPED, reason=entry)
            else:
                files.append((i, NewFile(rec, entry)))
        if not files:
            return []
        skipped = create_videos(self.db, [f for _, f in files], self.now, self.cover)
        events = []
        for i, f in files:
            if not f.id:
                self.done(i, SKIPPED, reason=skipped.get(f.rec.key, "skipped"))
                continue
            if (jpeg := self.cover(f.rec)) is not None:
                self.covers.write(f.id, jpeg)
            self.touched.add(f.id)
            self.created += 1
            events.append((f.id, f.rec.plays, f.rec.os))
            self.done(i, CREATED, f.id)
        return events


def import_videos(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    """Take a batch of ``video`` records (see ``plugins_builtin.videos.importer.VIDEO_FIELDS``)."""
    work = _Batch(db, batch)
    try:
        pending = []
        for i, rec in enumerate(work.recs):
            if rec.skip is not None:
                work.done(i, SKIPPED, reason=rec.skip)
            else:
                pending.append(i)
        while pending:
            pending = work.round(pending)
        if work.merged_ids and work.changed_fields:
            entity_changed(db, "video", [i for i in work.merged_ids if i in work.touched], work.changed_fields)
        if not batch.dry_run:
            enqueue_generation(db, work.touched)
        if work.created:
            refresh_statistics(db, Video)  # the next batch's lookups plan on the rows this one added
    except BaseException:
        work.covers.undo()
        raise
    return [o for o in work.outcomes if o is not None]
