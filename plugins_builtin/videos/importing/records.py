"""An imported video record read and checked: each field in the form its column takes, a
problem with one field a warning (the field is left out), fields without a home here named.

A record without a usable path is skipped (:attr:`VideoRecord.skip`); everything else comes in.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from plugin_sdk.imports import ImportRecord

META_FIELDS = ("title", "code", "details", "director", "date", "rating", "organized", "urls")
"""Catalogue fields a user may edit here (``edited_fields`` keeps them from merges)."""
TECH_FIELDS = ("duration", "width", "height", "frame_rate", "bit_rate", "video_codec", "audio_codec", "container")
"""What media-probe reads from the file."""
HASH_FIELDS = ("md5", "oshash", "phash")
KNOWN_FIELDS = frozenset(
    (
        "path", "missing", "size", "mtime", *META_FIELDS, "created_at", "updated_at", *TECH_FIELDS, *HASH_FIELDS,
        "play_count", "play_duration", "resume_time", "play_history", "o_counter", "o_history", "cover",
    )
)  # fmt: skip
UNMAPPED_FIELDS = ("interactive", "interactive_speed")
"""Fields of the documented shape that have no home here (named in ``unmapped`` when set)."""
_ACCEPTED = KNOWN_FIELDS | frozenset(UNMAPPED_FIELDS)

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_HEX = {name: re.compile(rf"^[0-9a-f]{{{n}}}$") for name, n in (("md5", 32), ("oshash", 16), ("phash", 16))}
_INT_MAX = 2**31 - 1
_BIGINT_MAX = 2**63 - 1


@dataclass
class VideoRecord:
    """One record in column form. ``meta``, ``tech`` and ``hashes`` hold only the fields that
    came with a usable value."""

    key: str
    target_id: str | None
    path: str = ""
    missing: bool = False
    size: int | None = None
    mtime: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    tech: dict[str, Any] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    play_count: int = 0
    play_duration: float = 0.0
    resume_time: float | None = None
    o_counter: int = 0
    plays: list[datetime] = field(default_factory=list)
    os: list[datetime] = field(default_factory=list)
    cover: bytes | None = None
    warnings: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    skip: str | None = None

    @property
    def last_played_at(self) -> datetime | None:
        """The latest play of the record's history."""
        return max(self.plays) if self.plays else None


def has_value(value: Any) -> bool:
    """Whether a field carried something (``None``, ``""``, empty lists and ``False`` do not)."""
    if isinstance(value, (list, tuple, dict, set, str)):
        return bool(value)
    return value is not None and value is not False


def unmapped_fields(fields: Mapping[str, Any], known: frozenset[str], homeless: Iterable[str] = ()) -> list[str]:
    """Names of the fields with a value but no home: ``homeless`` ones and any not in ``known``."""
    names = [name for name in homeless if name in fields]
    names += sorted(fields.keys() - known)
    return [name for name in names if has_value(fields[name])]


def text(value: Any) -> str | None:
    """A text field: stripped, ``None`` when empty."""
    if value is None:
        return None
    value = str(value).strip().replace("\x00", "")
    return value or None


def moment(value: Any) -> datetime | None:
    """A time: a ``datetime`` (naive ones are UTC) or an ISO 8601 string; ``ValueError`` otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise ValueError(f"not a time: {value!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def partial_date(value: Any) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, checked to be a real date; ``ValueError`` otherwise."""
    match = _DATE_RE.match(str(value).strip())
    if match is None:
        raise ValueError
    year, month, day = match.groups()
    date(int(year), int(month or 1), int(day or 1))
    return match.group(0)


def number(value: Any, kind: type, *, upper: float = math.inf) -> int | float:
    """A non-negative finite ``int`` or ``float`` at most ``upper``; ``ValueError`` otherwise."""
    if type(value) is kind and 0 <= value <= upper and value != math.inf:  # the usual case
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError
    if kind is int and value != int(value):
        raise ValueError
    value = kind(value)
    if value < 0 or value > upper:
        raise ValueError
    return value


def _times(value: Any, name: str, warnings: list[str]) -> list[datetime]:
    out: set[datetime] = set()
    for item in value or ():
        try:
            at = moment(item)
        except (TypeError, ValueError):
            warnings.append(f"{name}: {item!r} is not a time (left out)")
            continue
        if at is not None:
            out.add(at)
    return sorted(out)


def _optional(fields: Mapping[str, Any], name: str, kind: type, warnings: list[str], upper: float = math.inf) -> Any:
    value = fields.get(name)
    if value is None:
        return None
    try:
        return number(value, kind, upper=upper)
    except (TypeError, ValueError):
        warnings.append(f"{name}: {value!r} is not a valid value (left out)")
        return None


def read_video(rec: ImportRecord) -> VideoRecord:
    """The record in column form, with its warnings and unmapped fields."""
    f = rec.fields
    out = VideoRecord(key=rec.key, target_id=str(rec.target_id) if rec.target_id else None)
    warnings = out.warnings
    out.unmapped = unmapped_fields(f, _ACCEPTED, UNMAPPED_FIELDS)
    path = f.get("path")
    if not isinstance(path, str) or not path.strip():
        out.skip = "no file path"
        return out
    if "\x00" in path or not path.startswith("/"):
        out.skip = f"the path is not an absolute path: {path!r}"
        return out
    out.path = posixpath.normpath(path)
    if out.path.startswith("//"):  # normpath keeps a leading double slash
        out.path = "/" + out.path.lstrip("/")
    out.missing = bool(f.get("missing"))
    out.size = _optional(f, "size", int, warnings, _BIGINT_MAX)
    out.mtime = _optional(f, "mtime", float, warnings)

    meta = out.meta
    for name in ("title", "code", "details", "director"):
        if (value := text(f.get(name))) is not None:
            meta[name] = value
    if f.get("date") is not None:
        try:
            meta["date"] = partial_date(f["date"])
        except ValueError:
            warnings.append(f"date: {f['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD (left out)")
    if (rating := _optional(f, "rating", int, warnings, 100)) is not None:
        meta["rating"] = rating
    if f.get("organized") is not None:
        meta["organized"] = bool(f["organized"])
    urls = [u for u in (text(u) for u in f.get("urls") or ()) if u]
    if urls:
        meta["urls"] = list(dict.fromkeys(urls))

    for name in ("created_at", "updated_at"):
        try:
            setattr(out, name, moment(f.get(name)))
        except (TypeError, ValueError):
            warnings.append(f"{name}: {f.get(name)!r} is not a time (left out)")

    for name in ("duration", "frame_rate"):
        if (value := _optional(f, name, float, warnings)) is not None:
            out.tech[name] = value
    for name, upper in (("width", _INT_MAX), ("height", _INT_MAX), ("bit_rate", _BIGINT_MAX)):
        if (value := _optional(f, name, int, warnings, upper)) is not None:
            out.tech[name] = value
    for name in ("video_codec", "audio_codec", "container"):
        if (value := text(f.get(name))) is not None:
            out.tech[name] = value

    for name in HASH_FIELDS:
        value = text(f.get(name))
        if value is None:
            continue
        if _HEX[name].match(value.lower()):
            out.hashes[name] = value.lower()
        else:
            warnings.append(f"{name}: {value!r} is not a {name} (left out)")

    out.play_count = _optional(f, "play_count", int, warnings, _INT_MAX) or 0
    out.play_duration = _optional(f, "play_duration", float, warnings) or 0.0
    out.resume_time = _optional(f, "resume_time", float, warnings)
    out.o_counter = _optional(f, "o_counter", int, warnings, _INT_MAX) or 0
    out.plays = _times(f.get("play_history"), "play_history", warnings)
    out.os = _times(f.get("o_history"), "o_history", warnings)
    out.play_count = max(out.play_count, len(out.plays))  # a count never below its own history
    out.o_counter = max(out.o_counter, len(out.os))
    cover = f.get("cover")
    if isinstance(cover, (bytes, bytearray, memoryview)) and len(cover):
        out.cover = bytes(cover)
    elif cover is not None and not isinstance(cover, (bytes, bytearray, memoryview)):
        warnings.append("cover: not image bytes (left out)")
    return out


def year_of(date_text: str | None) -> int | None:
    """The year of a partial date."""
    return int(date_text[:4]) if date_text else None
