"""HLS playlist text and rendition choice: the rendition ladder (:data:`LADDER`) fitted to a
source's size and aspect ratio (:func:`renditions_for`, :func:`find_rendition`), the 6 s segment
arithmetic (:func:`segment_count`, :func:`segment_bounds`) and the master and VOD variant
playlists (:func:`master_playlist`, :func:`variant_playlist`). Pure functions: nothing here touches
the disk or runs ffmpeg (that is :mod:`.hls_encode` and :class:`.hls.HlsCache`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .hls_errors import HlsError, HlsNotFoundError

__all__ = [
    "LADDER",
    "SEGMENT_SECONDS",
    "Rendition",
    "find_rendition",
    "master_playlist",
    "renditions_for",
    "segment_bounds",
    "segment_count",
    "variant_playlist",
]

#: Segment length in seconds.
SEGMENT_SECONDS: Final[float] = 6.0


# --------------------------------------------------------------------------------------------
# ladder and playlists


@dataclass(frozen=True, slots=True)
class Rendition:
    """One HLS rendition. ``height`` is the nominal size (the *short* side: 720 for 1280×720 and for
    720×1280); ``width``/``frame_height`` are the output frame once fitted to a source."""

    height: int
    video_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    audio_kbps: int
    crf: int
    width: int = 0
    frame_height: int = 0
    portrait: bool = False

    @property
    def name(self) -> str:
        """``"720p"`` — the playlist and folder name."""
        return f"{self.height}p"

    @property
    def bandwidth(self) -> int:
        """Peak bits per second (video maxrate + audio) for ``BANDWIDTH``."""
        return (self.maxrate_kbps + self.audio_kbps) * 1000

    @property
    def average_bandwidth(self) -> int:
        """Average bits per second (video target + audio) for ``AVERAGE-BANDWIDTH``."""
        return (self.video_kbps + self.audio_kbps) * 1000

    @property
    def video_codec_tag(self) -> str:
        """RFC 6381 tag of the H.264 Main profile stream (level 4.0 above 720p, else 3.1)."""
        return "avc1.4d4028" if self.height > 720 else "avc1.4d401f"


#: The reference ladder (name, height, video kb/s, maxrate, bufsize, audio kb/s, crf).
LADDER: Final[tuple[Rendition, ...]] = (
    Rendition(1080, 5200, 5600, 10400, 160, 18),
    Rendition(720, 2800, 3200, 5600, 160, 19),
    Rendition(480, 1400, 1600, 2800, 128, 20),
    Rendition(360, 850, 950, 1700, 128, 21),
    Rendition(240, 450, 520, 900, 96, 22),
    Rendition(180, 320, 360, 640, 96, 23),
)


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def _fit(base: Rendition, height: int, src_w: int, src_h: int) -> Rendition:
    portrait = src_h > src_w
    short, long_ = (src_w, src_h) if portrait else (src_h, src_w)
    other = _even(long_ * height / short)
    width, frame_height = (height, other) if portrait else (other, height)
    return Rendition(
        height,
        base.video_kbps,
        base.maxrate_kbps,
        base.bufsize_kbps,
        base.audio_kbps,
        base.crf,
        width=width,
        frame_height=frame_height,
        portrait=portrait,
    )


def renditions_for(width: int | None, height: int | None, max_height_live: int | None = None) -> list[Rendition]:
    """Renditions for a ``width``×``height`` source, best first, fitted to its aspect ratio.

    The ladder is filtered to heights ≤ the source's short side (and ≤ ``max_height_live`` when
    given). Unknown size → treated as 1280×720. When nothing fits (a 144p source) there is one
    rendition at the source's own (even) short side with the 180p rates.
    """
    if not height or height <= 0:
        width, height = 1280, 720
    if not width or width <= 0:
        width = _even(height * 16 / 9)
    short = min(width, height)
    cap = short if max_height_live is None else min(short, max_height_live)
    fitted = [_fit(r, r.height, width, height) for r in LADDER if r.height <= cap]
    if not fitted:
        fitted = [_fit(LADDER[-1], max(2, int(cap) // 2 * 2), width, height)]
    return fitted


def find_rendition(renditions: Sequence[Rendition], name: str | int) -> Rendition:
    """The rendition called ``name`` (``"720p"``, ``"720"`` or ``720``); :class:`HlsNotFoundError` if none."""
    wanted = str(name).strip().lower().removesuffix("p")
    for rendition in renditions:
        if str(rendition.height) == wanted:
            return rendition
    raise HlsNotFoundError(f"No {name!s} rendition for this video.", code="hls_rendition_not_found")


def segment_count(duration: float | None, segment_s: float = SEGMENT_SECONDS) -> int:
    """``ceil(duration / segment_s)`` (a trailing sliver under 1 ms is not a segment).

    Raises :class:`HlsError` (422) when the duration is unknown or not positive.
    """
    if duration is None or not math.isfinite(duration) or duration <= 0:
        raise HlsError(
            "This video has no known duration, so it cannot be streamed as HLS.", code="hls_no_duration", status=422
        )
    return max(1, math.ceil(duration / segment_s - 0.001 / segment_s))


def segment_bounds(duration: float, index: int, segment_s: float = SEGMENT_SECONDS) -> tuple[float, float]:
    """``(start, length)`` in seconds of segment ``index``; :class:`HlsNotFoundError` if out of range."""
    count = segment_count(duration, segment_s)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
        raise HlsNotFoundError(f"Segment {index} does not exist (0–{count - 1}).", code="hls_segment_not_found")
    start = index * segment_s
    return start, (duration - start) if index == count - 1 else segment_s


def master_playlist(video_id: str | int, renditions: Sequence[Rendition], *, has_audio: bool = True) -> str:
    """The master playlist: one ``#EXT-X-STREAM-INF`` per rendition → ``<height>p.m3u8``.

    ``video_id`` is written as a comment only (URIs are relative). Pass ``has_audio=False`` for a
    silent source so ``CODECS`` does not promise an AAC track the player would wait for.
    """
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS", f"## obscura video {video_id}"]
    for r in renditions:
        codecs = f"{r.video_codec_tag},mp4a.40.2" if has_audio else r.video_codec_tag
        width, height = (r.width, r.frame_height) if r.width else (_even(r.height * 16 / 9), r.height)
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={r.bandwidth},AVERAGE-BANDWIDTH={r.average_bandwidth},"
            f'RESOLUTION={width}x{height},CODECS="{codecs}"'
        )
        lines.append(f"{r.name}.m3u8")
    return "\n".join(lines) + "\n"


def variant_playlist(duration: float, segment_s: float = SEGMENT_SECONDS, *, rendition: Rendition | str | int) -> str:
    """A VOD media playlist listing all ``ceil(duration/segment_s)`` segments as ``<height>p/<n>.ts``.

    Every ``#EXTINF`` is ``segment_s`` except a shorter last one; ``#EXT-X-TARGETDURATION`` is
    ``ceil(segment_s)``. Raises :class:`HlsError` (422) without a positive duration.
    """
    name = rendition.name if isinstance(rendition, Rendition) else f"{str(rendition).removesuffix('p')}p"
    count = segment_count(duration, segment_s)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:6",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-TARGETDURATION:{math.ceil(segment_s)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for index in range(count):
        _, length = segment_bounds(duration, index, segment_s)
        lines.append(f"#EXTINF:{length:.3f},")
        lines.append(f"{name}/{index}.ts")
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"
