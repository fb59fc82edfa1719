"""Formatting helpers of the videos pages: durations and runtimes, byte sizes, dates, counts,
resolution and codec labels, episode labels (``S01E02``), 0–100 ratings as stars and thumbnail URLs
of rows that are not loaded ``Video`` objects. Pure functions (no database, no Flask) shared by the
browse, series, search and dashboard-panel code.
"""

from __future__ import annotations

from datetime import datetime

from plugins_builtin.videos.routes.query import RESOLUTIONS

RESOLUTION_LABELS = {"240p": "240p", "360p": "360p", "480p": "480p", "720p": "720p", "1080p": "1080p",
                     "1440p": "1440p", "4k": "4K"}  # fmt: skip
CODEC_LABELS = {"h264": "H.264", "hevc": "HEVC", "vp9": "VP9", "av1": "AV1", "mpeg4": "MPEG-4", "vp8": "VP8",
                "mpeg2video": "MPEG-2", "vc1": "VC-1", "wmv3": "WMV", "prores": "ProRes"}  # fmt: skip


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    s = int(seconds)
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


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


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return ""
    value, unit = float(n), "B"
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if value < 1000 or unit == "PB":
            break
        value /= 1000
    return f"{value:.0f} {unit}" if unit == "B" or value >= 10 else f"{value:.1f} {unit}"


def fmt_date(d: datetime | None) -> str:
    return f"{d:%b} {d.day}, {d.year}" if d else ""


def fmt_count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


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


def stars(rating: int | None) -> int | None:
    """0–100 → 0–5 stars (rounded), ``None`` when unrated."""
    return None if rating is None else max(0, min(5, round(rating / 20)))


def thumb_url(video_id: str, thumbnail_at: datetime | None, custom: bool, updated_at: datetime | None) -> str | None:
    """:func:`serialize.thumbnail_url` for a row that is not a loaded ``Video``."""
    if custom or thumbnail_at:
        stamp = thumbnail_at or updated_at
        return f"/api/videos/{video_id}/thumbnail?v={int(stamp.timestamp()) if stamp else 0}"
    return None
