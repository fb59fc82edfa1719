"""Metadata sidecars next to a video: :func:`read_sidecar_metadata` reads ``<stem>.nfo``
(Kodi-style XML, parsed with :mod:`xml.etree.ElementTree`, DTDs/entities refused, by
:func:`parse_nfo`) over ``<stem>.info.json`` or ``<stem>.json`` (yt-dlp keys, by
:func:`parse_json_sidecar`) and merges them into a :class:`.sidecar_metadata.SidecarMetadata`.
Broken or hostile files never raise: that source is simply ignored. Only those file reads touch
the disk; the parsers are pure.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from . import sidecars
from .sidecar_metadata import (
    SidecarMetadata,
    _dedupe_casefold,
    merge_sidecar_metadata,
    normalize_rating,
    normalize_sidecar_date,
)

try:  # Optional hardening; the textual DTD/ENTITY refusal below applies either way.
    from defusedxml import ElementTree as _DEFUSED_ET  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - depends on the environment
    _DEFUSED_ET = None

__all__ = [
    "parse_json_sidecar",
    "parse_nfo",
    "read_sidecar_metadata",
]


# =========================================================================== helpers


def _read_capped(path: Path) -> bytes | None:
    """Read ``path`` unless it is missing, unreadable or over :data:`.sidecars.MAX_SIDECAR_BYTES`."""
    limit = sidecars.MAX_SIDECAR_BYTES
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


def _is_http_url(value: str) -> bool:
    """True for ``http://`` / ``https://`` URLs."""
    return value.startswith(("http://", "https://"))


def _is_stream_url(value: str) -> bool:
    """True for media-stream/CDN URLs that are useless as a source page."""
    return any(marker in value for marker in (".m3u8", ".mpd", "manifest", "index-v1", "/hls/"))


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


# =========================================================================== read


def _sidecar_path(video: Path, suffix: str) -> Path:
    """``<dir>/<stem><suffix>`` for ``video``."""
    return video.with_name(video.stem + suffix)


def read_sidecar_metadata(video_path: Path | str) -> SidecarMetadata | None:
    """Read and merge ``<stem>.nfo`` over ``<stem>.info.json`` (or ``<stem>.json``).

    The first JSON candidate that can be read is used (a broken ``.info.json`` does not
    fall through to ``.json``, as in the original).  Files over
    :data:`.sidecars.MAX_SIDECAR_BYTES` are ignored.  Never raises; None when nothing is found.
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
