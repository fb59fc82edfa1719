"""Test media made with ffmpeg's lavfi sources (cached per test session, copied into libraries)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SRT_EN = """1
00:00:00,500 --> 00:00:01,500
Hello from the sidecar.

2
00:00:01,600 --> 00:00:02,800
Second line.
"""

SRT_EMBEDDED = """1
00:00:00,200 --> 00:00:01,000
Embedded subtitle line.
"""


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def make_h264_mp4(path: Path, seconds: int = 3, size: str = "320x180", audio: bool = True) -> Path:
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25"]
    if audio:
        inputs += ["-f", "lavfi", "-i", "sine=frequency=440"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    codecs += ["-c:a", "aac"] if audio else ["-an"]
    ffmpeg(*inputs, "-t", str(seconds), *codecs, str(path))
    return path


def make_vp9_webm(path: Path, seconds: int = 2) -> Path:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x180:rate=15",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=330",
        "-t",
        str(seconds),
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "200k",
        "-c:a",
        "libopus",
        str(path),
    )
    return path


def make_hevc_mkv_with_srt(path: Path, seconds: int = 2) -> Path:
    srt = path.with_suffix(".tmp.srt")
    srt.write_text(SRT_EMBEDDED, encoding="utf-8")
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "smptebars=size=320x180:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=550",
        "-i",
        str(srt),
        "-t",
        str(seconds),
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-map",
        "2:s",
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-x265-params",
        "log-level=error",
        "-c:a",
        "aac",
        "-c:s",
        "srt",
        "-metadata:s:s:0",
        "language=eng",
        str(path),
    )
    srt.unlink()
    return path


def make_portrait(path: Path) -> Path:
    return make_h264_mp4(path, seconds=2, size="180x320")


class MediaCache:
    """Generates each kind of file once and copies it where a test wants it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def _cached(self, name: str, maker) -> Path:
        path = self.folder / name
        if not path.exists():
            maker(path)
        return path

    def h264(self) -> Path:
        return self._cached("h264.mp4", make_h264_mp4)

    def h264_b(self) -> Path:
        return self._cached("h264-b.mp4", lambda p: make_h264_mp4(p, seconds=4, size="256x144"))

    def vp9(self) -> Path:
        return self._cached("vp9.webm", make_vp9_webm)

    def hevc_srt(self) -> Path:
        return self._cached("hevc.mkv", make_hevc_mkv_with_srt)

    def portrait(self) -> Path:
        return self._cached("portrait.mp4", make_portrait)

    def no_audio(self) -> Path:
        return self._cached("noaudio.mp4", lambda p: make_h264_mp4(p, seconds=2, audio=False))

    def truncated(self) -> Path:
        def make(path: Path) -> None:
            data = self.h264().read_bytes()
            path.write_bytes(data[: len(data) // 3])

        return self._cached("truncated.mp4", make)

    def copy(self, source: Path, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        return dest


def build_library(media: MediaCache, root: Path) -> dict[str, Path]:
    """A library laid out as a user would: movie at the root with a sidecar subtitle, a series
    with seasons, an anime series without seasons, a movie deep in folders, and files that must
    be skipped or reported."""
    files = {
        "movie": media.copy(media.h264(), root / "Movie Title (2020).mp4"),
        "s1e2": media.copy(media.vp9(), root / "Show" / "Season 01" / "Show S01E02.webm"),
        "s1e1": media.copy(media.hevc_srt(), root / "Show" / "Season 01" / "Show.S01E01.Pilot.mkv"),
        "s2e1": media.copy(media.portrait(), root / "Show" / "Season 2" / "Show 2x01 - Return.mp4"),
        "flat": media.copy(media.no_audio(), root / "Anime" / "Flat Show" / "Flat Show - 003.mp4"),
        "truncated": media.copy(media.truncated(), root / "Broken Movie.mp4"),
    }
    (root / "Movie Title (2020).en.srt").write_text(SRT_EN, encoding="utf-8")
    (root / "empty.mp4").write_bytes(b"")
    (root / "notes.mkv").write_text("this is not a video at all\n" * 50)
    media.copy(media.h264(), root / ".hidden.mp4")
    media.copy(media.h264(), root / "Show" / "Season 01" / "Show S01E02-preview.mp4")
    media.copy(media.h264(), root / "Too" / "Deep" / "Folder" / "Lost.mp4")  # a movie, at any depth
    media.copy(media.h264(), root / "Show" / "Sample" / "sample.mp4")  # skipped: a sample
    files["empty"] = root / "empty.mp4"
    files["garbage"] = root / "notes.mkv"
    return files
