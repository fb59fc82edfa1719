"""Unit tests for thumbnails, preview clips and trickplay sprites, on real media made with ffmpeg."""

from __future__ import annotations

import itertools
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plugin_sdk.media import MediaError, probe
from plugins_builtin.videos.media.previews import (
    MAX_SPRITE_COLUMNS,
    MAX_SPRITE_PIXELS,
    PreviewParams,
    TrickplayPlan,
    make_preview_clip,
    make_thumbnail,
    make_trickplay,
    plan_trickplay,
    preview_start,
    scale_resolution,
    sprite_jpeg_quality,
    thumbnail_at,
    thumbnail_size,
    trickplay_frame_size,
    trickplay_vtt,
    vtt_time,
)

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FFPROBE = shutil.which("ffprobe") or "ffprobe"
pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")

CUE_RE = re.compile(r"^(\d{2,}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2,}):(\d{2}):(\d{2})\.(\d{3})$")
XYWH_RE = re.compile(r"^(?P<url>.*)#xywh=(\d+),(\d+),(\d+),(\d+)$")


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly, failing the test run on error."""
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def make_testsrc(
    out: Path, size: str, seconds: float, *, rate: int = 25, audio: bool = False, extra: tuple = ()
) -> Path:
    """An H.264 ``testsrc2`` clip (its picture and timestamp overlay change every frame)."""
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", "-shortest"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", *extra, str(out)]
    ffmpeg(*args)
    return out


@dataclass(frozen=True)
class Media:
    """The generated sources."""

    landscape: Path  # 640x360, 20 s, audio, keyframe every 2 s, moov first
    portrait: Path  # 360x640, 6 s, no audio
    hd: Path  # 1280x720, 2 s
    tall: Path  # 720x1280, 2 s
    sparse: Path  # 640x360, 20 s, a single keyframe
    long: Path  # 64x36, 1 hour, 1 fps
    truncated: Path  # first 30 % of ``landscape``
    garbage: Path  # random bytes


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    """Make every source once for the module."""
    base = tmp_path_factory.mktemp("previews-media")
    landscape = make_testsrc(
        base / "landscape.mp4", "640x360", 20, audio=True, extra=("-g", "50", "-movflags", "+faststart")
    )
    data = landscape.read_bytes()
    truncated = base / "truncated.mp4"
    truncated.write_bytes(data[: int(len(data) * 0.3)])
    garbage = base / "garbage.mp4"
    garbage.write_bytes(np.random.default_rng(7).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    return Media(
        landscape=landscape,
        portrait=make_testsrc(base / "portrait.mp4", "360x640", 6),
        hd=make_testsrc(base / "hd.mp4", "1280x720", 2),
        tall=make_testsrc(base / "tall.mp4", "720x1280", 2),
        sparse=make_testsrc(base / "sparse.mp4", "640x360", 20, extra=("-g", "1000", "-sc_threshold", "0")),
        long=make_testsrc(base / "long.mp4", "64x36", 3600, rate=1),
        truncated=truncated,
        garbage=garbage,
    )


def jpeg_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` of a JPEG, checking that it is one."""
    with Image.open(path) as image:
        assert image.format == "JPEG"
        return image.size


def read_rgb(path: Path) -> np.ndarray:
    """Decode an image into an ``int16`` RGB array (signed so differences do not wrap)."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def parse_trickplay_vtt(text: str) -> list[tuple[float, float, str, tuple[int, int, int, int]]]:
    """``(start, end, url, (x, y, w, h))`` per cue of a trickplay VTT, checking its shape."""
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text[len("WEBVTT\n\n") :].strip().split("\n\n"):
        timing, target = block.split("\n")
        times = CUE_RE.match(timing)
        where = XYWH_RE.match(target)
        assert times and where, block
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in times.groups())
        start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
        end = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
        cues.append((start, end, where.group("url"), tuple(int(g) for g in where.groups()[1:])))
    return cues


def tiles(sprite: np.ndarray, cues: list) -> list[np.ndarray]:
    """The sprite region of every cue."""
    return [sprite[y : y + h, x : x + w] for *_, (x, y, w, h) in cues]


def check_trickplay(sprite_path: Path, vtt_path: Path, plan: TrickplayPlan, duration: float, url: str) -> list:
    """Shared structural checks: sheet size, one contiguous cue per tile, tiles inside the sheet."""
    width, height = jpeg_size(sprite_path)
    assert (width, height) == (plan.columns * plan.frame_w, plan.rows * plan.frame_h)
    assert plan.columns <= MAX_SPRITE_COLUMNS
    assert plan.rows == math.ceil(plan.count / plan.columns)
    cues = parse_trickplay_vtt(vtt_path.read_text(encoding="utf-8"))
    assert len(cues) == plan.count
    assert cues[0][0] == 0
    for previous, current in itertools.pairwise(cues):
        assert current[0] == previous[1]
    assert cues[-1][1] >= duration
    for _start, _end, cue_url, (x, y, w, h) in cues:
        assert cue_url == url
        assert (w, h) == (plan.frame_w, plan.frame_h)
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
    return cues


def ffprobe_streams(path: Path) -> list[str]:
    """codec_type of every stream of ``path``."""
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


# =========================================================================== pure rules


def test_params_are_clamped_like_the_original() -> None:
    params = PreviewParams(thumbnail_quality=0, trickplay_quality=99, trickplay_interval_s=1, preview_clip_s=2)
    assert (params.thumbnail_quality, params.trickplay_quality) == (1, 31)
    assert (params.trickplay_interval_s, params.preview_clip_s) == (3, 4)
    assert PreviewParams() == PreviewParams(2, 2, 10, 8, True)
    loaded = PreviewParams.from_settings(
        {"trickplay_interval_seconds": 5, "preview_clip_duration_seconds": None, "thumbnail_quality": 40}
    )
    assert (loaded.trickplay_interval_s, loaded.preview_clip_s, loaded.thumbnail_quality) == (5, 8, 31)


def test_scale_resolution_and_sizes() -> None:
    assert scale_resolution(1920, 320, 1) == 1920
    assert scale_resolution(1920, 320, 31) == 320
    assert scale_resolution(1920, 320, 16) == 1120
    assert thumbnail_size(1920, 1080, 31) == (320, 180)
    assert thumbnail_size(1080, 1920, 31) == (180, 320)  # portrait stays portrait
    assert thumbnail_size(None, None, 31) == (320, 180)  # unknown → 1920x1080
    assert thumbnail_size(64, 36, 31) == (64, 36)  # never upscaled
    assert thumbnail_size(1920, 1080, 31, (160, 90)) == (160, 90)  # card
    assert trickplay_frame_size(1920, 1080, 2) == (320, 180)
    assert trickplay_frame_size(1080, 1920, 2) == (180, 320)
    assert trickplay_frame_size(1440, 1080, 2) == (240, 180)  # 4:3 fits the 320x180 box
    assert trickplay_frame_size(1920, 1080, 31) == (160, 90)
    assert trickplay_frame_size(32, 18, 2) == (48, 27)  # floor of 48 px
    assert [sprite_jpeg_quality(q) for q in (1, 16, 31, 99)] == [68, 53, 38, 38]


def test_thumbnail_time_and_preview_start() -> None:
    assert thumbnail_at(20) == pytest.approx(3.6)
    assert thumbnail_at(2) == 1.0
    assert thumbnail_at(1) == 0.5
    assert thumbnail_at(None) == thumbnail_at(0) == thumbnail_at(float("nan")) == 0.0
    assert preview_start(100, 8) == 10.0
    assert preview_start(8.5, 8) == pytest.approx(0.5)  # a full clip still fits
    assert preview_start(6, 8) == 0.0


def test_plan_trickplay_sizes_counts_and_caps() -> None:
    hour = plan_trickplay(3600, 1920, 1080, PreviewParams())
    assert hour == TrickplayPlan(interval=10, count=360, frame_w=320, frame_h=180, columns=10, rows=36)
    assert plan_trickplay(20, 640, 360, PreviewParams()).count == 2
    assert plan_trickplay(0, 640, 360, PreviewParams()).count == 1
    assert plan_trickplay(5, 640, 360, PreviewParams()).columns == 1
    portrait = plan_trickplay(600, 1080, 1920, PreviewParams())
    assert portrait.frame_h > portrait.frame_w
    two_hours = plan_trickplay(7200, 1920, 1080, PreviewParams())  # 720 tiles: tiles shrink
    assert two_hours.interval == 10 and two_hours.count == 720
    assert two_hours.count * two_hours.frame_w * two_hours.frame_h <= MAX_SPRITE_PIXELS
    assert two_hours.frame_w / two_hours.frame_h == pytest.approx(16 / 9, rel=0.02)
    huge = plan_trickplay(1000 * 3600, 1920, 1080, PreviewParams())  # tiles at the floor: interval rises
    assert huge.frame_w == 48 and huge.interval > 10
    assert huge.count * huge.frame_w * huge.frame_h <= MAX_SPRITE_PIXELS
    assert huge.count * huge.interval >= 1000 * 3600
    assert huge.rows * huge.frame_h < 65_500  # JPEG size limit


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "00:00:00.000"),
        (0.1, "00:00:00.100"),
        (90061.1, "25:01:01.100"),
        (-1, "00:00:00.000"),
        (float("nan"), "00:00:00.000"),
        (float("inf"), "00:00:00.000"),
        (float("-inf"), "00:00:00.000"),
        (59.9999, "00:00:59.999"),  # truncated, not rounded
        (3600, "01:00:00.000"),
    ],
)
def test_vtt_time_matches_stash(seconds: float, expected: str) -> None:
    assert vtt_time(seconds) == expected


def test_trickplay_vtt_text() -> None:
    plan = TrickplayPlan(interval=10, count=3, frame_w=100, frame_h=50, columns=2, rows=2)
    assert trickplay_vtt(plan, "/s") == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:10.000\n/s#xywh=0,0,100,50\n\n"
        "00:00:10.000 --> 00:00:20.000\n/s#xywh=100,0,100,50\n\n"
        "00:00:20.000 --> 00:00:30.000\n/s#xywh=0,50,100,50\n\n"
    )


# =========================================================================== thumbnails


def test_thumbnail_landscape_keeps_aspect(media: Media, tmp_path: Path) -> None:
    out = make_thumbnail(media.landscape, tmp_path / "thumb.jpg", 20, 640, 360, PreviewParams(), ffmpeg=FFMPEG)
    width, height = jpeg_size(out)
    assert (width, height) == thumbnail_size(640, 360, 2)
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_thumbnail_portrait_stays_portrait(media: Media, tmp_path: Path) -> None:
    params = PreviewParams(thumbnail_quality=31)
    out = make_thumbnail(media.portrait, tmp_path / "thumb.jpg", 6, 360, 640, params, ffmpeg=FFMPEG)
    assert jpeg_size(out) == (180, 320)


def test_thumbnail_unknown_size_keeps_aspect(media: Media, tmp_path: Path) -> None:
    out = make_thumbnail(media.portrait, tmp_path / "t.jpg", None, None, None, PreviewParams(31), ffmpeg=FFMPEG)
    width, height = jpeg_size(out)
    assert height == 320 and width == pytest.approx(180, abs=1)


def test_thumbnail_explicit_time_picks_that_frame(media: Media, tmp_path: Path) -> None:
    first = make_thumbnail(media.landscape, tmp_path / "a.jpg", 20, 640, 360, PreviewParams(), FFMPEG, at=1)
    later = make_thumbnail(media.landscape, tmp_path / "b.jpg", 20, 640, 360, PreviewParams(), FFMPEG, at=12)
    assert np.abs(read_rgb(first) - read_rgb(later)).mean() > 2


def test_thumbnail_retries_at_zero_when_the_seek_fails(media: Media, tmp_path: Path) -> None:
    out = make_thumbnail(media.truncated, tmp_path / "t.jpg", 20, 640, 360, PreviewParams(), FFMPEG, at=16)
    assert jpeg_size(out) == thumbnail_size(640, 360, 2)


def test_thumbnail_of_garbage_raises_and_keeps_the_old_file(media: Media, tmp_path: Path) -> None:
    target = tmp_path / "thumb.jpg"
    target.write_bytes(b"old")
    with pytest.raises(MediaError, match=r"garbage\.mp4"):
        make_thumbnail(media.garbage, target, 20, 640, 360, PreviewParams(), ffmpeg=FFMPEG)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thumb.jpg"]
    with pytest.raises(MediaError):
        make_thumbnail(tmp_path / "missing.mp4", target, 20, 640, 360, PreviewParams(), ffmpeg=FFMPEG)


# =========================================================================== preview clips


def test_preview_clip_is_silent_and_clip_long(media: Media, tmp_path: Path) -> None:
    out = make_preview_clip(media.landscape, tmp_path / "preview.mp4", 20, PreviewParams(), ffmpeg=FFMPEG)
    info = probe(out, binary=FFPROBE)
    assert ffprobe_streams(out) == ["video"]
    assert not info.has_audio
    assert info.video_codec == "h264" and info.pixel_format == "yuv420p"
    assert info.duration == pytest.approx(8, abs=0.25)
    assert (info.width, info.height) == (640, 360)  # never upscaled


def test_preview_clip_shorter_video_is_whole(media: Media, tmp_path: Path) -> None:
    out = make_preview_clip(media.portrait, tmp_path / "p.mp4", 6, PreviewParams(), ffmpeg=FFMPEG)
    info = probe(out, binary=FFPROBE)
    assert info.duration == pytest.approx(6, abs=0.25)
    assert (info.width, info.height) == (360, 640)


@pytest.mark.parametrize(("name", "size"), [("hd", (960, 540)), ("tall", (540, 960))])
def test_preview_clip_downscales_the_long_side(media: Media, tmp_path: Path, name: str, size: tuple) -> None:
    out = make_preview_clip(getattr(media, name), tmp_path / "p.mp4", 2, PreviewParams(), ffmpeg=FFMPEG)
    info = probe(out, binary=FFPROBE)
    assert (info.width, info.height) == size
    assert info.width % 2 == 0 and info.height % 2 == 0
    assert max(info.width, info.height) <= 960


def test_preview_clip_of_garbage_raises(media: Media, tmp_path: Path) -> None:
    with pytest.raises(MediaError):
        make_preview_clip(media.garbage, tmp_path / "p.mp4", 20, PreviewParams(), ffmpeg=FFMPEG)
    assert list(tmp_path.iterdir()) == []


# =========================================================================== trickplay


def test_trickplay_sheet_vtt_and_distinct_tiles(media: Media, tmp_path: Path) -> None:
    sprite, vtt = tmp_path / "sprite.jpg", tmp_path / "trickplay.vtt"
    params = PreviewParams(trickplay_interval_s=3)
    plan = make_trickplay(media.landscape, sprite, vtt, 20, 640, 360, params, "/assets/v/sprite", ffmpeg=FFMPEG)
    assert plan == plan_trickplay(20, 640, 360, params)
    assert (plan.count, plan.columns, plan.rows, plan.frame_w, plan.frame_h) == (7, 7, 1, 320, 180)
    cues = check_trickplay(sprite, vtt, plan, 20, "/assets/v/sprite")
    regions = tiles(read_rgb(sprite), cues)
    for one, two in itertools.pairwise(regions):  # keyframes every 2 s: each cue its own frame
        assert np.abs(one - two).mean() > 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_trickplay_sparse_keyframes_fall_back_to_a_full_decode(media: Media, tmp_path: Path) -> None:
    params = PreviewParams(trickplay_interval_s=4)
    files = tmp_path / "s.jpg", tmp_path / "s.vtt"
    plan = make_trickplay(media.sparse, *files, 20, 640, 360, params, "/s", ffmpeg=FFMPEG)
    regions = tiles(read_rgb(files[0]), check_trickplay(*files, plan, 20, "/s"))
    assert min(np.abs(a - b).mean() for a, b in itertools.pairwise(regions)) > 1
    # Forced keyframe-only decoding sees the single keyframe and repeats it.
    make_trickplay(media.sparse, *files, 20, 640, 360, params, "/s", ffmpeg=FFMPEG, strategy="keyframes")
    regions = tiles(read_rgb(files[0]), parse_trickplay_vtt(files[1].read_text()))
    assert max(np.abs(a - b).mean() for a, b in itertools.pairwise(regions)) < 1


def test_trickplay_one_hour_file(media: Media, tmp_path: Path) -> None:
    sprite, vtt = tmp_path / "sprite.jpg", tmp_path / "t.vtt"
    plan = make_trickplay(media.long, sprite, vtt, 3600, 64, 36, PreviewParams(), "/l", ffmpeg=FFMPEG)
    assert (plan.interval, plan.count, plan.columns, plan.rows, plan.frame_w, plan.frame_h) == (10, 360, 10, 36, 64, 36)
    cues = check_trickplay(sprite, vtt, plan, 3600, "/l")
    assert cues[-1][:2] == (3590, 3600)
    regions = tiles(read_rgb(sprite), cues)
    assert np.abs(regions[0] - regions[180]).mean() > 1


def test_trickplay_truncated_stream_repeats_the_last_frame(media: Media, tmp_path: Path) -> None:
    sprite, vtt = tmp_path / "sprite.jpg", tmp_path / "t.vtt"
    params = PreviewParams(trickplay_interval_s=3)
    plan = make_trickplay(media.truncated, sprite, vtt, 20, 640, 360, params, "/t", ffmpeg=FFMPEG)
    regions = tiles(read_rgb(sprite), check_trickplay(sprite, vtt, plan, 20, "/t"))
    assert np.abs(regions[0] - regions[1]).mean() > 1  # the first ~6 s decode
    assert np.abs(regions[-1] - regions[-2]).mean() < 1  # the rest repeats the last decoded frame
    assert regions[-1].mean() > 20  # …which is a picture, not black


def test_trickplay_unknown_size_uses_a_padded_default_tile(media: Media, tmp_path: Path) -> None:
    sprite, vtt = tmp_path / "sprite.jpg", tmp_path / "t.vtt"
    plan = make_trickplay(media.portrait, sprite, vtt, 6, None, None, PreviewParams(), "/u", ffmpeg=FFMPEG)
    assert (plan.frame_w, plan.frame_h, plan.count) == (320, 180, 1)
    check_trickplay(sprite, vtt, plan, 6, "/u")
    pixels = read_rgb(sprite)
    assert pixels[:, :40].mean() < 20 and pixels[:, 140:180].mean() > 20  # pillar-boxed, not stretched


def test_trickplay_of_garbage_raises_without_outputs(media: Media, tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="cannot decode"):
        make_trickplay(media.garbage, tmp_path / "s.jpg", tmp_path / "s.vtt", 20, 640, 360, PreviewParams(), "/g")
    assert list(tmp_path.iterdir()) == []
