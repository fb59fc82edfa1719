"""Which videos a browser plays as they are, and what to do with the others.

Rules (Chromium/Firefox ``<video>``, after Stash's ``pkg/ffmpeg/browser.go`` but stricter about HEVC):

* ``mp4`` / ``m4v`` / ``mov`` with **H.264** video (8-bit 4:2:0) and AAC, MP3, Opus or no audio;
* ``webm`` with **VP8, VP9 or AV1** video and Vorbis, Opus or no audio.

HEVC is never "direct": Chromium decodes it only with platform hardware support, so it is transcoded.

:func:`remux_mode` picks the fallback for everything else:

* ``"direct"`` – serve the file itself with byte ranges (:mod:`.direct`);
* ``"remux"`` – H.264 video in a container the browser refuses (mkv, avi, ts, flv …): copy the video
  into fragmented MP4; the audio is copied when MP4 can carry it for a browser (AAC/MP3/Opus), else
  re-encoded to AAC, which is cheap (:func:`remux_copies_audio`);
* ``"transcode"`` – anything else (HEVC, VP9 outside webm, MPEG-4 Part 2, 10-bit H.264 …): libx264.

Codec and container names are ffprobe's (``ProbeResult.video_codec`` …, ``ProbeResult.container``);
common aliases (``avc1``, ``h265``, ``mkv``, ``.mp4``, ffprobe ``format_name`` lists) are accepted.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "MP4_AUDIO",
    "MP4_CONTAINERS",
    "WEBM_AUDIO",
    "WEBM_VIDEO",
    "RemuxMode",
    "browser_playable",
    "normalize_codec",
    "normalize_container",
    "remux_copies_audio",
    "remux_mode",
]

RemuxMode = Literal["direct", "remux", "transcode"]

#: Containers served as ``video/mp4``.
MP4_CONTAINERS: Final[frozenset[str]] = frozenset({"mp4", "m4v", "mov"})
#: Audio codecs a browser plays inside MP4 (``None`` = no audio track).
MP4_AUDIO: Final[frozenset[str | None]] = frozenset({"aac", "mp3", "opus", None})
#: Video codecs a browser plays inside WebM.
WEBM_VIDEO: Final[frozenset[str]] = frozenset({"vp8", "vp9", "av1"})
#: Audio codecs a browser plays inside WebM (``None`` = no audio track).
WEBM_AUDIO: Final[frozenset[str | None]] = frozenset({"vorbis", "opus", None})
#: Pixel formats browsers decode for H.264 (High 10 / 4:2:2 / 4:4:4 profiles are not supported).
_H264_PIXEL_FORMATS: Final[frozenset[str | None]] = frozenset({"yuv420p", "yuvj420p", "nv12", None})

_CODEC_ALIASES: Final[dict[str, str]] = {
    "avc": "h264",
    "avc1": "h264",
    "h.264": "h264",
    "x264": "h264",
    "h265": "hevc",
    "h.265": "hevc",
    "hvc1": "hevc",
    "hev1": "hevc",
    "x265": "hevc",
    "vp08": "vp8",
    "vp09": "vp9",
    "av01": "av1",
    "libdav1d": "av1",
    "mp4a": "aac",
    "mp3float": "mp3",
    "libopus": "opus",
    "libvorbis": "vorbis",
}
_CONTAINER_ALIASES: Final[dict[str, str]] = {
    "mkv": "matroska",
    "mk3d": "matroska",
    "ts": "mpegts",
    "m2ts": "mpegts",
    "mts": "mpegts",
    "mpg": "mpeg",
    "wmv": "asf",
    "qt": "mov",
}


def normalize_codec(codec: str | None) -> str | None:
    """Lower-case ffprobe codec name with aliases folded (``avc1`` → ``h264``); ``None``/"none" → ``None``."""
    if codec is None:
        return None
    name = codec.strip().lower()
    if name in ("", "none", "null"):
        return None
    return _CODEC_ALIASES.get(name, name)


def normalize_container(container: str | None) -> str | None:
    """Canonical container name from an ffprobe name, a ``format_name`` list or an extension.

    ``"mov,mp4,m4a,3gp,3g2,mj2"`` → ``"mp4"``; ``"matroska,webm"`` → ``"matroska"`` (ambiguous, so the
    stricter answer); ``".MKV"`` → ``"matroska"``.
    """
    if container is None:
        return None
    name = container.strip().lower().lstrip(".")
    if not name:
        return None
    if "," in name:
        tokens = [t.strip() for t in name.split(",") if t.strip()]
        if "mp4" in tokens or "mov" in tokens:
            return "mp4"
        if "matroska" in tokens:
            return "matroska"
        name = tokens[0] if tokens else ""
    return _CONTAINER_ALIASES.get(name, name) or None


def _h264_ok(video: str | None, pixel_format: str | None) -> bool:
    return video == "h264" and (pixel_format or None) in _H264_PIXEL_FORMATS


def browser_playable(
    container: str | None,
    video_codec: str | None,
    audio_codec: str | None,
    *,
    pixel_format: str | None = None,
) -> bool:
    """True when Chromium/Firefox play the file as it is (see the module docstring for the table).

    ``pixel_format`` (``ProbeResult.pixel_format``) is optional; when given, 10-bit or 4:2:2/4:4:4
    H.264 counts as not playable. A file without a video stream is never "playable" here.
    """
    box = normalize_container(container)
    video = normalize_codec(video_codec)
    audio = normalize_codec(audio_codec)
    if box in MP4_CONTAINERS:
        return _h264_ok(video, pixel_format) and audio in MP4_AUDIO
    if box == "webm":
        return video in WEBM_VIDEO and audio in WEBM_AUDIO
    return False


def remux_copies_audio(audio_codec: str | None) -> bool:
    """True when a remux may copy this audio into MP4 for a browser (AAC, MP3, Opus, or no audio)."""
    return normalize_codec(audio_codec) in MP4_AUDIO


def remux_mode(
    container: str | None,
    video_codec: str | None,
    audio_codec: str | None,
    *,
    pixel_format: str | None = None,
) -> RemuxMode:
    """``"direct"`` if :func:`browser_playable`; ``"remux"`` if the video is browser-safe H.264 (the audio
    is copied or, when MP4 cannot carry it for a browser, re-encoded to AAC); ``"transcode"`` otherwise.
    """
    if browser_playable(container, video_codec, audio_codec, pixel_format=pixel_format):
        return "direct"
    if _h264_ok(normalize_codec(video_codec), pixel_format):
        return "remux"
    return "transcode"
