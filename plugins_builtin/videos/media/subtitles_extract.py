"""Embedded subtitle streams and sidecar subtitle files → WebVTT (reference §3.14).

:func:`extract_text_subtitles` runs one ffmpeg per text subtitle stream
(``-map 0:<index> -c:s webvtt``; for ASS/SSA the same run also copies the raw ``.ass`` so styled
rendering stays possible).  Outputs are named ``embedded-<index>-<lang>.vtt`` — the stream index
first, so two streams of the same language both survive (the original named them by language and
the second overwrote the first).  Streams that produce no cue are dropped with a note.

Skipped codecs
    * :data:`IMAGE_SUBTITLE_CODECS` (PGS, DVB, DVD/VobSub, XSUB) are bitmaps: converting them
      needs OCR, so they are reported as skipped.
    * ``dvb_teletext`` is treated the same way (:data:`SKIPPED_SUBTITLE_CODECS`): teletext is a
      page-based broadcast format whose text decoding depends on ffmpeg being built with libzvbi
      *and* the right page being chosen; by default libzvbi renders pages as bitmaps, so it cannot
      be converted reliably.
    * Streams whose codec ffprobe could not name are skipped too.

:func:`convert_sidecar` converts an ``.srt``/``.ass``/``.ssa``/``.vtt`` file next to a video with
the scanning package's converter (no ffmpeg).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from plugin_sdk.media import MediaError, StreamInfo, run
from plugin_sdk.storage import atomic_write

from ..scanning.filetypes import subtitle_format
from ..scanning.subtitle_files import parse_vtt_cues, read_subtitle_text, subtitles_to_vtt

__all__ = [
    "IMAGE_SUBTITLE_CODECS",
    "IMAGE_SUBTITLE_REASON",
    "SKIPPED_SUBTITLE_CODECS",
    "ExtractResult",
    "ExtractedTrack",
    "SkippedTrack",
    "convert_sidecar",
    "embedded_name",
    "extract_text_subtitles",
]

#: Bitmap subtitle codecs (ffprobe ``codec_name``) that cannot become text without OCR.
IMAGE_SUBTITLE_CODECS: Final[frozenset[str]] = frozenset(
    {"hdmv_pgs_subtitle", "pgs", "dvb_subtitle", "dvd_subtitle", "vobsub", "xsub"}
)
IMAGE_SUBTITLE_REASON: Final = "image-based subtitles (PGS/VobSub/DVB) cannot be converted to text"
TELETEXT_REASON: Final = "teletext subtitles are page-based bitmaps by default and are not converted"
#: Every codec skipped without running ffmpeg, with the reason reported.
SKIPPED_SUBTITLE_CODECS: Final[dict[str, str]] = {
    **dict.fromkeys(IMAGE_SUBTITLE_CODECS, IMAGE_SUBTITLE_REASON),
    "dvb_teletext": TELETEXT_REASON,
}
EMPTY_REASON: Final = "no subtitle cues in this stream; empty output dropped"

#: Codecs whose raw stream is also kept as ``.ass`` (``-c:s copy``).
_ASS_CODECS: Final = frozenset({"ass", "ssa"})
#: ffprobe codec name → the ``source_format`` reported.
_SOURCE_FORMATS: Final = {"subrip": "srt", "srt": "srt", "webvtt": "vtt", "ass": "ass", "ssa": "ssa"}
_LANG_RE: Final = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True, slots=True)
class ExtractedTrack:
    """A converted subtitle stream.

    Attributes:
        stream_index: Absolute stream index in the source (``-map 0:<index>``).
        language: Lower-cased language tag, ``und`` when absent.
        label: The stream's ``title`` tag, if any.
        vtt_path: The WebVTT file written.
        source_format: ``srt``, ``ass``, ``ssa``, ``vtt`` or the ffprobe codec name (``mov_text``…).
        raw_path: The raw ``.ass`` copy for ASS/SSA streams, else None.
        is_default: The stream's ``default`` disposition.
        forced: The stream's ``forced`` disposition.
    """

    stream_index: int
    language: str
    label: str | None
    vtt_path: Path
    source_format: str
    raw_path: Path | None
    is_default: bool
    forced: bool


@dataclass(frozen=True, slots=True)
class SkippedTrack:
    """A subtitle stream that produced no track, and why."""

    stream_index: int
    codec: str | None
    reason: str


@dataclass(slots=True)
class ExtractResult:
    """Outcome of :func:`extract_text_subtitles`."""

    tracks: list[ExtractedTrack] = field(default_factory=list)
    skipped: list[SkippedTrack] = field(default_factory=list)


class _EmptyOutput(Exception):
    """Raised inside ``atomic_write`` so an empty conversion is never renamed into place."""


def _language(stream: StreamInfo) -> str:
    """Lower-cased, filename-safe language tag (``und`` when missing)."""
    cleaned = _LANG_RE.sub("", (stream.language or "").strip().lower())[:16]
    return cleaned or "und"


def embedded_name(stream_index: int, language: str, suffix: str = ".vtt") -> str:
    """``embedded-<index>-<lang><suffix>`` — unique per stream even when languages repeat."""
    return f"embedded-{stream_index}-{language}{suffix}"


def extract_text_subtitles(
    src: Path,
    streams: Sequence[StreamInfo],
    out_dir: Path,
    ffmpeg: str = "ffmpeg",
    *,
    timeout: float = 600,
) -> ExtractResult:
    """Convert every text subtitle stream of ``src`` to WebVTT in ``out_dir``.

    ``streams`` is the probe's stream list (non-subtitle entries are ignored).  One ffmpeg run
    per text stream; for ASS/SSA the same run also writes the raw ``embedded-<index>-<lang>.ass``.
    Image and teletext streams are skipped (see the module docstring), a stream whose
    conversion fails is skipped with ffmpeg's message, and a stream without cues is dropped
    with :data:`EMPTY_REASON`.  Files are written atomically.

    Raises:
        MediaError: when ``src`` is missing, or when every text stream failed in ffmpeg (the
            source is unreadable rather than one stream being odd).
    """
    src, out_dir = Path(src), Path(out_dir)
    if not src.is_file():
        raise MediaError(f"{src.name} does not exist or is not a file")
    result = ExtractResult()
    attempted = 0
    failures: list[str] = []
    for stream in streams:
        if stream.kind != "subtitle":
            continue
        codec = (stream.codec or "").lower() or None
        if codec is None:
            result.skipped.append(SkippedTrack(stream.index, None, "unknown subtitle codec"))
            continue
        if codec in SKIPPED_SUBTITLE_CODECS:
            result.skipped.append(SkippedTrack(stream.index, codec, SKIPPED_SUBTITLE_CODECS[codec]))
            continue
        attempted += 1
        language = _language(stream)
        vtt_path = out_dir / embedded_name(stream.index, language)
        raw_path = out_dir / embedded_name(stream.index, language, ".ass") if codec in _ASS_CODECS else None
        try:
            _convert_stream(src, stream.index, vtt_path, raw_path, ffmpeg=ffmpeg, timeout=timeout)
        except _EmptyOutput:
            result.skipped.append(SkippedTrack(stream.index, codec, EMPTY_REASON))
            continue
        except MediaError as exc:
            failures.append(str(exc))
            result.skipped.append(SkippedTrack(stream.index, codec, f"conversion failed: {exc}"))
            continue
        label = (stream.title or "").strip() or None
        result.tracks.append(
            ExtractedTrack(
                stream_index=stream.index,
                language=language,
                label=label,
                vtt_path=vtt_path,
                source_format=_SOURCE_FORMATS.get(codec, codec),
                raw_path=raw_path,
                is_default=stream.default,
                forced=stream.forced,
            )
        )
    if attempted and len(failures) == attempted:
        raise MediaError(f"cannot extract subtitles from {src.name}: {failures[0]}")
    return result


def _convert_stream(
    src: Path, index: int, vtt_path: Path, raw_path: Path | None, *, ffmpeg: str, timeout: float
) -> None:
    """One ffmpeg run: stream ``index`` → ``vtt_path`` (+ raw ``.ass`` copy); raise ``_EmptyOutput`` if cue-less."""
    with ExitStack() as stack:
        vtt_tmp = stack.enter_context(atomic_write(vtt_path, suffix=".vtt"))
        args = [
            "-v",
            "error",
            "-y",
            "-i",
            str(src),
            "-map",
            f"0:{index}",
            "-c:s",
            "webvtt",
            "-f",
            "webvtt",
            str(vtt_tmp),
        ]
        raw_tmp: Path | None = None
        if raw_path is not None:
            raw_tmp = stack.enter_context(atomic_write(raw_path, suffix=".ass"))
            args += ["-map", f"0:{index}", "-c:s", "copy", "-f", "ass", str(raw_tmp)]
        run(args, timeout=timeout, binary=ffmpeg)
        text = vtt_tmp.read_text(encoding="utf-8", errors="replace")
        if not parse_vtt_cues(text):
            raise _EmptyOutput  # both temporaries are removed, nothing is renamed
        # Leaving the stack renames the .ass first (inner context), then the .vtt.


def convert_sidecar(path: Path, out_vtt: Path) -> Path:
    """Convert a sidecar ``.srt``/``.ass``/``.ssa``/``.vtt`` file to WebVTT at ``out_vtt``.

    The text is read BOM/encoding-aware (:func:`read_subtitle_text`) and converted with
    :func:`subtitles_to_vtt`; the result is written atomically as UTF-8.

    Raises:
        ValueError: for an unsupported extension or a file over the sidecar size cap.
        OSError: when the file cannot be read.
    """
    path, out_vtt = Path(path), Path(out_vtt)
    fmt = subtitle_format(path.name)
    if fmt is None:
        raise ValueError(f"unsupported subtitle file: {path.name}")
    vtt = subtitles_to_vtt(read_subtitle_text(path), fmt)
    with atomic_write(out_vtt, suffix=".vtt") as tmp:
        tmp.write_text(vtt, encoding="utf-8")
    return out_vtt
