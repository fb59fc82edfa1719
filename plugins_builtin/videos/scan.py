"""The ``library-scan`` processor: walk a root, write video rows in bulk, enqueue probes.

One walk, one query of the known rows, an in-memory comparison: an unchanged rescan writes
nothing and enqueues nothing. New files are classified (movie / episode by folder depth), named
from sidecars or their file names, and COPYed in chunks while the walk goes on (``new_rows``),
each chunk committed with its videos' probe jobs. A file that moved or was renamed (same size and
oshash) keeps its row and metadata: a new file as big as a known hashed one waits for the end of
the walk to be told apart. A root that is missing, unreadable or suddenly empty is reported and
never pruned. A row marked missing (``missing_at``: an imported file that was not on disk) is
kept when its file is not found, and loses the mark when the file is back (at its path, or moved)
with what it still needs queued.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Text, any_, cast, delete, exists, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from plugin_sdk import JobContext, PermanentJobError
from plugin_sdk.hashing import oshash_file
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import emptied_root_problem, root_option, root_problem
from plugin_sdk.librarytables import root_file_rows
from plugin_sdk.links import entities_deleted
from plugin_sdk.models import LibraryRoot, LibrarySettings
from plugin_sdk.settings import read_settings
from plugins_builtin.videos import assets
from plugins_builtin.videos.generation import enqueue_generation
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries, VideoSubtitle
from plugins_builtin.videos.new_rows import (
    PLACED_COLUMNS,
    Containers,
    NewRowStream,
    Placer,
    RowMaker,
    link_groups,
    top_folder,
)
from plugins_builtin.videos.queues import enqueue_probes
from plugins_builtin.videos.scanning.filetypes import is_subtitle_file, split_extension, subtitle_format
from plugins_builtin.videos.scanning.layout import LAYOUT_VERSION, Placement
from plugins_builtin.videos.settings import GENERATION, SCAN_MOVIES, SCAN_SERIES
from plugins_builtin.videos.walk import FileEntry, WalkResult, iter_walk

log = logging.getLogger("obscura.videos.scan")

REPORT_LIMIT = 20
MAX_DEPTH = 24
"""Folders a scan follows below a root (library layouts of any real depth; a bound against loops)."""


def sidecar_subtitle_names(video_path: str, folder_names: set[str] | None) -> set[str]:
    """Subtitle files beside a video named ``<stem>[.<lang>[.<label>]].<ext>``."""
    if not folder_names:
        return set()
    stem = split_extension(os.path.basename(video_path))[0]
    prefix = stem + "."
    return {n for n in folder_names if n.startswith(prefix) and is_subtitle_file(n) and subtitle_format(n) is not None}


def _follow_moves(
    db: Session, missing: list[Any], held: list[FileEntry]
) -> tuple[dict[str, FileEntry], list[tuple[str, str, str]], list[FileEntry]]:
    """A held-back new file with the size and oshash of a vanished row takes that row over (its
    path changes here; its placement with the other known rows'). Returns the moved rows' new
    files by id, ``(video id, old path, new path)`` for their sidecars to follow, and the
    held-back files that are new after all."""
    candidates: dict[int, list[Any]] = {}
    for r in missing:
        if r.oshash and r.file_size:
            candidates.setdefault(r.file_size, []).append(r)
    moved: dict[str, FileEntry] = {}
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
        moved[match.id] = entry
        followed.append((match.id, match.file_path, entry.path))
        db.execute(update(Video).where(Video.id == match.id).values(file_path=entry.path, file_mtime=entry.mtime))
    return moved, followed, still_new


def _found_again(db: Session, back: list[tuple[Any, FileEntry]]) -> list[tuple[str, FileEntry]]:
    """Rows marked missing whose file is at their path again: the same file (its size, and its
    mtime to the second, as an import recorded them) keeps its hashes and facts, its mtime taken
    exactly from the disk; another file is returned, to be read again like a changed one."""
    reread: list[tuple[str, FileEntry]] = []
    for row, entry in back:
        same_mtime = row.file_mtime is None or int(row.file_mtime) == int(entry.mtime)
        if row.file_size not in (None, entry.size) or not same_mtime:
            reread.append((row.id, entry))
        elif row.file_size != entry.size or row.file_mtime != entry.mtime:
            db.execute(update(Video).where(Video.id == row.id).values(file_size=entry.size, file_mtime=entry.mtime))
    return reread


_RECHECK_COLUMNS = tuple(getattr(Video, c) for c in PLACED_COLUMNS)


def replace_rows(db: Session, maker: RowMaker, recheck: list[tuple[str, FileEntry, Placement | None]]) -> int:
    """Known rows go to their current placement (a sibling came or went, the file moved, or older
    rules placed them), keeping their metadata, markers, play history and hashes; fields the user
    edited are kept too, and the title and year change only for rows older rules named. A known
    file the rules now skip keeps its row. Returns how many rows moved."""
    wanted = [(vid, e, p) for vid, e, p in recheck if p is not None and p.kind != "skip"]
    if not wanted:
        return 0
    ids = [vid for vid, _, _ in wanted]
    rows = {
        r.id: r
        for r in db.execute(
            select(
                Video.id, *_RECHECK_COLUMNS, Video.title, Video.year, Video.layout_version, Video.edited_fields
            ).where(Video.id == any_(cast(literal(ids, ARRAY(Text)), ARRAY(Text))))  # one parameter, not one per id
        )
    }
    maker.place.prepare_for((e, p) for _, e, p in wanted)
    updates: list[dict[str, Any]] = []
    moved = 0
    for vid, entry, p in wanted:
        row = rows.get(vid)
        if row is None:
            continue
        placed = maker.place.placed_row(p)
        if row.layout_version == LAYOUT_VERSION and placed == tuple(row[1 : 1 + len(PLACED_COLUMNS)]):
            continue  # the usual case: still placed where it is
        values, _ = maker.values(entry, p)
        edited = set(row.edited_fields or ())
        change = {k: values[k] for k in PLACED_COLUMNS if k not in edited and getattr(row, k) != values[k]}
        if row.layout_version != LAYOUT_VERSION:  # older rules named it: name it again (a move keeps its name)
            for key in ("title", "year"):
                if key not in edited and values[key] is not None and getattr(row, key) != values[key]:
                    change[key] = values[key]
        if "title" in change:
            change["sort_title"] = change["title"].lower()
        moved += bool(change.keys() & set(PLACED_COLUMNS))
        if change or row.layout_version != LAYOUT_VERSION:
            updates.append({"id": vid, **change, "layout_version": LAYOUT_VERSION})
    for batch in _same_keys(updates):
        db.execute(update(Video), batch)
    return moved


def _same_keys(updates: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Bulk UPDATEs by primary key, one statement per set of columns."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for u in updates:
        groups.setdefault(frozenset(u), []).append(u)
    return list(groups.values())


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
    gone = list(gone)
    entities_deleted(db, "series", gone)
    for series_id in gone:  # their downloaded artwork, if any
        assets.delete_series_files(series_id)


def scan_root(db: Session, root: LibraryRoot, progress: Any = None) -> dict[str, Any]:
    """Scan one root and commit. Returns the job result.

    The cyclic garbage collector is paused meanwhile: a scan allocates a few objects per file
    and frees them together at the end, so the collector would only walk them again and again
    (a fifth of a first scan's time); it is restored, and collects once, afterwards."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _scan_root(db, root, progress)
    finally:
        if collecting:
            gc.enable()


def _scan_root(db: Session, root: LibraryRoot, progress: Any = None) -> dict[str, Any]:
    report: dict[str, Any] = {"rootId": root.id, "path": root.path}
    existing = root_file_rows(db, Video, root.id, Video.missing_at)
    problem = root_problem(root.path)
    if problem:
        return {**report, "rootProblem": problem, "known": len(existing)}
    by_path = {r.file_path: r for r in existing}
    # a new file might be a known one moved or renamed (same size and oshash): held back until
    # the walk has shown which known files are gone; every other new file is written at once
    movable_sizes = {r.file_size for r in existing if r.oshash and r.file_size}
    walk = WalkResult()
    place = Containers(db, root)
    placer = Placer(root)
    maker = RowMaker(root, walk, place)
    stream = NewRowStream(db, maker, progress, probe=LibrarySettings.get(db).auto_generate_metadata)
    changed: list[tuple[str, FileEntry]] = []
    back: list[tuple[Any, FileEntry]] = []  # rows marked missing whose file is at its path again
    held: list[FileEntry] = []
    held_places: dict[str, Placement | None] = {}
    subtrees: dict[str, list[FileEntry]] = {}
    placed: set[str] = set()
    recheck: list[tuple[str, FileEntry, Placement | None]] = []
    new_by_top: dict[str, list[FileEntry]] = {}
    # top-level folders holding rows older rules placed: placed again even when nothing changed
    # (a root without rows has none: no need to read the table through for them)
    stale_tops = (
        {
            top_folder(place.prefix, path)
            for path in db.execute(
                select(Video.file_path).where(Video.library_root_id == root.id, Video.layout_version != LAYOUT_VERSION)
            ).scalars()
        }
        if existing
        else set()
    )

    def settle(top: str, force: bool = False) -> None:
        """Place a top-level folder of the root once the walk is done with it, if anything in it
        is new or was placed by older rules; its known files are checked again (a new file may
        change its siblings' placement: a second version, a first episode marker)."""
        files = subtrees[top]
        new_here = new_by_top.get(top, ())
        if not (force or new_here or top in stale_tops):
            return
        placements = placer.place(files)
        placed.add(top)
        if not movable_sizes:  # no known file could have moved here (none has an oshash)
            stream.add(placer.keep(new_here, placements))
        else:
            stream.add(placer.keep([e for e in new_here if e.size not in movable_sizes], placements))
            for e in new_here:
                if e.size in movable_sizes:
                    held.append(e)
                    held_places[e.path] = placements.get(e.path)
        if by_path:
            recheck.extend((by_path[e.path].id, e, placements.get(e.path)) for e in files if e.path in by_path)

    try:
        current: str | None = None
        for files in iter_walk(root.path, walk, recursive=root.recursive, max_depth=MAX_DEPTH):
            top = top_folder(place.prefix, files[0].path)
            if top != current and current is not None:
                settle(current)  # depth first: the walk is done with the previous top-level folder
            current = top
            subtrees.setdefault(top, []).extend(files)
            if not by_path:  # nothing known yet (a first scan): every file is new
                new_by_top.setdefault(top, []).extend(files)
                continue
            for entry in files:
                row = by_path.get(entry.path)
                if row is None:
                    new_by_top.setdefault(top, []).append(entry)
                elif row.missing_at is not None:
                    back.append((row, entry))
                elif row.file_size != entry.size or row.file_mtime != entry.mtime:
                    changed.append((row.id, entry))
        if current is not None:
            settle(current)
        present = [r for r in existing if r.missing_at is None]  # rows of files last seen on disk
        if not walk.files and present:
            return {
                **report,
                "rootProblem": emptied_root_problem(root.path, len(present), "videos"),
                "known": len(existing),
            }
        if progress:
            progress(30, f"{len(walk.files)} files found")
        on_disk = {f.path for f in walk.files} if existing else set()
        missing = [r for r in existing if r.file_path not in on_disk]
        lost = {top_folder(place.prefix, r.file_path) for r in missing if r.missing_at is None}
        for top in lost & subtrees.keys() - placed:
            settle(top, force=True)  # it lost files: the others may be placed differently now
        moved, followed, still_new = _follow_moves(db, missing, held)
        for video_id, entry in moved.items():
            recheck.append((video_id, entry, held_places.get(entry.path)))
        stream.add(placer.keep(still_new, held_places))
        new, batch_runs = stream.finish()
    finally:
        stream.close()
    missing = [r for r in missing if r.id not in moved]
    removed_ids = [r.id for r in missing if r.missing_at is None]  # rows marked missing stay
    # rows marked missing that are on disk again, at their path or moved: the mark goes
    found_again = [row.id for row, _ in back] + [r.id for r in existing if r.id in moved and r.missing_at is not None]
    try:
        reread = _found_again(db, back)
        changed.extend(reread)
        replaced = replace_rows(db, maker, recheck)
        for video_id, entry in changed:
            db.execute(
                update(Video)
                .where(Video.id == video_id)
                .values(file_size=entry.size, file_mtime=entry.mtime, probed_at=None, md5=None, oshash=None, phash=None)
            )
        if found_again:
            db.execute(update(Video).where(Video.id.in_(found_again)).values(missing_at=None))
        if removed_ids:
            db.execute(delete(Video).where(Video.id.in_(removed_ids)))
            entities_deleted(db, "video", removed_ids)
        if new or moved or removed_ids or replaced:
            link_groups(db, root.id)
        if removed_ids or replaced or moved:
            _prune_empty_containers(db, root.id)
        db.execute(update(LibraryRoot).where(LibraryRoot.id == root.id).values(last_scanned_at=func.now()))
        # changed files in batches too, leaving out any a waiting or running probe covers
        changed_runs = (
            enqueue_probes(db, [(vid, os.path.basename(e.path)) for vid, e in changed]) if stream.probe else 0
        )
        changed_ids = {vid for vid, _ in changed}
        enqueue_generation(db, [vid for vid in found_again if vid not in changed_ids])
        subtitles = _enqueue_changed_sidecars(db, root, walk, by_path, {vid for vid, _ in new})
        db.commit()
    except BaseException:
        db.rollback()
        raise
    for video_id in removed_ids:
        assets.delete_video_files(video_id)
    for video_id, old_path, new_path in followed:
        assets.follow_move(db, video_id, old_path, new_path)
    if stream.skipped_rows:
        placer.skipped["the database refused the row"] += len(stream.skipped_rows)
    skipped = sum(placer.skipped.values())
    report.update(
        found=len(walk.files),
        new=len(new),
        changed=len(changed),
        foundAgain=len(found_again),
        keptMissing=sum(1 for r in missing if r.missing_at is not None),
        moved=len(moved),
        replaced=replaced,
        removed=len(removed_ids),
        unchanged=len(walk.files) - len(new) - skipped - len(changed) - len(moved) - len(back) + len(reread),
        skipped=skipped,
        skippedReasons=dict(placer.skipped.most_common(REPORT_LIMIT)),
        walkErrors=walk.errors[:REPORT_LIMIT],
        probesEnqueued=(len(new) if stream.probe else 0) + changed_runs,
        probeRuns=batch_runs + changed_runs,
        subtitleScansEnqueued=subtitles,
    )
    return report


def _enqueue_changed_sidecars(
    db: Session, root: LibraryRoot, walk: WalkResult, by_path: Mapping[str, Any], new_ids: set[str]
) -> int:
    """Known videos whose sidecar subtitle files appeared or vanished get a subtitle pass (when
    the Subtitles switch is on)."""
    if not read_settings(db, GENERATION).generate_subtitles:
        return 0
    known: dict[str, set[str]] = {}
    for video_id, key in db.execute(
        select(VideoSubtitle.video_id, VideoSubtitle.source_key)
        .join(Video, Video.id == VideoSubtitle.video_id)
        .where(Video.library_root_id == root.id, VideoSubtitle.source == "sidecar")
    ).all():
        known.setdefault(video_id, set()).add(os.path.basename(key))
    todo = []
    folders = walk.sidecars
    for path, row in by_path.items():
        folder = folders.get(path.rpartition(os.sep)[0])  # most folders hold no sidecar at all
        if (folder is None and row.id not in known) or row.id in new_ids:
            continue
        names = sidecar_subtitle_names(path, folder)
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
    problem = root_problem(root.path)
    if problem:  # the one way a scan fails: the root itself is gone or unreadable (not retried)
        raise PermanentJobError(problem)
    ctx.progress(5, "walking the folder")
    result = scan_root(ctx.db, root, ctx.progress)
    if result.get("rootProblem"):
        log.warning("library-scan of %s: %s", root.path, result["rootProblem"])
    return result


def root_problems(db: Session) -> list[dict[str, Any]]:
    """The latest library-scan per root when it reported a problem (an emptied root) or failed
    (the root is gone or unreadable), for the system status."""
    rows = db.execute(
        text(
            """
            SELECT DISTINCT ON (target_id) target_id, status, result, error, finished_at
            FROM job_runs
            WHERE queue_name = 'library-scan' AND status IN ('completed', 'failed')
            ORDER BY target_id, finished_at DESC
            """
        )
    ).all()
    problems = []
    for target, status, result, error, finished in rows:
        problem = error if status == "failed" else result.get("rootProblem") if isinstance(result, dict) else None
        if problem:
            problems.append({"rootId": target, "problem": problem, "at": finished.isoformat() if finished else None})
    return problems
