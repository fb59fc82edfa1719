"""How pages write numbers, sizes, times and ratings, so every media plugin shows them alike.

Pure functions (no database, no Flask), for page code and templates::

    from plugin_sdk.formatting import fmt_bytes, fmt_count, fmt_date, fmt_duration, stars

    facts = [fmt_count(len(clips), "clip"), fmt_bytes(total_size), fmt_date(created_at)]

Each returns an empty string (or ``None`` for :func:`stars`) when the value is unknown, so a
template can leave the fact out.
"""

from __future__ import annotations

from datetime import date, datetime

__all__ = ["BYTE_UNITS", "fmt_bytes", "fmt_count", "fmt_date", "fmt_duration", "stars"]

BYTE_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")
"""Decimal units (1 KB = 1000 B), as file managers and disk makers count."""


def fmt_duration(seconds: float | None) -> str:
    """A clock time: ``0:07``, ``3:07``, ``1:02:03``; empty when unknown or negative.

    Seconds are floored, like the players' clocks (``ui.js`` ``formatDuration``), so a marker at
    ``62.9`` shows ``1:02`` both here and in the player.
    """
    if seconds is None or seconds < 0:
        return ""
    s = int(seconds)
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def fmt_bytes(n: int | None) -> str:
    """A size in decimal units: ``12 B``, ``640 KB``, ``1.2 MB``, ``3.4 TB``; empty when unknown.

    One decimal below 10 of a unit (``1.2 MB``), none from 10 up (``12 MB``) and never for bytes.
    """
    if n is None:
        return ""
    value, unit = float(n), BYTE_UNITS[0]
    for unit in BYTE_UNITS:
        if value < 1000 or unit == BYTE_UNITS[-1]:
            break
        value /= 1000
    return f"{value:.0f} {unit}" if unit == BYTE_UNITS[0] or value >= 10 else f"{value:.1f} {unit}"


def fmt_date(d: date | datetime | None) -> str:
    """``Mar 4, 2024`` (English month abbreviation, no leading zero); empty when unknown."""
    return f"{d:%b} {d.day}, {d.year}" if d else ""


def fmt_count(n: int, word: str, plural: str | None = None) -> str:
    """``1 image``, ``1,204 images``; ``plural`` for words that do not take an ``s``
    (``fmt_count(2, "gallery", "galleries")``)."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def stars(rating: int | None) -> int | None:
    """A 0–100 rating as 0–5 stars (rounded half to even, as Python rounds: 50 → 2, 70 → 4),
    clamped to 0–5; ``None`` when unrated."""
    return None if rating is None else max(0, min(5, round(rating / 20)))
