"""Reading the values of imported gallery and image records, and merging them into known rows.

Pure helpers of :mod:`plugins_builtin.images.importer`: each reader takes a record's raw value and
answers the value as stored here, or ``None`` with a warning in the record's :class:`Notes` when
the value cannot be used (a date that is not one, a rating out of range): the rest of the record
still comes in. :func:`changes_for` is the merge rule both importers keep.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_HEX = re.compile(r"^[0-9a-f]+$")
TEXT_MAX = 20000
URLS_MAX = 50


@dataclass
class Notes:
    """What one record's reading found: single-field ``warnings`` and ``unmapped`` field names."""

    warnings: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    def warn(self, name: str, value: Any, why: str) -> None:
        shown = repr(value)
        self.warnings.append(f"{name} {shown[:80]}{'…' if len(shown) > 80 else ''} {why}; left out")

    def no_home(self, name: str) -> None:
        if name not in self.unmapped:
            self.unmapped.append(name)


def text_value(notes: Notes, name: str, value: Any, limit: int = TEXT_MAX) -> str | None:
    """Stripped text (``None`` for empty); numbers become text; longer than ``limit`` is cut."""
    if value is None:
        return None
    if type(value) is str:  # the common case first
        cleaned = value.strip()
        if len(cleaned) <= limit and "\x00" not in cleaned:
            return cleaned or None
    elif isinstance(value, bool) or not isinstance(value, str | int | float):
        notes.warn(name, value, "is not text")
        return None
    cleaned = str(value).replace("\x00", "").strip()
    if len(cleaned) > limit:
        notes.warnings.append(f"{name} is longer than {limit} characters; cut")
        cleaned = cleaned[:limit]
    return cleaned or None


def date_value(notes: Notes, name: str, value: Any) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (partial dates kept); a ``date`` becomes its ISO day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        notes.warn(name, value, "is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year or 1, month or 1, day or 1)
    except ValueError:
        notes.warn(name, value, "is not a calendar date")
        return None
    return match.group(0)


def rating_value(notes: Notes, name: str, value: Any) -> int | None:
    """A 0–100 rating."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or not 0 <= value <= 100:
        notes.warn(name, value, "is not a rating from 0 to 100")
        return None
    return int(value)


def flag_value(notes: Notes, name: str, value: Any) -> bool | None:
    """A boolean (``0``/``1`` too); ``None`` when not given."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    notes.warn(name, value, "is not true or false")
    return None


def count_value(notes: Notes, name: str, value: Any) -> int | None:
    """A whole number ≥ 0."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 0:
        notes.warn(name, value, "is not a whole number ≥ 0")
        return None
    return int(value)


def time_value(notes: Notes, name: str, value: Any) -> datetime | None:
    """An aware ``datetime`` from a ``datetime`` (naive is UTC), ISO text or epoch seconds."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            stamp = value
        elif isinstance(value, str):
            stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        else:
            raise TypeError
    except (TypeError, ValueError, OverflowError, OSError):
        notes.warn(name, value, "is not a time")
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def epoch_value(notes: Notes, name: str, value: Any) -> float | None:
    """Seconds since the epoch from a number, a ``datetime`` or ISO text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    stamp = time_value(notes, name, value)
    return stamp.timestamp() if stamp else None


def urls_value(notes: Notes, name: str, value: Any) -> list[str]:
    """Distinct non-empty URLs in their order (at most :data:`URLS_MAX`)."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        notes.warn(name, value, "is not a list of URLs")
        return []
    out: list[str] = []
    for item in value:
        url = text_value(notes, name, item, limit=2000)
        if url and url not in out:
            out.append(url)
    if len(out) > URLS_MAX:
        notes.warnings.append(f"{name}: {len(out)} URLs, the first {URLS_MAX} kept")
        out = out[:URLS_MAX]
    return out


def ids_value(notes: Notes, name: str, value: Any) -> list[str]:
    """Distinct ids (text) in their order."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        notes.warn(name, value, "is not a list of ids")
        return []
    return list(dict.fromkeys(str(v) for v in value if v is not None and str(v)))


def hex_value(notes: Notes, name: str, value: Any, digits: int, *, pad: bool = False) -> str | None:
    """Lower-case hex of exactly ``digits`` digits (with ``pad``, shorter ones are zero-padded:
    an oshash is a number)."""
    if value is None or value == "":
        return None
    cleaned = value.strip().lower() if isinstance(value, str) else ""
    if not cleaned or len(cleaned) > digits or (len(cleaned) < digits and not pad) or not _HEX.match(cleaned):
        notes.warn(name, value, f"is not a {digits}-digit hex fingerprint")
        return None
    return cleaned.zfill(digits)


def phash_value(notes: Notes, name: str, value: Any) -> int | None:
    """A 16-hex perceptual hash (zero padding optional, as ``plugin_sdk.hashing.hex_to_phash``
    reads it) as the signed 64-bit integer the ``images.phash`` column holds."""
    if value is None or value == "":
        return None
    cleaned = value.strip().lower() if isinstance(value, str) else ""
    unsigned = int(cleaned, 16) if 0 < len(cleaned) <= 16 and _HEX.match(cleaned) else None
    if unsigned is None:
        notes.warn(name, value, "is not a 16-digit hex perceptual hash")
        return None
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def unknown_fields(notes: Notes, raw: Mapping[str, Any], known: Collection[str]) -> None:
    """Name every field of ``raw`` outside ``known`` that carries a value as unmapped."""
    for name, value in raw.items():
        if name not in known and value not in (None, "", [], {}, (), False, 0):
            notes.no_home(name)


def merged_urls(current: Iterable[str] | None, incoming: Iterable[str]) -> list[str]:
    """``current`` then the ``incoming`` URLs it lacks (at most :data:`URLS_MAX`)."""
    out = list(current or [])
    out.extend(url for url in incoming if url not in out)
    return out[:URLS_MAX]


def changes_for(
    current: Mapping[str, Any],
    incoming: Mapping[str, Any],
    *,
    edited: Collection[str],
    fill_only: Collection[str] = (),
) -> dict[str, Any]:
    """What merging ``incoming`` into a known row (``current``, its columns by name) changes.

    The rule of both importers: a field the user edited here (``edited``) is never written; a
    value the record lacks (``None``, no URLs) never erases one here; ``fill_only`` fields
    (fingerprints, file facts: what our own jobs read from the file) are written only when empty
    here; ``urls`` gain the URLs they lack; ``created_at`` becomes the earlier of the two.
    Anything else takes the record's value.
    """
    changes: dict[str, Any] = {}
    for key, value in incoming.items():
        if value is None or key in edited:
            continue
        have = current.get(key)
        if key == "urls":
            value = merged_urls(have, value)
        elif key == "created_at":
            value = min(have, value) if have is not None else value
        elif key in fill_only and have is not None:
            continue
        if have != value:
            changes[key] = value
    return changes


def clean_path(path: Any) -> str | None:
    """A path as scans write it: text without a trailing separator (``None`` when empty)."""
    if not isinstance(path, str) or not path.strip() or "\x00" in path:
        return None
    return path.rstrip("/") or "/"
