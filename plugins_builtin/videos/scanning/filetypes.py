"""File-type rules for the video library scan.

Pure helpers (no I/O) deciding which directory entries the scanner looks at:
the supported video and subtitle extensions, hidden entries, and the names of
derivative files Obscura itself writes next to videos (``x-preview.mp4``,
``x-thumb.jpg`` …) which must never be indexed as library videos.
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = [
    "SUBTITLE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "SubtitleFormat",
    "extension_of",
    "is_derivative",
    "is_hidden",
    "is_subtitle_file",
    "is_trickplay_track",
    "is_video_file",
    "split_extension",
    "subtitle_format",
]

#: Video container extensions the library scan picks up (lower case, with dot).
VIDEO_EXTENSIONS: Final[frozenset[str]] = frozenset(
    {
        ".mp4",
        ".m4v",
        ".mkv",
        ".mov",
        ".webm",
        ".avi",
        ".wmv",
        ".flv",
        ".ts",
        ".m2ts",
        ".mpg",
        ".mpeg",
        ".vob",  # DVD folders (VIDEO_TS), as in Stash's defaults
    }
)

#: Subtitle sidecar extensions (lower case, with dot).
SUBTITLE_EXTENSIONS: Final[frozenset[str]] = frozenset({".vtt", ".srt", ".ass", ".ssa"})

#: The subtitle source formats understood by :mod:`.subtitle_files`.
SubtitleFormat = Literal["vtt", "srt", "ass", "ssa"]

# The original's generated-suffix pattern, plus our own ``-card`` card thumbnail.
_DERIVATIVE_RE: Final[re.Pattern[str]] = re.compile(r"(?:[-._](?:preview|thumb|sprite|sample)|-card)$", re.IGNORECASE)


def split_extension(name: str) -> tuple[str, str]:
    """Split a file name into ``(stem, extension)``.

    The extension keeps its leading dot and its original case; it is empty when
    the name has no dot or only a leading dot (``.hidden``).  Only the part
    after the last path separator ``/`` is considered.
    """
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    if dot <= 0:
        return base, ""
    return base[:dot], base[dot:]


def extension_of(name: str) -> str:
    """Return the lower-cased extension of ``name`` including the dot (or ``""``)."""
    return split_extension(name)[1].lower()


def is_hidden(name: str) -> bool:
    """Return True for hidden entries (base name starting with ``.``).

    Hidden files and folders are skipped at every level of the walk.
    """
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return base.startswith(".")


def is_derivative(stem: str) -> bool:
    """Return True when ``stem`` names a derivative Obscura generated itself.

    Matches stems ending in ``[-._](preview|thumb|sprite|sample)`` (any case),
    as the original did, plus ``-card`` (our card thumbnail) which the
    original forgot.
    """
    return _DERIVATIVE_RE.search(stem) is not None


def is_video_file(name: str) -> bool:
    """Return True when ``name`` is a non-hidden, non-derivative video file name."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")  # a scan asks this of every file: no tuple, no second split
    if dot <= 0 or base.startswith(".") or base[dot:].lower() not in VIDEO_EXTENSIONS:
        return False
    return not is_derivative(base[:dot])


def is_subtitle_file(name: str) -> bool:
    """Return True when ``name`` has a supported subtitle extension (never our ``-trickplay.vtt``)."""
    return extension_of(name) in SUBTITLE_EXTENSIONS and not is_trickplay_track(name)


def is_trickplay_track(name: str) -> bool:
    """Return True for ``<stem>-trickplay.vtt``, the seek-bar track Obscura writes next to a video."""
    stem, ext = split_extension(name)
    return ext.lower() == ".vtt" and stem.lower().endswith("-trickplay")


def subtitle_format(name: str) -> SubtitleFormat | None:
    """Return the subtitle format implied by the extension of ``name``, if any."""
    ext = extension_of(name)
    if ext == ".vtt":
        return "vtt"
    if ext == ".srt":
        return "srt"
    if ext == ".ass":
        return "ass"
    if ext == ".ssa":
        return "ssa"
    return None
