"""The ``library-scan`` processor: walk a root, write video rows in bulk, enqueue probes.

One walk, one query of the known rows, an in-memory comparison: an unchanged rescan writes
nothing and enqueues nothing. New files are classified (movie / episode by folder depth), named
from sidecars or their file names, and COPYed in chunks while the walk goes on (``new_rows``),
each chunk committed with its videos' probe jobs. A file that moved or was renamed (same size and
oshash) keeps its row and metadata: a new file as big as a known hashed one waits for the end of
the walk to be told apart. A root that is missing, unreadable or suddenly empty is reported and
never pruned.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, exists, func, select, text, update
from sqlalchemy.orm import Session

from plugin_sdk import JobContext, PermanentJobError
from plugin_sdk.hashing import oshash_file
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import emptied_root_problem, root_option, root_problem
from plugin_sdk.links import entities_deleted
from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries, VideoSubtitle
from plugins_builtin.videos.new_rows import Classifier, Containers, NewRowStream
from plugins_builtin.videos.queues import enqueue_probes
from plugins_builtin.videos.scanning.filetypes import is_subtitle_file, split_extension, subtitle_format
from plugins_builtin.videos.settings import SCAN_MOVIES, SCAN_SERIES
from plugins_builtin.videos.walk import FileEntry, WalkResult, iter_walk

log = logging.getLogger("obscura.videos.scan")

REPORT_LIMIT = 20


def sidecar_subtitle_names(video_path: str, folder_names: set[str] | None) -> set[str]:
    """Subtitle files beside a video named ``<stem>[.<lang>[.<label>]].<ext>``."""
    if not folder_names:
        return set()
    stem = split_extension(os.path.basename(video_path))[0]
    prefix = stem + "."
    return {n for n in folder_names if n.startswith(prefix) and is_subtitle_file(n) and subtitle_format(n) is not None}


def _place_moved(
    db: Session, video_id: str, entry: FileEntry, classifier: Classifier, place: Containers
) -> None:
    """A moved file keeps its row and metadata; only its path and placement change."""
    c, series_path, season = classifier.folder_of(entry)
    values: dict[str, Any] = {"file_path": entry.path, "file_mtime": entry.mtime}
    if c is not None and c.kind == "movie":
        values.update(kind="movie", series_id=None, season_id=None, season_number=None)
    elif c is not None and c.kind == "episode" and series_path is not None and season is not None:
        place.prepare({series_path: c.series_folder or ""}, {season})
        series_id, number = place.series[series_path], season[1]
        values.update(
            kind="episode", series_id=series_id, season_number=number, season_id=place.seasons[(series_id, number)]
        )
    db.execute(update(Video).where(Video.id == video_id).values(**values))


def _follow_moves(
    db: Session, classifier: Classifier, place: Containers, missing: list[Any], held: list[FileEntry]
) -> tuple[set[str], list[tuple[str, str, str]], list[FileEntry]]:
    """A held-back new file with the size and oshash of a vanished row takes that row over. Returns
    the moved rows' ids, ``(video id, old path, new path)`` for their sidecars to follow, and the
    held-back files that are new after all."""
    candidates: dict[int, list[Any]] = {}
    for r in missing:
        if r.oshash and r.file_size:
            candidates.setdefault(r.file_size, []).append(r)
    moved_ids: set[str] = set()
    followed: list[tuple[str, str, str]] = []
    still_new = []
    for entry in held:
        options = candidates.get(entry.size)
        match = None
        if options:
            try:
                digest = oshash_file(entry.path)
                match = next((o for o in options if o.oshash == digest), None)
            except (OSError, ValueError):
                match = None
        if match is None:
            still_new.append(entry)
            continue
        options.remove(match)
        moved_ids.add(match.id)
        followed.append((match.id, match.file_path, entry.path))
        _place_moved(db, match.id, entry, classifier, place)
    return moved_ids, followed, still_new


def _prune_empty_containers(db: Session, root_id: str) -> None:
    db.execute(
        delete(VideoSeason).where(
            VideoSeason.series_id.in_(select(VideoSeries.id).where(VideoSeries.library_root_id == root_id)),
            ~exists().where(Video.season_id == VideoSeason.id),
        )
    )
    gone = db.execute(
        delete(VideoSeries)
        .where(VideoSeries.library_root_id == root_id, ~exists().where(Video.series_id == VideoSeries.id))
        .returning(VideoSeries.id)
    ).scalars()
    entities_deleted(db, "series", list(gone))


def scan_root(db: Session, root: LibraryRoot, progress: Any = None) -> dict[str, Any]:
    """Scan one root and commit. Returns the job result."""
    report: dict[str, Any] = {"rootId": root.id, "path": root.path}
    existing = db.execute(
        select(Video.id, Video.file_path, Video.file_size, Video.file_mtime, Video.oshash).where(
            Video.library_root_id == root.id
        )
    ).all()
    problem = root_problem(root.path)
    if problem:
        return {**report, "rootProblem": problem, "known": len(existing)}
    by_path = {r.file_path: r for r in existing}
    # a new file might be a known one moved or renamed (same size and oshash): held back until
    # the walk has shown which known files are gone; every other new file is written at once
    movable_sizes = {r.file_size for r in existing if r.oshash and r.file_size}
    walk = WalkResult()
    place = Containers(db, root)
    stream = NewRowStream(db, root, walk, place, progress)
    changed: list[tuple[str, FileEntry]] = []
    held: list[FileEntry] = []
    try:
        for files in iter_walk(root.path, walk, recursive=root.recursive):
            fresh = []
            for entry in files:
                row = by_path.get(entry.path)
                if row is None:
                    (held if entry.size in movable_sizes else fresh).append(entry)
                elif row.file_size != entry.size or row.file_mtime != entry.mtime:
                    changed.append((row.id, entry))
            if fresh:
                stream.add(fresh)
        if not walk.files and existing:
            return {
                **report,
                "rootProblem": emptied_root_problem(root.path, len(existing), "videos"),
                "known": len(existing),
            }
        if progress:
            progress(30, f"{len(walk.files)} files found")
        on_disk = {f.path for f in walk.files}
        missing = [r for r in existing if r.file_path not in on_disk]
        moved_ids, followed, still_new = _follow_moves(db, stream.classifier, place, missing, held)
        if moved_ids:
            db.commit()  # the series and seasons moved files went to: the copy connections must see them
        stream.add(still_new)
        new, batch_runs = stream.finish()
    finally:
        stream.close()
    missing = [r for r in missing if r.id not in moved_ids]
    removed_ids = [r.id for r in missing]
    moved = len(moved_ids)
    try:
        for video_id, entry in changed:
            db.execute(
                update(Video)
                .where(Video.id == video_id)
                .values(file_size=entry.size, file_mtime=entry.mtime, probed_at=None, md5=None, oshash=None, phash=None)
            )
        if removed_ids:
            db.execute(delete(Video).where(Video.id.in_(removed_ids)))
            entities_deleted(db, "video", removed_ids)
            _prune_empty_containers(db, root.id)
        db.execute(update(LibraryRoot).where(LibraryRoot.id == root.id).values(last_scanned_at=func.now()))
        # changed files in batches too, leaving out any a waiting or running probe covers
        changed_runs = enqueue_probes(db, [(vid, os.path.basename(e.path)) for vid, e in changed])
        subtitles = _enqueue_changed_sidecars(db, root, walk, by_path, {vid for vid, _ in new})
        db.commit()
    except BaseException:
        db.rollback()
        raise
    for video_id in removed_ids:
        assets.delete_video_files(video_id)
    for video_id, old_path, new_path in followed:
        assets.follow_move(db, video_id, old_path, new_path)
    report.update(
        found=len(walk.files),
        new=len(new),
        changed=len(changed),
        moved=moved,
        removed=len(removed_ids),
        unchanged=len(walk.files) - len(new) - sum(stream.skipped.values()) - len(changed) - moved,
        skipped=sum(stream.skipped.values()),
        skippedReasons=dict(stream.skipped.most_common(REPORT_LIMIT)),
        walkErrors=walk.errors[:REPORT_LIMIT],
        probesEnqueued=len(new) + changed_runs,
        probeRuns=batch_runs + changed_runs,
        subtitleScansEnqueued=subtitles,
    )
    return report


def _enqueue_changed_sidecars(
    db: Session, root: LibraryRoot, walk: WalkResult, by_path: Mapping[str, Any], new_ids: set[str]
) -> int:
    """Known videos whose sidecar subtitle files appeared or vanished get a subtitle pass."""
    known: dict[str, set[str]] = {}
    for video_id, key in db.execute(
        select(VideoSubtitle.video_id, VideoSubtitle.source_key)
        .join(Video, Video.id == VideoSubtitle.video_id)
        .where(Video.library_root_id == root.id, VideoSubtitle.source == "sidecar")
    ).all():
        known.setdefault(video_id, set()).add(os.path.basename(key))
    todo = []
    for path, row in by_path.items():
        if row.id in new_ids:
            continue
        names = sidecar_subtitle_names(path, walk.sidecars.get(os.path.dirname(path)))
        if names != known.get(row.id, set()) and os.path.exists(path):
            todo.append(({"videoId": row.id}, "video", row.id, f"Subtitles · {os.path.basename(path)}"))
    return enqueue_jobs(db, "extract-subtitles", todo) if todo else 0


def process_library_scan(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    root = ctx.db.get(LibraryRoot, payload.get("rootId"))
    if root is None:
        raise PermanentJobError(f"library root {payload.get('rootId')} no longer exists")
    if not root.enabled:
        return {"rootId": root.id, "skipped": "the library root is disabled"}
    if not (root_option(root, SCAN_MOVIES) or root_option(root, SCAN_SERIES)):
        return {"rootId": root.id, "skipped": "movie and series scanning are off for this root"}
    ctx.progress(5, "walking the folder")
    result = scan_root(ctx.db, root, ctx.progress)
    if result.get("rootProblem"):
        log.warning("library-scan of %s: %s", root.path, result["rootProblem"])
    return result


def root_problems(db: Session) -> list[dict[str, Any]]:
    """The latest library-scan result per root when it reported a problem (for system status)."""
    rows = db.execute(
        text(
            """
            SELECT DISTINCT ON (target_id) target_id, result, finished_at
            FROM job_runs
            WHERE queue_name = 'library-scan' AND status = 'completed'
            ORDER BY target_id, finished_at DESC
            """
        )
    ).all()
    return [
        {"rootId": target, "problem": result["rootProblem"], "at": finished.isoformat() if finished else None}
        for target, result, finished in rows
        if isinstance(result, dict) and result.get("rootProblem")
    ]
