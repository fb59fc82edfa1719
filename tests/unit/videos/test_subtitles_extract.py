"""Unit tests for embedded subtitle extraction and sidecar conversion, on a real MKV made with ffmpeg."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from plugin_sdk.media import MediaError, StreamInfo, probe
from plugins_builtin.videos.media.subtitles_extract import (
    IMAGE_SUBTITLE_CODECS,
    IMAGE_SUBTITLE_REASON,
    SKIPPED_SUBTITLE_CODECS,
    ExtractedTrack,
    convert_sidecar,
    embedded_name,
    extract_text_subtitles,
)
from plugins_builtin.videos.scanning.subtitle_files import parse_vtt_cues

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FFPROBE = shutil.which("ffprobe") or "ffprobe"
pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")

ENG_SRT = "1\n00:00:01,000 --> 00:00:02,500\nHello there\n\n2\n00:00:03,000 --> 00:00:04,000\nGeneral Kenobi\n"
FRE_SRT = "1\n00:00:01,000 --> 00:00:02,500\nBonjour à tous\n\n2\n00:00:03,000 --> 00:00:04,000\nAu revoir\n"
ASS_HEADER = """[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
MarginV, Encoding
Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""
ASS = ASS_HEADER + "Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\i1}Styled{\\i0} commentary\n"


def pgs_segment(kind: int, payload: bytes, pts: int) -> bytes:
    """One PGS segment: ``PG``, PTS/DTS (90 kHz), type, size, payload."""
    return b"PG" + struct.pack(">IIBH", pts, 0, kind, len(payload)) + payload


def pgs_sup(width: int = 160, height: int = 90) -> bytes:
    """A tiny valid Blu-ray PGS (.sup) stream: an 8x2 bitmap shown at 1 s and cleared at 3 s."""
    obj_w, obj_h = 8, 2
    rle = (b"\x00\x88\x01" + b"\x00\x00") * obj_h  # 8 pixels of palette entry 1, end of line
    window = struct.pack(">BBHHHH", 1, 0, 10, 10, obj_w, obj_h)
    show = 90_000
    display = [
        (
            0x16,
            struct.pack(">HHBHBBBB", width, height, 0x10, 0, 0x80, 0, 0, 1) + struct.pack(">HBBHH", 0, 0, 0, 10, 10),
        ),
        (0x17, window),
        (0x14, struct.pack(">BB", 0, 0) + struct.pack(">BBBBB", 1, 235, 128, 128, 255)),
        (
            0x15,
            struct.pack(">HBB", 0, 0, 0xC0)
            + (len(rle) + 4).to_bytes(3, "big")
            + struct.pack(">HH", obj_w, obj_h)
            + rle,
        ),
        (0x80, b""),
    ]
    clear = [(0x16, struct.pack(">HHBHBBBB", width, height, 0x10, 1, 0x00, 0, 0, 0)), (0x17, window), (0x80, b"")]
    return b"".join(pgs_segment(k, p, show) for k, p in display) + b"".join(
        pgs_segment(k, p, 3 * show) for k, p in clear
    )


@pytest.fixture(scope="module")
def mkv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MKV with subtitle streams: SRT eng (default), SRT fre, ASS eng, PGS, empty ASS spa."""
    base = tmp_path_factory.mktemp("subs-media")
    (base / "eng.srt").write_text(ENG_SRT, encoding="utf-8")
    (base / "fre.srt").write_text(FRE_SRT, encoding="utf-8")
    (base / "styled.ass").write_text(ASS, encoding="utf-8")
    (base / "empty.ass").write_text(ASS_HEADER, encoding="utf-8")
    (base / "image.sup").write_bytes(pgs_sup())
    out = base / "movie.mkv"
    inputs = ["eng.srt", "fre.srt", "styled.ass", "image.sup", "empty.ass"]
    args = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    args += ["-f", "lavfi", "-i", "color=c=black:size=160x90:rate=5:duration=5"]
    for name in inputs:
        args += ["-i", str(base / name)]
    args += ["-map", "0:v"] + [arg for i in range(1, len(inputs) + 1) for arg in ("-map", str(i))]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-c:s", "copy"]
    args += ["-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=fre", "-metadata:s:s:1", "title=Français"]
    args += [
        "-metadata:s:s:2",
        "language=eng",
        "-metadata:s:s:2",
        "title=Commentary",
        "-metadata:s:s:3",
        "language=eng",
    ]
    args += ["-metadata:s:s:4", "language=spa", "-disposition:s:0", "default", "-disposition:s:1", "forced"]
    subprocess.run([*args, str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def streams(mkv: Path) -> tuple[StreamInfo, ...]:
    """The MKV's probed streams."""
    return probe(mkv, binary=FFPROBE).streams


def test_fixture_has_the_expected_streams(streams: tuple[StreamInfo, ...]) -> None:
    subs = [(s.index, s.codec, s.language) for s in streams if s.kind == "subtitle"]
    assert subs == [
        (1, "subrip", "eng"),
        (2, "subrip", "fre"),
        (3, "ass", "eng"),
        (4, "hdmv_pgs_subtitle", "eng"),
        (5, "ass", "spa"),
    ]


def test_extracts_text_tracks_and_skips_the_rest(mkv: Path, streams: tuple, tmp_path: Path) -> None:
    result = extract_text_subtitles(mkv, streams, tmp_path / "subs", ffmpeg=FFMPEG)
    assert [(t.stream_index, t.language, t.source_format) for t in result.tracks] == [
        (1, "eng", "srt"),
        (2, "fre", "srt"),
        (3, "eng", "ass"),
    ]
    eng, fre, styled = result.tracks
    assert eng == ExtractedTrack(1, "eng", None, tmp_path / "subs" / "embedded-1-eng.vtt", "srt", None, True, False)
    assert (fre.label, fre.is_default, fre.forced) == ("Français", False, True)
    assert [c.text for c in parse_vtt_cues(eng.vtt_path.read_text(encoding="utf-8"))] == [
        "Hello there",
        "General Kenobi",
    ]
    fre_cues = parse_vtt_cues(fre.vtt_path.read_text(encoding="utf-8"))
    assert [(c.start, c.end, c.text) for c in fre_cues] == [(1.0, 2.5, "Bonjour à tous"), (3.0, 4.0, "Au revoir")]
    # Two streams of the same language both survive.
    assert styled.vtt_path.name == "embedded-3-eng.vtt" and styled.label == "Commentary"
    assert [c.text for c in parse_vtt_cues(styled.vtt_path.read_text(encoding="utf-8"))] == ["Styled commentary"]
    assert styled.raw_path == tmp_path / "subs" / "embedded-3-eng.ass"
    raw = styled.raw_path.read_text(encoding="utf-8")
    assert "[Events]" in raw and "{\\i1}Styled{\\i0} commentary" in raw
    assert [(s.stream_index, s.codec, s.reason) for s in result.skipped] == [
        (4, "hdmv_pgs_subtitle", IMAGE_SUBTITLE_REASON),
        (5, "ass", "no subtitle cues in this stream; empty output dropped"),
    ]
    assert sorted(p.name for p in (tmp_path / "subs").iterdir()) == [
        "embedded-1-eng.vtt",
        "embedded-2-fre.vtt",
        "embedded-3-eng.ass",
        "embedded-3-eng.vtt",
    ]


def test_skipped_codecs_never_run_ffmpeg(mkv: Path, tmp_path: Path) -> None:
    streams = [
        StreamInfo(0, "video", "h264"),
        StreamInfo(7, "subtitle", "dvd_subtitle", language="ger"),
        StreamInfo(8, "subtitle", "dvb_teletext"),
        StreamInfo(9, "subtitle", None),
    ]
    result = extract_text_subtitles(mkv, streams, tmp_path, ffmpeg="/nonexistent/ffmpeg")
    assert result.tracks == []
    assert [(s.stream_index, s.reason) for s in result.skipped] == [
        (7, IMAGE_SUBTITLE_REASON),
        (8, SKIPPED_SUBTITLE_CODECS["dvb_teletext"]),
        (9, "unknown subtitle codec"),
    ]
    assert {"hdmv_pgs_subtitle", "pgs", "dvb_subtitle", "dvd_subtitle", "vobsub", "xsub"} == IMAGE_SUBTITLE_CODECS


def test_one_failing_stream_is_skipped_not_fatal(mkv: Path, streams: tuple, tmp_path: Path) -> None:
    bogus = StreamInfo(42, "subtitle", "subrip", language="eng")
    result = extract_text_subtitles(mkv, [streams[1], bogus], tmp_path, ffmpeg=FFMPEG)
    assert [t.stream_index for t in result.tracks] == [1]
    assert result.skipped[0].stream_index == 42 and result.skipped[0].reason.startswith("conversion failed")


def test_unreadable_sources_raise(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mkv"
    garbage.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 40)
    streams = [StreamInfo(2, "subtitle", "subrip", language="eng"), StreamInfo(3, "subtitle", "ass")]
    with pytest.raises(MediaError, match=r"garbage\.mkv"):
        extract_text_subtitles(garbage, streams, tmp_path / "out", ffmpeg=FFMPEG)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    with pytest.raises(MediaError):
        extract_text_subtitles(tmp_path / "missing.mkv", streams, tmp_path / "out", ffmpeg=FFMPEG)


def test_embedded_name() -> None:
    assert embedded_name(3, "pt-br") == "embedded-3-pt-br.vtt"
    assert embedded_name(3, "eng", ".ass") == "embedded-3-eng.ass"


def test_convert_sidecar_srt_ass_and_vtt(tmp_path: Path) -> None:
    srt = tmp_path / "Movie.fr.srt"
    srt.write_bytes(FRE_SRT.encode("cp1252"))  # legacy encoding is detected
    out = convert_sidecar(srt, tmp_path / "cache" / "sidecar-fr.vtt")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    assert [c.text for c in parse_vtt_cues(text)] == ["Bonjour à tous", "Au revoir"]
    ass = tmp_path / "Movie.en.ass"
    ass.write_text(ASS, encoding="utf-8")
    assert [c.text for c in parse_vtt_cues(convert_sidecar(ass, tmp_path / "a.vtt").read_text())] == [
        "Styled commentary"
    ]
    vtt = tmp_path / "Movie.vtt"
    vtt.write_text("00:00:01.000 --> 00:00:02.000\nNo header\n", encoding="utf-8")
    assert convert_sidecar(vtt, tmp_path / "v.vtt").read_text().startswith("WEBVTT\n\n")
    assert not [p for p in tmp_path.rglob(".*")]  # no temporaries left


def test_convert_sidecar_rejects_unknown_formats(tmp_path: Path) -> None:
    sub = tmp_path / "Movie.sub"
    sub.write_text("{1}{2}MicroDVD", encoding="utf-8")
    with pytest.raises(ValueError, match="unsupported"):
        convert_sidecar(sub, tmp_path / "x.vtt")
    assert not (tmp_path / "x.vtt").exists()
