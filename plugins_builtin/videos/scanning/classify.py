"""Classify a video file by its depth under a library root.

Depth is the number of folders between the root and the file:

=====  ===========  ===========  ==============================================
depth  scan_movies  scan_series  result
=====  ===========  ===========  ==============================================
0      on           any          movie
0      off          on/off       skip ("loose file at library root …")
1      –            on           episode of ``Root/<series>``, season 0 (flat)
2      –            on           episode, season from the folder name, else 0
≥1     –            off          skip
≥3     –            –            skip, ``rejected`` (too deep)
—      –            –            skip, ``rejected`` (outside the root)
=====  ===========  ===========  ==============================================

Pure: paths are normalised lexically (``..`` and ``.`` collapsed, no symlink
resolution, no file-system access), like Node's ``path.resolve`` in the original.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Literal

from .parsing import SPECIALS_SEASON, parse_season_folder

__all__ = ["Classification", "ClassificationKind", "Placement", "classify_video", "place_segments"]

ClassificationKind = Literal["movie", "episode", "skip"]

MAX_DEPTH = 2


@dataclass(frozen=True, slots=True)
class Classification:
    """Where a video file belongs.

    Attributes:
        kind: ``movie``, ``episode`` or ``skip``.
        file_path: The file, absolute and normalised.
        relative_path: The file relative to the root (None when outside the root).
        depth: Folders between root and file (None when outside the root).
        series_folder: Series folder relative to the root (episodes only), e.g. ``Show``.
        series_path: Absolute series folder (episodes only).
        season_number: Placement season (episodes only): parsed from the season
            folder, 0 for flat series, ``Specials`` or unrecognised folder names.
        season_folder: Season folder name (depth-2 episodes only), else None.
        season_path: Absolute season folder (depth-2 episodes only), else None.
        reason: Human-readable explanation for a skip, else None.
        rejected: True for skips that indicate a misplaced file (too deep, outside the
            root) and deserve a warning, False for skips caused by the root's toggles.
    """

    kind: ClassificationKind
    file_path: Path
    relative_path: PurePath | None = None
    depth: int | None = None
    series_folder: str | None = None
    series_path: Path | None = None
    season_number: int | None = None
    season_folder: str | None = None
    season_path: Path | None = None
    reason: str | None = None
    rejected: bool = False

    @property
    def is_skip(self) -> bool:
        """True when the scanner should not index the file."""
        return self.kind == "skip"


@dataclass(frozen=True, slots=True)
class Placement:
    """The classification rules' answer for path segments below a root (no paths built).

    Same meaning as the matching :class:`Classification` fields; the scanner uses it directly
    because building ``Path`` objects for tens of thousands of files is the slow part.
    """

    kind: ClassificationKind
    depth: int
    series_folder: str | None = None
    season_folder: str | None = None
    season_number: int | None = None
    reason: str | None = None
    rejected: bool = False


@lru_cache(maxsize=4096)
def _season_of(folder: str) -> int:
    parsed = parse_season_folder(folder)
    return SPECIALS_SEASON if parsed is None else parsed


def place_segments(segments: Sequence[str], scan_movies: bool, scan_series: bool) -> Placement:
    """Apply the depth rules to the segments of a path below the root (file name last)."""
    depth = len(segments) - 1
    if depth > MAX_DEPTH:
        return Placement(
            "skip",
            depth,
            reason=f"file is {depth} folders deep; the maximum is {MAX_DEPTH} (library → series → season → file)",
            rejected=True,
        )
    if depth == 0:
        if scan_movies:
            return Placement("movie", 0)
        if scan_series:
            reason = (
                "loose file at library root but only series scanning is enabled; "
                "enable movies or move the file into a series folder"
            )
        else:
            reason = "both movie and series scanning are disabled for this library"
        return Placement("skip", 0, reason=reason)
    if not scan_series:
        return Placement("skip", depth, reason="file is inside a folder but series scanning is disabled")
    if depth == 1:
        return Placement("episode", 1, series_folder=segments[0], season_number=SPECIALS_SEASON)
    return Placement(
        "episode", 2, series_folder=segments[0], season_folder=segments[1], season_number=_season_of(segments[1])
    )


def _normalise(path: Path) -> Path:
    """Return an absolute, lexically normalised version of ``path``."""
    return Path(os.path.normpath(os.path.abspath(os.fspath(path))))


def classify_video(root: Path, file: Path, scan_movies: bool, scan_series: bool) -> Classification:
    """Classify ``file`` under library ``root`` given the root's scan toggles.

    Args:
        root: The library root folder.
        file: The video file (absolute, or relative to the working directory).
        scan_movies: The root's "movies" toggle (loose files at the root are movies).
        scan_series: The root's "series" toggle (files in folders are episodes).

    Returns:
        A :class:`Classification`; never raises for odd paths.
    """
    root_n = _normalise(root)
    file_n = _normalise(file)
    try:
        relative = file_n.relative_to(root_n)
    except ValueError:
        return Classification(
            kind="skip",
            file_path=file_n,
            reason="file is not under the library root path",
            rejected=True,
        )
    segments = relative.parts
    if not segments:
        return Classification(
            kind="skip",
            file_path=file_n,
            reason="path is the library root itself, not a file inside it",
            rejected=True,
        )
    placed = place_segments(segments, scan_movies, scan_series)
    series_path = root_n / placed.series_folder if placed.series_folder else None
    return Classification(
        kind=placed.kind,
        file_path=file_n,
        relative_path=relative,
        depth=placed.depth,
        series_folder=placed.series_folder,
        series_path=series_path,
        season_number=placed.season_number,
        season_folder=placed.season_folder,
        season_path=series_path / placed.season_folder if series_path and placed.season_folder else None,
        reason=placed.reason,
        rejected=placed.rejected,
    )
