"""Pure library-scan rules for the videos plugin (no database, no Flask).

* :mod:`.filetypes` – which files are videos/subtitles, hidden entries, our own derivatives.
* :mod:`.parsing` – extensions, HTML entities in names, fallback titles.
* :mod:`.layout` – movie / episode / extra / skip for a whole root, by content and name at any
  depth (Plex, Jellyfin and Kodi naming; ``docs/library-layout.md``) and the root's toggles.
* :mod:`.nfo` – reading ``.nfo``/``.info.json``/``.json`` metadata sidecars into the record of
  :mod:`.sidecar_metadata` (with its normalisation and merge rules).
* :mod:`.subtitle_files` – subtitle sidecars, SRT/ASS/SSA → WebVTT conversion, WebVTT cue parsing.
* :mod:`.sidecars` – the size cap both kinds of sidecar share.
"""

from __future__ import annotations

from .filetypes import (
    SUBTITLE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    SubtitleFormat,
    is_derivative,
    is_hidden,
    is_subtitle_file,
    is_video_file,
    subtitle_format,
)
from .nfo import read_sidecar_metadata
from .parsing import filename_to_title
from .sidecar_metadata import SidecarMetadata
from .subtitle_files import (
    Cue,
    SubtitleSidecar,
    discover_subtitle_sidecars,
    parse_vtt_cues,
    read_subtitle_text,
    subtitles_to_vtt,
)

__all__ = [
    "SUBTITLE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "Cue",
    "SidecarMetadata",
    "SubtitleFormat",
    "SubtitleSidecar",
    "discover_subtitle_sidecars",
    "filename_to_title",
    "is_derivative",
    "is_hidden",
    "is_subtitle_file",
    "is_video_file",
    "parse_vtt_cues",
    "read_sidecar_metadata",
    "read_subtitle_text",
    "subtitle_format",
    "subtitles_to_vtt",
]
