"""Video rows in bulk: place a root's files (``scanning.layout``), create their series and
seasons, COPY the new rows, move known rows to their current placement, link movie groups.

A scan hands its files to :class:`NewRowStream` one top-level folder of the root at a time while
it walks (a folder's placement depends on its whole subtree, never on its siblings'); every chunk
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
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from queue import Full, Queue
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from plugin_sdk.db import new_ids
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import root_option
from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos.models import VideoSeries
from plugins_builtin.videos.queues import MEDIA_PROBE, probe_batches
from plugins_builtin.videos.scanning.filetypes import split_extension
from plugins_builtin.videos.scanning.layout import LAYOUT_VERSION, Placement, is_container_name, place_relative
from plugins_builtin.videos.scanning.nfo import read_sidecar_metadata
from plugins_builtin.videos.scanning.parsing import filename_to_title
from plugins_builtin.videos.scanning.sidecar_metadata import SidecarMetadata
from plugins_builtin.videos.settings import SCAN_FLAT, SCAN_MOVIES, SCAN_SERIES
from plugins_builtin.videos.walk import FileEntry, WalkResult

log = logging.getLogger("obscura.videos.scan")

PLACED_COLUMNS = (
    "kind", "series_id", "season_id", "season_number", "episode_number", "episode_end",
    "absolute_episode_number", "group_key", "part_number", "version_label", "extra_type",
)  # fmt: skip
"""The columns a file's placement decides (a rescan moves known rows when they change)."""
COPY_COLUMNS = (
    "id", "library_root_id", *PLACED_COLUMNS, "title", "sort_title", "details", "date", "year", "rating",
    "is_nsfw", "urls", "sidecar", "file_path", "file_size", "file_mtime", "layout_version",
)  # fmt: skip
COPY_SQL = f"COPY videos ({', '.join(COPY_COLUMNS)}) FROM STDIN"
COPY_CHUNK = 2000
"""Rows per COPY chunk (and per commit of a scan)."""
COPY_CONNECTIONS = 2
"""Connections a scan COPYs on at once."""

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"
NOT_UTF8 = "file name is not valid UTF-8 (rename it to index it)"
OUTSIDE = "file is not under the library root path"

SeasonKey = tuple[str, int, str | None, str | None]
"""A season a scan needs: ``(series path, number, folder path, folder name)``."""
SeriesSpec = tuple[str, str | None, int | None]
"""A series a scan needs, by its folder path: ``(path relative to the root, title, year)``."""
Placed = tuple[FileEntry, Placement]
PlacedRow = tuple[
    str, str | None, str | None, int | None, int | None, int | None, int | None, str | None, int | None,
    str | None, str | None,
]  # fmt: skip
"""A row's :data:`PLACED_COLUMNS` values, in that order."""


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


def top_folder(prefix: str, path: str) -> str:
    """The root's top-level folder ``path`` is in (``""`` for a file directly in the root): the
    unit a scan places at once."""
    rest = path[len(prefix) :] if path.startswith(prefix) else path
    head, sep, _ = rest.partition(os.sep)
    return head if sep else ""


def placement_unit(prefix: str, path: str) -> tuple[str, bool]:
    """The files ``path`` is placed together with: ``(folder, direct)``. Like :func:`top_folder`,
    through containers: below the root and the named containers in it (``Movies``, ``Videos``…,
    which are containers whatever they hold), each sub-folder is placed on its own, and so are
    the files directly in one. ``folder`` is relative to the root; ``direct``: the unit is the
    files directly in ``folder`` (a container, or the root itself as ``""``), else everything
    below ``folder``."""
    rest = path[len(prefix) :] if path.startswith(prefix) else path
    parts = rest.split(os.sep)
    depth = 0
    while depth < len(parts) - 1 and is_container_name(parts[depth]):
        depth += 1
    if depth == len(parts) - 1:
        return os.sep.join(parts[:depth]), True
    return os.sep.join(parts[: depth + 1]), False


def series_path(prefix: str, p: Placement) -> str | None:
    """The folder path of the series row an episode or a series' extra belongs to: its folder, or
    for loose episodes (no series folder) the group they share (``TV/Night Shift``)."""
    if p.kind == "episode":
        return prefix + (str(p.series_folder) if p.series_folder is not None else p.group)
    if p.kind == "extra" and p.series_title is not None:
        return prefix + (str(p.series_folder) if p.series_folder is not None else p.extra_of or p.group)
    return None


def _season(p: Placement) -> int:
    return p.season_number if p.season_number is not None else 0


class Containers:
    """Finds or creates series and season rows, once per folder per scan (:meth:`prepare`), and
    keeps their ids: :attr:`series` by folder path, :attr:`seasons` by ``(series id, number)``."""

    def __init__(self, db: Session, root: LibraryRoot) -> None:
        self.db = db
        self.root = root
        self.prefix = root.path.rstrip(os.sep) + os.sep
        self.series: dict[str, str] = dict(
            db.execute(
                select(VideoSeries.folder_path, VideoSeries.id).where(VideoSeries.library_root_id == root.id)
            ).all()
        )
        self.seasons: dict[tuple[str, int], str] = {}
        # the last episode's (series folder, group, season) and the series and season ids they got
        self._last_episode: tuple[PurePosixPath | None, str, int, str, str] | None = None

    def needs(self, placed: Iterable[Placed]) -> tuple[dict[str, SeriesSpec], set[SeasonKey]]:
        """The series and seasons the episodes and series extras of ``placed`` go to."""
        series: dict[str, SeriesSpec] = {}
        seasons: set[SeasonKey] = set()
        prefix = self.prefix
        last: Placement | None = None  # a folder's episodes follow each other, sharing their series and season
        for _, p in placed:
            kind = p.kind
            if kind == "movie":
                continue
            if (
                kind == "episode"
                and last is not None
                and p.series_folder is last.series_folder
                and p.season_folder is last.season_folder
                and p.season_number == last.season_number
                and p.group == last.group
            ):
                continue  # the same series and season as the episode before
            path = series_path(prefix, p)
            if path is None:
                continue
            if path not in series:
                series[path] = (path[len(prefix) :], p.series_title, p.series_year)
            if kind == "episode":
                last = p
                folder = p.season_folder
                folder_path, name = (prefix + str(folder), folder.name) if folder else (None, None)
                seasons.add((path, _season(p), folder_path, name))
        return series, seasons

    def prepare_for(self, placed: Iterable[Placed]) -> bool:
        """:meth:`prepare` what ``placed`` needs."""
        return self.prepare(*self.needs(placed))

    def prepare(self, series: Mapping[str, SeriesSpec], seasons: set[SeasonKey]) -> bool:
        """Create the missing ones of these series and seasons in two statements (each key once:
        an upsert may touch a row only once); ``True`` when any was written."""
        new_series = {path: spec for path, spec in series.items() if path not in self.series}
        if new_series:
            paths = sorted(new_series)
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
                    "rels": [new_series[p][0] for p in paths],
                    "titles": [new_series[p][1] or os.path.basename(p) for p in paths],
                    "years": [new_series[p][2] for p in paths],
                },
            ).all()
            self.series.update(dict(rows))
        # one row per (series, number): two folders of one series may name the same season
        # ("Season 1" and "Season 01", "Specials" and "Season 00")
        wanted_by_key: dict[tuple[str, int], tuple[str, int, str | None, str | None]] = {}
        for path, number, folder, title in sorted(seasons, key=lambda x: (x[0], x[1], x[2] or "")):
            key = (self.series[path], number)
            if key not in self.seasons and key not in wanted_by_key:
                wanted_by_key[key] = (*key, folder, title)
        wanted = list(wanted_by_key.values())
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

    def placed_values(self, p: Placement) -> dict[str, Any]:
        """The :data:`PLACED_COLUMNS` of a row placed at ``p`` (its series and season prepared)."""
        row = self.placed_row(p)
        kind, series_id, season_id, season, episode, end, absolute, group, part, version, extra_type = row
        return {
            "kind": kind, "series_id": series_id, "season_id": season_id, "season_number": season,
            "episode_number": episode, "episode_end": end, "absolute_episode_number": absolute,
            "group_key": group, "part_number": part, "version_label": version, "extra_type": extra_type,
        }  # fmt: skip

    def placed_row(self, p: Placement) -> PlacedRow:
        """:meth:`placed_values` as a tuple in :data:`PLACED_COLUMNS` order (no dict per row)."""
        kind: str = p.kind
        if kind == "movie":  # the common cases first, each worked out once
            return ("movie", None, None, None, None, None, None, p.group, p.part, p.version, None)
        if kind == "episode":
            season = p.season_number if p.season_number is not None else 0
            last = self._last_episode
            if (  # a folder's episodes follow each other: the ids the one before got, if found
                last is not None and p.series_folder is last[0] and season == last[2] and p.group == last[1]
            ):
                series_id, season_id = last[3], last[4]
            else:
                path = series_path(self.prefix, p)
                series_id = self.series[path] if path is not None else None
                season_id = self.seasons.get((series_id, season)) if series_id else None
                if season_id is not None:  # ids never change once found (prepare only adds)
                    self._last_episode = (p.series_folder, p.group, season, series_id, season_id)
            return (
                "episode", series_id, season_id, season, p.episode, p.episode_end, p.absolute_episode,
                None, p.part, p.version, None,
            )  # fmt: skip
        path = series_path(self.prefix, p)
        series_id = self.series[path] if path is not None else None
        group = extra_type = None
        if path is not None:  # a series' extra
            group, extra_type = p.extra_of or p.group, p.extra_type
        elif p.extra_of:  # a movie's extra
            group, extra_type = p.extra_of, p.extra_type
        else:  # an extra of nothing here (a Trailers folder in a container): shown as a movie
            kind, group = "movie", p.group
        return (kind, series_id, None, None, None, None, None, group, p.part, p.version, extra_type)


class Placer:
    """Places a root's files with :func:`~plugins_builtin.videos.scanning.layout.place_tree`, a
    batch (one top-level folder of the root) at a time, and keeps what it skipped, by reason."""

    def __init__(self, root: LibraryRoot) -> None:
        self.prefix = root.path.rstrip(os.sep) + os.sep
        self.movies, self.shows = root_option(root, SCAN_MOVIES), root_option(root, SCAN_SERIES)
        self.flat = root_option(root, SCAN_FLAT)
        self.skipped: Counter[str] = Counter()

    def place(self, entries: Sequence[FileEntry]) -> dict[str, Placement | None]:
        """Each file's placement by path (``None``: outside the root)."""
        prefix, cut = self.prefix, len(self.prefix)
        paths = [e.path for e in entries]
        relative = [path[cut:] for path in paths if path.startswith(prefix)]
        placed = place_relative(relative, movies=self.movies, series=self.shows, flat=self.flat)
        if len(relative) == len(paths):  # the usual case: every file is under the root
            return dict(zip(paths, map(placed.get, relative), strict=True))
        return {path: placed.get(path[cut:]) if path.startswith(prefix) else None for path in paths}

    def keep(self, entries: Iterable[FileEntry], placements: Mapping[str, Placement | None]) -> list[Placed]:
        """The files of ``entries`` to index, with their placements; the rest are counted in
        :attr:`skipped` (and logged when the skip points at a problem)."""
        kept: list[Placed] = []
        for entry in entries:
            p = placements.get(entry.path)
            if p is None or p.kind == "skip":
                reason = OUTSIDE if p is None else p.reason or "skipped"
                self.skipped[reason] += 1
                if p is None or p.rejected:
                    log.warning("not indexed: %s (%s)", entry.path, reason)
                continue
            if not (entry.path.isascii() or _utf8(entry.path)):  # most paths are ASCII: no call
                self.skipped[NOT_UTF8] += 1
                log.warning("not indexed: %r (%s)", entry.path, NOT_UTF8)
                continue
            kept.append((entry, p))
        return kept


def skip_reason(path: str, p: Placement | None) -> str | None:
    """Why :meth:`Placer.keep` leaves a file placed at ``p`` out (``None``: it is indexed)."""
    if p is None:
        return OUTSIDE
    if p.kind == "skip":
        return p.reason or "skipped"
    if not (path.isascii() or _utf8(path)):
        return NOT_UTF8
    return None


def _utf8(path: str) -> bool:
    if path.isascii():
        return True
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name (surrogate escapes)
        return False
    return True


def _text(value: str | None) -> str:
    if value is None:
        return NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:  # rare: find is cheaper
        return value.translate(_COPY_ESCAPES)
    return value


def _number(value: float | None) -> str:
    return NULL if value is None else str(value)


class RowMaker:
    """The values of placed files' rows: their placement (series and seasons already exist), and
    the title, year and details their names or sidecars give."""

    def __init__(self, root: LibraryRoot, walk: WalkResult, place: Containers) -> None:
        self.root_id, self.nsfw = root.id, "t" if root.is_nsfw else "f"
        self.walk, self.place = walk, place
        self.layout_version = str(LAYOUT_VERSION)

    def values(self, entry: FileEntry, p: Placement) -> tuple[dict[str, Any], SidecarMetadata | None]:
        """The placed columns plus ``title``, ``year`` and ``date`` (a sidecar's title and date win)."""
        values = self.place.placed_values(p)
        side, title, date = self._named(entry, p)
        values["title"], values["year"], values["date"] = title, p.year, date
        return values, side

    def _named(self, entry: FileEntry, p: Placement) -> tuple[SidecarMetadata | None, str, str | None]:
        """``entry``'s sidecar, title and date: a sidecar's title and date win over the placement's."""
        side = _sidecar_for(entry, self.walk) if self.walk.sidecars else None  # most roots have none
        title = p.title or filename_to_title(entry.path.rsplit(os.sep, 1)[-1])
        air = p.air_date
        if not side:
            return side, title, air.isoformat() if air else None
        return side, side.title or title, side.date or (air.isoformat() if air else None)

    def line(self, entry: FileEntry, p: Placement, video_id: str) -> tuple[str, str, str]:
        """One row in PostgreSQL's COPY text format (:data:`COPY_COLUMNS`) with the new video's id
        and title. Formatted here: psycopg's per-value adaptation costs more than the insert."""
        kind, series_id, season_id, season, episode, end, absolute, group, part, version, extra_type = (
            self.place.placed_row(p)
        )
        side, title, date = self._named(entry, p)
        details = rating = sidecar = NULL
        urls = "[]"
        if side:
            details, urls = _text(side.details), _text(json.dumps(list(side.urls)))
            rating = _number(side.rating)
            if side.tags or side.performers or side.studio:
                linked = {"tags": list(side.tags), "performers": list(side.performers), "studio": side.studio}
                sidecar = _text(json.dumps(linked))
        year = p.year
        # lower() makes none of the characters COPY escapes: a title without them needs no second look
        text_title = _text(title)
        # None is the common value of most columns: written as NULL without a call
        fields = (
            video_id, self.root_id, kind,
            NULL if series_id is None else _text(series_id),
            NULL if season_id is None else _text(season_id),
            NULL if season is None else str(season),
            NULL if episode is None else str(episode),
            NULL if end is None else str(end),
            NULL if absolute is None else str(absolute),
            NULL if group is None else _text(group),
            NULL if part is None else str(part),
            NULL if version is None else _text(version),
            NULL if extra_type is None else _text(extra_type),
            text_title, title.lower() if text_title is title else _text(title.lower()), details,
            NULL if date is None else _text(date),
            NULL if year is None else str(year),
            rating, self.nsfw, urls, sidecar,
            _text(entry.path), str(entry.size), repr(entry.mtime), self.layout_version,
        )  # fmt: skip
        return "\t".join(fields), video_id, title

    def chunk(self, kept: list[Placed]) -> tuple[str, list[tuple[str, str]]]:
        """The COPY text of ``kept``, with its videos' ``(id, title)``."""
        rows = [self.line(entry, c, vid) for (entry, c), vid in zip(kept, new_ids(len(kept)), strict=True)]
        return "\n".join([line for line, _, _ in rows]) + "\n", [(vid, title) for _, vid, title in rows]


_LINK_GROUPS = """
    WITH ranked AS (
        SELECT id, parent_id, group_key, first_value(id) OVER w AS first_id, first_value(kind) OVER w AS first_kind
        FROM videos
        WHERE library_root_id = :root AND (group_key IS NOT NULL OR parent_id IS NOT NULL){rows}
        WINDOW w AS (
            PARTITION BY group_key
            ORDER BY kind <> 'movie', part_number NULLS FIRST, version_label IS NOT NULL, version_label, file_path
        )
    ), wanted AS (
        SELECT id, parent_id,
               CASE WHEN group_key IS NOT NULL AND first_kind = 'movie' AND first_id <> id THEN first_id END AS parent
        FROM ranked
    )
    UPDATE videos v SET parent_id = wanted.parent
    FROM wanted
    WHERE v.id = wanted.id AND wanted.parent_id IS DISTINCT FROM wanted.parent
    """
LINK_GROUPS_SQL = text(_LINK_GROUPS.format(rows=""))
"""Every grouped row of a root points at its group's main movie, the first by part, unlabelled
before labelled version, label and path (none: the main one itself, and rows of a group without a
movie). One read of the root's rows (there is no index by root) and a window per group: no join
whose plan could go wrong on a table not analysed yet; only the rows whose parent changes are
updated."""


LINK_SOME_GROUPS_SQL = (
    _LINK_GROUPS.format(rows=" AND id = ANY(CAST(%(ids)s AS text[]))").replace(":root", "%(root)s").strip()
)
""":data:`LINK_GROUPS_SQL` for some rows of a root, every row of their groups among them (an import
batch links the groups it placed, not the root's every group): psycopg's form, run unprepared."""


def execute_unprepared(db: Session, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run ``sql`` (psycopg's ``%(name)s`` parameters) on ``db``'s connection, in its transaction,
    planned for these very values: a statement run again and again would otherwise be prepared by
    psycopg and get a generic plan, where a large ``= ANY(array)`` is searched row by row instead
    of hashed, and a root's row count is a guess."""
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(sql, params, prepare=False)
        return cur.fetchall() if cur.description else []


def link_groups(db: Session, root_id: str, ids: Sequence[str] | None = None) -> None:
    """Point every file of a movie group but its main one (the first part, the unlabelled or
    first version) at the main one; the extras of a movie too. The caller commits.

    ``ids``: only the groups of these rows, which must hold every row of those groups (the known
    and new rows of the top-level folders an import placed, say)."""
    if ids is None:
        db.execute(LINK_GROUPS_SQL, {"root": root_id})
    elif ids:
        execute_unprepared(db, LINK_SOME_GROUPS_SQL, {"root": root_id, "ids": list(ids)})


def insert_new_files(
    db: Session, root: LibraryRoot, entries: list[FileEntry], walk: WalkResult | None = None
) -> tuple[list[tuple[str, str]], Counter[str]]:
    """Place, name and COPY new files in ``db``'s transaction (the caller commits, and enqueues
    what it wants). Returns each new video's ``(id, title)`` and the skipped files' reasons."""
    placer = Placer(root)
    kept = placer.keep(entries, placer.place(entries))
    if not kept:
        return [], placer.skipped
    place = Containers(db, root)
    place.prepare_for(kept)
    lines, new = RowMaker(root, walk or WalkResult(), place).chunk(kept)
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(COPY_SQL) as copy:
        copy.write(lines)
    link_groups(db, root.id)
    return new, placer.skipped


class NewRowStream:
    """A scan's new files, written while the walk goes on: :meth:`add` takes placed files, and
    every :data:`COPY_CHUNK` of them get their series and seasons (created and committed on the
    scan's session, so the copy connections see them), their COPY lines, and go to
    :class:`ParallelCopy`. :meth:`finish` writes the rest and waits for every chunk."""

    def __init__(
        self,
        db: Session,
        maker: RowMaker,
        progress: Callable[[float, str], None] | None = None,
        probe: bool = True,
    ) -> None:
        self.db, self.maker, self.place, self.progress = db, maker, maker.place, progress
        self.probe = probe
        self.pending: list[Placed] = []
        self.sent = 0
        self._copier: ParallelCopy | None = None

    def add(self, placed: Iterable[Placed]) -> None:
        self.pending.extend(placed)
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

    @property
    def skipped_rows(self) -> list[str]:
        """Paths of new files whose rows the database refused (logged; the scan went on)."""
        return self._copier.refused if self._copier else []

    def _send(self, chunk: list[Placed]) -> None:
        if self.place.prepare_for(chunk):
            self.db.commit()
        lines, videos = self.maker.chunk(chunk)
        if self._copier is None:
            self._copier = ParallelCopy(self.db, probe=self.probe)
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

    def __init__(self, db: Session, connections: int = COPY_CONNECTIONS, probe: bool = True) -> None:
        self.bind = db.get_bind()
        self.probe = probe
        self.inserted: list[tuple[str, str]] = []
        self.refused: list[str] = []
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
        refused: list[str] = []
        try:
            try:
                _copy(session, lines)
            except Exception as exc:  # one bad row must not cost the chunk: write them one by one
                if not _is_data_error(exc):
                    raise
                session.rollback()
                videos, refused = _copy_one_by_one(session, lines, videos)
            runs = enqueue_jobs(session, MEDIA_PROBE, probe_batches(videos)) if self.probe and videos else 0
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
            self.refused.extend(refused)
            self.probe_runs += runs


def _copy(session: Session, lines: str) -> None:
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(COPY_SQL) as copy:
        copy.write(lines)


def _is_data_error(exc: BaseException) -> bool:
    """A row the database refuses (a value, a constraint), as opposed to a lost connection."""
    import psycopg

    return isinstance(exc, psycopg.errors.DataError | psycopg.errors.IntegrityError)


def _copy_one_by_one(
    session: Session, lines: str, videos: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[str]]:
    """COPY a refused chunk row by row, each in a savepoint; the rows refused again are logged
    with their path and left out. Returns the videos written and the refused paths."""
    written: list[tuple[str, str]] = []
    refused: list[str] = []
    for line, video in zip(lines.rstrip("\n").split("\n"), videos, strict=True):
        try:
            with session.begin_nested():
                _copy(session, line + "\n")
            written.append(video)
        except Exception as exc:
            if not _is_data_error(exc):
                raise
            path = line.split("\t")[COPY_COLUMNS.index("file_path")]
            log.warning("not indexed: %s (the database refused its row: %s)", path, str(exc).splitlines()[0])
            refused.append(path)
    return written, refused
