"""New video rows in bulk: classify new files, create their series and seasons, COPY the rows.

A scan hands its new files to :class:`ParallelCopy`, which COPYs them a chunk at a time on two
connections of its own, each chunk committed with the probe jobs of its videos (the server's
index and foreign-key work is most of a first scan; two backends share it across the cores while
this process formats the next chunk). An upload inserts its one file with
:func:`insert_new_files` in the request's own transaction.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from queue import Full, Queue

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from plugin_sdk.db import new_id
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos.models import VideoSeason, VideoSeries
from plugins_builtin.videos.queues import MEDIA_PROBE, probe_batches
from plugins_builtin.videos.scanning.classify import Placement, place_segments
from plugins_builtin.videos.scanning.filetypes import split_extension
from plugins_builtin.videos.scanning.parsing import (
    filename_to_title,
    parse_episode_filename,
    parse_movie_filename,
    parse_series_folder,
)
from plugins_builtin.videos.scanning.sidecars import SidecarMetadata, read_sidecar_metadata
from plugins_builtin.videos.walk import FileEntry, WalkResult

log = logging.getLogger("obscura.videos.scan")

COPY_COLUMNS = (
    "id", "kind", "library_root_id", "series_id", "season_id", "season_number", "episode_number",
    "episode_end", "absolute_episode_number", "title", "sort_title", "details", "date", "year", "rating",
    "is_nsfw", "urls", "sidecar", "file_path", "file_size", "file_mtime",
)  # fmt: skip
COPY_SQL = f"COPY videos ({', '.join(COPY_COLUMNS)}) FROM STDIN"
COPY_CHUNK = 2000
"""Rows per COPY chunk (and per commit of a scan)."""
COPY_CONNECTIONS = 2
"""Connections a scan COPYs on at once."""

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"

SeasonKey = tuple[str, int, str | None, str | None]
"""A season a scan needs: ``(series path, number, folder path, folder name)``."""


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


class Containers:
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

    def prepare(self, series: Mapping[str, str], seasons: set[SeasonKey]) -> None:
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


def classify_new(
    root: LibraryRoot, entries: list[FileEntry]
) -> tuple[list[tuple[FileEntry, Placement]], dict[str, str], set[SeasonKey], Counter[str]]:
    """The new files to insert with their placement (movie or episode by folder depth), the series
    ``{path: folder}`` and seasons :data:`SeasonKey` they need, and the skipped files' reasons."""
    skipped: Counter[str] = Counter()
    kept: list[tuple[FileEntry, Placement]] = []
    series: dict[str, str] = {}
    seasons: set[SeasonKey] = set()
    prefix = root.path.rstrip(os.sep) + os.sep
    movies, shows = root.scan_movies, root.scan_series
    for entry in entries:
        if not entry.path.startswith(prefix):
            skipped["file is not under the library root path"] += 1
            continue
        c = place_segments(entry.path[len(prefix) :].split(os.sep), movies, shows)
        if c.kind == "skip":
            skipped[c.reason or "skipped"] += 1
            continue
        if c.kind == "episode":
            series_path = prefix + (c.series_folder or "")
            season_path = f"{series_path}{os.sep}{c.season_folder}" if c.season_folder else None
            series[series_path] = c.series_folder or ""
            seasons.add((series_path, c.season_number or 0, season_path, c.season_folder))
        kept.append((entry, c))
    return kept, series, seasons, skipped


def _text(value: str | None) -> str:
    return NULL if value is None else value.translate(_COPY_ESCAPES)


def _number(value: float | None) -> str:
    return NULL if value is None else str(value)


class _RowMaker:
    """The COPY lines of classified new files (their series and seasons already exist)."""

    def __init__(self, root: LibraryRoot, walk: WalkResult, place: Containers) -> None:
        self.root_id, self.nsfw = root.id, "t" if root.is_nsfw else "f"
        self.base = root.path.rstrip(os.sep) + os.sep
        self.walk, self.place = walk, place

    def line(self, entry: FileEntry, c: Placement) -> tuple[str, str, str]:
        """One row in PostgreSQL's COPY text format (:data:`COPY_COLUMNS`; names parsed, sidecar
        read) with the new video's id and title. Formatted here: psycopg's per-value adaptation
        costs more than the database's insert."""
        name = entry.path.rsplit(os.sep, 1)[-1]
        side = _sidecar_for(entry, self.walk)
        series_id = season_id = NULL
        season = episode = episode_end = absolute = None
        if c.kind == "movie":
            parsed = parse_movie_filename(name)
            title, year = parsed.title or filename_to_title(name), parsed.year
        else:
            ep = parse_episode_filename(name)
            title, year = ep.title or filename_to_title(name), ep.year
            series_id = self.place.series[self.base + (c.series_folder or "")]
            season = c.season_number or 0
            season_id = self.place.seasons[(series_id, season)]
            episode, episode_end, absolute = ep.episode, ep.episode_end, ep.absolute
        details = date = rating = sidecar = None
        urls = "[]"
        if side:
            title = side.title or title
            details, date, rating, urls = side.details, side.date, side.rating, json.dumps(list(side.urls))
            if side.tags or side.performers or side.studio:
                linked = {"tags": list(side.tags), "performers": list(side.performers), "studio": side.studio}
                sidecar = json.dumps(linked)
        video_id = new_id()
        fields = (
            video_id, c.kind, self.root_id, series_id, season_id, _number(season), _number(episode),
            _number(episode_end), _number(absolute), _text(title), _text(title.lower()), _text(details),
            _text(date), _number(year), _number(rating), self.nsfw, _text(urls), _text(sidecar),
            _text(entry.path), str(entry.size), repr(entry.mtime),
        )  # fmt: skip
        return "\t".join(fields), video_id, title


def copy_chunks(
    root: LibraryRoot, kept: list[tuple[FileEntry, Placement]], walk: WalkResult, place: Containers
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The COPY text of each chunk of :data:`COPY_CHUNK` rows, with its videos' ``(id, title)``."""
    maker = _RowMaker(root, walk, place)
    for start in range(0, len(kept), COPY_CHUNK):
        rows = [maker.line(entry, c) for entry, c in kept[start : start + COPY_CHUNK]]
        yield "\n".join([line for line, _, _ in rows]) + "\n", [(vid, title) for _, vid, title in rows]


def insert_new_files(
    db: Session, root: LibraryRoot, entries: list[FileEntry], walk: WalkResult | None = None
) -> tuple[list[tuple[str, str]], Counter[str]]:
    """Classify, name and COPY new files in ``db``'s transaction (the caller commits, and enqueues
    what it wants). Returns each new video's ``(id, title)`` and the skipped files' reasons."""
    kept, series, seasons, skipped = classify_new(root, entries)
    place = Containers(db, root)
    if series:
        place.prepare(series, seasons)
    new: list[tuple[str, str]] = []
    if not kept:
        return new, skipped
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(COPY_SQL) as copy:
        for lines, videos in copy_chunks(root, kept, walk or WalkResult(), place):
            copy.write(lines)
            new.extend(videos)
    return new, skipped


def copy_new_rows(
    db: Session,
    root: LibraryRoot,
    kept: list[tuple[FileEntry, Placement]],
    walk: WalkResult,
    place: Containers,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[list[tuple[str, str]], int]:
    """COPY the new rows a chunk at a time on their own connections (each chunk committed with its
    probe jobs). Returns the inserted videos' ``(id, title)`` and how many probe runs were created."""
    copier = ParallelCopy(db, connections=min(COPY_CONNECTIONS, -(-len(kept) // COPY_CHUNK)))
    done = 0
    try:
        for lines, videos in copy_chunks(root, kept, walk, place):
            copier.put(lines, videos)
            done += len(videos)
            if progress:
                progress(30 + 60 * done / len(kept), f"{done} of {len(kept)} new files")
    finally:
        copier.close()
    return copier.inserted, copier.probe_runs


class ParallelCopy:
    """COPYs chunks of new rows on connections of its own, each chunk committed with one
    ``media-probe`` run per hundred of its videos — so a chunk's rows and their jobs land together,
    and a scan that fails midway keeps whole chunks (the next scan adds the rest).

    The series and seasons the rows point to must be committed first. :meth:`put` blocks while
    the connections are behind; :meth:`close` waits for every chunk and raises the first error.
    """

    def __init__(self, db: Session, connections: int = COPY_CONNECTIONS) -> None:
        self.bind = db.get_bind()
        self.inserted: list[tuple[str, str]] = []
        self.probe_runs = 0
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._chunks: Queue[tuple[str, list[tuple[str, str]]] | None] = Queue(maxsize=2 * connections)
        self._threads = [
            threading.Thread(target=self._run, name=f"obscura-scan-copy-{i}", daemon=True) for i in range(connections)
        ]
        for thread in self._threads:
            thread.start()

    def put(self, lines: str, videos: list[tuple[str, str]]) -> None:
        self._hand_over((lines, videos))

    def close(self) -> None:
        for _ in self._threads:
            self._hand_over(None, stopping=True)
        for thread in self._threads:
            thread.join()
        if self.error is not None:
            raise self.error

    def _hand_over(self, item: tuple[str, list[tuple[str, str]]] | None, stopping: bool = False) -> None:
        """Queue ``item``, waiting while the connections are behind; never forever: a connection
        thread that died cannot leave the scan hanging."""
        while True:
            if self.error is not None and not stopping:
                raise self.error
            try:
                self._chunks.put(item, timeout=0.5)
                return
            except Full:
                if not any(t.is_alive() for t in self._threads):
                    self._fail(RuntimeError("the scan's copy connections stopped"))
                    return

    def _fail(self, exc: BaseException) -> None:
        with self._lock:
            self.error = self.error or exc

    def _run(self) -> None:
        session = Session(self.bind)
        try:
            while (chunk := self._chunks.get()) is not None:
                if self.error is None:  # after an error: drain, the producer learns of it
                    self._write(session, *chunk)
        except BaseException as exc:  # never leave the producer waiting on a dead thread
            self._fail(exc)
        finally:
            try:
                session.close()
            except Exception:
                log.warning("closing a scan copy connection failed", exc_info=True)

    def _write(self, session: Session, lines: str, videos: list[tuple[str, str]]) -> None:
        try:
            raw = session.connection().connection.driver_connection
            with raw.cursor() as cur, cur.copy(COPY_SQL) as copy:
                copy.write(lines)
            runs = enqueue_jobs(session, MEDIA_PROBE, probe_batches(videos))
            session.commit()
        except BaseException as exc:
            self._fail(exc)
            try:
                session.rollback()
            except Exception:
                log.warning("rolling back a failed scan chunk failed", exc_info=True)
            return
        with self._lock:
            self.inserted.extend(videos)
            self.probe_runs += runs
