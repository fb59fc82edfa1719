"""Live fragmented MP4 for files a browser cannot play as they are.

:func:`stream_fmp4` starts ``ffmpeg -ss <start> -i <src> … -movflags
frag_keyframe+empty_moov+default_base_moof -f mp4 pipe:1`` and streams its stdout in 64 KiB chunks,
so playback starts as soon as the first fragment exists (nothing is written to disk and nothing
waits for the whole file, unlike the original's blocking remux cache):

* ``mode="remux"`` copies the H.264 video; the audio is copied when MP4 can carry it for a browser
  (``audio_codec`` in AAC/MP3/Opus) and re-encoded to AAC otherwise (also when ``audio_codec`` is
  unknown — safe, and cheap);
* ``mode="transcode"`` encodes libx264 ``veryfast`` (a keyframe, hence a fragment, every 2 s; scaled
  so the short side is at most ``max_height``) + AAC.

The answer is ``200`` with ``Content-Type: video/mp4``, ``Accept-Ranges: none`` and no
``Content-Length`` (chunked). Seeking restarts the stream at ``start`` seconds (the route's ``t``
query parameter); the player adds ``start`` to its clock. A transcode starts exactly at ``start``;
a stream copy can only start on a keyframe, so it begins at the keyframe at or before ``start``
(up to one GOP, typically 2–10 s, early — the same trade-off as Stash's live streams).

The ffmpeg child belongs to the response body (``plugin_sdk.livestream.ProcessStream``):
closing the body (the WSGI server does it when the
response ends or the client disconnects; ``GeneratorExit`` in a generator would not run for a body
that was never iterated) kills and reaps it, and a garbage-collected body is cleaned up by a
finalizer, so no ffmpeg outlives its client. At most :data:`MAX_LIVE_REMUXES` run per process;
beyond that :class:`RemuxBusyError` (503) is raised before anything starts. A stream whose ffmpeg
exits before producing a byte raises :class:`RemuxError` (the route still has headers to send).
Each live stream also occupies one gunicorn gthread thread for as long as the client watches.

Both error classes carry ``status`` 503/500. Note that the core's ``ObscuraError`` handler turns
every status ≥ 500 into a generic 500 envelope: a route that wants clients to see the 503 (and
retry) should catch :class:`RemuxBusyError` and answer 503 with ``Retry-After`` itself.
"""

from __future__ import annotations

import logging
import os
from typing import Final, Literal

import flask

from plugin_sdk import ffmpeg as ff
from plugin_sdk.livestream import Limiter, LiveStreamBusyError, LiveStreamError, stream_process

from .compat import remux_copies_audio

__all__ = [
    "MAX_LIVE_REMUXES",
    "RemuxBusyError",
    "RemuxError",
    "live_remux_count",
    "remux_command",
    "set_live_remux_limit",
    "stream_fmp4",
]

log = logging.getLogger(__name__)

#: Live remux/transcode processes per server process (a 2-core box transcodes ~2 streams in real time).
MAX_LIVE_REMUXES: Final[int] = 3


class RemuxBusyError(LiveStreamBusyError):
    """503: every live remux slot of this process is taken; the client may retry or use HLS."""

    status = 503
    code = "remux_busy"


class RemuxError(LiveStreamError):
    """500: ffmpeg could not start the stream (unreadable file, unsupported codec); ``str()`` says why."""

    status = 500
    code = "remux_failed"


_limiter = Limiter(MAX_LIVE_REMUXES)
#: Fragmented MP4 a browser can start playing before the stream ends.
_FRAGMENTS: Final = "frag_keyframe+empty_moov+default_base_moof"


def set_live_remux_limit(limit: int) -> None:
    """Change the per-process cap on live remuxes (default :data:`MAX_LIVE_REMUXES`)."""
    if limit < 1:
        raise ValueError("the live remux limit must be at least 1")
    _limiter.limit = limit


def live_remux_count() -> int:
    """Live remux/transcode ffmpeg processes this process is streaming right now."""
    return _limiter.active


def _scale(video: ff.Stream, max_height: int) -> ff.Stream:
    """Cap the *short* side at ``max_height`` (portrait-safe), never upscale, keep even dimensions."""
    h = int(max_height)
    size = {"w": f"if(gte(iw,ih),-2,trunc(min(iw,{h})/2)*2)", "h": f"if(gte(iw,ih),trunc(min(ih,{h})/2)*2,-2)"}
    return video.filter("scale", **size).filter("format", "yuv420p")


def remux_command(
    src: str | os.PathLike[str],
    mode: Literal["remux", "transcode"],
    start: float = 0.0,
    ffmpeg: str = "ffmpeg",
    *,
    audio_codec: str | None = None,
    max_height: int | None = 1080,
) -> list[str]:
    """The ffmpeg argv :func:`stream_fmp4` runs (see the module docstring)."""
    if mode not in ("remux", "transcode"):
        raise ValueError(f"unknown remux mode {mode!r} (direct files are served by send_source)")
    source = ff.source(src, **({"ss": f"{float(start):.3f}"} if start and start > 0 else {}))
    video = source["v:0"]
    options: dict[str, ff.OptionValue] = {"sn": ff.FLAG, "dn": ff.FLAG, "movflags": _FRAGMENTS}
    aac = {"c:a": "aac", "b:a": "160k", "ac": 2, "ar": 48000}
    if mode == "remux":
        options["c:v"] = "copy"
        options |= {"c:a": "copy"} if audio_codec is not None and remux_copies_audio(audio_codec) else aac
        options["frag_duration"] = 2000000
    else:
        if max_height:
            video = _scale(video, max_height)
        options |= {"c:v": "libx264", "preset": "veryfast", "crf": 23, "profile:v": "high", "pix_fmt": "yuv420p"}
        options |= {"force_key_frames": "expr:gte(t,n_forced*2)", **aac}
    out = ff.output(video, source["a:0?"], target="pipe:1", **options, format="mp4")
    return ff.command(out, "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", binary=ffmpeg)


def stream_fmp4(
    src: str | os.PathLike[str],
    mode: Literal["remux", "transcode"],
    start: float = 0.0,
    ffmpeg: str = "ffmpeg",
    *,
    audio_codec: str | None = None,
    max_height: int | None = 1080,
) -> flask.Response:
    """Stream ``src`` as fragmented MP4 from ``start`` seconds (see the module docstring).

    ``mode`` comes from :func:`.compat.remux_mode` (``"direct"`` is refused: use ``send_source``).
    ``audio_codec`` is the source's (``ProbeResult.audio_codec``) so ``remux`` can copy it;
    ``max_height`` caps the short side when transcoding. Raises :class:`RemuxBusyError` (503) when
    :data:`MAX_LIVE_REMUXES` streams already run in this process and :class:`RemuxError` when ffmpeg
    fails before its first byte. A ``HEAD`` request gets the headers without starting ffmpeg.
    """
    begin = max(0.0, float(start or 0.0))
    cmd = remux_command(src, mode, begin, ffmpeg, audio_codec=audio_codec, max_height=max_height)
    try:
        return stream_process(
            cmd,
            "video/mp4",
            _limiter,
            busy_message=f"Too many live conversions are running ({_limiter.limit}); try again shortly or use HLS.",
            busy_error=RemuxBusyError,
        )
    except LiveStreamError as exc:
        if isinstance(exc, RemuxError | RemuxBusyError):
            raise
        raise RemuxError(exc.message) from None
