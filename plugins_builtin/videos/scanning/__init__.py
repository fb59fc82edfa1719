"""Pure library-scan rules for the videos plugin (no database, no Flask).

* :mod:`.filetypes` – which files are videos/subtitles, hidden entries, our own derivatives.
* :mod:`.parsing` – season folders, episode/movie file names, series folders, fallback titles.
* :mod:`.classify` – movie / episode / skip by folder depth and the root's toggles.
* :mod:`.sidecars` – ``.nfo``/``.info.json``/``.json`` metadata, subtitle sidecars and
  SRT/ASS/SSA → WebVTT conversion, WebVTT cue parsing.
"""

from __future__ import annotations

from .classify import Classification, ClassificationKind, classify_video
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
from .parsing import (
    SPECIALS_SEASON,
    EpisodeParse,
    MovieParse,
    filename_to_title,
    parse_episode_filename,
    parse_movie_filename,
    parse_season_folder,
    parse_series_folder,
)
from .sidecars import (
    Cue,
    SidecarMetadata,
    SubtitleSidecar,
    discover_subtitle_sidecars,
    parse_vtt_cues,
    read_sidecar_metadata,
    read_subtitle_text,
    subtitles_to_vtt,
)

__all__ = [
    "SPECIALS_SEASON",
    "SUBTITLE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "Classification",
    "ClassificationKind",
    "Cue",
    "EpisodeParse",
    "MovieParse",
    "SidecarMetadata",
    "SubtitleFormat",
    "SubtitleSidecar",
    "classify_video",
    "discover_subtitle_sidecars",
    "filename_to_title",
    "is_derivative",
    "is_hidden",
    "is_subtitle_file",
    "is_video_file",
    "parse_episode_filename",
    "parse_movie_filename",
    "parse_season_folder",
    "parse_series_folder",
    "parse_vtt_cues",
    "read_sidecar_metadata",
    "read_subtitle_text",
    "subtitle_format",
    "subtitles_to_vtt",
]
