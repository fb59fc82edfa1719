"""The ffmpeg encode of one HLS segment and how fast this machine runs it: :func:`segment_command`
(the argv of a single 6 s MPEG-TS segment, input-seeked and re-timed to its place), the encode
timeout, and the live-transcode speed measurement (:func:`live_transcode_speed`,
:func:`recommended_max_height_live`) that decides the highest rendition offered live
(:data:`DEFAULT_MAX_HEIGHT_LIVE`).

Live encode speed on this 2-core AMD EPYC (KVM) box, ffmpeg 5.1, libx264 ``veryfast`` with the
ladder's CRF/VBV settings, one 6 s segment from a 30 fps H.264 source (``bench/streaming.py`` and
:func:`live_transcode_speed`; other work shared the box, load average 3–5, so ±25 %):

==========================================  ===================  ==============================
source → rendition                           one encode           each of two concurrent encodes
==========================================  ===================  ==============================
1080p testsrc2 + light grain → 1080p         2.2–3.0× real time   0.8–1.4× real time
1080p testsrc2 + light grain → 720p          3.5–4.0×             2.0–2.2×
720p testsrc2 → 720p                         4.6–6×  (1.0–1.3 s)  —
720p, 10 segments back to back through HTTP  3.0–4.7× sustained   —
==========================================  ===================  ==============================

One 1080p viewer on an idle box clears the 1.5× bar, but two viewers (or one viewer while a scan
generates previews) do not, and film grain costs more than test patterns. :data:`DEFAULT_MAX_HEIGHT_LIVE`
is therefore 720, which keeps ≥ 2× headroom even with two encodes at once;
:func:`recommended_max_height_live` measures the box it runs on and answers 1080 only when 1080p
encodes at ≥ :data:`LIVE_SPEED_THRESHOLD` × real time *with a second encode running*.
"""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Final

from plugin_sdk import ffmpeg as ff

from .hls_errors import HlsError
from .hls_playlists import SEGMENT_SECONDS, Rendition, renditions_for

__all__ = [
    "DEFAULT_MAX_HEIGHT_LIVE",
    "ENCODE_TIMEOUT",
    "LIVE_SPEED_THRESHOLD",
    "live_transcode_speed",
    "recommended_max_height_live",
    "segment_command",
]

#: Longest a single segment encode may take before it is killed.
ENCODE_TIMEOUT: Final[float] = 120.0
#: Highest rendition offered for live encoding when nothing was measured (see the module docstring).
DEFAULT_MAX_HEIGHT_LIVE: Final[int] = 720
#: 1080p is offered live only when it encodes at least this many times faster than real time.
LIVE_SPEED_THRESHOLD: Final[float] = 1.5


def segment_command(
    src: str | os.PathLike[str],
    rendition: Rendition,
    start: float,
    length: float,
    output: str | os.PathLike[str],
    ffmpeg: str = "ffmpeg",
) -> list[str]:
    """The ffmpeg argv for one segment (reference §3.16, plus portrait scaling and ``-sn -dn``)."""
    r = rendition
    source = ff.source(src, ss=f"{start:.3f}")
    size = {"w": r.height, "h": -2} if r.portrait else {"w": -2, "h": r.height}
    video = source["v:0"].filter("scale", **size).filter("format", "yuv420p")
    encode = {"c:v": "libx264", "preset": "veryfast", "crf": r.crf, "profile:v": "main", "pix_fmt": "yuv420p"}
    gop = {"g": 144, "keyint_min": 144, "sc_threshold": 0}
    rate = {"b:v": f"{r.video_kbps}k", "maxrate": f"{r.maxrate_kbps}k", "bufsize": f"{r.bufsize_kbps}k"}
    audio = {"c:a": "aac", "b:a": f"{r.audio_kbps}k", "ac": 2, "ar": 48000}
    mux = {"output_ts_offset": f"{start:.3f}", "muxdelay": 0, "muxpreload": 0}
    options = {"t": f"{length:.3f}", "sn": ff.FLAG, "dn": ff.FLAG, **encode, **gop, **rate, **audio, **mux}
    out = ff.output(video, source["a:0?"], target=output, **options, format="mpegts")
    return ff.command(out, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats", binary=ffmpeg)


# --------------------------------------------------------------------------------------------
# live transcode speed


def live_transcode_speed(
    height: int = 720,
    *,
    ffmpeg: str = "ffmpeg",
    seconds: float = SEGMENT_SECONDS,
    source: str | os.PathLike[str] | None = None,
    parallel: int = 1,
) -> float:
    """How many times faster than real time one HLS segment of ``height`` encodes here.

    Encodes ``seconds`` of ``source`` (default: a generated 1080p30 H.264 test pattern with light
    grain) with :func:`segment_command`; with ``parallel`` > 1 that many encodes run at once and the
    slowest counts. Takes a few seconds; raises :class:`HlsError` if ffmpeg fails.
    """
    rendition = next((r for r in renditions_for(1920, 1080) if r.height == height), None)
    if rendition is None:
        rendition = renditions_for(1920, 1080, max_height_live=height)[0]
    with tempfile.TemporaryDirectory(prefix="obscura-speed-") as tmp:
        src = Path(source) if source is not None else Path(tmp) / "src.mp4"
        if source is None:
            pattern = f"testsrc2=s=1920x1080:r=30:d={seconds},noise=alls=3:allf=t"
            gen = [
                ffmpeg,
                *["-hide_banner", "-nostdin", "-y", "-loglevel", "error"],
                *("-f", "lavfi", "-i", pattern, "-f", "lavfi", "-i", f"sine=f=440:d={seconds}"),
                *["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac", "-shortest"],
                str(src),
            ]
            done = subprocess.run(gen, capture_output=True, timeout=300, check=False)
            if done.returncode != 0:
                raise HlsError(f"ffmpeg could not make the test clip: {done.stderr.decode(errors='replace')[-500:]}")
        outs = [Path(tmp) / f"out{i}.ts" for i in range(parallel)]
        cmds = [segment_command(src, rendition, 0.0, seconds, out, ffmpeg) for out in outs]
        began = time.perf_counter()
        procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in cmds]
        errors = [p.communicate(timeout=ENCODE_TIMEOUT)[1] for p in procs]
        elapsed = time.perf_counter() - began
        if any(p.returncode for p in procs):
            raise HlsError(f"ffmpeg failed while measuring: {errors[0].decode(errors='replace')[-500:]}")
    return seconds / elapsed


@functools.cache
def recommended_max_height_live(ffmpeg: str = "ffmpeg") -> int:
    """1080 when this machine encodes 1080p segments ≥ :data:`LIVE_SPEED_THRESHOLD` × real time
    with two encodes running at once (one viewer plus prefetch), else 720. Measured once per
    process (a few seconds); falls back to :data:`DEFAULT_MAX_HEIGHT_LIVE` if ffmpeg fails."""
    try:
        speed = live_transcode_speed(1080, ffmpeg=ffmpeg, parallel=2)
    except (HlsError, OSError, subprocess.SubprocessError):
        return DEFAULT_MAX_HEIGHT_LIVE
    return 1080 if speed >= LIVE_SPEED_THRESHOLD else 720
