"""Sidecar files next to a video: metadata (``.nfo``, ``.info.json``, ``.json``) and subtitles.

Metadata
    :func:`read_sidecar_metadata` reads ``<stem>.nfo`` (Kodi-style XML, parsed with
    :mod:`xml.etree.ElementTree`, DTDs/entities refused) over ``<stem>.info.json`` or
    ``<stem>.json`` (yt-dlp keys).  Broken or hostile files never raise: that source is
    simply ignored.

Subtitles
    :func:`discover_subtitle_sidecars` finds ``<stem>[.<lang>[.<label>]].srt|vtt|ass|ssa``
    in the video's folder; :func:`subtitles_to_vtt` converts SRT/ASS/SSA/VTT text to
    WebVTT and :func:`parse_vtt_cues` turns WebVTT into ``(start, end, text)`` cues.

Only the listed file reads touch the disk; everything else is pure.
"""

from __future__ import annotations

import codecs
import html
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from .filetypes import (
    VIDEO_EXTENSIONS,
    SubtitleFormat,
    is_trickplay_track,
    split_extension,
    subtitle_format,
)

try:  # Optional hardening; the textual DTD/ENTITY refusal below applies either way.
    from defusedxml import ElementTree as _DEFUSED_ET  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - depends on the environment
    _DEFUSED_ET = None

__all__ = [
    "MAX_SIDECAR_BYTES",
    "Cue",
    "SidecarMetadata",
    "SubtitleSidecar",
    "discover_subtitle_sidecars",
    "merge_sidecar_metadata",
    "normalize_rating",
    "normalize_sidecar_date",
    "parse_json_sidecar",
    "parse_nfo",
    "parse_vtt_cues",
    "read_sidecar_metadata",
    "read_subtitle_text",
    "subtitles_to_vtt",
]

#: Sidecar files larger than this are ignored (metadata) or refused (subtitles).
MAX_SIDECAR_BYTES: int = 32 * 1024 * 1024  # module-level so tests can lower it


# =========================================================================== records


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


@dataclass(frozen=True, slots=True)
class SubtitleSidecar:
    """A subtitle file found next to a video.

    Attributes:
        path: The subtitle file.
        language: Lower-cased language tag (``en``, ``eng``, ``pt-br``) or ``und``.
        label: Free-form label (``forced``, ``Director Commentary``) or None.
        format: Source format taken from the extension.
    """

    path: Path
    language: str
    label: str | None
    format: SubtitleFormat


@dataclass(frozen=True, slots=True)
class Cue:
    """One subtitle cue: times in seconds and plain text (tags removed)."""

    start: float
    end: float
    text: str


# =========================================================================== helpers


def _read_capped(path: Path) -> bytes | None:
    """Read ``path`` unless it is missing, unreadable or over :data:`MAX_SIDECAR_BYTES`."""
    limit = MAX_SIDECAR_BYTES
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    if len(data) > limit:
        return None
    return data


def _clean_str(value: object) -> str | None:
    """Return ``value`` stripped when it is a non-blank string, else None."""
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None


def _first_str(obj: Mapping[str, Any], *keys: str) -> str | None:
    """Return the first non-blank string value among ``keys`` of ``obj``."""
    for key in keys:
        value = _clean_str(obj.get(key))
        if value:
            return value
    return None


def _number(value: object) -> float | None:
    """Return ``value`` as a finite float when it is a real number (not bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


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


def _is_http_url(value: str) -> bool:
    """True for ``http://`` / ``https://`` URLs."""
    return value.startswith(("http://", "https://"))


def _is_stream_url(value: str) -> bool:
    """True for media-stream/CDN URLs that are useless as a source page."""
    return any(marker in value for marker in (".m3u8", ".mpd", "manifest", "index-v1", "/hls/"))


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


# =========================================================================== NFO

_DTD_RE: Final = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECL_RE: Final = re.compile(r"<\?xml[^<>]*\?>", re.IGNORECASE)
_BARE_AMP_RE: Final = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9a-fA-F]+);)")
_DECLARED_ENCODING_RE: Final = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_WRAPPER_TAG: Final = "obscura-nfo-document"
_URL_RE: Final = re.compile(r"https?://[^\s<>\"']+")


def _decode_xml_bytes(data: bytes) -> str:
    """Decode NFO bytes: BOM, then the declared encoding, then UTF-8, then Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    declared = _DECLARED_ENCODING_RE.match(data)
    candidates = [declared.group(1).decode("ascii")] if declared else []
    for encoding in [*candidates, "utf-8"]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _parse_xml(text: str) -> ET.Element | None:
    """Parse XML text into an element, returning None on any parse error."""
    try:
        if _DEFUSED_ET is not None:
            element: ET.Element = _DEFUSED_ET.fromstring(text, forbid_dtd=True)
        else:
            element = ET.fromstring(text)
    except (ET.ParseError, ValueError):
        return None
    return element


def _nfo_root(data: bytes | str) -> ET.Element | None:
    """Return the first top-level element of an NFO document, or None.

    Documents with a DOCTYPE or ENTITY declaration are refused outright.  The
    document is wrapped in a synthetic root so that text after the root element
    (Kodi's trailing scraper URL line) and multi-episode files with several
    top-level ``<episodedetails>`` still parse; a second attempt escapes bare ``&``.
    """
    text = _decode_xml_bytes(data) if isinstance(data, bytes) else data
    text = text.lstrip("\ufeff")
    if _DTD_RE.search(text):
        return None
    body = _XML_DECL_RE.sub("", text)
    for candidate in (body, _BARE_AMP_RE.sub("&amp;", body)):
        wrapper = _parse_xml(f"<{_WRAPPER_TAG}>{candidate}</{_WRAPPER_TAG}>")
        if wrapper is not None:
            return next(iter(wrapper), None)
    return None


def _element_text(element: ET.Element) -> str | None:
    """All text inside ``element``, stripped; None when blank."""
    return _clean_str("".join(element.itertext()))


def _nfo_text(root: ET.Element, tag: str, *, descend: bool = True) -> str | None:
    """First non-blank text of a direct ``tag`` child (then, optionally, any descendant)."""
    for element in root.findall(tag):
        text = _element_text(element)
        if text:
            return text
    if descend:
        for element in root.iter(tag):
            text = _element_text(element)
            if text:
                return text
    return None


def _parse_float(text: str | None) -> float | None:
    """Parse a decimal number (``8.5`` or ``8,5``); None when it is not one."""
    if text is None:
        return None
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _nfo_rating(root: ET.Element) -> int | None:
    """Rating from ``<rating>``, else Kodi's ``<ratings><rating default="true"><value>``."""
    raw = _parse_float(_nfo_text(root, "rating", descend=False))
    if raw is None:
        ratings = root.findall("ratings/rating")
        ratings.sort(key=lambda el: el.get("default", "").lower() != "true")
        for rating in ratings:
            raw = _parse_float(_nfo_text(rating, "value", descend=False))
            if raw is not None:
                break
    return None if raw is None else normalize_rating(raw)


def _parse_clock(text: str | None) -> float | None:
    """Parse ``H:MM:SS``/``MM:SS`` (or plain seconds) into seconds."""
    if text is None:
        return None
    parts = text.strip().split(":")
    if len(parts) > 3:
        return None
    total = 0.0
    for part in parts:
        value = _parse_float(part)
        if value is None or value < 0:
            return None
        total = total * 60 + value
    return total or None


def _nfo_duration(root: ET.Element) -> float | None:
    """Duration from ``<duration>`` (clock), ``<runtime>`` (minutes) or ``durationinseconds``."""
    seconds = _parse_clock(_nfo_text(root, "duration", descend=False))
    if seconds:
        return seconds
    minutes = _parse_float(_nfo_text(root, "runtime", descend=False))
    if minutes and minutes > 0:
        return minutes * 60
    seconds = _parse_float(_nfo_text(root, "durationinseconds"))
    return seconds if seconds and seconds > 0 else None


def _trailing_url(text: str | None) -> str | None:
    """The first http(s) URL in text after the root element (Kodi's scraper-URL line)."""
    match = _URL_RE.search(text or "")
    return match.group(0) if match else None


def parse_nfo(data: bytes | str) -> SidecarMetadata | None:
    """Parse a Kodi-style NFO document; None when malformed, refused or empty.

    Reads ``title``, ``plot``, ``aired`` (else ``premiered``), ``studio``, ``rating``
    (0–100 normalised), ``tag``\\* then ``genre``\\*, ``actor/name``\\*, ``url`` (else a
    URL on a line after the root element) and a duration.  Never raises.
    """
    root = _nfo_root(data)
    if root is None:
        return None
    raw_date = _nfo_text(root, "aired") or _nfo_text(root, "premiered")
    url = _nfo_text(root, "url") or _trailing_url(root.tail)
    tags = [t for el in root.iter("tag") if (t := _element_text(el))]
    genres = [g for el in root.iter("genre") if (g := _element_text(el))]
    performers = [name for actor in root.findall("actor") if (name := _nfo_text(actor, "name"))]
    metadata = SidecarMetadata(
        title=_nfo_text(root, "title"),
        details=_nfo_text(root, "plot"),
        date=normalize_sidecar_date(raw_date) if raw_date else None,
        studio=_nfo_text(root, "studio"),
        rating=_nfo_rating(root),
        tags=_dedupe_casefold([*tags, *genres]),
        performers=_dedupe_casefold(performers),
        urls=(url,) if url else (),
        duration=_nfo_duration(root),
    )
    return None if metadata.is_empty() else metadata


# =========================================================================== JSON


def _string_list(value: object) -> list[str]:
    """A string or a list of strings as a list of non-blank stripped strings."""
    if isinstance(value, str):
        single = _clean_str(value)
        return [single] if single else []
    if isinstance(value, list):
        return [s for item in value if (s := _clean_str(item))]
    return []


def parse_json_sidecar(obj: Mapping[str, Any]) -> SidecarMetadata:
    """Map a JSON sidecar object (yt-dlp ``.info.json`` and similar) to metadata.

    Keys: ``title|fulltitle``; ``description|plot|synopsis``; ``upload_date|release_date``
    then ``date|aired``; ``uploader|channel|creator|studio|artist``;
    ``webpage_url|original_url`` (http only), else ``url`` unless it is a stream URL;
    ``tags`` + ``categories`` + ``genre``; ``performers|actors|cast``; ``duration``
    (seconds); ``average_rating`` (normalised like NFO ratings).
    """
    raw_date = _first_str(obj, "upload_date", "release_date") or _first_str(obj, "date", "aired")
    urls: tuple[str, ...] = ()
    page = _first_str(obj, "webpage_url", "original_url")
    if page and _is_http_url(page):
        urls = (page,)
    else:
        url = _first_str(obj, "url")
        if url and _is_http_url(url) and not _is_stream_url(url):
            urls = (url,)
    tags = [
        *_string_list(obj.get("tags")),
        *_string_list(obj.get("categories")),
        *_string_list(obj.get("genre")),
    ]
    performers = [name for key in ("performers", "actors", "cast") for name in _string_list(obj.get(key))]
    duration = _number(obj.get("duration"))
    average = _number(obj.get("average_rating"))
    return SidecarMetadata(
        title=_first_str(obj, "title", "fulltitle"),
        details=_first_str(obj, "description", "plot", "synopsis"),
        date=normalize_sidecar_date(raw_date) if raw_date else None,
        studio=_first_str(obj, "uploader", "channel", "creator", "studio", "artist"),
        rating=None if average is None else normalize_rating(average),
        tags=_dedupe_casefold(tags),
        performers=_dedupe_casefold(performers),
        urls=urls,
        duration=duration if duration and duration > 0 else None,
    )


def _load_json_object(data: bytes) -> Mapping[str, Any] | None:
    """Decode a JSON document that must be an object; None on any error."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


# =========================================================================== merge + read


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


def _sidecar_path(video: Path, suffix: str) -> Path:
    """``<dir>/<stem><suffix>`` for ``video``."""
    return video.with_name(video.stem + suffix)


def read_sidecar_metadata(video_path: Path | str) -> SidecarMetadata | None:
    """Read and merge ``<stem>.nfo`` over ``<stem>.info.json`` (or ``<stem>.json``).

    The first JSON candidate that can be read is used (a broken ``.info.json`` does not
    fall through to ``.json``, as in the original).  Files over
    :data:`MAX_SIDECAR_BYTES` are ignored.  Never raises; None when nothing is found.
    """
    video = Path(video_path)
    nfo_bytes = _read_capped(_sidecar_path(video, ".nfo"))
    nfo = parse_nfo(nfo_bytes) if nfo_bytes is not None else None

    from_json: SidecarMetadata | None = None
    for suffix in (".info.json", ".json"):
        json_bytes = _read_capped(_sidecar_path(video, suffix))
        if json_bytes is None:
            continue
        obj = _load_json_object(json_bytes)
        from_json = parse_json_sidecar(obj) if obj is not None else None
        break
    return merge_sidecar_metadata(nfo, from_json)


# =========================================================================== subtitle discovery

_LANGUAGE_RE: Final = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$", re.IGNORECASE)


def discover_subtitle_sidecars(video_path: Path | str) -> list[SubtitleSidecar]:
    """Find subtitle files for ``video_path`` in its folder, sorted by file name.

    ``<stem>.<ext>`` → ``und``; ``<stem>.<lang>[.<label>].<ext>`` when the first
    suffix part looks like a language tag (lower-cased); otherwise the whole suffix is
    the label and the language is ``und``.  A subtitle that belongs to another video of
    the same folder with a longer stem (``Movie.Part2.srt`` next to ``Movie.Part2.mkv``)
    is not attributed to ``Movie.mkv``.  Unreadable folders give an empty list.
    """
    video = Path(video_path)
    stem = video.stem
    try:
        with os.scandir(video.parent) as iterator:
            names = sorted(entry.name for entry in iterator if _is_file(entry))
    except OSError:
        return []

    other_stems: list[str] = []
    for name in names:
        other_stem, ext = split_extension(name)
        if name != video.name and ext.lower() in VIDEO_EXTENSIONS and len(other_stem) > len(stem):
            other_stems.append(other_stem)
    found: list[SubtitleSidecar] = []
    for name in names:
        fmt = subtitle_format(name)
        if fmt is None or is_trickplay_track(name):
            continue
        base = split_extension(name)[0]
        if base == stem:
            language, label = "und", None
        elif base.startswith(stem + "."):
            if any(base == o or base.startswith(o + ".") for o in other_stems):
                continue
            suffix = base[len(stem) + 1 :].strip()
            if not suffix:
                continue
            head, _, rest = suffix.partition(".")
            if _LANGUAGE_RE.match(head):
                language, label = head.lower(), (rest.strip() or None)
            else:
                language, label = "und", suffix
        else:
            continue
        found.append(SubtitleSidecar(path=video.parent / name, language=language, label=label, format=fmt))
    return found


def _is_file(entry: os.DirEntry[str]) -> bool:
    """``entry.is_file()`` that treats errors as "not a file"."""
    try:
        return entry.is_file()
    except OSError:
        return False


def read_subtitle_text(path: Path | str) -> str:
    """Read a subtitle file as text: BOM-aware, UTF-8, else Windows-1252.

    Raises:
        OSError: when the file cannot be read.
        ValueError: when it is larger than :data:`MAX_SIDECAR_BYTES`.
    """
    with Path(path).open("rb") as handle:
        data = handle.read(MAX_SIDECAR_BYTES + 1)
    if len(data) > MAX_SIDECAR_BYTES:
        raise ValueError(f"subtitle file too large: {path}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# =========================================================================== conversion

_SRT_TIME: Final = r"(\d{1,3}):(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?"
_SRT_TIMING_RE: Final = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}")
_ASS_TIME_RE: Final = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2})(?:[.:](\d{1,3}))?$")
_ASS_OVERRIDE_RE: Final = re.compile(r"\{[^{}]*\}")
_ASS_DRAWING_RE: Final = re.compile(r"\{[^{}]*\\p[1-9]")
_ASS_DEFAULT_FORMAT: Final[tuple[str, ...]] = (
    "layer",
    "start",
    "end",
    "style",
    "name",
    "marginl",
    "marginr",
    "marginv",
    "effect",
    "text",
)
_VTT_HEADER_RE: Final = re.compile(r"^WEBVTT(?:[ \t]|\n|$)")


def _normalise_newlines(text: str) -> str:
    """Strip a BOM and turn CRLF/CR into LF."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _timestamp(hours: str, minutes: str, seconds: str, fraction: str | None) -> str:
    """Format ``HH:MM:SS.mmm`` from captured parts (fraction right-padded to 3 digits)."""
    millis = (fraction or "0").ljust(3, "0")[:3]
    return f"{int(hours):02d}:{int(minutes):02d}:{int(seconds):02d}.{millis}"


def _timestamp_seconds(stamp: str) -> float:
    """Seconds for an ``HH:MM:SS.mmm`` string produced by :func:`_timestamp`."""
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def _cue_text(lines: Sequence[str]) -> str:
    """Join cue lines, trimming blank edges and neutralising ``-->`` inside text."""
    kept = [line.rstrip().replace("-->", "->") for line in lines]
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def _render_vtt(cues: Sequence[tuple[str, str, str]]) -> str:
    """Render ``(start, end, text)`` cues as a WebVTT document."""
    blocks = [f"{start} --> {end}\n{text}" for start, end, text in cues]
    return "WEBVTT\n\n" + "".join(f"{block}\n\n" for block in blocks)


def _srt_to_vtt(text: str) -> str:
    """SRT → WebVTT: numeric cue ids dropped, ``,`` → ``.``, cue text kept."""
    cues: list[tuple[str, str, str]] = []
    for block in re.split(r"\n(?:[ \t]*\n)+", _normalise_newlines(text).strip()):
        lines = block.split("\n")
        if lines and lines[0].strip().isdigit() and not _SRT_TIMING_RE.match(lines[0]):
            lines = lines[1:]
        if not lines:
            continue
        match = _SRT_TIMING_RE.match(lines[0])
        if match is None:
            continue
        body = _cue_text(lines[1:])
        if not body.strip():
            continue
        groups = match.groups()
        cues.append((_timestamp(*groups[:4]), _timestamp(*groups[4:]), body))
    return _render_vtt(cues)


def _ass_time(value: str) -> str | None:
    """ASS ``H:MM:SS.cc`` → ``HH:MM:SS.cc0``; None when malformed."""
    match = _ASS_TIME_RE.match(value.strip())
    return _timestamp(*match.groups()) if match else None


def _ass_to_vtt(text: str) -> str:
    """ASS/SSA ``[Events]`` → WebVTT.

    Honours the ``Format:`` field order (default v4+ order when missing), keeps commas
    inside the last (Text) field, strips ``{...}`` overrides, maps ``\\N``/``\\n`` to a
    newline and ``\\h`` to a space, HTML-escapes ``& < >``, skips drawings and empty
    events, and orders cues by start time (stable).
    """
    in_events = False
    fields: tuple[str, ...] = _ASS_DEFAULT_FORMAT
    events: list[tuple[float, int, tuple[str, str, str]]] = []
    for raw_line in _normalise_newlines(text).split("\n"):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("["):
            in_events = line.lower().startswith("[events]")
            continue
        if not in_events:
            continue
        lowered = line.lower()
        if lowered.startswith("format:"):
            fields = tuple(f.strip().lower() for f in line[len("format:") :].split(","))
            continue
        if not lowered.startswith("dialogue:"):
            continue
        parts = line[len("dialogue:") :].strip().split(",", len(fields) - 1)
        if len(parts) < len(fields) or not {"start", "end", "text"} <= set(fields):
            continue
        values = dict(zip(fields, parts, strict=True))
        start, end = _ass_time(values["start"]), _ass_time(values["end"])
        raw_text = values["text"]
        if start is None or end is None or _ASS_DRAWING_RE.search(raw_text):
            continue
        body = _ASS_OVERRIDE_RE.sub("", raw_text)
        body = re.sub(r"\\[Nn]", "\n", body).replace("\\h", " ")
        body = _cue_text(html.escape(body, quote=False).split("\n"))
        if not body.strip():
            continue
        events.append((_timestamp_seconds(start), len(events), (start, end, body)))
    events.sort(key=lambda item: (item[0], item[1]))
    return _render_vtt([cue for _, _, cue in events])


def subtitles_to_vtt(text: str, fmt: str) -> str:
    """Convert subtitle text in format ``fmt`` (``srt``, ``ass``, ``ssa``, ``vtt``) to WebVTT.

    VTT passes through (BOM removed, newlines normalised, ``WEBVTT`` header added when
    missing).

    Raises:
        ValueError: for an unknown format.
    """
    kind = fmt.lower().lstrip(".")
    if kind == "srt":
        return _srt_to_vtt(text)
    if kind in ("ass", "ssa"):
        return _ass_to_vtt(text)
    if kind == "vtt":
        body = _normalise_newlines(text)
        return body if _VTT_HEADER_RE.match(body) else "WEBVTT\n\n" + body
    raise ValueError(f"unsupported subtitle format: {fmt!r}")


# =========================================================================== cues

_VTT_STAMP: Final = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
_VTT_TIMING_RE: Final = re.compile(rf"^\s*{_VTT_STAMP}\s*-->\s*{_VTT_STAMP}")
_VTT_TAG_RE: Final = re.compile(r"<[^<>]+>")
_VTT_SKIP_BLOCK_RE: Final = re.compile(r"^(?:WEBVTT|NOTE|STYLE|REGION)(?:\s|$)")


def _stamp_seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    """Seconds from captured WebVTT timestamp parts."""
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_vtt_cues(vtt: str) -> list[Cue]:
    """Parse WebVTT into cues (for the transcript ``/cues`` route).

    Skips the header and ``NOTE``/``STYLE``/``REGION`` blocks, allows an identifier
    line, ignores cue settings, strips inline tags, decodes entities and drops empty
    cues.
    """
    cues: list[Cue] = []
    for block in re.split(r"\n(?:[ \t]*\n)+", _normalise_newlines(vtt)):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines or _VTT_SKIP_BLOCK_RE.match(lines[0]):
            continue
        index = 0 if "-->" in lines[0] else 1
        if index >= len(lines):
            continue
        match = _VTT_TIMING_RE.match(lines[index])
        if match is None:
            continue
        groups = match.groups()
        text = html.unescape(_VTT_TAG_RE.sub("", "\n".join(lines[index + 1 :]))).strip()
        if not text:
            continue
        cues.append(
            Cue(
                start=_stamp_seconds(*groups[:4]),
                end=_stamp_seconds(*groups[4:]),
                text=text,
            )
        )
    return cues
