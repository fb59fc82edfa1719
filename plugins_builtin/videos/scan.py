"""The ``library-scan`` processor: walk a root, write video rows in bulk, enqueue probes.

One walk, one query of the known rows, an in-memory comparison: an unchanged rescan writes
nothing and enqueues nothing. New files are classified (movie / episode by folder depth), named
from sidecars or their file names, and inserted with COPY. A file that moved or was renamed
(same size and oshash) keeps its row and metadata. A root that is missing, unreadable or
suddenly empty is reported and never pruned.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from queue import SimpleQueue
from typing import Any

from sqlalchemy import delete, exists, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from plugin_sdk import JobContext, PermanentJobError
from plugin_sdk.db import new_id
from plugin_sdk.hashing import oshash_file
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import emptied_root_problem, root_problem
from plugin_sdk.links import entities_deleted
from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries, VideoSubtitle
from plugins_builtin.videos.scanning.classify import Placement, classify_video, place_segments
from plugins_builtin.videos.scanning.filetypes import is_subtitle_file, split_extension, subtitle_format
from plugins_builtin.videos.scanning.parsing import (
    filename_to_title,
    parse_episode_filename,
    parse_movie_filename,
    parse_series_folder,
)
from plugins_builtin.videos.scanning.sidecars import SidecarMetadata, read_sidecar_metadata
from plugins_builtin.videos.walk import FileEntry, WalkResult, walk_videos

log = logging.getLogger("obscura.videos.scan")

COPY_COLUMNS = (
    "id", "kind", "library_root_id", "series_id", "season_id", "season_number", "episode_number",
    "episode_end", "absolute_episode_number", "title", "sort_title", "details", "date", "year", "rating",
    "is_nsfw", "urls", "sidecar", "file_path", "file_size", "file_mtime",
)  # fmt: skip
REPORT_LIMIT = 20


def sidecar_subtitle_names(video_path: str, folder_names: set[str] | None) -> set[str]:
    """Subtitle files beside a video named ``<stem>[.<lang>[.<label>]].<ext>``."""
    if not folder_names:
        return set()
    stem = split_extension(os.path.basename(video_path))[0]
    prefix = stem + "."
    return {n for n in folder_names if n.startswith(prefix) and is_subtitle_file(n) and subtitle_format(n) is not None}


def _sidecar_for(entry: FileEntry, walk: WalkResult) -> SidecarMetadata | None:
    folder, name = os.path.split(entry.path)
    names = walk.sidecars.get(folder)
    if not names:
        return None
    stem = split_extension(name)[0]
    if not ({f"{stem}.nfo", f"{stem}.info.json", f"{stem}.json"} & names):
        return None
    try:
        return read_sidecar_metadata(entry.path)
    except Exception:
        log.warning("unreadable sidecar next to %s", entry.path, exc_info=True)
        return None


class _Placement:
    """Finds or creates series and season rows, once per folder per scan."""

    def __init__(self, db: Session, root: LibraryRoot) -> None:
        self.db = db
        self.root = root
        self.series: dict[str, str] = dict(
            db.execute(
                select(VideoSeries.folder_path, VideoSeries.id).where(VideoSeries.library_root_id == root.id)
            ).all()
        )
        self.seasons: dict[tuple[str, int], str] = {}

    def series_id(self, folder_path: str, relative: str) -> str:
        found = self.series.get(folder_path)
        if found:
            return found
        title, year = parse_series_folder(os.path.basename(folder_path))
        sid = self.db.execute(
            insert(VideoSeries)
            .values(
                id=new_id(),
                library_root_id=self.root.id,
                folder_path=folder_path,
                relative_path=relative,
                title=title or os.path.basename(folder_path),
                year=year,
                is_nsfw=self.root.is_nsfw,
            )
            .on_conflict_do_update(index_elements=["folder_path"], set_={"library_root_id": self.root.id})
            .returning(VideoSeries.id)
        ).scalar_one()
        self.series[folder_path] = sid
        return sid

    def prepare(self, series: Mapping[str, str], seasons: set[tuple[str, int, str | None, str | None]]) -> None:
        """Create every missing series and season of a scan in two statements."""
        new_series = {path: rel for path, rel in series.items() if path not in self.series}
        if new_series:
            paths = sorted(new_series)
            parsed = [parse_series_folder(os.path.basename(p)) for p in paths]
            rows = self.db.execute(
                text(
                    """
                    INSERT INTO video_series (id, library_root_id, folder_path, relative_path, title, year, is_nsfw)
                    SELECT u.id, :root, u.path, u.rel, u.title, u.year, :nsfw
                    FROM unnest(CAST(:ids AS text[]), CAST(:paths AS text[]), CAST(:rels AS text[]),
                                CAST(:titles AS text[]), CAST(:years AS int[])) AS u(id, path, rel, title, year)
                    ON CONFLICT (folder_path) DO UPDATE SET library_root_id = EXCLUDED.library_root_id
                    RETURNING folder_path, id
                    """
                ),
                {
                    "root": self.root.id,
                    "nsfw": self.root.is_nsfw,
                    "ids": [new_id() for _ in paths],
                    "paths": paths,
                    "rels": [new_series[p] for p in paths],
                    "titles": [t or os.path.basename(p) for (t, _), p in zip(parsed, paths, strict=True)],
                    "years": [y for _, y in parsed],
                },
            ).all()
            self.series.update(dict(rows))
        wanted = [
            (self.series[path], number, folder, title)
            for path, number, folder, title in sorted(seasons, key=lambda x: (x[0], x[1]))
            if (self.series[path], number) not in self.seasons
        ]
        if wanted:
            rows = self.db.execute(
                text(
                    """
                    INSERT INTO video_seasons (id, series_id, season_number, folder_path, title)
                    SELECT u.id, u.series_id, u.number, u.folder, u.title
                    FROM unnest(CAST(:ids AS text[]), CAST(:series AS text[]), CAST(:numbers AS int[]),
                                CAST(:folders AS text[]), CAST(:titles AS text[]))
                         AS u(id, series_id, number, folder, title)
                    ON CONFLICT (series_id, season_number)
                    DO UPDATE SET folder_path = COALESCE(video_seasons.folder_path, EXCLUDED.folder_path)
                    RETURNING series_id, season_number, id
                    """
                ),
                {
                    "ids": [new_id() for _ in wanted],
                    "series": [w[0] for w in wanted],
                    "numbers": [w[1] for w in wanted],
                    "folders": [w[2] for w in wanted],
                    "titles": [w[3] for w in wanted],
                },
            ).all()
            self.seasons.update({(sid, number): season_id for sid, number, season_id in rows})

    def season_id(self, series_id: str, number: int, folder_path: str | None, title: str | None) -> str:
        key = (series_id, number)
        found = self.seasons.get(key)
        if found:
            return found
        sid = self.db.execute(
            insert(VideoSeason)
            .values(id=new_id(), series_id=series_id, season_number=number, folder_path=folder_path, title=title)
            .on_conflict_do_update(
                index_elements=["series_id", "season_number"],
                set_={"folder_path": func.coalesce(VideoSeason.folder_path, folder_path)},
            )
            .returning(VideoSeason.id)
        ).scalar_one()
        self.seasons[key] = sid
        return sid


def _classify_new(entry: FileEntry, root: LibraryRoot) -> tuple[list[str], Placement] | str:
    """Where a new file goes (movie or episode by folder depth), or the reason it is skipped."""
    base = root.path.rstrip(os.sep)
    if not entry.path.startswith(base + os.sep):
        return "file is not under the library root path"
    segments = entry.path[len(base) + 1 :].split(os.sep)
    c = place_segments(segments, root.scan_movies, root.scan_series)
    if c.kind == "skip":
        return c.reason or "skipped"
    return segments, c


def _containers(root: LibraryRoot, c: Placement) -> tuple[tuple[str, str], tuple[str, int, str | None, str | None]]:
    """The series ``(path, folder)`` and season ``(series path, number, path, folder)`` of an episode."""
    series_path = f"{root.path.rstrip(os.sep)}{os.sep}{c.series_folder}"
    season_path = f"{series_path}{os.sep}{c.season_folder}" if c.season_folder else None
    return (series_path, c.series_folder or ""), (series_path, c.season_number or 0, season_path, c.season_folder)


def _build_row(entry: FileEntry, c: Placement, root: LibraryRoot, walk: WalkResult) -> dict[str, Any]:
    """The row of a classified new file: names parsed, sidecar read (series/season ids come later)."""
    name = entry.path.rsplit(os.sep, 1)[-1]
    side = _sidecar_for(entry, walk)
    row: dict[str, Any] = {
        "id": new_id(),
        "kind": c.kind,
        "library_root_id": root.id,
        "series_id": None,
        "season_id": None,
        "season_number": None,
        "episode_number": None,
        "episode_end": None,
        "absolute_episode_number": None,
        "details": side.details if side else None,
        "date": side.date if side else None,
        "year": None,
        "rating": side.rating if side else None,
        "is_nsfw": root.is_nsfw,
        "urls": json.dumps(list(side.urls) if side else []),
        "sidecar": json.dumps({"tags": list(side.tags), "performers": list(side.performers), "studio": side.studio})
        if side and (side.tags or side.performers or side.studio)
        else None,
        "file_path": entry.path,
        "file_size": entry.size,
        "file_mtime": entry.mtime,
    }
    if c.kind == "movie":
        parsed = parse_movie_filename(name)
        title = parsed.title or filename_to_title(name)
        row["year"] = parsed.year
    else:
        ep = parse_episode_filename(name)
        series, season = _containers(root, c)
        row.update(
            season_number=c.season_number or 0,
            episode_number=ep.episode,
            episode_end=ep.episode_end,
            absolute_episode_number=ep.absolute,
            year=ep.year,
            _series=series,
            _season=season,
        )
        title = ep.title or filename_to_title(name)
    if side and side.title:
        title = side.title
    row["title"] = title
    row["sort_title"] = title.lower()
    return row


def _place_row(row: dict[str, Any], place: _Placement) -> None:
    if "_series" in row:
        series_id = place.series[row.pop("_series")[0]]
        row["series_id"] = series_id
        row["season_id"] = place.seasons[(series_id, row.pop("_season")[1])]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_TEXT = frozenset({"title", "sort_title", "details", "date", "urls", "sidecar", "file_path"})
"""Columns that may hold a tab, newline or backslash; the others are ids, numbers and booleans."""
COPY_CHUNK = 2000


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, float):
        return repr(value)
    return str(value).translate(_COPY_ESCAPES)


def _copy_line(row: dict[str, Any]) -> str:
    """One row in PostgreSQL's COPY text format, formatted here: psycopg's per-value adaptation
    costs more than the database's insert."""
    return "\t".join(
        "\\N" if (v := row[c]) is None else _copy_field(v) if c in _COPY_TEXT or v is True or v is False else str(v)
        for c in COPY_COLUMNS
    )


def _place_moved(db: Session, video_id: str, entry: FileEntry, root: LibraryRoot, place: _Placement) -> None:
    """A moved file keeps its row and metadata; only its path and placement change."""
    c = classify_video(Path(root.path), Path(entry.path), root.scan_movies, root.scan_series)
    values: dict[str, Any] = {"file_path": entry.path, "file_mtime": entry.mtime}
    if c.kind == "movie":
        values.update(kind="movie", series_id=None, season_id=None, season_number=None)
    elif c.kind == "episode":
        series_id = place.series_id(str(c.series_path), c.series_folder or "")
        season = c.season_number or 0
        values.update(
            kind="episode",
            series_id=series_id,
            season_number=season,
            season_id=place.season_id(
                series_id, season, str(c.season_path) if c.season_path else None, c.season_folder
            ),
        )
    db.execute(update(Video).where(Video.id == video_id).values(**values))


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


def insert_new_files(
    db: Session, root: LibraryRoot, entries: list[FileEntry], walk: WalkResult | None = None
) -> tuple[list[tuple[Any, ...]], Counter[str]]:
    """Classify, name and COPY new files (the caller commits, and enqueues what it wants).

    Returns each new video's probe job item ``(payload, "video", id, label)`` and the skipped
    files' reasons.
    """
    items: list[tuple[Any, ...]] = []
    _, skipped = _stream_new_files(db, root, entries, walk or WalkResult(), _Placement(db, root), items.extend)
    return items, skipped


def _stream_new_files(
    db: Session,
    root: LibraryRoot,
    entries: list[FileEntry],
    walk: WalkResult,
    place: _Placement,
    feed: Callable[[list[tuple[Any, ...]]], None],
) -> tuple[list[str], Counter[str]]:
    """Classify the new files and create their series and seasons in bulk, then COPY their rows a
    chunk at a time — the next chunk's names are parsed while the server inserts the previous one —
    handing each chunk's probe jobs to ``feed``. Returns the new ids and the skipped files' reasons."""
    skipped: Counter[str] = Counter()
    kept: list[tuple[FileEntry, Placement]] = []
    series: dict[str, str] = {}
    seasons: set[tuple[str, int, str | None, str | None]] = set()
    for entry in entries:
        placed = _classify_new(entry, root)
        if isinstance(placed, str):
            skipped[placed] += 1
            continue
        c = placed[1]
        if c.kind == "episode":
            (path, folder), season = _containers(root, c)
            series[path] = folder
            seasons.add(season)
        kept.append((entry, c))
    if series:
        place.prepare(series, seasons)
    ids: list[str] = []
    if not kept:
        return ids, skipped
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY videos ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
        for start in range(0, len(kept), COPY_CHUNK):
            rows = [_build_row(entry, c, root, walk) for entry, c in kept[start : start + COPY_CHUNK]]
            for row in rows:
                _place_row(row, place)
            copy.write("\n".join(map(_copy_line, rows)) + "\n")
            feed([({"videoId": r["id"]}, "video", r["id"], f"Probe · {r['title']}") for r in rows])
            ids.extend(r["id"] for r in rows)
    return ids, skipped


class _SideEnqueue(threading.Thread):
    """Writes many follow-up job rows on a second connection, chunk by chunk as the scan hands
    them over, while the scan's connection COPYs the videos (two cores, two PostgreSQL backends);
    commits them only once the scan has committed, so no job can ever look for a video that is not
    there yet."""

    def __init__(self, db: Session, queue: str) -> None:
        super().__init__(name="obscura-scan-enqueue", daemon=True)
        self.bind = db.get_bind()
        self.queue = queue
        self.created = 0
        self.error: BaseException | None = None
        self._chunks: SimpleQueue[list[tuple[Any, ...]] | None] = SimpleQueue()
        self._closed = False
        self._decided = threading.Event()
        self._commit = False

    def add(self, items: list[tuple[Any, ...]]) -> None:
        if items:
            self._chunks.put(items)

    def close(self) -> None:
        """No more items."""
        if not self._closed:
            self._closed = True
            self._chunks.put(None)

    def run(self) -> None:
        with Session(self.bind) as side:
            while (chunk := self._chunks.get()) is not None:
                if self.error is None:
                    try:
                        self.created += enqueue_jobs(side, self.queue, chunk)
                    except BaseException as exc:  # reported by finish()
                        self.error = exc
            self._decided.wait()
            if self._commit and self.error is None:
                side.commit()
            else:
                side.rollback()

    def finish(self, committed: bool) -> int:
        self.close()
        self._commit = committed
        self._decided.set()
        self.join()
        if self.error is not None:
            raise self.error
        return self.created if committed else 0


SIDE_ENQUEUE_MIN = 1000


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
    walk = walk_videos(root.path, recursive=root.recursive)
    if not walk.files and existing:
        return {
            **report,
            "rootProblem": emptied_root_problem(root.path, len(existing), "videos"),
            "known": len(existing),
        }
    if progress:
        progress(30, f"{len(walk.files)} files found")

    by_path = {r.file_path: r for r in existing}
    on_disk = {f.path for f in walk.files}
    new_entries: list[FileEntry] = []
    changed: list[tuple[str, FileEntry]] = []
    for entry in walk.files:
        row = by_path.get(entry.path)
        if row is None:
            new_entries.append(entry)
        elif row.file_size != entry.size or row.file_mtime != entry.mtime:
            changed.append((row.id, entry))
    missing = [r for r in existing if r.file_path not in on_disk]

    # moves and renames: a new file with the size and oshash of a vanished row takes that row over
    place = _Placement(db, root)
    moved = 0
    candidates: dict[int, list[Any]] = {}
    for r in missing:
        if r.oshash and r.file_size:
            candidates.setdefault(r.file_size, []).append(r)
    moved_ids: set[str] = set()
    followed: list[tuple[str, str, str]] = []  # (video id, old path, new path): its sidecars follow it
    if candidates:
        still_new = []
        for entry in new_entries:
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
            _place_moved(db, match.id, entry, root, place)
            moved += 1
        new_entries = still_new
    missing = [r for r in missing if r.id not in moved_ids]

    changed_items = [({"videoId": vid}, "video", vid, f"Probe · {os.path.basename(e.path)}") for vid, e in changed]
    side = _SideEnqueue(db, "media-probe") if len(new_entries) + len(changed) >= SIDE_ENQUEUE_MIN else None
    inline: list[tuple[Any, ...]] = []
    if side is not None:
        side.start()
    removed_ids = [r.id for r in missing]
    try:
        new_ids, skipped = _stream_new_files(
            db, root, new_entries, walk, place, side.add if side is not None else inline.extend
        )
        if side is not None:
            side.add(changed_items)
            side.close()
        else:
            inline.extend(changed_items)
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
        probes = 0 if side is not None else enqueue_jobs(db, "media-probe", inline)
        subtitles = _enqueue_changed_sidecars(db, root, walk, by_path, set(new_ids))
        db.commit()
    except BaseException:
        if side is not None:
            side.finish(committed=False)
        raise
    if side is not None:
        probes = side.finish(committed=True)
    for video_id in removed_ids:
        assets.delete_video_files(video_id)
    for video_id, old_path, new_path in followed:
        assets.follow_move(db, video_id, old_path, new_path)
    report.update(
        found=len(walk.files),
        new=len(new_ids),
        changed=len(changed),
        moved=moved,
        removed=len(removed_ids),
        unchanged=len(walk.files) - len(new_entries) - len(changed) - moved,
        skipped=sum(skipped.values()),
        skippedReasons=dict(skipped.most_common(REPORT_LIMIT)),
        walkErrors=walk.errors[:REPORT_LIMIT],
        probesEnqueued=probes,
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
    if not (root.scan_movies or root.scan_series):
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
