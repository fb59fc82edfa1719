"""Tags and covers read with mutagen, and waveform peaks that follow the audio."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plugin_sdk.media import MediaError
from plugins_builtin.audio import waveform
from plugins_builtin.audio.scan import title_from_file, walk_audio
from plugins_builtin.audio.tags import read_audio
from tests.integration.audio.media import build_library, tone


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_library(tmp_path_factory.mktemp("music") / "Music")


def test_tags_of_every_codec(library: dict[str, Path]) -> None:
    mp3 = read_audio(library["mp3"])
    assert mp3 is not None
    assert (mp3.title, mp3.artist, mp3.album, mp3.album_artist) == ("Opening", "Nova", "First Light", "Nova")
    assert (mp3.track_number, mp3.disc_number, mp3.year, mp3.genre) == (1, 1, 2021, "Ambient")
    assert mp3.codec == "mp3" and mp3.sample_rate == 44100 and mp3.channels == 2
    assert mp3.duration == pytest.approx(3.0, abs=0.1)
    assert mp3.cover and mp3.cover[:2] == b"\xff\xd8", "the embedded APIC picture is read"
    flac = read_audio(library["flac"])
    assert flac and (flac.title, flac.track_number, flac.year, flac.codec) == ("Second Wave", 2, 2021, "flac")
    ogg = read_audio(library["ogg"])
    assert ogg and (ogg.title, ogg.codec, ogg.container) == ("Third", "vorbis", "ogg")
    m4a = read_audio(library["m4a"])
    assert m4a and (m4a.title, m4a.track_number, m4a.codec, m4a.container) == ("Tenth", 10, "aac", "mp4")
    wav = read_audio(library["wav"])
    assert wav and wav.title is None and wav.codec == "pcm_s16le" and wav.duration == pytest.approx(4.0, abs=0.05)
    wma = read_audio(library["wma"])
    assert wma and wma.codec == "wmav2"
    assert read_audio(library["broken"]) is None, "a corrupt file is not parsed (ffprobe gets the last word)"


def test_walk_is_natural_and_skips_hidden(library: dict[str, Path]) -> None:
    root = library["mp3"].parents[2]
    folders, problems = walk_audio(str(root))
    album = [Path(t.path).name for t in folders[str(library["mp3"].parent)]]
    assert album == ["01 - opening.mp3", "02 - second.flac", "03_third_song.ogg", "10 - tenth.m4a",
                     "11_untagged_take.wav"]  # fmt: skip
    assert str(root) not in folders, ".hidden.mp3 is skipped and notes.txt is not audio"
    assert problems == []
    assert title_from_file("/x/11_untagged_take.wav") == "11 untagged take"


def test_waveform_follows_the_audio(library: dict[str, Path]) -> None:
    doc = waveform.compute(library["wav"], 4.0)
    assert set(doc) == {"version", "channels", "sample_rate", "samples_per_pixel", "bits", "length", "data"}
    assert doc["bits"] == 8 and doc["channels"] == 1 and len(doc["data"]) == 2 * doc["length"]
    per_second = doc["sample_rate"] / doc["samples_per_pixel"]
    assert doc["length"] == pytest.approx(4.0 * per_second, abs=2)
    lows, highs = doc["data"][0::2], doc["data"][1::2]
    half = doc["length"] // 2
    silent = [h - lo for lo, h in zip(lows[: half - 2], highs[: half - 2], strict=True)]
    loud = [h - lo for lo, h in zip(lows[half + 2 :], highs[half + 2 :], strict=True)]
    assert max(silent) <= 1, "two seconds of silence draw a flat line"
    assert min(loud) > 150, "a loud sine (0.9, -3 dB per channel) fills most of the 8-bit range"
    assert all(-128 <= v <= 127 for v in doc["data"])


def test_waveform_resolution_keeps_an_hour_small() -> None:
    spp = waveform.samples_per_pixel(3600)
    points = 3600 * waveform.SAMPLE_RATE / spp
    assert points <= waveform.MAX_POINTS
    worst = {"version": 2, "channels": 1, "sample_rate": waveform.SAMPLE_RATE, "samples_per_pixel": spp,
             "bits": 8, "length": int(points), "data": [-128, 127] * int(points)}  # fmt: skip
    assert len(json.dumps(worst, separators=(",", ":"))) < 300_000, "even full-scale noise stays under 300 KB"
    assert waveform.samples_per_pixel(60) == waveform.SAMPLE_RATE // waveform.POINTS_PER_SECOND


def test_waveform_of_garbage_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"garbage" * 100)
    with pytest.raises(MediaError):
        waveform.compute(bad, None)


def test_waveform_write_is_compact(tmp_path: Path) -> None:
    path = tone(tmp_path / "t.flac", 1.0)
    target = tmp_path / "out" / "waveform.json"
    size = waveform.write(waveform.compute(path, 1.0), target)
    assert target.stat().st_size == size and json.loads(target.read_text())["length"] == 20
