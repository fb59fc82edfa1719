"""Generated audio libraries for the audio plugin's tests: ffmpeg lavfi tones and noise, tags and
cover art written with mutagen (no binary fixtures)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2, TPOS, TRCK
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggvorbis import OggVorbis
from PIL import Image

# extension -> ffmpeg output options
CODECS: dict[str, list[str]] = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "96k"],
    "flac": ["-c:a", "flac"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "2"],
    "m4a": ["-c:a", "aac", "-b:a", "96k"],
    "wav": ["-c:a", "pcm_s16le"],
    "wma": ["-c:a", "wmav2", "-b:a", "96k"],  # browsers cannot play it: transcoded
}


def tone(path: Path, seconds: float = 3.0, freq: int = 440, silent_head: float = 0.0, rate: int = 44100) -> Path:
    """A sine tone (optionally after ``silent_head`` seconds of silence) in the codec of the extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ext = path.suffix.lstrip(".")
    if silent_head:
        graph = (
            f"anullsrc=r={rate}:cl=stereo:d={silent_head}[s];"
            f"aevalsrc=0.9*sin(2*PI*{freq}*t):s={rate}:d={seconds - silent_head},aformat=channel_layouts=stereo[t];"
            "[s][t]concat=n=2:v=0:a=1[out]"
        )
        args = ["-filter_complex", graph, "-map", "[out]"]
    else:
        args = ["-f", "lavfi", "-i", f"aevalsrc=0.5*sin(2*PI*{freq}*t):s={rate}:d={seconds}", "-ac", "2"]
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args, *CODECS[ext], str(path)],
        check=True,
    )
    return path


def cover_jpeg(color: tuple[int, int, int] = (200, 40, 90), size: int = 300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, "JPEG", quality=85)
    return out.getvalue()


def tag(path: Path, cover: bytes | None = None, **tags: str) -> Path:
    """Write ``title, artist, album, albumartist, tracknumber, discnumber, date, genre`` the native way."""
    ext = path.suffix.lower()
    if ext == ".mp3":
        id3 = ID3()
        frames = {"title": TIT2, "artist": TPE1, "album": TALB, "albumartist": TPE2, "tracknumber": TRCK,
                  "discnumber": TPOS, "date": TDRC, "genre": TCON}  # fmt: skip
        for key, value in tags.items():
            id3.add(frames[key](encoding=3, text=[value]))
        if cover:
            id3.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=cover))
        id3.save(path)
    elif ext == ".flac":
        audio = FLAC(path)
        for key, value in tags.items():
            audio[key] = value
        if cover:
            pic = Picture()
            pic.type, pic.mime, pic.data = 3, "image/jpeg", cover
            audio.add_picture(pic)
        audio.save()
    elif ext == ".ogg":
        audio = OggVorbis(path)
        for key, value in tags.items():
            audio[key] = value
        audio.save()
    elif ext == ".m4a":
        audio = MP4(path)
        keys = {"title": "\xa9nam", "artist": "\xa9ART", "album": "\xa9alb", "albumartist": "aART",
                "date": "\xa9day", "genre": "\xa9gen"}  # fmt: skip
        for key, value in tags.items():
            if key == "tracknumber":
                audio["trkn"] = [(int(value.split("/")[0]), 0)]
            elif key == "discnumber":
                audio["disk"] = [(int(value.split("/")[0]), 0)]
            else:
                audio[keys[key]] = [value]
        if cover:
            audio["covr"] = [MP4Cover(cover, imageformat=MP4Cover.FORMAT_JPEG)]
        audio.save()
    else:
        raise ValueError(f"no tag writer for {ext}")
    return path


def build_library(root: Path) -> dict[str, Path]:
    """``Music/Artist/Album/`` with one tagged track per browser codec, an untagged WAV, a WMA
    (transcoded), a corrupt MP3 and a nested ``Live`` folder; returns the files by short name."""
    album = root / "Nova" / "First Light"
    files: dict[str, Path] = {}
    files["mp3"] = tag(
        tone(album / "01 - opening.mp3", 3.0, 440), cover_jpeg(), title="Opening", artist="Nova", album="First Light",
        albumartist="Nova", tracknumber="1/4", discnumber="1", date="2021-05-01", genre="Ambient",
    )  # fmt: skip
    files["flac"] = tag(
        tone(album / "02 - second.flac", 3.0, 660), title="Second Wave", artist="Nova", album="First Light",
        tracknumber="2", date="2021", genre="Ambient",
    )  # fmt: skip
    files["ogg"] = tag(tone(album / "03_third_song.ogg", 3.0, 550), title="Third", artist="Nova", tracknumber="3")
    files["m4a"] = tag(tone(album / "10 - tenth.m4a", 3.0, 330), title="Tenth", artist="Nova", tracknumber="10")
    files["wav"] = tone(album / "11_untagged_take.wav", 4.0, 880, silent_head=2.0)
    files["wma"] = tone(root / "Nova" / "Live" / "encore.wma", 3.0, 500)
    broken = root / "Nova" / "Live" / "broken.mp3"
    broken.write_bytes(b"\x00not audio at all\x00" * 200)
    files["broken"] = broken
    (root / ".hidden.mp3").write_bytes(b"hidden")
    (root / "Nova" / "notes.txt").write_text("not audio")
    return files
