"""The ffmpeg command lines of the video builders, pinned: thumbnails, preview clips, trickplay,
HLS segments and live remux/transcode.

``OLD_*`` are the exact argv the hand-written builders produced before they were built with
ffmpeg-python (:mod:`plugin_sdk.ffmpeg`). Each builder must still produce an *equivalent* command:
:func:`normalize` reduces an argv to what ffmpeg acts on, and the two must match. The argument
order may differ only where ffmpeg does not care:

* global options (``-hide_banner``, ``-nostdin``, ``-nostats``, ``-y``, ``-v``/``-loglevel``) apply
  to the whole run wherever they stand;
* an input's options (before its ``-i``) and an output's (before its file name) are collected per
  file before ffmpeg applies them, so their order within one file is free (ffmpeg-python sorts
  them by name). ``-map`` is the exception — its order is the output's stream order — and is
  compared as a list;
* ``-vf CHAIN`` on the output's video map is the same graph as ffmpeg-python's
  ``-filter_complex "[0:V:0]f1[s0];[s0]f2[s1]"`` with ``-map [s1]``: the chain is compared filter by
  filter, after undoing the quoting (the old code quoted expressions, ffmpeg-python escapes with
  backslashes) as ffmpeg's own parser does; named filter options are set by name, so their order is
  free too.

``test_old_and_new_commands_write_the_same_bytes`` runs both argv with the real ffmpeg on a small
clip and compares the files they write.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from plugin_sdk import ffmpeg as ff
from plugin_sdk.media import MediaError
from plugins_builtin.videos.media import previews
from plugins_builtin.videos.media.previews import PreviewParams, make_preview_clip, make_thumbnail, make_trickplay
from plugins_builtin.videos.streaming.hls_encode import segment_command
from plugins_builtin.videos.streaming.hls_playlists import renditions_for
from plugins_builtin.videos.streaming.remux import remux_command

SRC = "SRC/in put.mp4"  # the source, wherever the test put it
OUT = "OUT"  # the temporary output name ``atomic_write`` chose

# ------------------------------------------------------------------------------- the old argv
# fmt: off
OLD_THUMBNAIL = [  # make_thumbnail(src, _, 100.0, 1280, 720, PreviewParams(thumbnail_quality=4), "/usr/bin/ffmpeg")
    "/usr/bin/ffmpeg", "-v", "warning", "-y", "-ss", "18.000", "-i", SRC, "-map", "0:V:0", "-an", "-sn", "-dn",
    "-frames:v", "1", "-vf", "scale=1184:666", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2", "-update", "1", OUT,
]
OLD_THUMBNAIL_UNKNOWN_SIZE = [  # make_thumbnail(src, _, None, None, None, PreviewParams(thumbnail_quality=4), "ff")
    "ff", "-v", "warning", "-y", "-i", SRC, "-map", "0:V:0", "-an", "-sn", "-dn", "-frames:v", "1",
    "-vf", "scale=1760:1760:force_original_aspect_ratio=decrease", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2",
    "-update", "1", OUT,
]
_PREVIEW_VF = "scale=w='if(gte(iw,ih),min(960,trunc(iw/2)*2),-2)':h='if(gte(iw,ih),-2,min(960,trunc(ih/2)*2))'"
OLD_PREVIEW_CLIP = [  # make_preview_clip(src, _, 100.0, PreviewParams(), "ff")
    "ff", "-v", "warning", "-y", "-ss", "10.000", "-t", "8", "-i", SRC, "-map", "0:V:0", "-an", "-sn", "-dn",
    "-map_metadata", "-1", "-map_chapters", "-1", "-vf", _PREVIEW_VF, "-c:v", "libx264", "-preset", "veryfast",
    "-crf", "24", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", OUT,
]
OLD_PREVIEW_CLIP_SHORT = [  # make_preview_clip(src, _, 5.0, PreviewParams(), "ff"): no seek
    "ff", "-v", "warning", "-y", "-t", "8", "-i", SRC, "-map", "0:V:0", "-an", "-sn", "-dn",
    "-map_metadata", "-1", "-map_chapters", "-1", "-vf", _PREVIEW_VF, "-c:v", "libx264", "-preset", "veryfast",
    "-crf", "24", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", OUT,
]
OLD_TRICKPLAY_KEYFRAMES = [  # make_trickplay(src, …, 95.0, 1280, 720, interval 10, strategy="keyframes")
    "ff", "-hide_banner", "-nostdin", "-nostats", "-v", "verbose", "-discard:v", "nokey", "-skip_frame:v", "nokey",
    "-i", SRC, "-map", "0:V:0", "-an", "-sn", "-dn",
    "-vf", "fps=fps=1/10:round=up:start_time=0,scale=320:180,format=rgb24",
    "-frames:v", "10", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
]
OLD_TRICKPLAY_ALL_UNKNOWN_SIZE = [  # make_trickplay(src, …, 95.0, None, None, interval 10, strategy="all")
    "ff", "-hide_banner", "-nostdin", "-nostats", "-v", "verbose", "-i", SRC, "-map", "0:V:0", "-an", "-sn", "-dn",
    "-vf", "fps=fps=1/10:round=up:start_time=0,scale=320:180:force_original_aspect_ratio=decrease,"
           "pad=320:180:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=rgb24",
    "-frames:v", "10", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
]
OLD_SEGMENT_720 = [  # segment_command(SRC, 720p of 1920×1080, 12.0, 6.0, OUT, "ff")
    "ff", "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats",
    "-ss", "12.000", "-i", SRC, "-t", "6.000", "-vf", "scale=w=-2:h=720,format=yuv420p",
    "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "19", "-profile:v", "main", "-pix_fmt", "yuv420p",
    "-g", "144", "-keyint_min", "144", "-sc_threshold", "0", "-b:v", "2800k", "-maxrate", "3200k", "-bufsize", "5600k",
    "-c:a", "aac", "-b:a", "160k", "-ac", "2", "-ar", "48000", "-output_ts_offset", "12.000",
    "-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts", OUT,
]
OLD_SEGMENT_PORTRAIT = [  # segment_command(SRC, 1080p of 1080×1920, 0.0, 4.5, OUT)
    "ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats",
    "-ss", "0.000", "-i", SRC, "-t", "4.500", "-vf", "scale=w=1080:h=-2,format=yuv420p",
    "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-profile:v", "main", "-pix_fmt", "yuv420p",
    "-g", "144", "-keyint_min", "144", "-sc_threshold", "0", "-b:v", "5200k", "-maxrate", "5600k",
    "-bufsize", "10400k", "-c:a", "aac", "-b:a", "160k", "-ac", "2", "-ar", "48000", "-output_ts_offset", "0.000",
    "-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts", OUT,
]
_FRAGMENTS = "frag_keyframe+empty_moov+default_base_moof"
OLD_REMUX_COPY = [  # remux_command(SRC, "remux", 0.0, "ff", audio_codec="aac")
    "ff", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-i", SRC,
    "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-c:v", "copy", "-c:a", "copy",
    "-movflags", _FRAGMENTS, "-frag_duration", "2000000", "-f", "mp4", "pipe:1",
]
OLD_REMUX_AAC = [  # remux_command(SRC, "remux", 33.3333, "ff", audio_codec="flac")
    "ff", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-ss", "33.333", "-i", SRC,
    "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-c:v", "copy",
    "-c:a", "aac", "-b:a", "160k", "-ac", "2", "-ar", "48000",
    "-movflags", _FRAGMENTS, "-frag_duration", "2000000", "-f", "mp4", "pipe:1",
]
OLD_TRANSCODE_720 = [  # remux_command(SRC, "transcode", 12.5, "ff", audio_codec=None, max_height=720)
    "ff", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-ss", "12.500", "-i", SRC,
    "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
    "-vf", "scale=w='if(gte(iw,ih),-2,trunc(min(iw,720)/2)*2)':h='if(gte(iw,ih),trunc(min(ih,720)/2)*2,-2)',"
           "format=yuv420p",
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high", "-pix_fmt", "yuv420p",
    "-force_key_frames", "expr:gte(t,n_forced*2)", "-c:a", "aac", "-b:a", "160k", "-ac", "2", "-ar", "48000",
    "-movflags", _FRAGMENTS, "-f", "mp4", "pipe:1",
]
OLD_TRANSCODE_UNSCALED = [  # remux_command(SRC, "transcode", 0, max_height=None)
    "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-i", SRC,
    "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high", "-pix_fmt", "yuv420p",
    "-force_key_frames", "expr:gte(t,n_forced*2)", "-c:a", "aac", "-b:a", "160k", "-ac", "2", "-ar", "48000",
    "-movflags", _FRAGMENTS, "-f", "mp4", "pipe:1",
]
# fmt: on

# ------------------------------------------------------------------------------- normalize

GLOBAL_FLAGS = {"-hide_banner", "-nostdin", "-nostats", "-y"}
GLOBAL_VALUES = {"-v": "-loglevel", "-loglevel": "-loglevel", "-filter_complex": "-filter_complex"}
FILE_FLAGS = {"-an", "-sn", "-dn", "-vn"}


def _token(text: str, pos: int, terms: str) -> tuple[str, int]:
    """``av_get_token``: read up to an unquoted, unescaped ``terms`` character, removing one level
    of ``'…'`` quoting and ``\\`` escaping."""
    out: list[str] = []
    while pos < len(text) and text[pos] not in terms:
        char = text[pos]
        if char == "\\":
            out.append(text[pos + 1])
            pos += 2
        elif char == "'":
            end = text.index("'", pos + 1)
            out.append(text[pos + 1 : end])
            pos = end + 1
        else:
            out.append(char)
            pos += 1
    return "".join(out), pos


def _labels(text: str, pos: int) -> tuple[list[str], int]:
    labels = []
    while pos < len(text) and text[pos] == "[":
        end = text.index("]", pos)
        labels.append(text[pos + 1 : end])
        pos = end + 1
    return labels, pos


def _filter_options(opts: str) -> tuple[tuple[str, ...], frozenset[tuple[str, str]]]:
    """A filter's arguments as (positional values, named values), unescaped a second time like
    ``av_opt_set_from_string``."""
    positional: list[str] = []
    named: dict[str, str] = {}
    pos = 0
    while pos < len(opts):
        key, pos = _token(opts, pos, "=:")
        if pos < len(opts) and opts[pos] == "=":
            named[key], pos = _token(opts, pos + 1, ":")
        else:
            positional.append(key)
        pos += 1  # the ':'
    return tuple(positional), frozenset(named.items())


Filter = tuple[str, tuple[str, ...], frozenset[tuple[str, str]]]


def _parse_graph(text: str) -> list[tuple[list[str], Filter, list[str]]]:
    """``avfilter_graph_parse``, reduced: (input labels, filter, output labels) per filter."""
    filters = []
    pos = 0
    while pos < len(text):
        ins, pos = _labels(text, pos)
        name, pos = _token(text, pos, "=,;[")
        opts = ""
        if pos < len(text) and text[pos] == "=":
            opts, pos = _token(text, pos + 1, "[],;")
        outs, pos = _labels(text, pos)
        filters.append((ins, (name, *_filter_options(opts)), outs))
        pos += 1  # the ',' or ';'
    return filters


def _chain_to(graph: list[tuple[list[str], Filter, list[str]]], label: str) -> tuple[str, tuple[Filter, ...]]:
    """The input stream and the chain of filters that end in the graph output ``label``."""
    by_output = {outs[0]: (ins, flt) for ins, flt, outs in graph if outs}
    chain: list[Filter] = []
    while label in by_output:
        ins, flt = by_output.pop(label)
        chain.insert(0, flt)
        (label,) = ins
    return label, tuple(chain)


def normalize(argv: list[str]) -> dict[str, Any]:
    """What ffmpeg acts on: the binary, the global options, each input's and each output's options
    (order-free), each output's ``-map`` list, and a filtered map as ``(input stream, filters)``."""
    binary, *rest = argv
    global_opts: dict[str, str | None] = {}
    inputs: list[tuple[frozenset[tuple[str, str | None]], str]] = []
    outputs: list[tuple[list[tuple[str, str | None]], str]] = []
    pending: list[tuple[str, str | None]] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg in GLOBAL_FLAGS:
            global_opts[arg] = None
            i += 1
        elif arg in GLOBAL_VALUES:
            global_opts[GLOBAL_VALUES[arg]] = rest[i + 1]
            i += 2
        elif arg == "-i":
            assert len({k for k, _ in pending}) == len(pending), f"repeated input option in {pending}"
            inputs.append((frozenset(pending), rest[i + 1]))
            pending = []
            i += 2
        elif arg in FILE_FLAGS:
            pending.append((arg, None))
            i += 1
        elif arg.startswith("-") and arg != "-":
            pending.append((arg, rest[i + 1]))
            i += 2
        else:
            outputs.append((pending, arg))
            pending = []
            i += 1
    assert not pending, f"trailing options {pending}"
    complex_graph = global_opts.pop("-filter_complex", None)
    graph = _parse_graph(complex_graph) if complex_graph else []
    normalized_outputs = []
    for opts, target in outputs:
        maps: list[Any] = [value for key, value in opts if key == "-map"]
        rest_opts = [(key, value) for key, value in opts if key != "-map"]
        assert len({k for k, _ in rest_opts}) == len(rest_opts), f"repeated output option in {rest_opts}"
        named = dict(rest_opts)
        vf = named.pop("-vf", None)
        if vf is not None:  # the simple graph filters the output's video stream
            index = next(n for n, spec in enumerate(maps) if re.search(r":[vV](:|$)", spec))
            maps[index] = (maps[index], tuple(flt for _, flt, _ in _parse_graph(vf)))
        for n, spec in enumerate(maps):
            if isinstance(spec, str) and spec.startswith("["):
                maps[n] = _chain_to(graph, spec[1:-1])
        normalized_outputs.append((maps, frozenset(named.items()), target))
    return {"binary": binary, "global": global_opts, "inputs": inputs, "outputs": normalized_outputs}


# ------------------------------------------------------------------------------- the new argv


def _record_run(monkeypatch: pytest.MonkeyPatch, out_dir: Path) -> list[list[str]]:
    """Replace ``previews.run`` with one that records ``[binary, *args]`` and writes a dummy output."""
    calls: list[list[str]] = []

    def fake_run(args: list[str], *, timeout: float = 600, binary: str | None = None) -> Any:
        calls.append([binary or "", *args])
        for arg in args:
            if arg.startswith(f"{out_dir}/."):
                Path(arg).write_bytes(b"data")
        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(previews, "run", fake_run)
    return calls


class _NoFrames:
    """A ``Popen`` stand-in for the trickplay pass: records the command, writes nothing, fails."""

    calls: ClassVar[list[list[str]]] = []

    def __init__(self, cmd: list[str], **_: Any) -> None:
        _NoFrames.calls.append(list(cmd))
        self.stdout, self.stderr, self.returncode = io.BytesIO(), io.BytesIO(), 1

    def wait(self, timeout: float | None = None) -> int:
        return 1

    def poll(self) -> int:
        return 1

    def kill(self) -> None:
        pass


def _placeholders(argv: list[str], src: Path, out_dir: Path) -> list[str]:
    """Write the source as :data:`SRC` and ``atomic_write``'s temporary output as :data:`OUT`."""
    return [SRC if a == str(src) else OUT if a.startswith(f"{out_dir}/.") else a for a in argv]


Builder = Callable[[Path, Path, pytest.MonkeyPatch], list[str]]


def _via_run(make: Callable[[Path, Path], object]) -> Builder:
    """The argv a builder hands to ``media.run``: ``make(src, out_dir)``."""

    def build(src: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        with monkeypatch.context() as patch:
            calls = _record_run(patch, out_dir)
            make(src, out_dir)
        (argv,) = calls
        return _placeholders(argv, src, out_dir)

    return build


def _trickplay(**kwargs: Any) -> Builder:
    """The argv of one trickplay pass (``make_trickplay(..., **kwargs)``)."""

    def build(src: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        _NoFrames.calls = []
        with monkeypatch.context() as patch:
            patch.setattr(previews.subprocess, "Popen", _NoFrames)
            with pytest.raises(MediaError):
                make_trickplay(src, out_dir / "s.jpg", out_dir / "s.vtt", params=PreviewParams(), **kwargs)
        (argv,) = _NoFrames.calls
        return _placeholders(argv, src, out_dir)

    return build


def _pure(make: Callable[[], list[str]]) -> Builder:
    return lambda src, out_dir, monkeypatch: make()


_LANDSCAPE_720 = renditions_for(1920, 1080)[1]
_PORTRAIT_1080 = renditions_for(1080, 1920)[0]
_Q4 = PreviewParams(thumbnail_quality=4)

#: (id, builder, the old argv, whether it runs through ``media.run``)
CASES: list[tuple[str, Builder, list[str], bool]] = [
    ("thumbnail", _via_run(lambda s, o: make_thumbnail(s, o / "t.jpg", 100.0, 1280, 720, _Q4, "/usr/bin/ffmpeg")),
     OLD_THUMBNAIL, True),
    ("thumbnail-unknown-size", _via_run(lambda s, o: make_thumbnail(s, o / "t.jpg", None, None, None, _Q4, "ff")),
     OLD_THUMBNAIL_UNKNOWN_SIZE, True),
    ("preview-clip", _via_run(lambda s, o: make_preview_clip(s, o / "c.mp4", 100.0, PreviewParams(), "ff")),
     OLD_PREVIEW_CLIP, True),
    ("preview-clip-short", _via_run(lambda s, o: make_preview_clip(s, o / "c.mp4", 5.0, PreviewParams(), "ff")),
     OLD_PREVIEW_CLIP_SHORT, True),
    ("trickplay-keyframes",
     _trickplay(duration=95.0, width=1280, height=720, sprite_url="/x", ffmpeg="ff", strategy="keyframes"),
     OLD_TRICKPLAY_KEYFRAMES, False),
    ("trickplay-all-unknown-size",
     _trickplay(duration=95.0, width=None, height=None, sprite_url="/x", ffmpeg="ff", strategy="all"),
     OLD_TRICKPLAY_ALL_UNKNOWN_SIZE, False),
    ("segment-720", _pure(lambda: segment_command(SRC, _LANDSCAPE_720, 12.0, 6.0, OUT, "ff")), OLD_SEGMENT_720, False),
    ("segment-portrait", _pure(lambda: segment_command(SRC, _PORTRAIT_1080, 0.0, 4.5, OUT)),
     OLD_SEGMENT_PORTRAIT, False),
    ("remux-copy", _pure(lambda: remux_command(SRC, "remux", 0.0, "ff", audio_codec="aac")), OLD_REMUX_COPY, False),
    ("remux-aac", _pure(lambda: remux_command(SRC, "remux", 33.3333, "ff", audio_codec="flac")),
     OLD_REMUX_AAC, False),
    ("transcode-720",
     _pure(lambda: remux_command(SRC, "transcode", 12.5, "ff", audio_codec=None, max_height=720)),
     OLD_TRANSCODE_720, False),
    ("transcode-unscaled", _pure(lambda: remux_command(SRC, "transcode", 0, max_height=None)),
     OLD_TRANSCODE_UNSCALED, False),
]  # fmt: skip


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "in put.mp4"
    path.write_bytes(b"not really a video")
    return path


# ------------------------------------------------------------------------------- the tests


def test_normalize_sees_what_ffmpeg_acts_on() -> None:
    """The comparison is not vacuous: a changed value, a moved option or reordered maps differ."""
    base = normalize(OLD_SEGMENT_720)
    assert normalize(OLD_SEGMENT_720[:1] + OLD_SEGMENT_720[7:] + OLD_SEGMENT_720[1:7]) == base  # globals last
    assert normalize([a.replace("crf", "qp") for a in OLD_SEGMENT_720]) != base
    assert normalize([a.replace("h=720", "h=480") for a in OLD_SEGMENT_720]) != base
    ss_after_input = [*OLD_SEGMENT_720[:7], *OLD_SEGMENT_720[9:11], *OLD_SEGMENT_720[7:9], *OLD_SEGMENT_720[11:]]
    assert normalize(ss_after_input) != base  # -ss after -i seeks the output, not the input
    swapped = [{"0:v:0": "0:a:0?", "0:a:0?": "0:v:0"}.get(a, a) for a in OLD_SEGMENT_720]
    assert normalize(swapped) != base
    graph = "[0:v:0]scale=w\\=-2:h\\=720[s0];[s0]format=yuv420p[s1]"
    as_complex = [OLD_SEGMENT_720[0], "-filter_complex", graph]
    as_complex += [{"0:v:0": "[s1]"}.get(a, a) for a in OLD_SEGMENT_720[1:] if not a.startswith(("-vf", "scale="))]
    assert normalize(as_complex) == base
    assert normalize([a.replace("720", "721") if a == graph else a for a in as_complex]) != base
    assert normalize([a.replace("format=", "setsar=1[s9];[s9]format=") for a in as_complex]) != base


@pytest.mark.parametrize(("build", "old", "via_run"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_builders_write_the_old_command(
    build: Builder, old: list[str], via_run: bool, src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out").mkdir()
    assert normalize(build(src, tmp_path / "out", monkeypatch)) == normalize(old)


def test_the_sdk_module_builds_and_compiles() -> None:
    src = ff.source("/m/in put.mp4", ss="1.500")
    video = src["V:0"].filter("scale", 320, -2).filter("format", "yuv420p")
    out = ff.output(video, src["a:0?"], target=Path("/o/x.mp4"), an=ff.FLAG, **{"c:v": "libx264"})
    args = ff.arguments(out)
    assert args == [
        "-ss", "1.500", "-i", "/m/in put.mp4",
        "-filter_complex", "[0:V:0]scale=320:-2[s0];[s0]format=yuv420p[s1]",
        "-map", "[s1]", "-map", "0:a:0?", "-an", "-c:v", "libx264", "/o/x.mp4",
    ]  # fmt: skip
    assert ff.command(out, "-y", binary="/opt/ffmpeg") == ["/opt/ffmpeg", "-y", *args]
    with pytest.raises(ValueError):
        ff.output(target="x.mp4")


def test_the_sdk_module_defaults_to_the_configured_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ff, "ffmpeg_bin", lambda: "/configured/ffmpeg")
    out = ff.output(ff.source("a.mkv")["v:0"], target="-", format="null")
    assert ff.command(out)[0] == "/configured/ffmpeg"


# ------------------------------------------------------------------------------- with the real ffmpeg

REAL_FFMPEG = shutil.which("ffmpeg")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 s of 320×180 at 5 fps with a tone: long enough for every pinned seek, quick to decode."""
    assert REAL_FFMPEG is not None
    path = tmp_path_factory.mktemp("clip") / "in put.mp4"
    subprocess.run(
        [REAL_FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=5:duration=40",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=40",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
         str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return path


def _output_of(argv: list[str], clip: Path, out: Path, *, via_run: bool) -> bytes:
    """Run ``argv`` (placeholders filled in) like its builder does and return what it wrote."""
    assert REAL_FFMPEG is not None
    args = [str(clip) if a == SRC else str(out) if a == OUT else a for a in argv[1:]]
    cmd = [REAL_FFMPEG, *(["-hide_banner", "-nostdin"] if via_run else []), *args]  # media.run adds those
    done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return out.read_bytes() if OUT in argv else done.stdout


@pytest.mark.skipif(REAL_FFMPEG is None, reason="ffmpeg is not installed")
@pytest.mark.parametrize(("build", "old", "via_run"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_old_and_new_commands_write_the_same_bytes(
    build: Builder, old: list[str], via_run: bool, clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out").mkdir()
    new = build(clip, tmp_path / "out", monkeypatch)
    written = _output_of(old, clip, tmp_path / ("old" + Path(old[-1]).suffix), via_run=via_run)
    assert written, "the pinned command wrote nothing: the clip is too short for it"
    assert _output_of(new, clip, tmp_path / ("new" + Path(old[-1]).suffix), via_run=via_run) == written
