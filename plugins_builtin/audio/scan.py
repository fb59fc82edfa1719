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

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from plugin_sdk import JobContext, library
from plugin_sdk.db import copy_rows, new_id
from plugin_sdk.deletion import delete_rows
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.models import LibraryRoot, LibrarySettings
from plugin_sdk.nesting import link_parents, place_children
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
    for folder in library.walk_folders(root, problems, recursive=recursive, max_depth=max_depth):
        tracks: list[Found] = []
        for entry in folder.files:
            if is_audio_name(entry.name) and (st := library.entry_stat(entry, problems)) is not None:
                tracks.append(Found(entry.path, st.st_size, st.st_mtime))
        if tracks:
            tracks.sort(key=lambda t: library.natural_key(os.path.basename(t.path)))
            folders[folder.path] = tracks
    return folders, problems


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
    links = [(existing[f], existing[p]) for f in folders if (p := library.nearest_folder(f, root.path, folder_set))]
    link_parents(db, "audio_libraries", links)
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
    if stopped := library.unreadable_root_report(root, len(known)):
        return stopped
    folders, problems = walk_audio(root.path, root.recursive)
    found = [t for tracks in folders.values() for t in tracks]
    if stopped := library.emptied_root_report(root, len(known), len(found), "audio files"):
        return stopped
    if progress:
        progress(30, f"{len(found)} tracks found")
    library_ids = _upsert_libraries(db, root, list(folders))
    by_path = {r.file_path: r for r in known}
    on_disk = {t.path for t in found}
    missing = [r for r in known if r.file_path not in on_disk]
    moved = library.MovedFiles(missing)
    new_rows: list[dict[str, Any]] = []
    to_probe: list[tuple[str, str]] = []
    placement: list[tuple[str, str, int]] = []
    for folder, tracks in folders.items():
        library_id = library_ids[folder]
        for order, track in enumerate(tracks):
            row = by_path.get(track.path)
            if row is None and (match := moved.claim(track.path, track.size)) is not None:
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
            reset = {"probed_at": None, "md5": None, "oshash": None, "waveform_at": None}
            if library.refresh_changed_file(db, AudioTrack, row, track.size, track.mtime, **reset):
                to_probe.append((row.id, title_from_file(track.path)))
    if new_rows:
        copy_rows(db, "audio_tracks", COPY_COLUMNS, new_rows)
    place_children(db, "audio_tracks", "library_id", placement)
    removed = [r.id for r in missing if r.id not in moved.ids]
    delete_rows(db, "audio-track", AudioTrack, removed)
    stale = [
        lid
        for lid, path in db.execute(
            select(AudioLibrary.id, AudioLibrary.folder_path).where(AudioLibrary.library_root_id == root.id)
        ).all()
        if path not in folders
    ]
    delete_rows(db, "audio-library", AudioLibrary, stale)
    recount(db, root_id=root.id)
    library.mark_scanned(db, root.id)
    # tags, covers and stream facts of new and changed tracks when "Read media details" is on (the
    # fingerprint and waveform follow the probe); off, Run missing on Read audio tags still reads them
    probes = enqueue_probes(db, to_probe, root.label) if LibrarySettings.get(db).auto_generate_metadata else 0
    db.commit()
    for track_id in removed:
        assets.delete_track_files(track_id)
    for library_id in stale:
        assets.delete_library_files(library_id)
    report.update(
        found=len(found), libraries=len(folders), new=len(new_rows), moved=len(moved.ids), removed=len(removed),
        removedLibraries=len(stale), probeRunsEnqueued=probes, problems=problems[:20],
    )  # fmt: skip
    return report


def process_audio_scan(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    return library.run_root_scan(payload, ctx, scan_root, option="scan_audio", media="audio", log=log)
