"""The videos plugin's own settings (``SettingsGroup``s stored by the core) and library-root switches."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from plugin_sdk import RootOption, SettingsAction, SettingsGroup


class GenerationSettings(BaseModel):
    """What is built for each new video (besides the library-wide switches).

    ``generate_phash`` and ``generate_trickplay`` choose parts of a job the library-wide switches
    queue (fingerprint, previews); ``generate_subtitles`` decides whether a scan queues subtitle
    extraction at all. None of them stops an explicit request: "Run pHash backfill", a video's
    "Rebuild previews" and a queue's "Run missing" on Jobs.
    """

    generate_phash: bool = Field(
        False, title="Perceptual hash (pHash)",
        description="Stash-compatible, part of Fingerprints (Generation); slower, decodes every video. "
        "Off: Run pHash backfill still computes it.",
    )  # fmt: skip
    generate_trickplay: bool = Field(
        True, title="Trickplay",
        description="Seek-bar thumbnails (a sprite sheet and WebVTT), part of Previews (Generation). "
        "Off: Rebuild previews on a video still makes them.",
    )  # fmt: skip
    generate_subtitles: bool = Field(
        True, title="Subtitles",
        description="Convert sidecar and embedded text subtitles of new videos to WebVTT for the player. "
        "Off: Run missing on Extract subtitles (Jobs) still does.",
    )  # fmt: skip
    trickplay_interval_seconds: int = Field(
        10, ge=3, le=600, title="Trickplay interval", description="Seconds between two seek-bar thumbnails.",
        json_schema_extra={"unit": "seconds", "step": 1},
    )  # fmt: skip
    preview_clip_duration_seconds: int = Field(
        8, ge=4, le=120, title="Preview clip length", description="Length of the hover preview.",
        json_schema_extra={"unit": "seconds", "step": 1},
    )  # fmt: skip
    thumbnail_quality: int = Field(
        2, ge=1, le=31, title="Thumbnail quality", description="JPEG quality scale: 1 is best, 31 smallest.",
        json_schema_extra={"step": 1},
    )  # fmt: skip
    trickplay_quality: int = Field(
        2, ge=1, le=31, title="Trickplay quality", description="JPEG quality scale: 1 is best, 31 smallest.",
        json_schema_extra={"step": 1},
    )  # fmt: skip


class PlaybackSettings(BaseModel):
    """Player defaults; viewers can still change them while watching."""

    default_playback_mode: Literal["direct", "hls"] = Field(
        "direct", title="Playback mode", description="Direct plays the file as is; HLS transcodes when needed.",
        json_schema_extra={"choices": {"direct": "Direct (the original file)", "hls": "HLS (transcoded stream)"}},
    )  # fmt: skip
    subtitles_auto_enable: bool = Field(
        False, title="Turn subtitles on", description="Show subtitles in a preferred language when one exists."
    )
    subtitles_preferred_languages: str = Field(
        "en,eng", max_length=200, title="Preferred languages",
        description="Comma-separated language codes, most preferred first (e.g. en,eng,fr).",
    )  # fmt: skip
    subtitle_style: Literal["stylized", "classic", "outline"] = Field(
        "stylized", title="Subtitle style", description="How subtitles are drawn over the video.",
        json_schema_extra={"choices": {"stylized": "Stylized", "classic": "Classic (boxed)", "outline": "Outline"}},
    )  # fmt: skip
    subtitle_font_scale: float = Field(
        1.0, ge=0.5, le=3, title="Subtitle size", description="1 is the default size.",
        json_schema_extra={"unit": "×", "step": 0.05},
    )  # fmt: skip
    subtitle_position_percent: int = Field(
        88, ge=0, le=100, title="Subtitle position", description="Distance from the top of the picture.",
        json_schema_extra={"unit": "%", "step": 1},
    )  # fmt: skip
    subtitle_opacity: float = Field(
        1.0, ge=0.2, le=1, title="Subtitle opacity", description="1 is fully opaque.", json_schema_extra={"step": 0.05}
    )


GENERATION = SettingsGroup(
    "videos-generation",
    "Video previews & fingerprints",
    GenerationSettings,
    "What Obscura builds for each new video: pHash when Fingerprints are on, trickplay when Previews are on "
    "(Generation); subtitles on their own switch.",
    order=25,
    actions=(
        SettingsAction(
            "phash-backfill",
            "Run pHash backfill",
            "/api/jobs/phash-backfill",
            "Compute the Stash-compatible perceptual hash of every video that has none. Slow: each video is decoded.",
            icon="film",
        ),
    ),
)
PLAYBACK = SettingsGroup(
    "videos-playback",
    "Playback & subtitles",
    PlaybackSettings,
    "Defaults for the player; viewers can still change them while watching.",
    order=50,
)

SCAN_MOVIES = "scan_movies"
SCAN_SERIES = "scan_series"
SCAN_FLAT = "scan_flat"
ROOT_OPTIONS = (
    RootOption(SCAN_MOVIES, "Movies", "Index movies found here.", order=10),
    RootOption(SCAN_SERIES, "Series", "Index TV episodes found here.", order=20),
    RootOption(
        SCAN_FLAT,
        "Flat",
        "Every file is its own video, as in Stash: no series, seasons, extras or versions.",
        default=False,
        order=30,
    ),
)
