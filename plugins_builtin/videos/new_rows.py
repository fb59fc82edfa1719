"""New video rows in bulk: classify new files, create their series and seasons, COPY the rows.

A scan hands its new files to :class:`NewRowStream` folder by folder while it walks; every chunk
goes to :class:`ParallelCopy`, which COPYs it on one of two connections of its own, committed with
the probe jobs of its videos. The server's index and foreign-key work is most of a first scan: two
backends share it across the cores while this process walks on and formats the next chunk. An
upload inserts its one file with :func:`insert_new_files` in the request's own transaction.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from queue import Full, Queue

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from plugin_sdk.db import new_ids
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import root_option
from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos.models import VideoSeries
from plugins_builtin.videos.queues import MEDIA_PROBE, probe_batches
from plugins_builtin.videos.scanning.classify import Placement, place_segments
from plugins_builtin.videos.scanning.filetypes import split_extension
from plugins_builtin.videos.scanning.nfo import read_sidecar_metadata
from plugins_builtin.videos.scanning.parsing import (
    filename_to_title,
    parse_episode_filename,
    parse_movie_filename,
    parse_series_folder,
)
from plugins_builtin.videos.scanning.sidecar_metadata import SidecarMetadata
from plugins_builtin.videos.settings import SCAN_MOVIES, SCAN_SERIES
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
    folder, _, name = entry.path.rpartition(os.sep)
    names = walk.sidecars.get(folder or os.sep)
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
    """Finds or creates series and season rows, once per folder per scan (:meth:`prepare`), and
    keeps their ids: :attr:`series` by folder path, :attr:`seasons` by ``(series id, number)``."""

    def __init__(self, db: Session, root: LibraryRoot) -> None:
        self.db = db
        self.root = root
        self.series: dict[str, str] = dict(
            db.execute(
                select(VideoSeries.folder_path, VideoSeries.id).where(VideoSeries.library_root_id == root.id)
            ).all()
        )
        self.seasons: dict[tuple[str, int], str] = {}

    def prepare(self, series: Mapping[str, str], seasons: set[SeasonKey]) -> bool:
        """Create the missing ones of these series and seasons in two statements; ``True`` when
        any was written."""
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
                    "ids": new_ids(len(paths)),
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
                    "ids": new_ids(len(wanted)),
                    "series": [w[0] for w in wanted],
                    "numbers": [w[1] for w in wanted],
                    "folders": [w[2] for w in wanted],
                    "titles": [w[3] for w in wanted],
                },
            ).all()
            self.seasons.update({(sid, number): season_id for sid, number, season_id in rows})
        return bool(new_series or wanted)


class Classifier:
    """Places new files by folder depth (movie, episode or skipped), working out each folder once,
    and names the series and seasons a batch of them needs."""

    def __init__(self, root: LibraryRoot) -> None:
        self.prefix = root.path.rstrip(os.sep) + os.sep
        self.movies, self.shows = root_option(root, SCAN_MOVIES), root_option(root, SCAN_SERIES)
        self.skipped: Counter[str] = Counter()
        self._folders: dict[str, tuple[Placement | None, str | None, SeasonKey | None]] = {}

    def place(self, entry: FileEntry) -> Placement | None:
        """``entry``'s placement, or ``None`` (counted in :attr:`skipped`) when it is not indexed."""
        c = self.folder_of(entry)[0]
        if c is None:
            self.skipped["file is not under the library root path"] += 1
            return None
        if c.kind == "skip":
            self.skipped[c.reason or "skipped"] += 1
            return None
        return c

    def containers(self, kept: list[tuple[FileEntry, Placement]]) -> tuple[dict[str, str], set[SeasonKey]]:
        """The series ``{path: folder}`` and seasons :data:`SeasonKey` of the episodes in ``kept``."""
        series: dict[str, str] = {}
        seasons: set[SeasonKey] = set()
        for entry, c in kept:
            if c.kind == "episode":
                _, series_path, season = self.folder_of(entry)
                if series_path is not None and season is not None:
                    series[series_path] = c.series_folder or ""
                    seasons.add(season)
        return series, seasons

    def folder_of(self, entry: FileEntry) -> tuple[Placement | None, str | None, SeasonKey | None]:
        """The placement of ``entry``'s folder (``None`` outside the root), and for episodes the
        series folder path and the :data:`SeasonKey` it goes to."""
        folder = entry.path.rpartition(os.sep)[0]
        found = self._folders.get(folder)
        if found is None:
            found = self._folders[folder] = self._place_folder(folder)
        return found

    def _place_folder(self, folder: str) -> tuple[Placement | None, str | None, SeasonKey | None]:
        inside = folder + os.sep
        if not inside.startswith(self.prefix):
            return None, None, None
        segments = inside[len(self.prefix) :].split(os.sep)  # the folders, then "" for the file
        c = place_segments(segments, self.movies, self.shows)
        if c.kind != "episode":
            return c, None, None
        series_path = self.prefix + (c.series_folder or "")
        season_path = f"{series_path}{os.sep}{c.season_folder}" if c.season_folder else None
        return c, series_path, (series_path, c.season_number or 0, season_path, c.season_folder)


def _text(value: str | None) -> str:
    if value is None:
        return NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:  # rare: find is cheaper
        return value.translate(_COPY_ESCAPES)
    return value


def _number(value: float | None) -> str:
    return NULL if value is None else str(value)


class _RowMaker:
    """The COPY lines of classified new files (their series and seasons already exist)."""

    def __init__(self, root: LibraryRoot, walk: WalkResult, place: Containers) -> None:
        self.root_id, self.nsfw = root.id, "t" if root.is_nsfw else "f"
        self.base = root.path.rstrip(os.sep) + os.sep
        self.walk, self.place = walk, place

    def line(self, entry: FileEntry, c: Placement, video_id: str) -> tuple[str, str, str]:
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
        details = date = rating = sidecar = NULL
        urls = "[]"
        if side:
            title = side.title or title
            details, date, urls = _text(side.details), _text(side.date), _text(json.dumps(list(side.urls)))
            rating = _number(side.rating)
            if side.tags or side.performers or side.studio:
                linked = {"tags": list(side.tags), "performers": list(side.performers), "studio": side.studio}
                sidecar = _text(json.dumps(linked))
        fields = (
            video_id, c.kind, self.root_id, series_id, season_id, _number(season), _number(episode),
            _number(episode_end), _number(absolute), _text(title), _text(title.lower()), details,
            date, _number(year), rating, self.nsfw, urls, sidecar,
            _text(entry.path), str(entry.size), repr(entry.mtime),
        )  # fmt: skip
        return "\t".join(fields), video_id, title

    def chunk(self, kept: list[tuple[FileEntry, Placement]]) -> tuple[str, list[tuple[str, str]]]:
        """The COPY text of ``kept``, with its videos' ``(id, title)``."""
        rows = [self.line(entry, c, vid) for (entry, c), vid in zip(kept, new_ids(len(kept)), strict=True)]
        return "\n".join([line for line, _, _ in rows]) + "\n", [(vid, title) for _, vid, title in rows]


def insert_new_files(
    db: Session, root: LibraryRoot, entries: list[FileEntry], walk: WalkResult | None = None
) -> tuple[list[tuple[str, str]], Counter[str]]:
    """Classify, name and COPY new files in ``db``'s transaction (the caller commits, and enqueues
    what it wants). Returns each new video's ``(id, title)`` and the skipped files' reasons."""
    classifier = Classifier(root)
    kept = [(entry, c) for entry in entries if (c := classifier.place(entry)) is not None]
    if not kept:
        return [], classifier.skipped
    place = Containers(db, root)
    place.prepare(*classifier.containers(kept))
    lines, new = _RowMaker(root, walk or WalkResult(), place).chunk(kept)
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(COPY_SQL) as copy:
        copy.write(lines)
    return new, classifier.skipped


class NewRowStream:
    """A scan's new files, written while the walk goes on: :meth:`add` places each file, and every
    :data:`COPY_CHUNK` of them get their series and seasons (created and committed on the scan's
    session, so the copy connections see them), their COPY lines, and go to :class:`ParallelCopy`.
    :meth:`finish` writes the rest and waits for every chunk."""

    def __init__(
        self,
        db: Session,
        root: LibraryRoot,
        walk: WalkResult,
        place: Containers,
        progress: Callable[[float, str], None] | None = None,
    ) -> None:
        self.db, self.place, self.progress = db, place, progress
        self.classifier = Classifier(root)
        self.maker = _RowMaker(root, walk, place)
        self.pending: list[tuple[FileEntry, Placement]] = []
        self.sent = 0
        self._copier: ParallelCopy | None = None

    @property
    def skipped(self) -> Counter[str]:
        return self.classifier.skipped

    def add(self, entries: Iterable[FileEntry]) -> None:
        for entry in entries:
            c = self.classifier.place(entry)
            if c is not None:
                self.pending.append((entry, c))
        while len(self.pending) >= COPY_CHUNK:
            chunk, self.pending = self.pending[:COPY_CHUNK], self.pending[COPY_CHUNK:]
            self._send(chunk)

    def finish(self) -> tuple[list[tuple[str, str]], int]:
        """Write what is left and wait for every chunk (raising the first error). Returns the
        inserted videos' ``(id, title)`` and how many probe runs were created."""
        try:
            if self.pending:
                chunk, self.pending = self.pending, []
                self._send(chunk)
        finally:
            self.close()
        copier = self._copier
        return (copier.inserted, copier.probe_runs) if copier else ([], 0)

    def close(self) -> None:
        """Wait for the chunks already handed over (raising the first error); idempotent."""
        copier = self._copier
        if copier is not None and not copier.closed:
            copier.close()

    def _send(self, chunk: list[tuple[FileEntry, Placement]]) -> None:
        if self.place.prepare(*self.classifier.containers(chunk)):
            self.db.commit()
        lines, videos = self.maker.chunk(chunk)
        if self._copier is None:
            self._copier = ParallelCopy(self.db)
        self._copier.put(lines, videos)
        self.sent += len(videos)
        if self.progress:
            self.progress(30, f"{len(self.maker.walk.files)} files found, {self.sent} new so far")


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
        self.closed = False
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
        self.closed = True
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
