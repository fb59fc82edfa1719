"""The metadata found in sidecar files and the value rules every sidecar format shares: the
:class:`SidecarMetadata` record, rating and date normalisation (:func:`normalize_rating`,
:func:`normalize_sidecar_date`), case-insensitive de-duplication, and
:func:`merge_sidecar_metadata`, which overlays NFO metadata on JSON metadata. Pure: the files are
found and parsed in :mod:`.nfo`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

__all__ = [
    "SidecarMetadata",
    "merge_sidecar_metadata",
    "normalize_rating",
    "normalize_sidecar_date",
]


@dataclass(frozen=True, slots=True)
class SidecarMetadata:
    """Metadata found in sidecar files.

    Attributes:
        title: Title.
        details: Description / plot.
        date: Release or air date, ISO ``YYYY-MM-DD``.
        studio: Studio / uploader name (the original read it but did not apply it).
        rating: Rating on the 0–100 scale.
        tags: Tags and genres, de-duplicated case-insensitively, first spelling kept.
        performers: Performer names, de-duplicated case-insensitively.
        urls: Source page URLs, de-duplicated.
        duration: Duration in seconds.
    """

    title: str | None = None
    details: str | None = None
    date: str | None = None
    studio: str | None = None
    rating: int | None = None
    tags: tuple[str, ...] = ()
    performers: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    duration: float | None = None

    @property
    def url(self) -> str | None:
        """The first URL, if any."""
        return self.urls[0] if self.urls else None

    def is_empty(self) -> bool:
        """True when no field carries a value."""
        return not (
            self.title
            or self.details
            or self.date
            or self.studio
            or self.rating is not None
            or self.tags
            or self.performers
            or self.urls
            or self.duration
        )


def _dedupe_casefold(values: Iterable[str]) -> tuple[str, ...]:
    """De-duplicate strings case-insensitively, keeping the first spelling and order."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        cleaned = value.strip()
        key = cleaned.casefold()
        if cleaned and key not in seen:
            seen.add(key)
            result.append(cleaned)
    return tuple(result)


def _dedupe_exact(values: Iterable[str]) -> tuple[str, ...]:
    """De-duplicate strings exactly, keeping order."""
    return tuple(dict.fromkeys(v for v in values if v))


def normalize_rating(raw: float) -> int | None:
    """Normalise a sidecar rating to 0–100.

    ``≤ 5`` → ×20 (stars), ``≤ 10`` → ×10, ``≤ 100`` as is, ``> 100`` (a vote count)
    or negative/non-finite → None.  Rounded half up like JavaScript's ``Math.round``.
    """
    if not math.isfinite(raw) or raw < 0 or raw > 100:
        return None
    if raw <= 5:
        scaled = raw * 20
    elif raw <= 10:
        scaled = raw * 10
    else:
        scaled = raw
    return min(100, math.floor(scaled + 0.5))


_DATE_ISO_RE: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s].*)?$")
_DATE_COMPACT_RE: Final = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_FORMATS: Final[tuple[str, ...]] = (
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)


def normalize_sidecar_date(raw: str) -> str | None:
    """Normalise a sidecar date to ISO ``YYYY-MM-DD``; None when it is not a real date.

    Accepts ``YYYYMMDD`` (yt-dlp), ``YYYY-MM-DD`` (optionally followed by a time) and a
    few spelled-out forms (``2020/01/31``, ``31.01.2020``, ``31 January 2020``).
    """
    text = raw.strip()
    match = _DATE_COMPACT_RE.match(text) or _DATE_ISO_RE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def merge_sidecar_metadata(primary: SidecarMetadata | None, fallback: SidecarMetadata | None) -> SidecarMetadata | None:
    """Overlay ``primary`` (NFO) on ``fallback`` (JSON).

    Scalars come from ``primary`` when set; tags and performers are the fallback's
    followed by the primary's (case-insensitive de-duplication); URLs likewise (exact
    de-duplication).  The duration prefers the fallback (JSON seconds are more precise
    than NFO minutes).  Returns None when nothing is left.
    """
    if primary is None or fallback is None:
        chosen = primary or fallback
        return None if chosen is None or chosen.is_empty() else chosen
    merged = SidecarMetadata(
        title=primary.title or fallback.title,
        details=primary.details or fallback.details,
        date=primary.date or fallback.date,
        studio=primary.studio or fallback.studio,
        rating=primary.rating if primary.rating is not None else fallback.rating,
        tags=_dedupe_casefold([*fallback.tags, *primary.tags]),
        performers=_dedupe_casefold([*fallback.performers, *primary.performers]),
        urls=_dedupe_exact([*fallback.urls, *primary.urls]),
        duration=fallback.duration or primary.duration,
    )
    return None if merged.is_empty() else merged
