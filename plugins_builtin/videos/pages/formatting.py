"""Formatting helpers of the videos pages: runtimes, resolution and codec labels, episode labels
(``S01E02``) and thumbnail URLs of rows that are not loaded ``Video`` objects. Pure functions (no
database, no Flask) shared by the browse, series, search and dashboard-panel code; durations, byte
sizes, dates, counts and stars are :mod:`plugin_sdk.formatting`'s.
"""

from __future__ import annotations

from datetime import datetime

from plugins_builtin.videos.routes.query import RESOLUTIONS

RESOLUTION_LABELS = {"240p": "240p", "360p": "360p", "480p": "480p", "720p": "720p", "1080p": "1080p",
                     "1440p": "1440p", "4k": "4K"}  # fmt: skip
CODEC_LABELS = {"h264": "H.264", "hevc": "HEVC", "vp9": "VP9", "av1": "AV1", "mpeg4": "MPEG-4", "vp8": "VP8",
                "mpeg2video": "MPEG-2", "vc1": "VC-1", "wmv3": "WMV", "prores": "ProRes"}  # fmt: skip


def fmt_runtime(seconds: float | None) -> str:
    """A long total in words: ``3 h 20 min``, ``2 days 4 h``."""
    if not seconds:
        return "0 min"
    minutes = int(seconds // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{max(mins, 1)} min"


def resolution_label(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    short = min(width, height)
    label = None
    for name, low in RESOLUTIONS.items():
        if short >= low:
            label = RESOLUTION_LABELS[name]
    return label or f"{short}p"


def codec_label(codec: str | None) -> str:
    return CODEC_LABELS.get((codec or "").lower(), (codec or "").upper())


def episode_label(season: int | None, episode: int | None, end: int | None, absolute: int | None) -> str | None:
    if episode is not None:
        tail = f"–E{end:02d}" if end and end != episode else ""
        return f"S{season or 0:02d}E{episode:02d}{tail}" if season is not None else f"E{episode:02d}{tail}"
    if absolute is not None:
        return f"E{absolute:02d}"
    return None


def thumb_url(video_id: str, thumbnail_at: datetime | None, custom: bool, updated_at: datetime | None) -> str | None:
    """:func:`serialize.thumbnail_url` for a row that is not a loaded ``Video``."""
    if custom or thumbnail_at:
        stamp = thumbnail_at or updated_at
        return f"/api/videos/{video_id}/thumbnail?v={int(stamp.timestamp()) if stamp else 0}"
    return None
