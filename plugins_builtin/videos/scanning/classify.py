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
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Literal

from .parsing import SPECIALS_SEASON, parse_season_folder

__all__ = ["Classification", "ClassificationKind", "classify_video"]

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

    depth = len(segments) - 1
    base = Classification(kind="skip", file_path=file_n, relative_path=relative, depth=depth)

    if depth > MAX_DEPTH:
        return replace(
            base,
            reason=(f"file is {depth} folders deep; the maximum is {MAX_DEPTH} (library → series → season → file)"),
            rejected=True,
        )

    if depth == 0:
        if scan_movies:
            return replace(base, kind="movie")
        if scan_series:
            reason = (
                "loose file at library root but only series scanning is enabled; "
                "enable movies or move the file into a series folder"
            )
        else:
            reason = "both movie and series scanning are disabled for this library"
        return replace(base, reason=reason)

    if not scan_series:
        return replace(base, reason="file is inside a folder but series scanning is disabled")

    series_folder = segments[0]
    series_path = root_n / series_folder
    if depth == 1:
        return replace(
            base,
            kind="episode",
            series_folder=series_folder,
            series_path=series_path,
            season_number=SPECIALS_SEASON,
        )

    season_folder = segments[1]
    parsed = parse_season_folder(season_folder)
    return replace(
        base,
        kind="episode",
        series_folder=series_folder,
        series_path=series_path,
        season_number=SPECIALS_SEASON if parsed is None else parsed,
        season_folder=season_folder,
        season_path=series_path / season_folder,
    )
