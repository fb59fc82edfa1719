"""Unit tests for sidecar metadata, subtitle discovery and subtitle conversion."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from plugins_builtin.videos.scanning import sidecars
from plugins_builtin.videos.scanning.nfo import parse_json_sidecar, parse_nfo, read_sidecar_metadata
from plugins_builtin.videos.scanning.sidecar_metadata import (
    SidecarMetadata,
    merge_sidecar_metadata,
    normalize_rating,
    normalize_sidecar_date,
)
from plugins_builtin.videos.scanning.subtitle_files import (
    Cue,
    SubtitleSidecar,
    discover_subtitle_sidecars,
    parse_vtt_cues,
    read_subtitle_text,
    subtitles_to_vtt,
)


@pytest.fixture
def video(tmp_path: Path) -> Path:
    """An (empty) video file in a temporary folder."""
    path = tmp_path / "Movie.mkv"
    path.write_bytes(b"")
    return path


def write(video: Path, suffix: str, content: str | bytes) -> Path:
    """Write a sidecar ``<stem><suffix>`` next to ``video``."""
    path = video.with_name(video.stem + suffix)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def nfo(body: str, root: str = "movie") -> str:
    """A minimal NFO document with ``body`` inside ``root``."""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>\n{body}\n</{root}>\n'


# =========================================================================== ratings + dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, 0),
        (1, 20),
        (4, 80),
        (4.5, 90),
        (5, 100),
        (2.5, 50),
        (5.5, 55),
        (7.25, 73),
        (8.5, 85),
        (10, 100),
        (10.5, 11),
        (85, 85),
        (99.5, 100),
        (100, 100),
        (100.5, None),
        (150, None),
        (-1, None),
        (math.nan, None),
        (math.inf, None),
    ],
)
def test_normalize_rating(raw: float, expected: int | None) -> None:
    """≤5 ×20, ≤10 ×10, ≤100 as is, >100 ignored; rounded half up."""
    assert normalize_rating(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20200131", "2020-01-31"),
        ("2020-01-31", "2020-01-31"),
        ("2020-1-5", "2020-01-05"),
        ("2020-01-31T12:00:00Z", "2020-01-31"),
        ("2020-01-31 10:00", "2020-01-31"),
        ("2020/01/31", "2020-01-31"),
        ("31.01.2020", "2020-01-31"),
        ("31 January 2020", "2020-01-31"),
        ("January 31, 2020", "2020-01-31"),
        (" 20200131 ", "2020-01-31"),
        ("20201340", None),
        ("2020-02-30", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_normalize_sidecar_date(raw: str, expected: str | None) -> None:
    """Dates become ISO ``YYYY-MM-DD``; impossible or unknown dates become None."""
    assert normalize_sidecar_date(raw) == expected


# =========================================================================== NFO


def test_nfo_full_document(video: Path) -> None:
    """All NFO fields are read."""
    write(
        video,
        ".nfo",
        nfo(
            """
  <title>The Title</title>
  <plot>Plot &amp; more.</plot>
  <aired>2021-03-04</aired>
  <studio>Studio A</studio>
  <rating>8.5</rating>
  <tag>Alpha</tag>
  <genre>Drama</genre>
  <tag>alpha</tag>
  <genre>Beta</genre>
  <actor><name>Jane Doe</name><role>Lead</role></actor>
  <actor><name>john roe</name></actor>
  <url>https://example.com/page</url>
  <runtime>42</runtime>
""",
            root="episodedetails",
        ),
    )
    assert read_sidecar_metadata(video) == SidecarMetadata(
        title="The Title",
        details="Plot & more.",
        date="2021-03-04",
        studio="Studio A",
        rating=85,
        tags=("Alpha", "Drama", "Beta"),
        performers=("Jane Doe", "john roe"),
        urls=("https://example.com/page",),
        duration=42 * 60,
    )


@pytest.mark.parametrize(
    ("rating", "expected"),
    [("4", 80), ("8.5", 85), ("8,5", 85), ("85", 85), ("150", None), ("n/a", None)],
)
def test_nfo_rating_scales(video: Path, rating: str, expected: int | None) -> None:
    """NFO ratings 4 / 8.5 / 85 / 150 normalise to 80 / 85 / 85 / ignored."""
    write(video, ".nfo", nfo(f"<title>T</title><rating>{rating}</rating>"))
    metadata = read_sidecar_metadata(video)
    assert metadata is not None
    assert metadata.rating == expected


def test_nfo_kodi_ratings_block_prefers_default() -> None:
    """Kodi's ``<ratings>`` block: the default rating's value is used."""
    document = nfo(
        """<title>T</title>
<ratings>
  <rating name="tmdb" max="10"><value>6.0</value><votes>10</votes></rating>
  <rating name="imdb" max="10" default="true"><value>7.4</value><votes>99</votes></rating>
</ratings>"""
    )
    metadata = parse_nfo(document)
    assert metadata is not None
    assert metadata.rating == 74


def test_nfo_rating_over_100_falls_back_to_json(video: Path) -> None:
    """An ignored NFO rating keeps the JSON rating."""
    write(video, ".nfo", nfo("<rating>150</rating>"))
    write(video, ".info.json", json.dumps({"average_rating": 4}))
    metadata = read_sidecar_metadata(video)
    assert metadata is not None
    assert metadata.rating == 80


def test_nfo_premiered_and_date_normalisation() -> None:
    """``premiered`` is the fallback date and dates are normalised."""
    metadata = parse_nfo(nfo("<title>T</title><premiered>19990501</premiered>"))
    assert metadata is not None
    assert metadata.date == "1999-05-01"
    metadata = parse_nfo(nfo("<title>T</title><aired>not a date</aired>"))
    assert metadata is not None
    assert metadata.date is None


def test_nfo_prefers_direct_children() -> None:
    """A nested ``<set><title>`` does not shadow the document's own title."""
    metadata = parse_nfo(nfo("<set><title>Collection</title></set><title>Real</title>"))
    assert metadata is not None
    assert metadata.title == "Real"


def test_nfo_duration_clock_and_streamdetails() -> None:
    """Durations come from ``<duration>`` clocks or ``durationinseconds``."""
    clock = parse_nfo(nfo("<title>T</title><duration>01:02:03</duration>"))
    assert clock is not None
    assert clock.duration == 3723
    stream = parse_nfo(
        nfo(
            "<title>T</title><fileinfo><streamdetails><video>"
            "<durationinseconds>1800</durationinseconds></video></streamdetails></fileinfo>"
        )
    )
    assert stream is not None
    assert stream.duration == 1800


@pytest.mark.parametrize(
    "document",
    [
        "<movie><title>Unclosed</movie>",
        "<movie><title>x</title>",
        "not xml at all",
        "",
        "<movie><title>&undefined;</title></movie>",
        "\x00\x01\x02",
        "<movie></movie>",
        "<movie><title>   </title></movie>",
    ],
)
def test_malformed_or_empty_nfo_gives_nothing(video: Path, document: str) -> None:
    """Malformed XML never raises: the NFO contributes nothing."""
    assert parse_nfo(document) is None
    write(video, ".nfo", document)
    assert read_sidecar_metadata(video) is None


def test_malformed_nfo_does_not_hide_json(video: Path) -> None:
    """A broken NFO still lets the JSON sidecar through."""
    write(video, ".nfo", "<movie><title>broken</movie>")
    write(video, ".info.json", json.dumps({"title": "From JSON"}))
    metadata = read_sidecar_metadata(video)
    assert metadata is not None
    assert metadata.title == "From JSON"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<movie><title>&lol9;</title><plot>boom</plot></movie>
"""


@pytest.mark.parametrize(
    "document",
    [
        BILLION_LAUGHS,
        ('<?xml version="1.0"?>\n<!doctype movie SYSTEM "file:///etc/passwd"><movie><title>x</title></movie>'),
        '<!ENTITY x "y"><movie><title>x</title></movie>',
        '<movie><title>x</title></movie><! DOCTYPE trailing [<!ENTITY a "b">]>',
    ],
)
def test_nfo_with_dtd_or_entities_is_refused(video: Path, document: str) -> None:
    """Documents declaring a DTD or entities are refused entirely."""
    assert parse_nfo(document) is None
    write(video, ".nfo", document)
    assert read_sidecar_metadata(video) is None


def test_utf16_nfo_with_doctype_is_refused(video: Path) -> None:
    """The DTD refusal also sees through UTF-16 encoded files."""
    write(video, ".nfo", BILLION_LAUGHS.encode("utf-16"))
    assert read_sidecar_metadata(video) is None


def test_nfo_encodings(video: Path) -> None:
    """UTF-8 BOM, UTF-16 and a declared Latin-1 encoding are decoded."""
    write(video, ".nfo", b"\xef\xbb\xbf" + nfo("<title>Caf\u00e9</title>").encode())
    assert read_sidecar_metadata(video) == SidecarMetadata(title="Café")
    write(video, ".nfo", nfo("<title>Caf\u00e9</title>").encode("utf-16"))
    assert read_sidecar_metadata(video) == SidecarMetadata(title="Café")
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><movie><title>Caf\xe9</title></movie>'
    write(video, ".nfo", latin.encode("latin-1"))
    assert read_sidecar_metadata(video) == SidecarMetadata(title="Café")


def test_nfo_repairs_bare_ampersands() -> None:
    """Hand-written NFOs with a bare ``&`` still parse."""
    metadata = parse_nfo("<movie><title>Tom & Jerry</title><plot>A &amp; B</plot></movie>")
    assert metadata == SidecarMetadata(title="Tom & Jerry", details="A & B")


def test_nfo_trailing_url_line() -> None:
    """Kodi's scraper URL after the root element is accepted (and used as url)."""
    metadata = parse_nfo("<movie><title>T</title></movie>\nhttps://www.themoviedb.org/movie/603\n")
    assert metadata == SidecarMetadata(title="T", urls=("https://www.themoviedb.org/movie/603",))


def test_multi_episode_nfo_uses_first_episode() -> None:
    """Several top-level ``<episodedetails>`` parse; the first one is used."""
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<episodedetails><title>One</title></episodedetails>\n"
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<episodedetails><title>Two</title></episodedetails>\n"
    )
    metadata = parse_nfo(document)
    assert metadata is not None
    assert metadata.title == "One"


# =========================================================================== JSON


def test_info_json_yt_dlp(video: Path) -> None:
    """yt-dlp keys map to metadata and ``upload_date`` becomes ISO."""
    write(
        video,
        ".info.json",
        json.dumps(
            {
                "title": "Video Title",
                "fulltitle": "Ignored Full Title",
                "description": "Desc",
                "upload_date": "20200131",
                "uploader": "Channel Name",
                "webpage_url": "https://www.youtube.com/watch?v=abc",
                "url": "https://cdn.example.com/video.m3u8",
                "tags": ["Music", " live ", "music", "", 3],
                "categories": ["Entertainment"],
                "genre": "Live",
                "cast": ["Alice", "alice", "Bob"],
                "duration": 212,
                "average_rating": 4.5,
            }
        ),
    )
    assert read_sidecar_metadata(video) == SidecarMetadata(
        title="Video Title",
        details="Desc",
        date="2020-01-31",
        studio="Channel Name",
        rating=90,
        tags=("Music", "live", "Entertainment"),
        performers=("Alice", "Bob"),
        urls=("https://www.youtube.com/watch?v=abc",),
        duration=212.0,
    )


@pytest.mark.parametrize(
    ("obj", "field", "expected"),
    [
        ({"fulltitle": "Full"}, "title", "Full"),
        ({"plot": "P"}, "details", "P"),
        ({"synopsis": "S"}, "details", "S"),
        ({"release_date": "20190102"}, "date", "2019-01-02"),
        ({"date": "2019-01-02"}, "date", "2019-01-02"),
        ({"aired": "2019-01-02"}, "date", "2019-01-02"),
        ({"upload_date": "2019-13-45", "date": "2019-01-02"}, "date", None),
        ({"channel": "C"}, "studio", "C"),
        ({"artist": "A"}, "studio", "A"),
        ({"url": "https://example.com/page"}, "urls", ("https://example.com/page",)),
        ({"url": "https://cdn.example.com/hls/x.ts"}, "urls", ()),
        ({"url": "https://example.com/master.m3u8"}, "urls", ()),
        (
            {"webpage_url": "ftp://x", "url": "http://example.com/a"},
            "urls",
            ("http://example.com/a",),
        ),
        ({"performers": "Solo"}, "performers", ("Solo",)),
        ({"actors": ["A", "B"]}, "performers", ("A", "B")),
        ({"genre": ["X", "Y"]}, "tags", ("X", "Y")),
        ({"duration": 0}, "duration", None),
        ({"duration": -5}, "duration", None),
        ({"duration": True}, "duration", None),
        ({"duration": "100"}, "duration", None),
        ({"average_rating": 101}, "rating", None),
        ({"title": 123}, "title", None),
    ],
)
def test_json_key_mapping(obj: dict[str, object], field: str, expected: object) -> None:
    """Individual JSON keys map as in the original."""
    assert getattr(parse_json_sidecar(obj), field) == expected


def test_plain_json_fallback(video: Path) -> None:
    """``<stem>.json`` is used when there is no ``.info.json``."""
    write(video, ".json", json.dumps({"title": "Plain"}))
    assert read_sidecar_metadata(video) == SidecarMetadata(title="Plain")


def test_info_json_wins_over_plain_json(video: Path) -> None:
    """``.info.json`` is preferred over ``.json``."""
    write(video, ".json", json.dumps({"title": "Plain"}))
    write(video, ".info.json", json.dumps({"title": "Info"}))
    metadata = read_sidecar_metadata(video)
    assert metadata is not None
    assert metadata.title == "Info"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2, 3]",
        '"string"',
        "null",
        "",
        "[" * 100000,
        b"\xff\xfe\x00garbage",
    ],
)
def test_bad_json_gives_nothing(video: Path, content: str | bytes) -> None:
    """Bad or non-object JSON never raises and contributes nothing."""
    write(video, ".info.json", content)
    assert read_sidecar_metadata(video) is None


def test_bad_info_json_does_not_fall_through(video: Path) -> None:
    """A broken ``.info.json`` shadows ``.json`` (the original's behaviour)."""
    write(video, ".info.json", "{broken")
    write(video, ".json", json.dumps({"title": "Plain"}))
    assert read_sidecar_metadata(video) is None


def test_no_sidecars(video: Path) -> None:
    """No sidecar files → None."""
    assert read_sidecar_metadata(video) is None
    assert read_sidecar_metadata(video.with_name("missing.mkv")) is None


def test_oversized_sidecar_is_ignored(video: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files over the size cap are skipped."""
    monkeypatch.setattr(sidecars, "MAX_SIDECAR_BYTES", 10)
    write(video, ".info.json", json.dumps({"title": "Too long for the cap"}))
    assert read_sidecar_metadata(video) is None


def test_unreadable_sidecar_is_ignored(video: Path) -> None:
    """A directory where a sidecar file should be is ignored."""
    video.with_name("Movie.nfo").mkdir()
    assert read_sidecar_metadata(video) is None


# =========================================================================== merge


def test_nfo_overrides_json_and_lists_merge(video: Path) -> None:
    """NFO scalars win; tags/performers/urls are merged case-insensitively, in order."""
    write(
        video,
        ".info.json",
        json.dumps(
            {
                "title": "JSON title",
                "description": "JSON desc",
                "upload_date": "20200101",
                "uploader": "JSON studio",
                "webpage_url": "https://example.com/json",
                "tags": ["Zeta", "alpha"],
                "cast": ["Pat"],
                "duration": 61.5,
                "average_rating": 3,
            }
        ),
    )
    write(
        video,
        ".nfo",
        nfo(
            "<title>NFO title</title><studio>NFO studio</studio><rating>9</rating>"
            "<tag>Alpha</tag><tag>Beta</tag><genre>zeta</genre><genre>Gamma</genre>"
            "<actor><name>pat</name></actor><actor><name>Sam</name></actor>"
            "<url>https://example.com/nfo</url><runtime>2</runtime>"
        ),
    )
    assert read_sidecar_metadata(video) == SidecarMetadata(
        title="NFO title",
        details="JSON desc",
        date="2020-01-01",
        studio="NFO studio",
        rating=90,
        tags=("Zeta", "alpha", "Beta", "Gamma"),
        performers=("Pat", "Sam"),
        urls=("https://example.com/json", "https://example.com/nfo"),
        duration=61.5,
    )


def test_merge_helpers() -> None:
    """Merging handles missing sides and empty results."""
    assert merge_sidecar_metadata(None, None) is None
    assert merge_sidecar_metadata(SidecarMetadata(), None) is None
    only = SidecarMetadata(title="x")
    assert merge_sidecar_metadata(None, only) is only
    assert merge_sidecar_metadata(SidecarMetadata(), SidecarMetadata()) is None
    merged = merge_sidecar_metadata(SidecarMetadata(urls=("u",), duration=120), SidecarMetadata(urls=("u", "v")))
    assert merged == SidecarMetadata(urls=("u", "v"), duration=120)
    assert merged is not None
    assert merged.url == "u"


# =========================================================================== subtitle discovery


def test_discover_subtitle_sidecars(tmp_path: Path) -> None:
    """Language/label parsing for the common sidecar name shapes."""
    names = [
        "Movie.mkv",
        "Movie.srt",
        "Movie.en.srt",
        "Movie.eng.forced.srt",
        "Movie.pt-br.vtt",
        "Movie.EN-US.SDH.ass",
        "Movie.Director Commentary.srt",
        "Movie.de.ssa",
        "Movie.fr.SRT",
        "Movie.nfo",
        "Movie.en.txt",
        "Movie-thumb.jpg",
        "Movies.srt",
        "Other.srt",
        "movie.srt",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "Movie.it.srt").mkdir()  # a directory is not a subtitle

    found = discover_subtitle_sidecars(tmp_path / "Movie.mkv")
    assert found == [
        SubtitleSidecar(
            tmp_path / "Movie.Director Commentary.srt",
            "und",
            "Director Commentary",
            "srt",
        ),
        SubtitleSidecar(tmp_path / "Movie.EN-US.SDH.ass", "en-us", "SDH", "ass"),
        SubtitleSidecar(tmp_path / "Movie.de.ssa", "de", None, "ssa"),
        SubtitleSidecar(tmp_path / "Movie.en.srt", "en", None, "srt"),
        SubtitleSidecar(tmp_path / "Movie.eng.forced.srt", "eng", "forced", "srt"),
        SubtitleSidecar(tmp_path / "Movie.fr.SRT", "fr", None, "srt"),
        SubtitleSidecar(tmp_path / "Movie.pt-br.vtt", "pt-br", None, "vtt"),
        SubtitleSidecar(tmp_path / "Movie.srt", "und", None, "srt"),
    ]


@pytest.mark.parametrize(
    ("name", "language", "label"),
    [
        ("Movie.srt", "und", None),
        ("Movie.en.srt", "en", None),
        ("Movie.eng.forced.srt", "eng", "forced"),
        ("Movie.pt-br.vtt", "pt-br", None),
        ("Movie.Director Commentary.srt", "und", "Director Commentary"),
        ("Movie.zh-Hant.srt", "zh-hant", None),
        ("Movie.english.srt", "und", "english"),
        ("Movie.en.forced.sdh.srt", "en", "forced.sdh"),
        ("Movie.e1.srt", "und", "e1"),
    ],
)
def test_subtitle_name_table(tmp_path: Path, name: str, language: str, label: str | None) -> None:
    """One sidecar at a time: language and label."""
    (tmp_path / "Movie.mkv").write_bytes(b"")
    (tmp_path / name).write_bytes(b"")
    [found] = discover_subtitle_sidecars(tmp_path / "Movie.mkv")
    assert (found.language, found.label) == (language, label)


def test_subtitles_of_a_longer_named_sibling_video_are_not_stolen(
    tmp_path: Path,
) -> None:
    """``Movie.Part2.srt`` belongs to ``Movie.Part2.mkv``, not to ``Movie.mkv``."""
    for name in [
        "Movie.mkv",
        "Movie.Part2.mkv",
        "Movie.Part2.srt",
        "Movie.Part2.en.srt",
        "Movie.en.srt",
    ]:
        (tmp_path / name).write_bytes(b"")
    assert [s.path.name for s in discover_subtitle_sidecars(tmp_path / "Movie.mkv")] == ["Movie.en.srt"]
    assert [s.path.name for s in discover_subtitle_sidecars(tmp_path / "Movie.Part2.mkv")] == [
        "Movie.Part2.en.srt",
        "Movie.Part2.srt",
    ]


def test_discover_in_missing_folder(tmp_path: Path) -> None:
    """An unreadable or missing folder gives no sidecars."""
    assert discover_subtitle_sidecars(tmp_path / "nope" / "Movie.mkv") == []


# =========================================================================== conversion

SRT = (
    "\ufeff1\r\n"
    "00:00:01,000 --> 00:00:04,500\r\n"
    "Hello <i>world</i>\r\n"
    "second line\r\n"
    "\r\n"
    "2\r\n"
    "00:00:05,000 --> 00:00:06,000 X1:10 X2:20 Y1:30 Y2:40\r\n"
    "42\r\n"
    "\r\n"
    "\r\n"
    "3\r\n"
    "0:01:02,5 --> 0:01:03,25\r\n"
    "A --> B\r\n"
    "\r\n"
    "4\r\n"
    "00:02:00,000 --> 00:02:01,000\r\n"
    "\r\n"
    "garbage block without timing\r\n"
    "\r\n"
    "10\r\n"
    "01:00:00,000 --> 01:00:02,000\r\n"
    "Last\r\n"
)


def test_srt_to_vtt_line_by_line() -> None:
    """SRT: BOM stripped, ids dropped, ``,`` → ``.``, settings dropped, text kept."""
    assert subtitles_to_vtt(SRT, "srt").split("\n") == [
        "WEBVTT",
        "",
        "00:00:01.000 --> 00:00:04.500",
        "Hello <i>world</i>",
        "second line",
        "",
        "00:00:05.000 --> 00:00:06.000",
        "42",
        "",
        "00:01:02.500 --> 00:01:03.250",
        "A -> B",
        "",
        "01:00:00.000 --> 01:00:02.000",
        "Last",
        "",
        "",
    ]


def test_empty_srt() -> None:
    """An empty SRT still yields a valid VTT header."""
    assert subtitles_to_vtt("", "srt") == "WEBVTT\n\n"
    assert subtitles_to_vtt("\ufeff\n\n", "SRT") == "WEBVTT\n\n"


ASS = r"""[Script Info]
Title: Example
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize
Style: Default,Arial,20

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:05.00,0:00:06.50,Default,,0,0,0,,{\i1}Later{\i0}, with, commas\Nsecond line
Dialogue: 0,0:00:01.20,0:00:02.00,Default,Bob,0,0,0,,Hard\hspace & <b>not a tag</b>
Comment: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,a comment
Dialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,{\p1}m 0 0 l 100 0 100 100{\p0}
Dialogue: 0,0:00:07.00,0:00:08.00,Default,,0,0,0,,{\an8}
Dialogue: 0,bad,0:00:09.00,Default,,0,0,0,,bad start
Dialogue: 0,10:00:09.99,10:00:10.00,Default,,0,0,0,,soft\nbreak
"""


def test_ass_to_vtt_line_by_line() -> None:
    """ASS: events ordered by start, overrides stripped, ``\\N``/``\\h`` mapped."""
    assert subtitles_to_vtt(ASS, "ass").split("\n") == [
        "WEBVTT",
        "",
        "00:00:01.200 --> 00:00:02.000",
        "Hard space &amp; &lt;b&gt;not a tag&lt;/b&gt;",
        "",
        "00:00:05.000 --> 00:00:06.500",
        "Later, with, commas",
        "second line",
        "",
        "10:00:09.990 --> 10:00:10.000",
        "soft",
        "break",
        "",
        "",
    ]


def test_ssa_respects_format_field_order() -> None:
    """The Format line decides where Start/End/Text are (SSA ``Marked`` and custom orders)."""
    ssa = (
        "[Script Info]\nScriptType: v4.00\n\n[Events]\n"
        "Format: Marked, End, Start, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        "Dialogue: Marked=0,0:00:02.00,0:00:01.00,Default,NTP,0000,0000,0000,!Effect,Hi, there\n"
    )
    assert subtitles_to_vtt(ssa, "ssa").split("\n") == [
        "WEBVTT",
        "",
        "00:00:01.000 --> 00:00:02.000",
        "Hi, there",
        "",
        "",
    ]


def test_ass_without_format_line_uses_default_order() -> None:
    """Dialogue before any Format line uses the standard v4+ field order."""
    ass = "[Events]\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,Text, here\n"
    assert subtitles_to_vtt(ass, "ass").split("\n") == [
        "WEBVTT",
        "",
        "00:00:01.000 --> 00:00:02.000",
        "Text, here",
        "",
        "",
    ]


def test_ass_ignores_dialogue_outside_events() -> None:
    """Only the ``[Events]`` section is read."""
    ass = "[Other]\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,nope\n"
    assert subtitles_to_vtt(ass, "ass") == "WEBVTT\n\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n",
            "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n",
        ),
        (
            "\ufeffWEBVTT - title\r\n\r\n00:01.000 --> 00:02.000\r\nhi\r\n",
            "WEBVTT - title\n\n00:01.000 --> 00:02.000\nhi\n",
        ),
        ("00:01.000 --> 00:02.000\nhi\n", "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n"),
        ("WEBVTTX\n", "WEBVTT\n\nWEBVTTX\n"),
    ],
)
def test_vtt_passthrough(text: str, expected: str) -> None:
    """VTT passes through with the header ensured."""
    assert subtitles_to_vtt(text, "vtt") == expected
    assert subtitles_to_vtt(text, ".VTT") == expected


def test_unknown_format_raises() -> None:
    """Unknown formats are a programming error."""
    with pytest.raises(ValueError, match="unsupported subtitle format"):
        subtitles_to_vtt("x", "sub")


# =========================================================================== cues


def test_parse_vtt_cues() -> None:
    """Header/NOTE/STYLE/REGION skipped; ids and settings ignored; tags and entities handled."""
    vtt = (
        "WEBVTT - title\n\n"
        "NOTE a comment\nspanning lines\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "REGION\nid:fred\n\n"
        "intro\n00:00:01.000 --> 00:00:02.500 align:start position:10%\n<v Bob>Hello</v> &amp; <i>bye</i>\n\n"
        "00:03.000 --> 00:04.250\nshort stamps\nsecond line\n\n"
        "01:02:03.004 --> 01:02:04.000\n\n"
        "00:00:05.000 --> 00:00:06.000\n<b></b>\n\n"
        "bad timing line\n\n"
        "100:00:00.000 --> 100:00:01.000\nlong\n"
    )
    assert parse_vtt_cues(vtt) == [
        Cue(1.0, 2.5, "Hello & bye"),
        Cue(3.0, 4.25, "short stamps\nsecond line"),
        Cue(360000.0, 360001.0, "long"),
    ]


def test_cues_round_trip_from_srt_and_ass() -> None:
    """Converted SRT/ASS parse back into the expected cues."""
    assert parse_vtt_cues(subtitles_to_vtt(SRT, "srt")) == [
        Cue(1.0, 4.5, "Hello world\nsecond line"),
        Cue(5.0, 6.0, "42"),
        Cue(62.5, 63.25, "A -> B"),
        Cue(3600.0, 3602.0, "Last"),
    ]
    cues = parse_vtt_cues(subtitles_to_vtt(ASS, "ass"))
    assert [c.text for c in cues] == [
        "Hard space & <b>not a tag</b>",
        "Later, with, commas\nsecond line",
        "soft\nbreak",
    ]


def test_parse_vtt_cues_empty() -> None:
    """No cues in an empty or header-only document."""
    assert parse_vtt_cues("") == []
    assert parse_vtt_cues("WEBVTT\n\n") == []


# =========================================================================== reading text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfHello \xc3\xa9", "Hello é"),
        (b"Hello \xc3\xa9", "Hello é"),
        (b"Hello \xe9 \x93quoted\x94", "Hello é “quoted”"),
        ("Hello é".encode("utf-16"), "Hello é"),
    ],
)
def test_read_subtitle_text(tmp_path: Path, data: bytes, expected: str) -> None:
    """Subtitle text is decoded BOM-aware, UTF-8 first, Windows-1252 as fallback."""
    path = tmp_path / "x.srt"
    path.write_bytes(data)
    assert read_subtitle_text(path) == expected


def test_read_subtitle_text_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Oversized subtitle files are refused."""
    monkeypatch.setattr(sidecars, "MAX_SIDECAR_BYTES", 4)
    path = tmp_path / "x.srt"
    path.write_bytes(b"0123456789")
    with pytest.raises(ValueError, match="too large"):
        read_subtitle_text(path)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "text",
    [
        "[Events]\nDialogue: 0,0:00:01.00,0:00:02.00,D,,0,0,0,," + "{" * 100000,
        "[Events]\nDialogue: 0,0:00:01.00,0:00:02.00,D,,0,0,0,," + "{\\" * 50000,
        "00:00:01.000 --> 00:00:02.000\n" + "<" * 100000,
        "<?xml" * 20000,
        "\n" * 100000,
    ],
)
def test_pathological_subtitles_and_nfo_stay_linear(text: str) -> None:
    """Unclosed braces/tags and huge blank runs do not blow up the regexes."""
    for fmt in ("srt", "ass", "vtt"):
        assert subtitles_to_vtt(text, fmt).startswith("WEBVTT")
    parse_vtt_cues(text)
    assert parse_nfo(text) is None
