"""The ``audio-scan`` processor: one audio library per folder holding audio (nested), tracks in
natural order. One walk, one query, COPY for new tracks; moved files (same size + oshash) keep
their rows; missing or emptied roots are reported, not pruned. New and changed tracks are probed
in batches (one ``audio-probe`` run per folder chunk), so thousands of tracks do not pay a job
each.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from plugin_sdk import JobContext, PermanentJobError
from plugin_sdk.db import new_id
from plugin_sdk.hashing import oshash_file
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import emptied_root_problem, natural_key, root_option, root_problem
from plugin_sdk.links import entities_deleted
from plugin_sdk.models import LibraryRoot
from plugins_builtin.audio import assets
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.tags import is_audio_name

log = logging.getLogger("obscura.audio.scan")

PROBE_BATCH = 100
COPY_COLUMNS = (
    "id", "library_root_id", "library_id", "sort_order", "file_path", "file_size", "file_mtime",
    "title", "sort_title", "is_nsfw",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Found:
    path: str
    size: int
    mtime: float


def title_from_file(path: str) -> str:
    """ "03 - Some_Song.flac" -> "03 - Some Song" (kept readable; tags usually replace it)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    return " ".join(stem.replace("_", " ").split()) or stem


def walk_audio(root: str, recursive: bool = True, max_depth: int = 12) -> tuple[dict[str, list[Found]], list[str]]:
    """``{folder: tracks directly in it, naturally sorted}`` and the problems met on the way."""
    folders: dict[str, list[Found]] = {}
    problems: list[str] = []
    stack: list[tuple[str, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror or exc}")
            continue
        tracks: list[Found] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    if recursive and depth < max_depth:
                        stack.append((entry.path, depth + 1))
                elif is_audio_name(entry.name):
                    st = entry.stat()
                    tracks.append(Found(entry.path, st.st_size, st.st_mtime))
            except OSError as exc:
                problems.append(f"{entry.path}: {exc.strerror or exc}")
        if tracks:
            tracks.sort(key=lambda t: natural_key(os.path.basename(t.path)))
            folders[folder] = tracks
    return folders, problems


def _parent_folder(path: str, root: str, folders: Mapping[str, Any]) -> str | None:
    current = os.path.dirname(path)
    while len(current) >= len(root):
        if current in folders:
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return None


def _upsert_libraries(db: Session, root: LibraryRoot, folders: list[str]) -> dict[str, str]:
    existing = (
        dict(
            db.execute(
                select(AudioLibrary.folder_path, AudioLibrary.id).where(AudioLibrary.folder_path.in_(folders))
            ).all()
        )
        if folders
        else {}
    )
    new = sorted(f for f in folders if f not in existing)
    if new:
        titles = [root.label if f == root.path else os.path.basename(f) for f in new]
        rows = db.execute(
            text(
                """
                INSERT INTO audio_libraries (id, library_root_id, folder_path, title, sort_title, is_nsfw)
                SELECT u.id, :root, u.path, u.title, lower(u.title), :nsfw
                FROM unnest(CAST(:ids AS text[]), CAST(:paths AS text[]), CAST(:titles AS text[])) AS u(id, path, title)
                ON CONFLICT (folder_path) DO UPDATE SET library_root_id = EXCLUDED.library_root_id
                RETURNING folder_path, id
                """
            ),
            {"root": root.id, "nsfw": root.is_nsfw, "ids": [new_id() for _ in new], "paths": new, "titles": titles},
        ).all()
        existing.update(dict(rows))
    folder_set = set(folders)
    links = [(existing[f], existing[p]) for f in folders if (p := _parent_folder(f, root.path, folder_set))]
    if links:
        db.execute(
            text(
                """
                UPDATE audio_libraries AS l SET parent_id = u.parent
                FROM unnest(CAST(:ids AS text[]), CAST(:parents AS text[])) AS u(id, parent)
                WHERE l.id = u.id AND l.parent_id IS DISTINCT FROM u.parent
                """
            ),
            {"ids": [c for c, _ in links], "parents": [p for _, p in links]},
        )
    return existing


def recount(db: Session, root_id: str | None = None, library_ids: list[str] | None = None) -> None:
    where, params = "TRUE", {}
    if root_id is not None:
        where, params = "l.library_root_id = :root", {"root": root_id}
    if library_ids is not None:
        where, params = "l.id = ANY(CAST(:ids AS text[]))", {"ids": library_ids}
    db.execute(
        text(
            f"UPDATE audio_libraries AS l SET track_count = "
            f"(SELECT count(*) FROM audio_tracks t WHERE t.library_id = l.id) WHERE {where}"
        ),
        params,
    )


def enqueue_probes(db: Session, tracks: list[tuple[str, str]], label: str) -> int:
    """One ``audio-probe`` run per ``PROBE_BATCH`` tracks (``(id, title)`` pairs)."""
    items = []
    for start in range(0, len(tracks), PROBE_BATCH):
        batch = tracks[start : start + PROBE_BATCH]
        ids = [tid for tid, _ in batch]
        what = batch[0][1] if len(batch) == 1 else f"{len(batch)} tracks"
        items.append(({"trackIds": ids}, "audio-batch", ids[0], f"Read tags · {what} · {label}"))
    return enqueue_jobs(db, "audio-probe", items)


def scan_root(db: Session, root: LibraryRoot, progress: Any = None) -> dict[str, Any]:
    """Scan one root for audio and commit. Returns the job result."""
    report: dict[str, Any] = {"rootId": root.id, "path": root.path}
    known = db.execute(
        select(
            AudioTrack.id, AudioTrack.file_path, AudioTrack.file_size, AudioTrack.file_mtime, AudioTrack.oshash
        ).where(AudioTrack.library_root_id == root.id)
    ).all()
    problem = root_problem(root.path)
    if problem:
        return {**report, "rootProblem": problem, "known": len(known)}
    folders, problems = walk_audio(root.path, root.recursive)
    found = [t for tracks in folders.values() for t in tracks]
    if not found and known:
        problem = emptied_root_problem(root.path, len(known), "audio files")
        return {**report, "rootProblem": problem, "known": len(known)}
    if progress:
        progress(30, f"{len(found)} tracks found")
    library_ids = _upsert_libraries(db, root, list(folders))
    by_path = {r.file_path: r for r in known}
    on_disk = {t.path for t in found}
    missing = [r for r in known if r.file_path not in on_disk]
    candidates: dict[int, list[Any]] = {}
    for r in missing:
        if r.oshash and r.file_size:
            candidates.setdefault(r.file_size, []).append(r)
    new_rows: list[dict[str, Any]] = []
    to_probe: list[tuple[str, str]] = []
    placement: list[tuple[str, str, int]] = []
    moved: set[str] = set()
    for folder, tracks in folders.items():
        library_id = library_ids[folder]
        for order, track in enumerate(tracks):
            row = by_path.get(track.path)
            if row is None and candidates.get(track.size):
                try:
                    digest = oshash_file(track.path)
                except (OSError, ValueError):
                    digest = None
                match = next((c for c in candidates[track.size] if c.oshash == digest), None)
                if match is not None:
                    candidates[track.size].remove(match)
                    moved.add(match.id)
                    db.execute(update(AudioTrack).where(AudioTrack.id == match.id).values(file_path=track.path))
                    placement.append((match.id, library_id, order))
                    continue
            if row is None:
                title = title_from_file(track.path)
                track_id = new_id()
                new_rows.append(
                    {
                        "id": track_id, "library_root_id": root.id, "library_id": library_id, "sort_order": order,
                        "file_path": track.path, "file_size": track.size, "file_mtime": track.mtime, "title": title,
                        "sort_title": title.lower(), "is_nsfw": root.is_nsfw,
                    }
                )  # fmt: skip
                to_probe.append((track_id, title))
                continue
            placement.append((row.id, library_id, order))
            if row.file_size != track.size or row.file_mtime != track.mtime:
                db.execute(
                    update(AudioTrack)
                    .where(AudioTrack.id == row.id)
                    .values(
                        file_size=track.size,
                        file_mtime=track.mtime,
                        probed_at=None,
                        md5=None,
                        oshash=None,
                        waveform_at=None,
                    )
                )
                to_probe.append((row.id, title_from_file(track.path)))
    if new_rows:
        raw = db.connection().connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY audio_tracks ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
            for row in new_rows:
                copy.write_row([row[c] for c in COPY_COLUMNS])
    if placement:
        db.execute(
            text(
                """
                UPDATE audio_tracks AS t SET library_id = u.lib, sort_order = u.ord
                FROM unnest(CAST(:ids AS text[]), CAST(:libs AS text[]), CAST(:ords AS int[])) AS u(id, lib, ord)
                WHERE t.id = u.id AND (t.library_id IS DISTINCT FROM u.lib OR t.sort_order <> u.ord)
                """
            ),
            {"ids": [p[0] for p in placement], "libs": [p[1] for p in placement], "ords": [p[2] for p in placement]},
        )
    removed = [r.id for r in missing if r.id not in moved]
    if removed:
        db.execute(delete(AudioTrack).where(AudioTrack.id.in_(removed)))
        entities_deleted(db, "audio-track", removed)
    stale = [
        lid
        for lid, path in db.execute(
            select(AudioLibrary.id, AudioLibrary.folder_path).where(AudioLibrary.library_root_id == root.id)
        ).all()
        if path not in folders
    ]
    if stale:
        db.execute(delete(AudioLibrary).where(AudioLibrary.id.in_(stale)))
        entities_deleted(db, "audio-library", stale)
    recount(db, root_id=root.id)
    db.execute(update(LibraryRoot).where(LibraryRoot.id == root.id).values(last_scanned_at=func.now()))
    probes = enqueue_probes(db, to_probe, root.label)
    db.commit()
    for track_id in removed:
        assets.delete_track_files(track_id)
    for library_id in stale:
        assets.delete_library_files(library_id)
    report.update(
        found=len(found), libraries=len(folders), new=len(new_rows), moved=len(moved), removed=len(removed),
        removedLibraries=len(stale), probeRunsEnqueued=probes, problems=problems[:20],
    )  # fmt: skip
    return report


def process_audio_scan(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    root = ctx.db.get(LibraryRoot, payload.get("rootId"))
    if root is None:
        raise PermanentJobError(f"library root {payload.get('rootId')} no longer exists")
    if not root.enabled or not root_option(root, "scan_audio"):
        return {"rootId": root.id, "skipped": "audio scanning is off for this root"}
    ctx.progress(5, "walking the folder")
    result = scan_root(ctx.db, root, ctx.progress)
    if result.get("rootProblem"):
        log.warning("audio-scan of %s: %s", root.path, result["rootProblem"])
    return result
