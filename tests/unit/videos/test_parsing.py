"""Unit tests for the file-type rules and name helpers of the video scan."""

from __future__ import annotations

import pytest

from plugins_builtin.videos.scanning.filetypes import (
    SUBTITLE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    is_derivative,
    is_hidden,
    is_subtitle_file,
    is_video_file,
    subtitle_format,
)
from plugins_builtin.videos.scanning.layout import place_tree
from plugins_builtin.videos.scanning.parsing import decode_html_entities, filename_to_title, strip_extension

# --------------------------------------------------------------------------- file types


def test_extension_sets_match_the_original() -> None:
    """The video and subtitle extension sets are the original's, plus ``.vob`` (DVD folders, in
    Stash's defaults too)."""
    assert {
        ".mp4",
        ".m4v",
        ".mkv",
        ".mov",
        ".webm",
        ".avi",
        ".wmv",
        ".flv",
        ".ts",
        ".m2ts",
        ".mpg",
        ".mpeg",
        ".vob",
    } == VIDEO_EXTENSIONS
    assert {".vtt", ".srt", ".ass", ".ssa"} == SUBTITLE_EXTENSIONS


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("movie.mkv", True),
        ("Movie.MKV", True),
        ("clip.m2ts", True),
        ("movie-preview.mp4", False),
        ("movie.preview.mp4", False),
        ("movie_sample.mkv", False),
        ("movie-SAMPLE.mkv", False),
        ("movie-thumb.mp4", False),
        ("movie-sprite.mp4", False),
        ("movie-card.mp4", False),
        ("sample.mkv", True),
        ("previews of coming attractions.mkv", True),
        (".hidden.mkv", False),
        ("movie.srt", False),
        ("movie", False),
        ("notes.txt", False),
    ],
)
def test_is_video_file(name: str, expected: bool) -> None:
    """Video files need a video extension and must not be hidden or derivatives."""
    assert is_video_file(name) is expected


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("x-preview", True),
        ("x.preview", True),
        ("x_thumb", True),
        ("X-Sprite", True),
        ("x.sample", True),
        ("x-card", True),
        ("x.card", False),
        ("x-trailer", False),
        ("thumb", False),
        ("x-previewer", False),
    ],
)
def test_is_derivative(stem: str, expected: bool) -> None:
    """Derivative stems follow ``[-._](preview|thumb|sprite|sample)$`` plus ``-card``."""
    assert is_derivative(stem) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".git", True),
        (".DS_Store", True),
        ("/lib/.thumbs/", True),
        ("Show", False),
        ("a.b", False),
    ],
)
def test_is_hidden(name: str, expected: bool) -> None:
    """Hidden entries start with a dot."""
    assert is_hidden(name) is expected


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.srt", "srt"),
        ("a.en.VTT", "vtt"),
        ("a.ass", "ass"),
        ("a.SSA", "ssa"),
        ("a.sub", None),
        ("srt", None),
    ],
)
def test_subtitle_format(name: str, fmt: str | None) -> None:
    """Subtitle formats come from the extension, case-insensitively."""
    assert subtitle_format(name) == fmt
    assert is_subtitle_file(name) is (fmt is not None)


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("My.Home_Video-2020.mp4", "My Home Video 2020"),
        ("Tom &amp; Jerry.mkv", "Tom & Jerry"),
        ("It&#39;s &quot;Fine&quot;.mp4", 'It\'s "Fine"'),
        ("It&#x27;s.mp4", "It's"),
        ("AC&#x2F;DC Live.mkv", "AC/DC Live"),
        ("a&nbsp;b.mkv", "a b"),
        ("A &AMP; B.mkv", "A & B"),
        ("Unknown &foo; entity.mkv", "Unknown &foo; entity"),
        ("  spaced   out  .mkv", "spaced out"),
        ("/abs/path/Clip.2010", "Clip 2010"),
        ("clip.m2ts", "clip"),
    ],
)
def test_filename_to_title(name: str, expected: str) -> None:
    """The fallback title replaces separators and decodes common HTML entities."""
    assert filename_to_title(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.mkv", "a"),
        ("a.b.m2ts", "a.b"),
        ("Show.2010", "Show.2010"),
        ("Show.S01E02", "Show.S01E02"),
        ("noext", "noext"),
        ("dir/x.mp4", "x"),
    ],
)
def test_strip_extension(name: str, expected: str) -> None:
    """Only a short alphanumeric suffix with a letter is an extension."""
    assert strip_extension(name) == expected


def test_decode_html_entities_rejects_out_of_range_code_points() -> None:
    """A numeric reference beyond Unicode stays as written."""
    assert decode_html_entities("&#99999999;") == "&#99999999;"
    assert decode_html_entities("&#x1F600;") == "\U0001f600"


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "name",
    ["- " * 20000, "._-" * 20000 + "x", "[a" * 30000, "( " * 30000, "S01E01" * 5000],
)
def test_pathological_names_stay_linear(name: str) -> None:
    """Long separator runs or brackets do not trigger regex backtracking blow-ups."""
    placed = place_tree([f"{name}.mkv", f"TV/{name}/Season 1/{name}.mkv", f"Movies/{name}/{name}.mkv"])
    assert len(placed) == 3
    filename_to_title(name)
