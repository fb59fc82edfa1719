"""Tests for plugin_sdk.videophash (Stash's 5x5-montage video phash).

Pure parts (Go float formatting, frame times, command line, montage layout) are
checked against values printed by the Go reference in tests/vectors/phash_ref.
The end-to-end tests generate short videos with the real ffmpeg and are skipped
only when ffmpeg is not installed.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
from PIL import Image

from plugin_sdk.hashing import hamming, perception_hash
from plugin_sdk.videophash import (
    VideoPhashError,
    build_montage,
    frame_times,
    go_float_str,
    screenshot_args,
    video_phash,
)

VECTORS_PATH = Path(__file__).resolve().parents[1] / "vectors" / "phash_vectors.json"
FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed")


@lru_cache(maxsize=1)
def load_vectors() -> dict:
    return json.loads(VECTORS_PATH.read_text())


# ---------------------------------------------------------------------------
# Go fmt.Sprint(float64) and frame times
# ---------------------------------------------------------------------------


def test_go_float_str_matches_go() -> None:
    cases = load_vectors()["sprint"]
    assert cases
    for case in cases:
        assert go_float_str(case["value"]) == case["text"], case


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (0.5, "0.5"),
        (12.0, "12"),
        (12.5, "12.5"),
        (3290.4, "3290.4"),
        (999999.0, "999999"),
        (1e6, "1e+06"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1e21, "1e+21"),
        (-2.5, "-2.5"),
    ],
)
def test_go_float_str_examples(value: float, text: str) -> None:
    assert go_float_str(value) == text


def test_frame_times_match_go() -> None:
    cases = load_vectors()["timestamps"]
    assert len(cases) >= 5
    for case in cases:
        times = frame_times(case["duration"])
        assert times == case["times"]  # bit-exact float64
        assert [go_float_str(t) for t in times] == case["ss_args"]


def test_frame_times_layout() -> None:
    times = frame_times(100.0)
    assert len(times) == 25
    assert times[0] == 5.0
    assert times[-1] == pytest.approx(91.4)  # last frame at 91.4 %, not 95 %


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_frame_times_rejects_bad_duration(bad: float) -> None:
    with pytest.raises(ValueError):
        frame_times(bad)


def test_screenshot_args() -> None:
    assert screenshot_args("ffmpeg", "/v/a b.mp4", 12.0) == [
        "ffmpeg", "-v", "error", "-y", "-ss", "12", "-i", "/v/a b.mp4",
        "-frames:v", "1", "-vf", "scale=160:-2", "-c:v", "bmp", "-f", "rawvideo", "-",
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# Montage layout
# ---------------------------------------------------------------------------


def test_build_montage_layout() -> None:
    frames = [Image.new("RGB", (16, 9), (i * 10, 255 - i * 10, i)) for i in range(25)]
    montage = build_montage(frames)
    assert montage.mode == "RGBA"
    assert montage.size == (80, 45)
    for i in range(25):
        x, y = 16 * (i % 5), 9 * (i // 5)
        assert montage.getpixel((x, y)) == (i * 10, 255 - i * 10, i, 255)
        assert montage.getpixel((x + 15, y + 8)) == (i * 10, 255 - i * 10, i, 255)


def test_build_montage_size_from_first_frame_and_transparent_canvas() -> None:
    frames = [Image.new("RGB", (16, 10), (200, 200, 200)) for _ in range(25)]
    frames[7] = Image.new("RGB", (8, 5), (10, 20, 30))  # smaller frame leaves canvas visible
    montage = build_montage(frames)
    assert montage.size == (80, 50)
    x, y = 16 * (7 % 5), 10 * (7 // 5)
    assert montage.getpixel((x, y)) == (10, 20, 30, 255)
    assert montage.getpixel((x + 12, y + 8)) == (0, 0, 0, 0)  # transparent black


def test_build_montage_empty_raises() -> None:
    with pytest.raises(VideoPhashError):
        build_montage([])


# ---------------------------------------------------------------------------
# End to end with the real ffmpeg
# ---------------------------------------------------------------------------


def _make_video(tmp_path: Path, source: str, name: str, duration: int = 4) -> Path:
    out = tmp_path / name
    subprocess.run(
        [
            FFMPEG or "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"{source}:rate=25", "-t", str(duration),
            "-pix_fmt", "yuv420p", str(out),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if FFMPEG is None:
        pytest.skip("ffmpeg is not installed")
    tmp = tmp_path_factory.mktemp("videos")
    return {
        "testsrc2": _make_video(tmp, "testsrc2=size=320x180", "testsrc2.mp4"),
        "mandelbrot": _make_video(tmp, "mandelbrot=size=320x180", "mandelbrot.mp4"),
        "smptebars": _make_video(tmp, "smptebars=size=320x240", "smptebars.mkv"),
    }


@needs_ffmpeg
def test_video_phash_is_deterministic_64bit(videos: dict[str, Path]) -> None:
    h1 = video_phash(videos["testsrc2"], 4.0, ffmpeg=FFMPEG)
    h2 = video_phash(str(videos["testsrc2"]), 4.0, ffmpeg=FFMPEG, workers=1)
    assert isinstance(h1, int)
    assert 0 <= h1 < 2**64
    assert h1 == h2
    assert h1 not in (0, 2**64 - 1)


@needs_ffmpeg
def test_video_phash_differs_between_sources(videos: dict[str, Path]) -> None:
    base = video_phash(videos["testsrc2"], 4.0, ffmpeg=FFMPEG)
    for other in ("mandelbrot", "smptebars"):
        assert hamming(base, video_phash(videos[other], 4.0, ffmpeg=FFMPEG)) > 0


@needs_ffmpeg
def test_video_phash_equals_manual_montage(videos: dict[str, Path]) -> None:
    # Build the montage by hand (sequential ffmpeg calls) and compare.
    path = str(videos["testsrc2"])
    frames = []
    for t in frame_times(4.0):
        bmp = subprocess.run(screenshot_args(FFMPEG or "ffmpeg", path, t), capture_output=True, check=True).stdout
        frame = Image.open(io.BytesIO(bmp))
        frame.load()
        frames.append(frame)
    assert frames[0].size == (160, 90)
    assert video_phash(path, 4.0, ffmpeg=FFMPEG) == perception_hash(build_montage(frames))


@needs_ffmpeg
def test_video_phash_corrupt_file_raises(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 20)
    with pytest.raises(VideoPhashError, match="ffmpeg"):
        video_phash(bad, 4.0, ffmpeg=FFMPEG)


@needs_ffmpeg
def test_video_phash_seek_past_end_raises(videos: dict[str, Path]) -> None:
    # A wrong (too long) duration makes later frames come back empty.
    with pytest.raises(VideoPhashError, match="frame"):
        video_phash(videos["testsrc2"], 400.0, ffmpeg=FFMPEG)


def test_video_phash_missing_ffmpeg_raises(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(b"x" * 100)
    with pytest.raises(VideoPhashError, match="not found"):
        video_phash(video, 4.0, ffmpeg=str(tmp_path / "no-such-ffmpeg"))


def test_video_phash_bad_duration_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        video_phash(tmp_path / "v.mp4", 0.0)
