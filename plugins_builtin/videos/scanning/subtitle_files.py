"""Subtitle sidecars next to a video: :func:`discover_subtitle_sidecars` finds
``<stem>[.<lang>[.<label>]].srt|vtt|ass|ssa`` in the video's folder, :func:`read_subtitle_text`
reads one (BOM-aware, size-capped), :func:`subtitles_to_vtt` converts SRT/ASS/SSA/VTT text to
WebVTT and :func:`parse_vtt_cues` turns WebVTT into ``(start, end, text)`` cues. Only the folder
listing and the file read touch the disk; everything else is pure.
"""

from __future__ import annotations

import codecs
import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from . import sidecars
from .filetypes import (
    VIDEO_EXTENSIONS,
    SubtitleFormat,
    is_trickplay_track,
    split_extension,
    subtitle_format,
)

__all__ = [
    "Cue",
    "SubtitleSidecar",
    "discover_subtitle_sidecars",
    "parse_vtt_cues",
    "read_subtitle_text",
    "subtitles_to_vtt",
]


# =========================================================================== records


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
        ValueError: when it is larger than :data:`.sidecars.MAX_SIDECAR_BYTES`.
    """
    with Path(path).open("rb") as handle:
        data = handle.read(sidecars.MAX_SIDECAR_BYTES + 1)
    if len(data) > sidecars.MAX_SIDECAR_BYTES:
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
