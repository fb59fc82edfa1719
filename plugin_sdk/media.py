"""ffprobe / ffmpeg helpers shared by the media plugins."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from plugin_sdk.processes import die_with_parent

STDERR_TAIL = 2000


class MediaError(RuntimeError):
    """ffprobe/ffmpeg could not read or produce a file; ``str()`` says why."""


def ffmpeg_bin() -> str:
    from obscura_core.settings import current_settings

    return current_settings().ffmpeg_bin


def ffprobe_bin() -> str:
    from obscura_core.settings import current_settings

    return current_settings().ffprobe_bin


@dataclass(frozen=True, slots=True)
class StreamInfo:
    index: int
    kind: str  # video | audio | subtitle | data | attachment
    codec: str | None
    language: str | None = None
    title: str | None = None
    default: bool = False
    forced: bool = False
    width: int | None = None
    height: int | None = None
    channels: int | None = None
    sample_rate: int | None = None
    attached_pic: bool = False


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What the library stores about a media file."""

    duration: float | None
    size: int
    width: int | None
    height: int | None
    frame_rate: float | None
    bit_rate: int | None
    video_codec: str | None
    audio_codec: str | None
    container: str | None
    format_name: str | None
    rotation: int = 0
    pixel_format: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    streams: tuple[StreamInfo, ...] = ()

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


def run(args: Sequence[str], *, timeout: float = 600, binary: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg (``binary`` defaults to the configured one) and raise ``MediaError`` on failure."""
    cmd = [binary or ffmpeg_bin(), "-hide_banner", "-nostdin", *args]
    try:  # ffmpeg dies with the process that runs it: a killed work horse leaves no encoder writing on
        result = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False, preexec_fn=die_with_parent())
    except FileNotFoundError:
        raise MediaError(f"{cmd[0]} was not found; install ffmpeg") from None
    except subprocess.TimeoutExpired:
        raise MediaError(f"{Path(cmd[0]).name} took longer than {timeout:.0f}s") from None
    if result.returncode != 0:
        tail = result.stderr.decode(errors="replace")[-STDERR_TAIL:].strip()
        raise MediaError(f"{Path(cmd[0]).name} failed (exit {result.returncode}): {tail or 'no output'}")
    return result


def _rate(value: str | None) -> float | None:
    if not value or value in ("0/0", "0"):
        return None
    try:
        rate = float(Fraction(value))
    except (ValueError, ZeroDivisionError):
        return None
    return round(rate, 3) if rate > 0 else None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "", "N/A") else None
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None  # NaN check


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(float(side["rotation"])) % 360
    rotate = (stream.get("tags") or {}).get("rotate")
    return int(rotate) % 360 if rotate and str(rotate).lstrip("-").isdigit() else 0


def container_name(format_name: str | None, path: Path) -> str | None:
    """ffprobe's ``format_name`` lists aliases (``mov,mp4,m4a,…``): prefer the file's extension."""
    if not format_name:
        return None
    tokens = format_name.split(",")
    ext = path.suffix.lower().lstrip(".")
    aliases = {"mkv": "matroska", "m4v": "mp4", "mpg": "mpeg", "ts": "mpegts", "m2ts": "mpegts", "wmv": "asf"}
    wanted = aliases.get(ext, ext)
    return wanted if wanted in tokens else tokens[0]


def parse_probe(data: dict[str, Any], path: Path, size: int) -> ProbeResult:
    fmt = data.get("format") or {}
    streams: list[StreamInfo] = []
    video: dict[str, Any] | None = None
    audio: dict[str, Any] | None = None
    for raw in data.get("streams") or []:
        kind = raw.get("codec_type") or "data"
        disposition = raw.get("disposition") or {}
        tags = {k.lower(): v for k, v in (raw.get("tags") or {}).items()}
        info = StreamInfo(
            index=int(raw.get("index", len(streams))),
            kind=kind,
            codec=raw.get("codec_name"),
            language=tags.get("language"),
            title=tags.get("title"),
            default=bool(disposition.get("default")),
            forced=bool(disposition.get("forced")),
            width=_int(raw.get("width")),
            height=_int(raw.get("height")),
            channels=_int(raw.get("channels")),
            sample_rate=_int(raw.get("sample_rate")),
            attached_pic=bool(disposition.get("attached_pic")),
        )
        streams.append(info)
        if kind == "video" and not info.attached_pic and video is None:
            video = raw
        elif kind == "audio" and audio is None:
            audio = raw
    duration = _float(fmt.get("duration"))
    if duration is None and video is not None:
        duration = _float(video.get("duration"))
    rotation = _rotation(video) if video else 0
    width = _int(video.get("width")) if video else None
    height = _int(video.get("height")) if video else None
    if rotation in (90, 270) and width and height:
        width, height = height, width
    return ProbeResult(
        duration=duration,
        size=size,
        width=width,
        height=height,
        frame_rate=_rate(video.get("avg_frame_rate") or video.get("r_frame_rate")) if video else None,
        bit_rate=_int(fmt.get("bit_rate")),
        video_codec=video.get("codec_name") if video else None,
        audio_codec=audio.get("codec_name") if audio else None,
        container=container_name(fmt.get("format_name"), path),
        format_name=fmt.get("format_name"),
        rotation=rotation,
        pixel_format=video.get("pix_fmt") if video else None,
        tags={k.lower(): str(v) for k, v in (fmt.get("tags") or {}).items()},
        streams=tuple(streams),
    )


def probe(path: str | Path, *, timeout: float = 60, binary: str | None = None) -> ProbeResult:
    """ffprobe ``path``; raises ``MediaError`` for unreadable or non-media files."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MediaError(f"cannot read {path.name}: {exc.strerror}") from None
    if size == 0:
        raise MediaError(f"{path.name} is empty (0 bytes)")
    cmd = [binary or ffprobe_bin(), "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise MediaError(f"{cmd[0]} was not found; install ffmpeg") from None
    except subprocess.TimeoutExpired:
        raise MediaError(f"ffprobe took longer than {timeout:.0f}s on {path.name}") from None
    if result.returncode != 0:
        tail = result.stderr.decode(errors="replace")[-STDERR_TAIL:].strip()
        raise MediaError(f"ffprobe cannot read {path.name}: {tail or 'unknown format'}")
    try:
        data = json.loads(result.stdout or b"{}")
    except json.JSONDecodeError:
        raise MediaError(f"ffprobe returned unreadable output for {path.name}") from None
    parsed = parse_probe(data, path, size)
    if not parsed.streams:
        raise MediaError(f"{path.name} has no audio or video streams")
    return parsed
