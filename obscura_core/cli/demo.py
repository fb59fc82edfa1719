"""``obscura demo-library DIR``: sample videos, images and audio to try Obscura on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click

SRT = """1
00:00:01,000 --> 00:00:03,000
Welcome to the Obscura demo.

2
00:00:04,000 --> 00:00:06,500
These subtitles come from a sidecar file.
"""


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def _video(path: Path, source: str, seconds: int, size: str = "640x360", freq: int = 440) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    video = ["-f", "lavfi", "-i", f"{source}=size={size}:rate=25"]
    audio = ["-f", "lavfi", "-i", f"sine=frequency={freq}"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    _ffmpeg(*video, *audio, "-t", str(seconds), *codecs, str(path))


def _audio(path: Path, freq: int, seconds: int, title: str, artist: str, album: str, track: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency={freq}:duration={seconds}",
        "-metadata",
        f"title={title}",
        "-metadata",
        f"artist={artist}",
        "-metadata",
        f"album={album}",
        "-metadata",
        f"track={track}",
        str(path),
    )


def _images(folder: Path, count: int) -> None:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        img = Image.new("RGB", (1200, 800), (20 + i * 30 % 200, 60, 120 + i * 17 % 120))
        draw = ImageDraw.Draw(img)
        for k in range(0, 1200, 60):
            draw.line([(k, 0), (1200 - k, 800)], fill=(255, 200 - i * 10 % 150, 80), width=3)
        draw.ellipse([400, 200, 800, 600], outline=(255, 255, 255), width=8)
        img.save(folder / f"photo {i + 1}.jpg", quality=88)


@click.command("demo-library")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def demo_library(directory: Path) -> None:
    """Write sample media into DIRECTORY (made with ffmpeg's test sources and Pillow)."""
    if shutil.which("ffmpeg") is None:
        raise click.ClickException("ffmpeg is needed to make the demo videos and audio.")
    directory.mkdir(parents=True, exist_ok=True)
    _video(directory / "Test Pattern (2024).mp4", "testsrc2", 12)
    (directory / "Test Pattern (2024).en.srt").write_text(SRT, encoding="utf-8")
    _video(directory / "Mandelbrot Zoom (2023).mp4", "mandelbrot", 8, freq=330)
    for ep, src in ((1, "testsrc"), (2, "smptebars")):
        _video(directory / "Demo Show" / "Season 01" / f"Demo Show - S01E0{ep} - Episode {ep}.mp4", src, 6)
    _video(directory / "Clips" / "clip one.mp4", "rgbtestsrc", 4)
    _images(directory / "Photos", 6)
    for n, freq in enumerate((220, 330, 440), start=1):
        _audio(
            directory / "Music" / "Demo Artist" / "Sine Waves" / f"0{n} - Tone {freq} Hz.mp3",
            freq,
            20,
            f"Tone {freq} Hz",
            "Demo Artist",
            "Sine Waves",
            n,
        )
    click.echo(f"demo library written to {directory}")
