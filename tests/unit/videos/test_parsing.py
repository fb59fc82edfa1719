"""Unit tests for the pure name-parsing and file-type rules of the video scan."""

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
from plugins_builtin.videos.scanning.parsing import (
    EpisodeParse,
    MovieParse,
    decode_html_entities,
    filename_to_title,
    parse_episode_filename,
    parse_movie_filename,
    parse_season_folder,
    parse_series_folder,
    strip_extension,
)

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


# --------------------------------------------------------------------------- seasons


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Season 01", 1),
        ("Season 1", 1),
        ("Season_1", 1),
        ("season.1", 1),
        ("SEASON 12", 12),
        ("Season10", 10),
        ("  Season 1  ", 1),
        ("S2", 2),
        ("s01", 1),
        ("S 01", 1),
        ("S10", 10),
        ("Staffel 3", 3),
        ("Saison 4", 4),
        ("Temporada 5", 5),
        ("Specials", 0),
        ("special", 0),
        ("extras", 0),
        ("OVA", 0),
        ("12", 12),
        ("01", 1),
        ("999", 999),
        ("1000", None),
        ("nonsense", None),
        ("Breaking Bad", None),
        ("Behind The Scenes", None),
        ("Season", None),
        ("Season 1 (2008)", None),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_season_folder(name: str, expected: int | None) -> None:
    """Season folder names map to a number, 0 for specials, None when unrecognised."""
    assert parse_season_folder(name) == expected


# --------------------------------------------------------------------------- episodes

EPISODE_CASES: list[tuple[str, EpisodeParse]] = [
    (
        "Show.Name.S01E02.1080p.WEB-DL.x264-GRP.mkv",
        EpisodeParse(season=1, episode=2),
    ),
    (
        "Show.Name.S01E02.Pilot.720p.HDTV.x264-GRP.mkv",
        EpisodeParse(season=1, episode=2, title="Pilot"),
    ),
    (
        "Breaking Bad - S01E02 - Cat's in the Bag.mkv",
        EpisodeParse(season=1, episode=2, title="Cat's in the Bag"),
    ),
    ("show.s1e2.mkv", EpisodeParse(season=1, episode=2)),
    ("Show.S01.E02.1080p.mkv", EpisodeParse(season=1, episode=2)),
    ("show s01 e02 pilot.mkv", EpisodeParse(season=1, episode=2, title="pilot")),
    ("Show S01xE02.mkv", EpisodeParse(season=1, episode=2)),
    ("Show.S01_E02.mkv", EpisodeParse(season=1, episode=2)),
    ("Show.S001E010.mkv", EpisodeParse(season=1, episode=10)),
    (
        "show name - 1x02 - title.mp4",
        EpisodeParse(season=1, episode=2, title="title"),
    ),
    ("Show 01x02.mkv", EpisodeParse(season=1, episode=2)),
    ("Show - 12x101 - Big.avi", EpisodeParse(season=12, episode=101, title="Big")),
    ("Season 2 Episode 5.mkv", EpisodeParse(season=2, episode=5)),
    ("Show Season 1 Episode 2.mkv", EpisodeParse(season=1, episode=2)),
    ("Show - Season 1 - Episode 2.mkv", EpisodeParse(season=1, episode=2)),
    (
        "Show.Season.3.Episode.14.The.End.mkv",
        EpisodeParse(season=3, episode=14, title="The End"),
    ),
    ("[Group] Anime Title - 013 [1080p].mkv", EpisodeParse(absolute=13)),
    (
        "[SubsPlease] Anime Title - 1071 (1080p) [ABCD1234].mkv",
        EpisodeParse(absolute=1071),
    ),
    ("Anime Title - 013.mkv", EpisodeParse(absolute=13)),
    (
        "One Piece - 005 - The Curse of Demon Sword.mkv",
        EpisodeParse(absolute=5, title="The Curse of Demon Sword"),
    ),
    ("One.Piece.005.1080p.mkv", EpisodeParse(absolute=5)),
    ("Show.1080p.mkv", EpisodeParse()),
    ("Show.H.264.mkv", EpisodeParse()),
    ("Show - 2012 - Something.mkv", EpisodeParse(year=2012)),
    ("Show.S01E02.2019.mkv", EpisodeParse(season=1, episode=2, year=2019)),
    ("Show (2019) - S01E02.mkv", EpisodeParse(season=1, episode=2, year=2019)),
    ("Show [2019] - S01E02.mkv", EpisodeParse(season=1, episode=2, year=2019)),
    (
        "Doctor.Who.2005.S01E01.Rose.720p.mkv",
        EpisodeParse(season=1, episode=1, title="Rose", year=2005),
    ),
    ("random garbage.mkv", EpisodeParse()),
    ("Show.S01E02", EpisodeParse(season=1, episode=2)),
    ("/media/tv/Show/Season 1/Show.S01E02.mkv", EpisodeParse(season=1, episode=2)),
    # multi-episode files
    ("Show.S01E01E02.mkv", EpisodeParse(season=1, episode=1, episode_end=2)),
    (
        "Show.S01E01-E02.Title.mkv",
        EpisodeParse(season=1, episode=1, episode_end=2, title="Title"),
    ),
    ("Show.S01E01-E02-E03.mkv", EpisodeParse(season=1, episode=1, episode_end=3)),
    ("Show.S01E01-02.mkv", EpisodeParse(season=1, episode=1, episode_end=2)),
    ("Show.S01E01-S01E02.mkv", EpisodeParse(season=1, episode=1, episode_end=2)),
    ("Show.S02E05-10bit.mkv", EpisodeParse(season=2, episode=5)),
    ("Show.S02E05-720p.mkv", EpisodeParse(season=2, episode=5)),
    # descending or cross-season continuations are not multi-episode markers
    ("Show.S02E05E03.mkv", EpisodeParse(season=2, episode=5, title="E03")),
    ("Show.S01E01-S02E02.mkv", EpisodeParse(season=1, episode=1, title="S02E02")),
]


@pytest.mark.parametrize(("name", "expected"), EPISODE_CASES, ids=[c[0] for c in EPISODE_CASES])
def test_parse_episode_filename(name: str, expected: EpisodeParse) -> None:
    """Episode file names parse into season/episode/absolute/title/year/episode_end."""
    assert parse_episode_filename(name) == expected


# --------------------------------------------------------------------------- movies

MOVIE_CASES: list[tuple[str, MovieParse]] = [
    ("Movie Title (1999).mkv", MovieParse("Movie Title", 1999)),
    ("Movie.Title.2010.1080p.BluRay.x264-GRP.mkv", MovieParse("Movie Title", 2010)),
    ("2001 A Space Odyssey (1968).mkv", MovieParse("2001 A Space Odyssey", 1968)),
    ("2001.A.Space.Odyssey.1968.1080p.mkv", MovieParse("2001 A Space Odyssey", 1968)),
    ("Blade.Runner.2049.2017.1080p.mkv", MovieParse("Blade Runner 2049", 2017)),
    ("Heat.mkv", MovieParse("Heat", None)),
    ("Heat (1995).mp4", MovieParse("Heat", 1995)),
    ("/media/movies/Heat (1995).mkv", MovieParse("Heat", 1995)),
    ("Arrival [2016].mkv", MovieParse("Arrival", 2016)),
    ("Inception.2010.1080p.BluRay.x264.mkv", MovieParse("Inception", 2010)),
    (
        "The Dark Knight.2008.2160p.HDR.HEVC-GROUP.mkv",
        MovieParse("The Dark Knight", 2008),
    ),
    ("Mad_Max_Fury_Road.2015.mkv", MovieParse("Mad Max Fury Road", 2015)),
    ("Mad_Max_Fury_Road_2015_1080p.mkv", MovieParse("Mad Max Fury Road", 2015)),
    ("Movie.2019.WEB-DL.H.264.AAC2.0-GRP.mp4", MovieParse("Movie", 2019)),
    ("Movie.2019.WEBRip.DDP5.1.x265.10bit-GRP.mkv", MovieParse("Movie", 2019)),
    ("Spider-Man.mkv", MovieParse("Spider-Man", None)),
    ("Spider-Man (2002).mkv", MovieParse("Spider-Man", 2002)),
    ("Spider-Man.2002.720p.BluRay.x264-GRP.mkv", MovieParse("Spider-Man", 2002)),
    ("1917.mkv", MovieParse("1917", None)),
    ("1917 (2019).mkv", MovieParse("1917", 2019)),
    ("Movie (1080).mkv", MovieParse("Movie (1080)", None)),
    ("", MovieParse("", None)),
]


@pytest.mark.parametrize(("name", "expected"), MOVIE_CASES, ids=[c[0] for c in MOVIE_CASES])
def test_parse_movie_filename(name: str, expected: MovieParse) -> None:
    """Movie file names give a cleaned title and an optional year."""
    assert parse_movie_filename(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Breaking Bad", ("Breaking Bad", None)),
        ("The Office (2005)", ("The Office", 2005)),
        ("Westworld [2016]", ("Westworld", 2016)),
        ("Breaking.Bad", ("Breaking Bad", None)),
        ("Breaking_Bad", ("Breaking Bad", None)),
        ("Breaking.Bad.1080p.WEB-DL.x264-GROUP", ("Breaking Bad", None)),
        ("The Expanse 2160p HDR x265", ("The Expanse", None)),
        ("The.Office.2005.1080p.WEB-DL", ("The Office", 2005)),
        ("The    Expanse", ("The Expanse", None)),
        ("Show.Name.S01.1080p.BluRay.x264-GRP", ("Show Name S01", None)),
        ("", ("", None)),
    ],
)
def test_parse_series_folder(name: str, expected: tuple[str, int | None]) -> None:
    """Series folders give a cleaned title and an optional year."""
    assert parse_series_folder(name) == expected


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
    parse_episode_filename(name)
    parse_movie_filename(name)
    parse_series_folder(name)
    filename_to_title(name)
    assert parse_season_folder(name) is None
