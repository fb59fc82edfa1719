"""Place every video of a library root by content and name, at any depth (Plex / Jellyfin / Kodi layouts).

:func:`place_tree` takes the whole root's list of video files (paths relative to the root) and
returns one :class:`Placement` per path: a movie, an episode, an extra, or a skip with its reason.
It is pure (no file-system access, no clock except the year used to reject future "years") and
works folder by folder, so that a folder it cannot make sense of only skips its own files.

The rules, in the order they apply (``docs/library-layout.md`` has the user-facing version):

* **Samples** – a file named ``sample`` (``sample.mkv``, ``*-sample``, ``*.sample``, ``* sample``,
  ``sample-*``) or anything below a ``Sample``/``Samples`` folder is skipped, reason ``"sample"``.
* **Flat mode** (``flat=True``, Stash style) – every other file is its own movie titled from its
  file name; no series, extras, stacks or versions.
* **Extras** – below an extras folder (``Extras``, ``Featurettes``, ``Behind The Scenes``,
  ``Deleted Scenes``, ``Trailers``, ``Interviews``, ``Shorts``, ``Scenes``, ``Clips``, ``Other``,
  ``Backdrops``) or named with a suffix (``-trailer``, ``.trailer``, ``_trailer``, `` trailer``,
  ``-featurette``, ``-behindthescenes``, ``-deleted``, ``-deletedscene``, ``-interview``,
  ``-scene``, ``-short``, ``-clip``, ``-other``, ``-extra``) or exactly ``trailer``. An extra
  belongs (``extra_of``) to the movie or series of the folder it stands in. ``Specials`` is not
  an extras folder: it is season 0. The words that are also ordinary collection names
  (``Other``, ``Scenes``, ``Shorts``, ``Interviews``, ``Clips``) only make extras inside a movie
  or series folder.
* **Containers** – the root, folders named ``Movies``, ``Films``, ``TV``, ``TV Shows``,
  ``Series``, ``Shows``, ``Anime``, ``Videos`` … (any case) and folders that merely hold other
  folders (a studio, a collection) are never a movie or a series themselves.
* **Series** – a folder holding season folders (``Season 1``, ``S01``, ``Staffel 2``,
  ``Season 00``, a season pack ``Show.S01.1080p…``; ``Specials``, a bare number or ``Disc 1``
  holding episode-marked files) or episode-release folders (``Show.S01E01…``),
  or holding files with episode markers: ``S01E02``, ``s1e2``, ``1x02``, ``Season 1 Episode 2``,
  multi-episode ``S01E01-E02`` / ``S01E01E02`` / ``S01E01-02``, daily dates ``2011-11-23`` /
  ``2011.11.23`` / ``23-11-2011``, fansub absolute numbers ``[Group] Show - 013``. Files whose
  markers name several different shows make the folder a container of loose episodes instead.
  A series stands at whatever depth it is found; everything below it belongs to it.
  Weak markers (``Show - 013``, ``Episode 5``, ``E05``, a bare ``05 - Title``) count inside a
  series, and make a series of a folder with two or more of them (one is enough below a ``TV``
  / ``Anime`` container). Dates and absolute numbers never make episodes when the root's series
  toggle is off or below a ``Movies``/``Films`` container.
* **Movies** – in any other folder the main files (not extras, not samples) are grouped into
  movies by their cleaned title and year: stacked parts (``cd1``/``cd2``, ``part1``,
  ``disc1``, ``pt1``, ``dvd1``, ``disk1``, or ``a``-``d`` after such a word) and versions
  (``Title (2021) - 1080p`` beside ``Title (2021) - 2160p``, ``{edition-Director's Cut}``) of
  one movie share a ``group``. A folder holding exactly one movie is that movie's folder
  (``group`` is the folder); a folder holding several is a collection and each movie's group is
  the folder plus the movie's own name. DVD/Blu-ray structures (``VIDEO_TS``, ``BDMV``) are parts
  of the movie of the folder above them.
* **Titles** – resolution, source, codec, audio, HDR, edition and release-group tokens and
  ``[tmdbid-…]``/``{imdb-tt…}`` ids are stripped; the year (``(2021)``, ``[2021]``,
  ``.2021.``) is kept separately; ``2001 A Space Odyssey (1968)`` and ``1917 (2019)`` keep their
  numbers. A movie in a folder named like a movie (with a year, an id or release tags) takes the
  folder's title; otherwise the file's.
* **Toggles** – ``movies=False`` skips movies (and their extras), ``series=False`` skips episodes
  (and series extras).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import lru_cache
from operator import itemgetter
from pathlib import PurePosixPath
from typing import Any, Final, Literal, NamedTuple

from .parsing import decode_html_entities, strip_extension

__all__ = [
    "LAYOUT_VERSION",
    "MOVIES_OFF_REASON",
    "SAMPLE_REASON",
    "SERIES_OFF_REASON",
    "ExtraType",
    "NameParts",
    "Placement",
    "PlacementKind",
    "clean_name",
    "forget_names",
    "is_container_name",
    "place_relative",
    "place_tree",
]

PlacementKind = Literal["movie", "episode", "extra", "skip"]
ExtraType = Literal[
    "trailer",
    "featurette",
    "behindthescenes",
    "deleted",
    "interview",
    "short",
    "scene",
    "clip",
    "theme",
    "sample",
    "other",
]

#: The version of these rules: rows placed by older rules (``videos.layout_version``) are placed
#: again by the next scan of their root. Raise it whenever a change moves files that were placed.
LAYOUT_VERSION: Final = 1

#: Skip reason of sample files (``Placement.reason``).
SAMPLE_REASON: Final = "sample"
MOVIES_OFF_REASON: Final = "movies are turned off for this library root"
SERIES_OFF_REASON: Final = "series are turned off for this library root"

# A "year" later than next year is a number in a title (``Blade Runner 2049``), not a release year.
_MAX_YEAR: Final = date.today().year + 1


@dataclass(frozen=True)
class Placement:
    """Where one video file belongs.

    Attributes:
        kind: ``movie``, ``episode``, ``extra`` or ``skip``.
        title: Cleaned display title: the movie's title, the episode's title (``Episode 2`` /
            ``2011-11-23`` when the name has none), the extra's title (its type, ``Trailer``, when
            its name is just the movie's); for a skip, a name to log (the file's).
        year: Release year of a movie (or of an extra's own name), else None.
        series_title: Episodes (and series extras): the series' cleaned title.
        series_year: Episodes: the year in the series folder name (``Doctor Who (2005)``).
        series_folder: Episodes: the series folder relative to the root; None for loose
            episodes (directly in a container or the root), which are grouped by series title.
        season_number: Episodes: season from the file's marker, else the season folder, else
            the air date's year (daily shows), else 1 for absolute numbering; 0 is specials;
            None when nothing says (an unnumbered file in a season-less series folder).
        season_folder: Episodes: the season folder relative to the root, if any.
        episode: Episodes: first episode number (absolute number for anime), else None.
        episode_end: Episodes: last episode of a multi-episode file (``S01E01-E03`` → 3).
        air_date: Episodes of daily shows: the date in the name.
        absolute_episode: Episodes numbered absolutely (``[Group] Show - 013`` → 13).
        group: Stable key shared by every file of one movie (its folder, or for a movie in a
            collection folder ``folder/Title (Year)``) or of one series (its folder, or for
            loose episodes ``folder/Series Title``). Extras and skips have their own key (their
            path without extension). A posix path string, relative to the root.
        part: Stack index (1, 2, …) of a movie or episode split over several files, else None.
        version: Label of one of several versions (``1080p``, ``Director's Cut``), or the
            explicit label of a single file (``Title (2021) - 1080p``), else None.
        extra_type: Extras: ``trailer``, ``featurette``, ``behindthescenes``, ``deleted``,
            ``interview``, ``short``, ``scene``, ``clip``, ``theme`` or ``other``; ``sample``
            on sample skips.
        extra_of: Extras: the ``group`` of the movie or series the extra belongs to, or None
            for a loose extra (e.g. a ``Trailers`` folder directly in a container).
        reason: Skips: why (``"sample"``, a turned-off toggle, a folder that failed).
        rejected: Skips that point at a problem worth a warning (a path outside the root, a
            folder that could not be placed), as opposed to samples and toggles.
    """

    kind: PlacementKind
    title: str = ""
    year: int | None = None
    series_title: str | None = None
    series_year: int | None = None
    series_folder: PurePosixPath | None = None
    season_number: int | None = None
    season_folder: PurePosixPath | None = None
    episode: int | None = None
    episode_end: int | None = None
    air_date: date | None = None
    absolute_episode: int | None = None
    group: str = ""
    part: int | None = None
    version: str | None = None
    extra_type: ExtraType | None = None
    extra_of: str | None = None
    reason: str | None = None
    rejected: bool = False


_PLACEMENT_DEFAULTS: Final[dict[str, object]] = {f.name: f.default for f in fields(Placement)}
_new_object: Final = object.__new__


def _placement(kind: PlacementKind, **values: object) -> Placement:
    """Build a :class:`Placement` without the frozen ``__init__``'s per-field ``object.__setattr__``.

    Same result as ``Placement(kind, **values)`` at half the cost, which is 40 ms on 20,000 paths.
    """
    obj = object.__new__(Placement)
    state = obj.__dict__
    state.update(_PLACEMENT_DEFAULTS)
    state["kind"] = kind
    state.update(values)
    return obj


def _movie(title: str, year: int | None, group: str, part: int | None, version: str | None) -> Placement:
    """``_placement("movie", title=…, year=…, group=…, part=…, version=…)`` without keyword packing."""
    obj = _new_object(Placement)
    state = obj.__dict__
    state.update(_PLACEMENT_DEFAULTS)
    state["kind"] = "movie"
    state["title"] = title
    state["year"] = year
    state["group"] = group
    state["part"] = part
    state["version"] = version
    return obj


def _episode(
    title: str,
    series_title: str | None,
    series_year: int | None,
    series_folder: PurePosixPath | None,
    season_number: int | None,
    season_folder: PurePosixPath | None,
    episode: int | None,
    episode_end: int | None,
    air_date: date | None,
    absolute_episode: int | None,
    group: str,
) -> Placement:
    """An episode's :class:`Placement` as :func:`_placement` makes it, without keyword packing."""
    obj = _new_object(Placement)
    state = obj.__dict__
    state.update(_PLACEMENT_DEFAULTS)
    state["kind"] = "episode"
    state["title"] = title
    state["series_title"] = series_title
    state["series_year"] = series_year
    state["series_folder"] = series_folder
    state["season_number"] = season_number
    state["season_folder"] = season_folder
    state["episode"] = episode
    state["episode_end"] = episode_end
    state["air_date"] = air_date
    state["absolute_episode"] = absolute_episode
    state["group"] = group
    return obj


@dataclass(frozen=True, slots=True)
class NameParts:
    """A file or folder name cleaned into a title.

    Attributes:
        title: The title with release noise, ids, editions and the year removed ("" if nothing
            is left).
        year: The release year, if the name carries one.
        label: An explicit version label: ``{edition-X}``, text after ``Title (Year) -`` or
            ``Title -`` before release tags, or a trailing edition (``Extended Cut``).
        resolution: A resolution token (``1080p``, ``2160p``, ``4K``) if present.
        tagged: True when the name looks deliberately named for a scraper: it has a year, a
            provider id, an edition or release tags.
    """

    title: str
    year: int | None = None
    label: str | None = None
    resolution: str | None = None
    tagged: bool = False


_SET_TITLE, _SET_YEAR, _SET_LABEL, _SET_RESOLUTION, _SET_TAGGED = (
    NameParts.__dict__[name].__set__ for name in ("title", "year", "label", "resolution", "tagged")
)


def _name_parts(title: str, year: int | None, label: str | None, resolution: str | None, tagged: bool) -> NameParts:
    """``NameParts(title, year, label, resolution, tagged)`` through its slots, without the frozen
    ``__init__``'s keyword handling and ``object.__setattr__`` calls (less than half the cost)."""
    parts = _new_object(NameParts)
    _SET_TITLE(parts, title)
    _SET_YEAR(parts, year)
    _SET_LABEL(parts, label)
    _SET_RESOLUTION(parts, resolution)
    _SET_TAGGED(parts, tagged)
    return parts


# --------------------------------------------------------------------------- name cleaning

_ID_TAG_RE: Final = re.compile(
    r"[\[{]\s*(?:tmdb|imdb|tvdb|anidb|tvmaze|anilist|mal|kitsu)(?:id)?\s*[-=:\s]\s*[^\]}]*[\]}]", re.IGNORECASE
)
_IMDB_BARE_RE: Final = re.compile(r"tt(?<![A-Za-z0-9]tt)\d{7,9}(?![0-9])")
_EDITION_RE: Final = re.compile(r"\{\s*edition\s*[-=:]\s*([^}]*)\}", re.IGNORECASE)
_CURLY_RE: Final = re.compile(r"\{[^}]*\}")
_LEADING_GROUP_RE: Final = re.compile(r"^\s*(?:\[(?!\s*(?:18|19|20)\d{2}\s*\])[^\]]*\]\s*)+")
_BRACKETS_RE: Final = re.compile(r"\[[^\]]*\]?")
_PAREN_YEAR_RE: Final = re.compile(r"[(\[]\s*((?:18[89]|19\d|20\d)\d)\s*[)\]]")
_BARE_YEAR_RE: Final = re.compile(r"(?<![A-Za-z0-9])((?:19|20)\d{2})(?![A-Za-z0-9])")
# Case-sensitive patterns run on a lower-cased copy of the name: three times faster than
# ``re.IGNORECASE``. ``_lower`` falls back to the ``…_ANYCASE`` twin when lower-casing would move
# positions (a few non-ASCII letters lower-case to two characters).
_RESOLUTION_PATTERN: Final = r"(?<![a-z0-9])(\d{3,4}[pi]|[48]k)(?![a-z0-9])"
_RESOLUTION_RE: Final = re.compile(_RESOLUTION_PATTERN)
_RESOLUTION_ANYCASE_RE: Final = re.compile(_RESOLUTION_PATTERN, re.IGNORECASE)
# Tokens that only appear in release names: the title ends before the first of them.
_NOISE_PATTERN: Final = (
    r"(?<![a-z0-9])(?:"
    r"\d{3,4}[pi]|[48]k|uhd|hdr(?:10)?\+?|hdr10plus|dolby[ .-]?vision|dovi|sdr|hlg|10[ .-]?bit|8bit|hi10p?"
    r"|blu[ .-]?ray|bdrip|brrip|bdremux|remux|web[ .-]?dl|web[ .-]?rip|hdtv|pdtv|sdtv|dvdrip|dvdscr|dvd[59]|hdrip"
    r"|hdcam|telesync|x26[45]|h[ .]?26[45]|hevc|avc|xvid|divx|av1|vp9"
    r"|aac(?:[ .]?\d[ .]\d)?|e?ac-?3|ddp?(?:[ .]?\d[ .]\d)|dts(?:[ .-]?(?:hd|ma|x))*|truehd|atmos|flac|lpcm"
    r")(?![a-z0-9])"
)
_NOISE_RE: Final = re.compile(_NOISE_PATTERN)
_NOISE_ANYCASE_RE: Final = re.compile(_NOISE_PATTERN, re.IGNORECASE)


def _search(
    lower_re: re.Pattern[str], anycase_re: re.Pattern[str], s: str, pos: int = 0, low: str | None = None
) -> re.Match[str] | None:
    """``anycase_re.search(s, pos)``, run as ``lower_re`` on ``s.lower()`` (or ``low``) when positions allow."""
    if low is None:
        low = s.lower()
    if len(low) == len(s):
        return lower_re.search(low, pos)
    return anycase_re.search(s, pos)


def _noise(s: str, pos: int = 0, low: str | None = None) -> re.Match[str] | None:
    """The first release token at or after ``pos`` (match positions are valid in ``s``)."""
    return _search(_NOISE_RE, _NOISE_ANYCASE_RE, s, pos, low)


# Release words that may stay behind a truncated title (``Movie.PROPER.1080p`` → ``Movie PROPER``).
_WEAK_TAIL_RE: Final = re.compile(
    r"(?:[\s-]+(?:proper|repack|rerip|internal|limited|multi|dubbed|subbed|hybrid|complete|dual(?: audio)?"
    r"|web|dvd|hd|ws|fs|3d|(?:h|f)?sbs|(?:h|f)?tab))+$",
    re.IGNORECASE,
)
# A trailing edition (``Avatar Extended Cut``, ``Alien - Director's Cut``): a version label.
_EDITION_TAIL_RE: Final = re.compile(
    r"(?:\s*-\s*|\s+)("
    r"(?:extended|unrated|uncut|remastered|imax)(?:\s+(?:cut|edition|version))?"
    r"|(?:director'?s|directors|theatrical|special|ultimate|collector'?s|criterion|definitive"
    r"|(?:\d{1,3}th\s+)?anniversary)\s+(?:cut|edition|version)"
    r")$",
    re.IGNORECASE,
)
_ARTICLES: Final = frozenset({"the", "a", "an"})
_EDITION_ENDINGS: Final = ("cut", "edition", "version", "extended", "unrated", "uncut", "remastered", "imax")
_WEAK_TAIL_WORDS: Final = frozenset(
    [
        "proper",
        "repack",
        "rerip",
        "internal",
        "limited",
        "multi",
        "dubbed",
        "subbed",
        "hybrid",
        "complete",
        "dual",
        "audio",
        "web",
        "dvd",
        "hd",
        "ws",
        "fs",
        "3d",
        "sbs",
        "hsbs",
        "fsbs",
        "tab",
        "htab",
        "ftab",
    ]
)
_EMPTY_PARENS_RE: Final = re.compile(r"\(\s*\)")
_DANGLING_RE: Final = re.compile(r"[(\[][^)\]]*$")
_ACRONYM_DOTS_RE: Final = re.compile(r"(?:^|\.)[A-Za-z]\.[A-Za-z](?:\.|$)")  # two one-letter tokens in a row
_ACRONYM_END_RE: Final = re.compile(r"(?:^|[\s(])(?:[A-Za-z]\.){2,}$")
_SPACES_RE: Final = re.compile(r"\s+")
_EDGE_CHARS: Final = " -_.,:;~+"


def _undot(text: str) -> str:
    """Turn a dotted release name into words, keeping acronyms (``S.W.A.T.2017`` → ``S.W.A.T. 2017``)."""
    if not _ACRONYM_DOTS_RE.search(text):
        return " ".join(text.replace(".", " ").split())
    out: list[str] = []
    run: list[str] = []
    for token in text.split("."):
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            out.append(".".join(run) + "." if len(run) > 1 else run[0])
            run = []
        if token:
            out.append(token)
    if run:
        out.append(".".join(run) + "." if len(run) > 1 else run[0])
    return " ".join(out)


def _squash(text: str) -> str:
    """Collapse whitespace and trim separators at both ends (an acronym keeps its last dot)."""
    squashed = " ".join(text.split()).strip(_EDGE_CHARS)
    if squashed and text.rstrip(" -_,:;~+").endswith(".") and _ACRONYM_END_RE.search(squashed + "."):
        squashed += "."
    return squashed


def _clean_label(text: str) -> str | None:
    """A version label from the text after a title: brackets and separators dropped."""
    label = _squash(text.replace("[", " ").replace("]", " ").replace("(", " ").replace(")", " "))
    return label or None


def _prepare(text: str) -> tuple[str, str | None, bool]:
    """Decode entities, pull the edition, drop ids, leading release groups and ``_``/``.`` separators."""
    s = text
    label: str | None = None
    tagged = False
    if "&" in s:
        s = decode_html_entities(s)
    if "{" in s:
        match = _EDITION_RE.search(s)
        if match:
            label = _squash(match.group(1)) or None
            s = f"{s[: match.start()]} {s[match.end() :]}"
            tagged = True
    if "{" in s or "[" in s:
        s, count = _ID_TAG_RE.subn(" ", s)
        tagged = tagged or count > 0
        if "{" in s:
            s = _CURLY_RE.sub(" ", s)
        if s.lstrip().startswith("["):
            s = _LEADING_GROUP_RE.sub("", s)
    if "tt" in s:
        s, count = _IMDB_BARE_RE.subn(" ", s)
        tagged = tagged or count > 0
    if "_" in s:
        s = s.replace("_", " ")
    stripped = s.strip()
    if "." in stripped and " " not in stripped:
        s = _undot(stripped)
    return s, label, tagged


def _first_noise(s: str, low: str | None = None) -> re.Match[str] | None:
    """The first release token that is not the very start of the name (``4K Nature`` keeps ``4K``)."""
    if low is None:
        low = s.lower()
    # _noise, inlined (every name cleaned comes here)
    search, text = (_NOISE_RE.search, low) if len(low) == len(s) else (_NOISE_ANYCASE_RE.search, s)
    match = search(text)
    if match is not None and not s[: match.start()].strip(" -.[("):
        match = search(text, match.end())
    return match


def _cut_year(s: str, limit: int) -> tuple[int | None, int, int]:
    """Find the release year before ``limit``: ``(year, start, end)`` or ``(None, limit, limit)``.

    ``(YYYY)``/``[YYYY]`` wins; else the last bare ``19xx``/``20xx`` that is not the start of
    the name (``2001 A Space Odyssey 1968`` → 1968, ``1917`` alone stays a title).
    """
    if "(" in s or "[" in s:
        found = _PAREN_YEAR_RE.search(s)  # finditer's matches, without its iterator (a third of the cost)
        while found is not None:
            year = int(found.group(1))
            if year <= _MAX_YEAR:
                return year, found.start(), found.end()
            found = _PAREN_YEAR_RE.search(s, found.end())
    if "19" not in s and "20" not in s:
        return None, limit, limit
    chosen: re.Match[str] | None = None
    for match in _BARE_YEAR_RE.finditer(s, 0, limit):
        if int(match.group(1)) > _MAX_YEAR or not s[: match.start()].strip(" -.([,"):
            continue
        chosen = match
    if chosen is None:
        return None, limit, limit
    return int(chosen.group(1)), chosen.start(), chosen.end()


def _finish_title(title: str, *, release: bool) -> tuple[str, str | None]:
    """Drop brackets, empty parens, trailing release words and a trailing edition (returned)."""
    if "[" in title:
        title = _BRACKETS_RE.sub(" ", title)
    if "(" in title:
        title = _EMPTY_PARENS_RE.sub(" ", title)
        title = _DANGLING_RE.sub(" ", title)
    title = _squash(title)
    if release and title and title.rpartition(" ")[2].casefold() in _WEAK_TAIL_WORDS:
        title = _squash(_WEAK_TAIL_RE.sub("", title))
    edition: str | None = None
    match = _EDITION_TAIL_RE.search(title) if title.casefold().endswith(_EDITION_ENDINGS) else None
    if match and match.start() > 0:
        head = _squash(title[: match.start()])
        if head and head.casefold() not in _ARTICLES:
            edition = _squash(match.group(1))
            title = head
    return title, edition


@lru_cache(maxsize=65_536)
def clean_name(text: str) -> NameParts:
    """Clean a file stem or folder name into :class:`NameParts`.

    ``Life.2020.1080p.BluRay.x264-GRP`` → ``Life`` (2020); ``Test Pattern (2021)`` →
    ``Test Pattern`` (2021); ``Title (2021) - 2160p`` → ``Title`` (2021, label ``2160p``);
    ``Blade Runner (1982) {edition-Final Cut} [imdbid-tt0083658]`` → ``Blade Runner`` (1982,
    label ``Final Cut``); ``2001 A Space Odyssey (1968)`` keeps its leading number. Never raises
    for any string.
    """
    s, label, tagged = _prepare(text)
    low = s.lower()
    noise = _first_noise(s, low)
    resolution = None
    if noise is not None:  # a resolution is a release token: it is at or after the first one
        found = _search(_RESOLUTION_RE, _RESOLUTION_ANYCASE_RE, s, noise.start(), low)
        resolution = s[found.start(1) : found.end(1)] if found else None
    limit = noise.start() if noise is not None else len(s)
    year, start, end = _cut_year(s, limit)
    release = noise is not None
    if year is not None:
        tagged = True
        cut = min(start, limit)
        after = s[end:].lstrip()
        if label is None and after[:1] == "-":
            label = _clean_label(after)
    else:
        cut = limit
        head = s[:cut].rstrip()
        if release and head.endswith("-") and label is None:
            label = _clean_label(s[cut:])
    tagged = tagged or release
    title, edition = _finish_title(s[:cut], release=release)
    if label is None and edition is not None:
        label = edition
    return _name_parts(title, year, label, resolution, tagged)


_WORD_RE: Final = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65_536)
def _norm(title: str) -> tuple[str, ...]:
    """Comparison key of a title: case-folded words, apostrophes dropped, ``&`` = ``and``."""
    text = title.casefold().replace("'", "").replace("\u2019", "").replace("&", " and ")
    return tuple(_WORD_RE.findall(text))


def _compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Word-prefix compatibility of two series titles (``avatar`` ~ ``avatar the last airbender``)."""
    if not a or not b:
        return False
    n = min(len(a), len(b))
    return a[:n] == b[:n]


# --------------------------------------------------------------------------- folder names

_CONTAINER_RE: Final = re.compile(
    r"^(?:(?:4k|uhd|hd|sd|kids|family|anime|foreign|animated|classic|my|all|other|misc)[ ._-]+)*"
    r"(?P<word>movies?|films?|tv|tv[ ._-]*(?:shows?|series)|tvshows|series|shows|anime|videos?|cartoons"
    r"|documentar(?:y|ies)|kids|media|downloads|collections?)"
    r"(?:[ ._-]+(?:4k|uhd|hd|sd))*$",
    re.IGNORECASE,
)
_SEASON_NAME_RE: Final = re.compile(
    r"^(?:season|series|saison|staffel|temporada|seizoen|stagione|sezon|kausi|s[æa]son|s[äa]song)[ ._-]*(\d{1,4})"
    r"(?:[ ._-].*)?$",
    re.IGNORECASE,
)
_SEASON_SHORT_RE: Final = re.compile(r"^s(\d{1,4})(?:[ ._-].*)?$", re.IGNORECASE)
_SPECIALS_NAMES: Final = frozenset({"specials", "special", "ova", "ovas", "oad", "oads"})
# ``Show.S01.1080p.BluRay-GRP`` / ``Show Season 2`` / ``Show - Series 3`` (a season pack).
_SEASON_PACK_PATTERN: Final = (
    r"(?:s(?<![a-z0-9]s)(\d{1,2})(?![0-9a-z])"
    r"|(?<![a-z])(?:season|saison|staffel|temporada)[ ._-]*(\d{1,3})(?![0-9]))"
)
_SEASON_PACK_RE: Final = re.compile(_SEASON_PACK_PATTERN)
_SEASON_PACK_ANYCASE_RE: Final = re.compile(_SEASON_PACK_PATTERN, re.IGNORECASE)
_FOLDER_WORD_MAX: Final = 24  # longer names cannot be one of the special folder words below
_BARE_NUMBER_RE: Final = re.compile(r"^\d{1,4}$")  # ``2`` or, for daily shows, ``2011``
# ``Disc 1`` / ``CD2`` / ``Vol 3``: a folder that splits its parent's content, not a title of its own.
_TRANSPARENT_RE: Final = re.compile(r"^(?:cd|dvd|dis[ck]|part|pt|vol(?:ume)?|bd)[ ._-]*\d{1,3}$", re.IGNORECASE)

_EXTRAS_FOLDERS: Final[dict[str, tuple[ExtraType, bool]]] = {
    # normalised name → (type, ambiguous: only an extras folder inside a movie or series)
    "extras": ("other", False),
    "extra": ("other", False),
    "bonus": ("other", False),
    "bonusfeatures": ("other", False),
    "specialfeatures": ("other", False),
    "featurettes": ("featurette", False),
    "featurette": ("featurette", False),
    "behindthescenes": ("behindthescenes", False),
    "deletedscenes": ("deleted", False),
    "deleted": ("deleted", False),
    "trailers": ("trailer", False),
    "trailer": ("trailer", False),
    "backdrops": ("theme", False),
    "interviews": ("interview", True),
    "interview": ("interview", True),
    "shorts": ("short", True),
    "short": ("short", True),
    "scenes": ("scene", True),
    "scene": ("scene", True),
    "clips": ("clip", True),
    "clip": ("clip", True),
    "other": ("other", True),
    "others": ("other", True),
}
_SAMPLE_FOLDERS: Final = frozenset({"sample", "samples"})
_DISC_FOLDERS: Final = frozenset({"videots", "bdmv", "hvdvdts"})
_FOLD_RE: Final = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class _FolderName:
    """What a folder's name alone says."""

    container: bool = False
    hint: str | None = None  # "movies" | "tv" for named containers
    season: int | None = None  # Season N / S01 / Specials / a season pack
    season_prefix: str | None = None  # series title text before a season-pack marker
    strict_season: bool = False  # Season N / S01 / Season 00 (not Specials, not a pack)
    episode_dir: bool = False  # the name itself carries an S01E02-style marker
    episode_prefix: str | None = None
    episode_season: int | None = None
    extras: ExtraType | None = None
    extras_ambiguous: bool = False
    sample: bool = False
    disc: bool = False
    bare_number: int | None = None
    transparent: bool = False


_PLAIN_FOLDER: Final = _FolderName()  # a name that says nothing (most movie and collection folders)
_FOLDER_CACHE: dict[str, _FolderName] = {}


def _folder_name(name: str) -> _FolderName:
    """Classify a folder name (cached; names repeat across series: ``Season 01``, ``Extras``)."""
    cached = _FOLDER_CACHE.get(name)
    if cached is None:
        cached = _folder_name_uncached(name)
        if len(_FOLDER_CACHE) > 50_000:
            _FOLDER_CACHE.clear()
        _FOLDER_CACHE[name] = cached
    return cached


def is_container_name(name: str) -> bool:
    """Whether a folder of this name directly in the root (or in such a folder) is a container
    (``Movies``, ``TV Shows``, ``Videos``…) whatever it holds: its sub-folders and the files
    directly in it are then placed independently of one another."""
    return _folder_name(name).container


def _folder_name_uncached(name: str) -> _FolderName:
    stripped = name.strip()
    folded = _FOLD_RE.sub("", stripped.casefold()) if len(stripped) <= _FOLDER_WORD_MAX else "-"
    if not folded:
        return _PLAIN_FOLDER
    if folded in _SAMPLE_FOLDERS:
        return _FolderName(sample=True)
    if folded in _DISC_FOLDERS:
        return _FolderName(disc=True)
    extras = _EXTRAS_FOLDERS.get(folded)
    if extras is not None:
        return _FolderName(extras=extras[0], extras_ambiguous=extras[1])
    if folded in _SPECIALS_NAMES:
        return _FolderName(season=0)
    match = _CONTAINER_RE.match(stripped)
    if match:
        word = match.group("word").casefold()
        hint = "movies" if word.startswith(("movie", "film")) else None
        if word.startswith(("tv", "show", "series", "anime", "cartoon")):
            hint = "tv"
        return _FolderName(container=True, hint=hint)
    match = _SEASON_NAME_RE.match(stripped) or _SEASON_SHORT_RE.match(stripped)
    if match:
        return _FolderName(season=int(match.group(1)), strict_season=True)
    if _BARE_NUMBER_RE.match(stripped):
        return _FolderName(bare_number=int(stripped))
    if _TRANSPARENT_RE.match(stripped):
        return _FolderName(transparent=True)
    marker = _find_strict_marker(stripped)
    if marker is not None:
        return _FolderName(episode_dir=True, episode_prefix=marker.prefix, episode_season=marker.season)
    if not _DIGIT_RE.search(stripped):
        return _PLAIN_FOLDER
    match = _search(_SEASON_PACK_RE, _SEASON_PACK_ANYCASE_RE, stripped)
    if match and stripped[: match.start()].strip(" ._-"):
        number = int(match.group(1) or match.group(2))
        return _FolderName(season=number, season_prefix=stripped[: match.start()])
    return _PLAIN_FOLDER


# --------------------------------------------------------------------------- episode markers

_DIGIT_RE: Final = re.compile(r"\d")
# ``s`` first (then the boundary check behind it) lets the engine skip to the next "s" quickly.
_SE_PATTERN: Final = r"s(?<![a-z0-9]s)(\d{1,4})[ ._-]*x?e(\d{1,4})(?!\d)"
_SE_RE: Final = re.compile(_SE_PATTERN)
_SE_ANYCASE_RE: Final = re.compile(_SE_PATTERN, re.IGNORECASE)
_CROSS_RE: Final = re.compile(r"(?<![A-Za-z0-9])(\d{1,2})x(\d{2,3})(?![0-9])")
_LONG_RE: Final = re.compile(r"(?<![A-Za-z])season[ ._-]*(\d{1,4})[ ._,-]*episode[ ._-]*(\d{1,4})(?!\d)", re.IGNORECASE)
_MULTI_E_RE: Final = re.compile(r"[ ._]*-?[ ._]*[ex](\d{1,4})(?!\d)", re.IGNORECASE)
_MULTI_RANGE_RE: Final = re.compile(r"-(\d{1,4})(?![0-9A-Za-z])")
_MULTI_REPEAT_RE: Final = re.compile(r"[ ._-]*s(\d{1,4})[ ._-]*e(\d{1,4})(?!\d)", re.IGNORECASE)
# Every character a continuation above can start with (``ſ`` folds to ``s``): a name whose marker
# ends the stem, or is followed by anything else, has no continuation to look for.
_MULTI_STARTS: Final = frozenset(" ._-EeSsXx\u017f")
# A daily-show date, ``YYYY-MM-DD`` (groups 1-3) or ``DD-MM-YYYY`` (groups 4-6), ``-``/``.``/``_``/space.
_DATE_RE: Final = re.compile(
    r"(?<![0-9])(?:((?:19|20)\d{2})[-. _](0[1-9]|1[0-2])[-. _](0[1-9]|[12]\d|3[01])"
    r"|(0[1-9]|[12]\d|3[01])[-. _](0[1-9]|1[0-2])[-. _]((?:19|20)\d{2}))(?![0-9])"
)
_DATE_HINT_RE: Final = re.compile(r"\d[-. _]\d\d[-. _]\d")  # digit-first: a fast pre-check for _DATE_RE
_FANSUB_RE: Final = re.compile(
    r"^\s*\[[^\]]*\][ ._]*(?P<title>.+?)[ ._]+-[ ._]+(?P<num>\d{1,4})(?:v\d)?(?=$|[ ._\[(-])"
)
_DASH_ABS_RE: Final = re.compile(r"^(?P<title>.+?)\s+-\s+(?P<num>\d{1,4})(?:v\d)?(?=$|[\s\[(])")
_EP_WORD_PATTERN: Final = r"e(?<![a-z0-9]e)(?:pisode|p)?[ ._-]?(\d{1,4})(?!\d)"
_EP_WORD_RE: Final = re.compile(_EP_WORD_PATTERN)
_EP_WORD_ANYCASE_RE: Final = re.compile(_EP_WORD_PATTERN, re.IGNORECASE)
_LEADING_NUM_RE: Final = re.compile(r"^(\d{1,4})(?:v\d)?(?:$|[ ._-]+(?P<rest>.*)$)")
_TRAILING_NUM_RE: Final = re.compile(r"^(?P<title>.*?[^\d\s._-])[ ._-]+(?P<num>\d{1,4})(?:v\d)?$")
_PREFIX_SEASON_RE: Final = re.compile(
    r"[ ._-]+(?:s(\d{1,2})|season[ ._-]*(\d{1,2})|(\d)(?:st|nd|rd|th)[ ._-]+season)$", re.IGNORECASE
)
_PART_WORD_RE: Final = re.compile(r"^(?:part|pt|cd|disc|disk|dvd)[ ._-]*(\d{1,2}|[a-d])$", re.IGNORECASE)


class _Marker(NamedTuple):
    """An episode marker found in a name (a tuple: built for most files, so it must be cheap)."""

    kind: str  # "se" | "cross" | "long" | "date" | "fansub" | "dash" | "word" | "leading" | "trailing"
    prefix: str  # text before the marker (the series title in loose files)
    after: str  # text after the marker (the episode title)
    season: int | None = None
    episode: int | None = None
    episode_end: int | None = None
    air_date: date | None = None
    absolute: int | None = None


def _multi_end(text: str, pos: int, season: int, first: int) -> tuple[int, int | None]:
    """Follow ``E02``/``-E02``/``-02``/``-S01E02`` continuations: ``(end pos, last episode or None)``."""
    last, end_episode = first, None
    size = len(text)
    for _ in range(50):
        if pos >= size or text[pos] not in _MULTI_STARTS:
            break
        number: int | None = None
        match = _MULTI_E_RE.match(text, pos) or _MULTI_RANGE_RE.match(text, pos)
        if match:
            number = int(match.group(1))
        else:
            match = _MULTI_REPEAT_RE.match(text, pos)
            if match and int(match.group(1)) == season:
                number = int(match.group(2))
        if match is None or number is None or number <= last:
            break
        last = end_episode = number
        pos = match.end()
    return pos, end_episode


def _valid_date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


_new_tuple: Final = tuple.__new__


def _find_strict_marker(stem: str) -> _Marker | None:
    """``S01E02`` (with multi-episode continuations), ``1x02`` or ``Season 1 Episode 2``."""
    low = stem.lower()  # as _search does, inlined: most names are looked at once, by this
    match = _SE_RE.search(low) if len(low) == len(stem) else _SE_ANYCASE_RE.search(stem)
    if match:
        season_text, episode_text = match.groups()
        season, episode = int(season_text), int(episode_text)
        end = match.end()
        episode_end = None
        if end < len(stem) and stem[end] in _MULTI_STARTS:  # else nothing can follow (_multi_end)
            end, episode_end = _multi_end(stem, end, season, episode)
        # the tuple itself: _Marker's keyword-taking __new__ costs as much as the search
        return _new_tuple(_Marker, ("se", stem[: match.start()], stem[end:], season, episode, episode_end, None, None))
    match = _CROSS_RE.search(stem) if "x" in stem else None
    if match:
        season, episode = int(match.group(1)), int(match.group(2))
        end, episode_end = _multi_end(stem, match.end(), season, episode)
        return _Marker("cross", stem[: match.start()], stem[end:], season, episode, episode_end)
    match = _LONG_RE.search(stem) if "pisode" in stem or "PISODE" in stem else None
    if match:
        return _Marker("long", stem[: match.start()], stem[match.end() :], int(match.group(1)), int(match.group(2)))
    return None


def _find_loose_marker(stem: str) -> _Marker | None:
    """A daily date (``2011-11-23``, ``2011.11.23``, ``23-11-2011``) or ``[Group] Show - 013``."""
    if _DATE_HINT_RE.search(stem):
        for match in _DATE_RE.finditer(stem):
            if match.group(1):
                day = _valid_date(match.group(1), match.group(2), match.group(3))
            else:
                day = _valid_date(match.group(6), match.group(5), match.group(4))
            if day is not None:
                return _Marker("date", stem[: match.start()], stem[match.end() :], air_date=day)
    if stem.lstrip().startswith("["):
        match = _FANSUB_RE.match(stem)
        if match:
            number = int(match.group("num"))
            title = match.group("title")
            season = None
            season_match = _PREFIX_SEASON_RE.search(title)
            if season_match:
                season = int(season_match.group(1) or season_match.group(2) or season_match.group(3))
                title = title[: season_match.start()]
            absolute = number if season is None else None
            return _Marker("fansub", title, stem[match.end() :], season=season, episode=number, absolute=absolute)
    return None


def _not_year(number: int, digits: str) -> bool:
    return not (len(digits) == 4 and 1900 <= number <= 2099)


def _find_weak_marker(stem: str, *, in_series: bool) -> _Marker | None:
    """A weak marker: ``Show - 013``, ``Episode 5``/``Ep05``/``E05``; in a series also a leading
    (``05 - Title``) or trailing (``Show 013``) number. Years and release tokens never count."""
    text = stem
    if "[" in text:
        text = _LEADING_GROUP_RE.sub("", text)
        text = _BRACKETS_RE.sub(" ", text)
    if not _DIGIT_RE.search(text):
        return None
    if not in_series and " -" not in text and _search(_EP_WORD_RE, _EP_WORD_ANYCASE_RE, text) is None:
        return None  # the common case outside a series: a movie name, no need to look for release tokens
    noise = _first_noise(text)
    scratch = text if noise is None else text[: noise.start()]
    match = _DASH_ABS_RE.match(scratch)
    if match and _not_year(int(match.group("num")), match.group("num")):
        number = int(match.group("num"))
        return _Marker("dash", match.group("title"), scratch[match.end() :], episode=number, absolute=number)
    match = _search(_EP_WORD_RE, _EP_WORD_ANYCASE_RE, scratch)
    if match:
        return _Marker("word", scratch[: match.start()], scratch[match.end() :], episode=int(match.group(1)))
    if not in_series:
        return None
    s = scratch.strip()
    match = _LEADING_NUM_RE.match(s)
    if match and _not_year(int(match.group(1)), match.group(1)):
        return _Marker("leading", "", match.group("rest") or "", episode=int(match.group(1)))
    match = _TRAILING_NUM_RE.match(s)
    if match and _not_year(int(match.group("num")), match.group("num")):
        number = int(match.group("num"))
        return _Marker("trailing", match.group("title"), "", episode=number, absolute=number)
    return None


@lru_cache(maxsize=16_384)
def _episode_title(after: str) -> str | None:
    """The episode title after a marker (``- The Title.720p.WEB`` → ``The Title``)."""
    if not after.strip(_EDGE_CHARS + "[]()"):
        return None
    s, _label, _tagged = _prepare(after)
    noise = _noise(s)
    if noise is not None:
        s = s[: noise.start()]
    title, _edition = _finish_title(s, release=noise is not None)
    return title or None


# --------------------------------------------------------------------------- file names

_SAMPLE_PREFIXES: Final = ("sample ", "sample.", "sample_", "sample-")
_SAMPLE_SUFFIXES: Final = (" sample", ".sample", "_sample", "-sample")
_EXTRA_WORDS: Final = (
    "trailer",
    "featurette",
    "behindthescenes",
    "deleted",
    "deletedscene",
    "interview",
    "scene",
    "short",
    "clip",
    "other",
    "extra",
)
_EXTRA_LAST_LETTERS: Final = frozenset(word[-1] for word in _EXTRA_WORDS)
_EXTRA_SUFFIX_RE: Final = re.compile(
    r"(?:\s*-\s*(?P<dash>trailer|featurette|behindthescenes|deleted(?:scene)?|interview|scene|short|clip|other|extra)"
    r"|[._ ](?P<loose>trailer))$",
    re.IGNORECASE,
)
_EXTRA_SUFFIX_TYPES: Final[dict[str, ExtraType]] = {
    "trailer": "trailer",
    "featurette": "featurette",
    "behindthescenes": "behindthescenes",
    "deleted": "deleted",
    "deletedscene": "deleted",
    "interview": "interview",
    "scene": "scene",
    "short": "short",
    "clip": "clip",
    "other": "other",
    "extra": "other",
}
_EXTRA_LABELS: Final[dict[str, str]] = {
    "trailer": "Trailer",
    "featurette": "Featurette",
    "behindthescenes": "Behind the Scenes",
    "deleted": "Deleted Scene",
    "interview": "Interview",
    "short": "Short",
    "scene": "Scene",
    "clip": "Clip",
    "theme": "Theme",
    "sample": "Sample",
    "other": "Extra",
}
_STACK_RE: Final = re.compile(
    r"^(?P<title>.*?)(?:[ _.-]*)(?<![A-Za-z])(?P<word>cd|dvd|part|pt|dis[ck])[ _.-]*(?P<num>\d{1,2}|[a-d])"
    r"(?P<rest>(?![0-9A-Za-z]).*)$",
    re.IGNORECASE,
)
_GENERIC_TITLES: Final = frozenset(
    {(), ("movie",), ("film",), ("video",), ("main",), ("feature",), ("title",), ("untitled",), ("index",)}
)
_VTS_RE: Final = re.compile(r"^(?:vts \d+ \d+|video ts|\d{5})$", re.IGNORECASE)


def _vts_shaped(key: tuple[str, ...]) -> bool:
    """Whether the words of ``key`` have the lengths ``_VTS_RE`` needs (``vts 1 2``, ``video ts``,
    ``12345``): its one-character-per-character literals and digit runs cannot match others."""
    count = len(key)
    if count == 1:
        return len(key[0]) == 5
    if count == 2:
        return len(key[0]) == 5 and len(key[1]) == 2
    return count == 3 and len(key[0]) == 3


@dataclass(slots=True)
class _Movie:
    """A file's movie identity.

    ``parts`` is the whole name cleaned (``Kill Bill Part 1``); ``stacked`` the name without its
    part marker (``Kill Bill``), used when the file turns out to be one of a stack.
    """

    parts: NameParts
    stacked: NameParts
    key: tuple[str, ...]
    stack_key: str | None
    stack_index: int | None
    generic: bool


class _File:
    """One file name's analysis, shared by every folder holding a file of that name."""

    __slots__ = ("_marker", "_movie", "_weak", "extra_base", "extra_type", "name", "sample", "stem")

    def __init__(self, name: str) -> None:
        self.name = name
        head, dot, ext = name.rpartition(".")
        if dot and head and 0 < len(ext) <= 5 and ext.isascii() and ext.isalnum() and not ext.isdigit():
            stem = head
        else:
            stem = strip_extension(name)
        stripped = stem.strip()
        if not stripped:
            stem, stripped = name, name.strip()
        self.stem = stem
        folded = stripped.casefold()
        last = folded[-1:]  # most names end in none of the letters the words below end in
        self.sample = sample = (
            last == "e" and (folded == "sample" or folded.endswith(_SAMPLE_SUFFIXES))
        ) or folded.startswith(_SAMPLE_PREFIXES)
        self.extra_type: ExtraType | None = None
        self.extra_base = ""
        if folded == "trailer":
            self.extra_type = "trailer"
        elif not sample and last in _EXTRA_LAST_LETTERS and folded.endswith(_EXTRA_WORDS):
            match = _EXTRA_SUFFIX_RE.search(stem)
            if match and match.start() > 0:
                word = (match.group("dash") or match.group("loose")).casefold()
                self.extra_type = _EXTRA_SUFFIX_TYPES[word]
                self.extra_base = stem[: match.start()]
        self._marker: tuple[_Marker | None, _Marker | None] | None = None
        self._weak: dict[bool, _Marker | None] | None = None  # made when first asked (few files are)
        self._movie: _Movie | None = None

    def marker(self, loose: bool) -> _Marker | None:
        """The strong episode marker; dates and fansub numbers only when ``loose``."""
        found = self._marker
        if found is None:
            strict = _find_strict_marker(self.stem)
            found = self._marker = (strict, strict if strict is not None else _find_loose_marker(self.stem))
        return found[1] if loose else found[0]

    def weak(self, in_series: bool) -> _Marker | None:
        """The weak episode marker (:func:`_find_weak_marker`), worked out once per ``in_series``."""
        known = self._weak
        if known is None:
            known = self._weak = {}
        if in_series not in known:
            known[in_series] = _find_weak_marker(self.stem, in_series=in_series)
        return known[in_series]

    def movie(self) -> _Movie:
        """The file's movie identity (:func:`_movie_identity`), worked out once."""
        movie = self._movie
        if movie is None:
            movie = self._movie = _movie_identity(self.stem)
        return movie


def _movie_identity(stem: str) -> _Movie:
    stack_key: str | None = None
    stack_index: int | None = None
    parts = clean_name(stem)
    stacked = parts
    folded = stem.casefold()
    hint = "cd" in folded or "dvd" in folded or "pt" in folded or "part" in folded or "dis" in folded
    match = _STACK_RE.match(stem) if hint else None
    if match:
        number = match.group("num")
        stack_index = int(number) if number.isdigit() else "abcd".index(number.casefold()) + 1
        stack_key = f"{match.group('title')}\x00{match.group('rest')}".casefold()
        stacked = clean_name(f"{match.group('title')} {match.group('rest')}")
    key = _norm(stacked.title)
    generic = key in _GENERIC_TITLES or (_vts_shaped(key) and bool(_VTS_RE.match(" ".join(key))))
    return _Movie(parts, stacked, key, stack_key, stack_index, generic)


# --------------------------------------------------------------------------- the tree


@dataclass(slots=True)
class _Series:
    folder: str | None  # None: loose episodes, grouped by title under ``base``
    title: str | None
    year: int | None
    base: str


@dataclass(slots=True)
class _Ctx:
    """What a folder's ancestors and name make of the files in it."""

    path: str
    container: bool = False
    hint: str | None = None
    sample: bool = False
    extras: ExtraType | None = None
    extras_owner: str | None = None
    extras_owner_kind: str | None = None  # "movie" | "series" | None
    disc_owner: str | None = None
    series: _Series | None = None
    season: int | None = None
    season_folder: str | None = None
    broken: str | None = None


@dataclass(slots=True)
class _Unit:
    """One movie found among a folder's files."""

    key: tuple[str, ...]
    year: int | None
    generic: bool
    members: list[tuple[PurePosixPath, _File]] = field(default_factory=list)
    identity: tuple[str, int | None, dict[int, int]] | None = None  # memo of _unit_identity


def _real_subfolder(name: str) -> bool:
    """A sub-folder with videos of its own (not extras, samples, a disc structure or ``CD1``)."""
    info = _folder_name(name)
    return not (info.sample or info.disc or info.transparent or info.extras is not None)


_by_name: Final = itemgetter(1)  # a (key, file name) pair's name, to sort by


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _parent(folder: str) -> str:
    return folder.rpartition("/")[0]


def _basename(folder: str) -> str:
    return folder.rpartition("/")[2]


def _skip(
    reason: str, *, title: str = "", group: str = "", rejected: bool = False, extra_type: ExtraType | None = None
) -> Placement:
    return _placement("skip", title=title, group=group, reason=reason, rejected=rejected, extra_type=extra_type)


def _split_path(raw: PurePosixPath | str, str_keys: bool = False) -> tuple[Any, str, str, str | None]:
    """``(key, folder, file name, problem)`` for one input path; folder is ``a/b`` ('' = root).
    The key is ``PurePosixPath(raw)``, or ``raw`` itself with ``str_keys``."""
    text = raw if isinstance(raw, str) else str(raw)
    key = text if str_keys else raw if isinstance(raw, PurePosixPath) else PurePosixPath(text)
    if text.startswith("/"):
        return key, "", "", "path is absolute; expected a path relative to the library root"
    if "//" not in text and "./" not in text and not text.endswith(("/", "/.", "/..")) and text not in ("", ".", ".."):
        folder, _, name = text.rpartition("/")
        return key, folder, name, None
    stack: list[str] = []
    for segment in text.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not stack:
                return key, "", "", "path leaves the library root ('..')"
            stack.pop()
            continue
        stack.append(segment)
    if not stack:
        return key, "", "", "empty path: not a file inside the library root"
    return key, "/".join(stack[:-1]), stack[-1], None


class _Planner:
    """One run of :func:`place_tree`: the tree, per-folder contexts and placements."""

    def __init__(self, *, movies: bool, series: bool, flat: bool, str_keys: bool = False) -> None:
        self.str_keys = str_keys
        self.movies = movies
        self.series = series
        self.flat = flat
        self.files: dict[str, list[tuple[PurePosixPath, str]]] = {}
        self.children: dict[str, set[str]] = {}
        self.ctx: dict[str, _Ctx] = {"": _Ctx(path="", container=True)}
        self.names: dict[str, _File] = {}
        self.units: dict[str, tuple[list[_Unit], _Unit | None]] = {}
        self.disc_members: dict[str, dict[PurePosixPath, int]] = {}
        self.paths: dict[str, PurePosixPath] = {}

    # ----------------------------------------------------------------- input

    def file(self, name: str) -> _File:
        info = self.names.get(name)
        if info is None:
            info = self.names[name] = _File(name)
        return info

    def load(self, paths: Iterable[PurePosixPath | str], out: dict[PurePosixPath, Placement]) -> None:
        files = self.files
        str_keys = self.str_keys
        for raw in paths:
            if (  # _split_path's answer for a clean relative str key, inlined (the scan's every path)
                str_keys
                and type(raw) is str
                and raw[:1] not in ("/", "")
                and "//" not in raw
                and "./" not in raw
                and not raw.endswith(("/", "/.", "/.."))
                and raw not in (".", "..")
            ):
                folder, _, name = raw.rpartition("/")
                bucket = files.get(folder)
                if bucket is None:
                    files[folder] = [(raw, name)]
                else:
                    bucket.append((raw, name))
                continue
            try:
                key, folder, name, problem = _split_path(raw, str_keys)
            except Exception as exc:  # an object that is no path at all
                out[PurePosixPath(str(raw))] = _skip(f"unusable path: {type(exc).__name__}: {exc}", rejected=True)
                continue
            if problem is not None:
                out[key] = _skip(problem, rejected=True)
                continue
            bucket = files.get(folder)
            if bucket is None:
                files[folder] = [(key, name)]
            else:
                bucket.append((key, name))
        children = self.children
        for folder in files:
            while folder:
                parent, _, name = folder.rpartition("/")
                kids = children.get(parent)
                if kids is None:
                    children[parent] = {name}
                elif name in kids:
                    break
                else:
                    kids.add(name)
                folder = parent

    # ----------------------------------------------------------------- contexts

    def context(self, folder: str) -> _Ctx:
        known = self.ctx.get(folder)
        if known is not None:
            return known
        chain: list[str] = []
        current = folder
        while current not in self.ctx:
            chain.append(current)
            current = _parent(current)
        for path in reversed(chain):
            parent = self.ctx[_parent(path)]
            if parent.broken is not None:
                parent = _Ctx(path=parent.path, container=True, hint=parent.hint)
            try:
                self.ctx[path] = self.derive(path, parent)
            except Exception as exc:
                self.ctx[path] = _Ctx(path=path, broken=f"could not place folder {path!r}: {type(exc).__name__}: {exc}")
        return self.ctx[folder]

    def derive(self, path: str, parent: _Ctx) -> _Ctx:
        name = _basename(path)
        info = _folder_name(name)
        if parent.sample or info.sample:
            return _Ctx(path=path, sample=True)
        if parent.extras is not None:
            return _Ctx(
                path=path,
                extras=info.extras or parent.extras,
                extras_owner=parent.extras_owner,
                extras_owner_kind=parent.extras_owner_kind,
                series=parent.series,
            )
        if parent.disc_owner is not None:
            return _Ctx(path=path, disc_owner=parent.disc_owner)
        if info.disc:
            return _Ctx(path=path, disc_owner=path if parent.container or parent.series else parent.path)
        if info.extras is not None:
            owner, kind = self.extras_owner(parent)
            if owner is not None or not info.extras_ambiguous:
                return _Ctx(
                    path=path,
                    extras=info.extras,
                    extras_owner=owner,
                    extras_owner_kind=kind,
                    series=parent.series if kind == "series" else None,
                )
        if parent.series is not None:
            season, season_folder = parent.season, parent.season_folder
            if info.season is not None:
                season, season_folder = info.season, path
            elif info.episode_dir and info.episode_season is not None and season is None:
                season = info.episode_season
            elif (
                info.bare_number is not None
                and parent.season is None
                and parent.series.folder is not None
                and parent.path == parent.series.folder
            ):
                season, season_folder = info.bare_number, path
            return _Ctx(path=path, hint=parent.hint, series=parent.series, season=season, season_folder=season_folder)
        if info.container:
            return _Ctx(path=path, container=True, hint=info.hint or parent.hint)
        if info.transparent and not parent.container and not self.is_series(path, name, parent.hint):
            # CD1/CD2 or Disc 1 folders inside a movie folder: parts of that movie
            return _Ctx(path=path, disc_owner=parent.path)
        if info.season is not None:
            if info.season == 0 and info.season_prefix is None and not parent.container:
                # a "Specials" folder in a movie folder: the movie's extras
                owner, kind = self.extras_owner(parent)
                if owner is not None:
                    return _Ctx(path=path, extras="other", extras_owner=owner, extras_owner_kind=kind)
            title, year = self.series_name(info.season_prefix)
            loose = _Series(folder=None, title=title, year=year, base=parent.path)
            return _Ctx(path=path, hint=parent.hint, series=loose, season=info.season, season_folder=path)
        if info.episode_dir:
            title, year = self.series_name(info.episode_prefix)
            loose = _Series(folder=None, title=title, year=year, base=parent.path)
            return _Ctx(path=path, hint=parent.hint, series=loose, season=info.episode_season)
        if self.is_series(path, name, parent.hint):
            parts = clean_name(name)
            own = _Series(folder=path, title=parts.title or _squash(name) or name, year=parts.year, base=path)
            return _Ctx(path=path, hint=parent.hint, series=own)
        return _Ctx(path=path, hint=parent.hint)

    @staticmethod
    def series_name(prefix: str | None) -> tuple[str | None, int | None]:
        if not prefix:
            return None, None
        parts = clean_name(prefix)
        return (parts.title or None), parts.year

    def loose_allowed(self, hint: str | None) -> bool:
        """Dates and absolute numbers make episodes only where series are scanned and not below Movies/."""
        return self.series and hint != "movies"

    def is_series(self, path: str, name: str, hint: str | None) -> bool:
        """A folder with season folders, episode-release folders or episode-marked files."""
        try:
            for kid in self.children.get(path, ()):
                info = _folder_name(kid)
                if info.episode_dir or info.strict_season or (info.season is not None and info.season_prefix):
                    return True
                if (info.season is not None or info.bare_number is not None or info.transparent) and self.has_markers(
                    _join(path, kid), hint
                ):
                    return True
            files = self.files.get(path)
            if not files:
                return False
            loose = self.loose_allowed(hint)
            strong: list[tuple[str, ...]] = []
            strong_count = 0
            weak: set[int] = set()
            weak_titles: list[tuple[str, ...]] = []
            for _key, file_name in files:
                info_file = self.file(file_name)
                if info_file.sample or info_file.extra_type is not None:
                    continue
                marker = info_file.marker(loose)
                if marker is not None:
                    strong_count += 1
                    prefix = _norm(clean_name(marker.prefix).title) if marker.prefix.strip(_EDGE_CHARS) else ()
                    if prefix:
                        strong.append(prefix)
                elif loose:
                    weak_marker = info_file.weak(False)
                    if weak_marker is not None and weak_marker.episode is not None:
                        weak.add(weak_marker.episode)
                        weak_titles.append(_norm(clean_name(weak_marker.prefix).title))
            if strong_count:
                distinct = set(strong)
                if len(distinct) <= 1:
                    return True
                own = _norm(clean_name(name).title)
                if any(_compatible(prefix, own) for prefix in distinct):
                    return True
                clusters: list[tuple[str, ...]] = []
                for prefix in sorted(distinct, key=len):
                    if not any(_compatible(prefix, seen) for seen in clusters):
                        clusters.append(prefix)
                return len(clusters) < 2
            if weak and (len(weak) >= 2 or hint == "tv"):
                titled = {t for t in weak_titles if t}
                return len(titled) <= 1 or hint == "tv"
            return False
        except Exception:
            return False

    def has_markers(self, path: str, hint: str | None) -> bool:
        """Whether a folder directly holds a file with a strong episode marker."""
        loose = self.loose_allowed(hint)
        return any(self.file(name).marker(loose) is not None for _key, name in self.files.get(path, ()))

    def extras_owner(self, parent: _Ctx) -> tuple[str | None, str | None]:
        """The group an extras folder inside ``parent`` belongs to."""
        if parent.series is not None:
            if parent.series.folder is not None:
                return parent.series.folder, "series"
            if parent.series.title:
                return _join(parent.series.base, parent.series.title), "series"
            return None, None
        if parent.container or parent.path == "" or parent.broken is not None:
            return None, None
        try:
            units, folder_unit = self.movie_units(parent.path)
        except Exception:
            return None, None
        if folder_unit is not None:
            return parent.path, "movie"
        if not units and clean_name(_basename(parent.path)).tagged:
            return parent.path, "movie"
        return None, None

    # ----------------------------------------------------------------- movies

    def movie_units(self, folder: str) -> tuple[list[_Unit], _Unit | None]:
        """Group a plain folder's main files into movies: ``(units, the folder's own movie or None)``."""
        cached = self.units.get(folder)
        if cached is not None:
            return cached
        ctx = self.context(folder)
        loose = self.loose_allowed(ctx.hint)
        units: list[_Unit] = []
        by_stack: dict[str, _Unit] = {}
        by_key: dict[tuple[tuple[str, ...], bool], list[_Unit]] = {}
        files = self.files.get(folder, ())
        names = self.names
        for key, name in sorted(files, key=_by_name) if len(files) > 1 else files:
            info = names.get(name) or self.file(name)
            if info.sample or info.extra_type is not None or info.marker(loose) is not None:
                continue
            movie = info.movie()
            year = movie.stacked.year
            unit = by_stack.get(movie.stack_key) if movie.stack_key is not None else None
            if unit is None:
                # a name that cleans to nothing ("(2019)", "...") is a movie of its own
                ident = (movie.key or (info.stem,), movie.generic)
                same = by_key.get(ident)
                if same is None:  # the common case: the first file of its title
                    unit = _Unit(movie.key, year, movie.generic, [(key, info)])
                    units.append(unit)
                    by_key[ident] = [unit]
                    if movie.stack_key is not None:
                        by_stack.setdefault(movie.stack_key, unit)
                    continue
                for candidate in same:
                    if candidate.year is None or year is None or candidate.year == year:
                        unit = candidate
                        break
                if unit is None:
                    unit = _Unit(movie.key, year, movie.generic, [])
                    units.append(unit)
                    same.append(unit)
            elif unit.year is None:
                unit.year = movie.stacked.year
            if movie.stack_key is not None:
                by_stack.setdefault(movie.stack_key, unit)
            unit.members.append((key, info))
        folder_unit: _Unit | None = None
        if folder and not ctx.container and units:
            kids = self.children.get(folder)
            real_kids = kids is not None and any(_real_subfolder(kid) for kid in kids)
            if len(units) == 1 and not real_kids:
                folder_unit = units[0]
                self.units[folder] = (units, folder_unit)
                return units, folder_unit
            own = clean_name(_basename(folder))
            own_key = _norm(own.title)
            matching = [
                u
                for u in units
                if u.generic or (u.key == own_key and (u.year is None or own.year is None or u.year == own.year))
            ]
            if own.tagged and matching:
                folder_unit = matching[0]
                for other in matching[1:]:
                    folder_unit.members.extend(other.members)
                    units.remove(other)
        result = (units, folder_unit)
        self.units[folder] = result
        return result

    def folder_path(self, folder: str | None) -> PurePosixPath | None:
        """A folder as a shared :class:`PurePosixPath` (one object per folder for all its files)."""
        if not folder:
            return None
        known = self.paths.get(folder)
        if known is None:
            known = self.paths[folder] = PurePosixPath(folder)
        return known

    # ----------------------------------------------------------------- placement

    def place_folder(self, folder: str, out: dict[PurePosixPath, Placement]) -> None:
        files = self.files[folder]
        ctx = self.context(folder)
        if ctx.broken is not None:
            for key, name in files:
                out[key] = _skip(ctx.broken, title=self.file(name).stem, rejected=True)
            return
        remaining: list[tuple[PurePosixPath, _File]] = []
        names = self.names
        in_sample = ctx.sample
        for key, name in files:
            info = names.get(name)
            if info is None:  # self.file(name), inlined
                info = names[name] = _File(name)
            if in_sample or info.sample:
                out[key] = _skip(SAMPLE_REASON, title=info.stem, group=_join(folder, info.stem), extra_type="sample")
            else:
                remaining.append((key, info))
        if not remaining:
            return
        if self.flat:
            for key, info in remaining:
                parts = clean_name(info.stem)
                title = parts.title or _squash(info.stem) or info.stem
                self.emit_movie(out, key, title=title, year=parts.year, group=_join(folder, info.stem))
            return
        if ctx.extras is not None:
            for key, info in remaining:
                self.emit_extra(
                    out, key, folder, info, ctx.extras, ctx.extras_owner, ctx.extras_owner_kind, series=ctx.series
                )
            return
        if ctx.disc_owner is not None:
            self.place_disc(folder, ctx, out)
            return
        if ctx.series is not None:
            self.place_episodes(folder, ctx, remaining, out)
            return
        self.place_plain(folder, ctx, remaining, out)

    def place_disc(self, folder: str, ctx: _Ctx, out: dict[PurePosixPath, Placement]) -> None:
        owner = ctx.disc_owner or folder
        if not self.disc_members:
            found: dict[str, list[PurePosixPath]] = {}
            for disc_folder, files in self.files.items():
                disc_owner = self.context(disc_folder).disc_owner
                if disc_owner is not None:
                    found.setdefault(disc_owner, []).extend(k for k, n in files if not self.file(n).sample)
            for found_owner, keys in found.items():
                self.disc_members[found_owner] = {key: i for i, key in enumerate(sorted(keys), 1)}
        index = self.disc_members.get(owner, {})
        members_count = len(index)
        parts = clean_name(_basename(owner))
        title = parts.title or _squash(_basename(owner)) or "Untitled"
        for key, _name in self.files[folder]:
            if key in out:
                continue
            part = index.get(key) if members_count > 1 else None
            self.emit_movie(out, key, title=title, year=parts.year, group=owner, part=part)

    def emit_movie(
        self,
        out: dict[PurePosixPath, Placement],
        key: PurePosixPath,
        *,
        title: str,
        year: int | None,
        group: str,
        part: int | None = None,
        version: str | None = None,
    ) -> None:
        if not self.movies:
            out[key] = _skip(MOVIES_OFF_REASON, title=title, group=group)
            return
        out[key] = _movie(title, year, group, part, version)

    def emit_extra(
        self,
        out: dict[PurePosixPath, Placement],
        key: PurePosixPath,
        folder: str,
        info: _File,
        extra_type: ExtraType,
        owner: str | None,
        owner_kind: str | None,
        *,
        series: _Series | None = None,
    ) -> None:
        base = info.extra_base if info.extra_base and info.extra_type is not None else info.stem
        parts = clean_name(base)
        owner_title = series.title if series is not None else clean_name(_basename(owner)).title if owner else None
        title = parts.title
        if (
            not title
            or info.stem.strip().casefold() == "trailer"
            or (owner_title and _norm(title) == _norm(owner_title))
        ):
            title = _EXTRA_LABELS[extra_type]
        group = _join(folder, info.stem)
        if (owner_kind == "series" and not self.series) or (owner_kind != "series" and not self.movies):
            out[key] = _skip(
                SERIES_OFF_REASON if owner_kind == "series" else MOVIES_OFF_REASON, title=title, group=group
            )
            return
        out[key] = _placement(
            "extra",
            title=title,
            year=parts.year,
            series_title=series.title if series is not None else None,
            series_year=series.year if series is not None else None,
            series_folder=PurePosixPath(series.folder) if series is not None and series.folder else None,
            group=group,
            extra_type=extra_type,
            extra_of=owner,
        )

    def place_episodes(
        self, folder: str, ctx: _Ctx, remaining: list[tuple[PurePosixPath, _File]], out: dict[PurePosixPath, Placement]
    ) -> None:
        series = ctx.series
        assert series is not None
        loose = self.loose_allowed(ctx.hint) or series.folder is not None
        fallback_title = _basename(series.base) if series.base else "Unknown series"
        season_folder = self.folder_path(ctx.season_folder)
        series_folder = self.folder_path(series.folder)
        # what the series decides for every file (the common case: a titled series folder)
        s_title, s_year = series.title, series.year
        titled = s_title is not None
        group = (series.folder or _join(series.base, s_title)) if titled else ""
        word_season = series.folder is not None  # "E05" / "05 - Title" in a series folder: season 1
        folder_season = ctx.season
        placed: list[tuple[PurePosixPath, Placement, str | None, str | None]] = []
        by_episode: dict[tuple[str, int | None, int | None, date | None], list[int]] = {}
        shared = False  # parts, or files that name one episode: finish_episodes works them out
        for key, info in remaining:
            if info.extra_type is not None:
                marker = info.marker(loose) if info.extra_base else None
                title = series.title or (self.series_name(marker.prefix)[0] if marker else None)
                title = title or self.series_name(info.extra_base)[0] or fallback_title
                owner = series.folder or _join(series.base, title)
                shown = _Series(series.folder, title, series.year, series.base)
                self.emit_extra(out, key, folder, info, info.extra_type, owner, "series", series=shown)
                continue
            marker = info.marker(loose) or info.weak(True)
            if not titled:
                s_title, s_year = self.series_name(marker.prefix if marker is not None else None)
                s_title = s_title or fallback_title
                group = series.folder or _join(series.base, s_title)
            season = folder_season
            ep_title: str | None = None
            part_hint: str | None = None
            after_text: str | None = None
            if marker is not None:
                kind, _prefix, after_text, marker_season, episode, episode_end, air_date, absolute = marker
                if marker_season is not None:
                    season = marker_season
                elif air_date is not None and season is None:
                    season = air_date.year
                elif season is None and (absolute is not None or (word_season and kind in ("word", "leading"))):
                    season = 1
                ep_title = _episode_title(after_text) if after_text else None  # "" has no title
                if ep_title is not None and ep_title[:1] in "pPcCdD" and _PART_WORD_RE.match(ep_title):
                    part_hint, ep_title, after_text = ep_title, None, None
                    shared = True
                if ep_title is None:
                    if air_date is not None:
                        ep_title = air_date.isoformat()
                    elif episode is not None:
                        ep_title = f"Episode {episode}" if episode_end is None else f"Episodes {episode}-{episode_end}"
            else:
                episode = episode_end = absolute = None
                air_date = None
            if ep_title is None:
                parts = clean_name(info.stem)
                ep_title = parts.title or _squash(info.stem) or info.stem
            placement = _episode(
                ep_title, s_title, s_year, series_folder, season, season_folder, episode, episode_end, air_date,
                absolute, group,
            )  # fmt: skip
            if episode is not None or air_date is not None:
                ident = (group, season, episode, air_date)
                members = by_episode.get(ident)
                if members is None:
                    by_episode[ident] = [len(placed)]
                else:
                    members.append(len(placed))
                    shared = True
            placed.append((key, placement, part_hint, after_text))
        if not shared and self.series:  # the common case: every file is an episode of its own
            for key, placement, _part, _label in placed:
                out[key] = placement
            return
        self.finish_episodes(placed, by_episode, out)

    def finish_episodes(
        self,
        placed: list[tuple[PurePosixPath, Placement, str | None, str | None]],
        by_episode: dict[tuple[str, int | None, int | None, date | None], list[int]],
        out: dict[PurePosixPath, Placement],
    ) -> None:
        """Parts (``S02E03 Part 1``/``Part 2``) and versions (``S01E01 - 1080p``/``- 720p``) of one episode.

        ``placed`` holds each file's key, placement, part word and the text after its marker;
        ``by_episode`` the indexes in ``placed`` of the files of each episode.
        """
        updates: dict[int, dict[str, object]] = {}
        for members in by_episode.values():
            if len(members) < 2:
                continue
            parts = [placed[i][2] for i in members]
            if all(parts) and len(set(parts)) == len(parts):
                for i in members:
                    word = _PART_WORD_RE.match(placed[i][2] or "")
                    number = word.group(1) if word else "1"
                    index = int(number) if number.isdigit() else "abcd".index(number.casefold()) + 1
                    updates[i] = {"part": index, "title": _episode_fallback(placed[i][1])}
                continue
            for i in members:
                updates[i] = {"version": _episode_version(placed[i][3]) or placed[i][1].title}
        for i, (key, placement, part, _label) in enumerate(placed):
            change = updates.get(i)
            if change is None and part is not None:
                change = {"title": f"{_episode_fallback(placement)} ({part})"}
            if change is not None:
                placement = replace(placement, **change)  # type: ignore[arg-type]
            if not self.series:
                out[key] = _skip(SERIES_OFF_REASON, title=placement.title, group=placement.group)
            else:
                out[key] = placement

    def place_plain(
        self, folder: str, ctx: _Ctx, remaining: list[tuple[PurePosixPath, _File]], out: dict[PurePosixPath, Placement]
    ) -> None:
        loose = self.loose_allowed(ctx.hint)
        extras: list[tuple[PurePosixPath, _File]] = []
        episodes: dict[str, list[tuple[PurePosixPath, _File]]] = {}
        for key, info in remaining:
            if info.extra_type is not None:
                extras.append((key, info))
                continue
            marker = info.marker(loose)
            if marker is not None:
                folder_title = clean_name(_basename(folder)).title if folder and not ctx.container else ""
                title = self.series_name(marker.prefix)[0] or folder_title or "Unknown series"
                episodes.setdefault(title, []).append((key, info))
        for title, members in episodes.items():
            first = members[0][1].marker(loose)
            year = self.series_name(first.prefix)[1] if first is not None else None
            sub = _Ctx(
                path=folder,
                hint=ctx.hint,
                series=_Series(folder=None, title=title, year=year, base=folder),
            )
            self.place_episodes(folder, sub, members, out)
        units, folder_unit = self.movie_units(folder)
        own = clean_name(_basename(folder)) if folder_unit is not None else None
        for unit in units:
            self.place_unit(folder, unit, unit is folder_unit, own, out)
        for key, info in extras:
            owner = self.suffix_extra_owner(folder, ctx, info, units, folder_unit)
            assert info.extra_type is not None
            self.emit_extra(out, key, folder, info, info.extra_type, owner, "movie" if owner is not None else None)

    def place_unit(
        self, folder: str, unit: _Unit, is_folder: bool, own: NameParts | None, out: dict[PurePosixPath, Placement]
    ) -> None:
        if len(unit.members) == 1:  # the common case: one file, one movie (_unit_identity's, inlined)
            key, info = unit.members[0]
            movie = info.movie()
            parts = movie.parts
            title = parts.title or _squash(info.stem.replace("(", " ").replace(")", " ")) or info.stem
            year = parts.year or unit.year
            if is_folder and own is not None and own.title and (own.tagged or movie.generic or not movie.parts.title):
                title, year = own.title, own.year or year
            elif is_folder and own is not None:
                year = year or own.year
            if is_folder:
                group = folder
            elif unit.generic:  # _movie_group's answers, inlined
                group = _join(folder, info.stem)
            else:
                group = _join(folder, f"{title} ({year})" if year else title)
            if self.movies:  # emit_movie's, inlined
                out[key] = _movie(title, year, group, None, movie.parts.label)
            else:
                out[key] = _skip(MOVIES_OFF_REASON, title=title, group=group)
            return
        title, year, part_of = _unit_identity(unit)
        movies = [(key, info, info.movie()) for key, info in unit.members]
        if is_folder and own is not None:
            first = next((m for m in movies if not m[2].generic), movies[0])[2]
            if own.title and (own.tagged or first.generic or not first.parts.title):
                title, year = own.title, own.year or year
            else:
                year = year or own.year
        group = folder if is_folder else _movie_group(folder, unit)
        # versions: the distinct playable units (a stack counts once)
        version_keys: dict[int, str] = {}
        for i, (_key, _info, movie) in enumerate(movies):
            version_keys[i] = movie.stack_key if i in part_of and movie.stack_key else f"\x01{i}"
        several = len(set(version_keys.values())) > 1
        for i, (key, info, movie) in enumerate(movies):
            label = (movie.stacked if i in part_of else movie.parts).label
            if several and not label:
                label = movie.parts.resolution or _version_remainder(info.stem, folder, unit) or info.stem
            self.emit_movie(out, key, title=title, year=year, group=group, part=part_of.get(i), version=label)

    def suffix_extra_owner(
        self, folder: str, ctx: _Ctx, info: _File, units: list[_Unit], folder_unit: _Unit | None
    ) -> str | None:
        """The movie a ``-trailer``-style extra belongs to: same name, else the folder's movie."""
        base = clean_name(info.extra_base)
        base_key = _norm(base.title)
        if base_key:
            for unit in units:
                if unit.key == base_key and (unit.year is None or base.year is None or unit.year == base.year):
                    return folder if unit is folder_unit else _movie_group(folder, unit)
        if folder_unit is not None:
            return folder
        if folder and not ctx.container and not units and clean_name(_basename(folder)).tagged:
            return folder
        return None


def _unit_identity(unit: _Unit) -> tuple[str, int | None, dict[int, int]]:
    """A movie's title and year from its files, and the stack index of each stacked member.

    Files form a stack when two or more share a stack key (``Title - cd1``/``Title - cd2``)
    with distinct indexes; only then is the part marker dropped from the title.
    """
    if unit.identity is not None:
        return unit.identity
    if len(unit.members) == 1:  # the common case: no stack, the one file names the movie
        info = unit.members[0][1]
        parts = info.movie().parts
        title = parts.title
        if not title:
            title = _squash(info.stem.replace("(", " ").replace(")", " ")) or info.stem
        unit.identity = (title, parts.year or unit.year, {})
        return unit.identity
    movies = [info.movie() for _key, info in unit.members]
    stacks: dict[str, list[int]] = {}
    for i, movie in enumerate(movies):
        if movie.stack_key is not None:
            stacks.setdefault(movie.stack_key, []).append(i)
    part_of: dict[int, int] = {}
    for members in stacks.values():
        indexes = {movies[i].stack_index for i in members}
        if len(members) >= 2 and len(indexes) == len(members):
            for rank, i in enumerate(sorted(members, key=lambda j: movies[j].stack_index or 0), 1):
                part_of[i] = rank
    first_index = next((i for i, m in enumerate(movies) if not m.generic), 0)
    first = movies[first_index]
    parts = first.stacked if first_index in part_of else first.parts
    title = parts.title
    if not title:
        stem = unit.members[first_index][1].stem
        title = _squash(stem.replace("(", " ").replace(")", " ")) or stem
    unit.identity = (title, parts.year or unit.year, part_of)
    return unit.identity


def _movie_group(folder: str, unit: _Unit) -> str:
    """Group key of a movie in a collection folder: ``folder/Title (Year)``."""
    if unit.generic:
        return _join(folder, unit.members[0][1].stem)
    title, year, _parts = _unit_identity(unit)
    return _join(folder, f"{title} ({year})" if year else title)


def _version_remainder(stem: str, folder: str, unit: _Unit) -> str | None:
    """What sets one version's name apart: the stem after the folder name (``Movie - Extended`` → ``Extended``)."""
    head = _basename(folder)
    if head and stem.casefold().startswith(head.casefold()):
        rest = _clean_label(stem[len(head) :])
        if rest:
            return rest
    return None


def _episode_version(after: str | None) -> str | None:
    """A version label from the text after an episode marker (``S01E01 - 720p`` → ``720p``)."""
    if after is None or not after.strip(_EDGE_CHARS):
        return None
    parts = clean_name(after)
    return parts.resolution or parts.label or _clean_label(after)


def _episode_fallback(placement: Placement) -> str:
    if placement.air_date is not None:
        return placement.air_date.isoformat()
    if placement.episode is not None:
        if placement.episode_end is not None:
            return f"Episodes {placement.episode}-{placement.episode_end}"
        return f"Episode {placement.episode}"
    return placement.title


# --------------------------------------------------------------------------- entry point


def forget_names() -> None:
    """Empty the module's name caches (cleaned names, folder names, episode titles).

    They only hold pure results keyed by the name, bounded in size; benchmarks use this to
    measure a cold first scan.
    """
    clean_name.cache_clear()
    _norm.cache_clear()
    _episode_title.cache_clear()
    _FOLDER_CACHE.clear()


def place_tree(
    paths: Iterable[PurePosixPath | str],
    *,
    movies: bool = True,
    series: bool = True,
    flat: bool = False,
) -> dict[PurePosixPath, Placement]:
    """Place every video file of one library root.

    Args:
        paths: Every video file's path relative to the root (the whole root at once: placement
            looks at siblings and sub-folders). ``str`` or :class:`PurePosixPath`; ``.``/``..``
            segments are resolved lexically, a path that leaves the root is skipped.
        movies: The root's movies toggle; False skips every movie (and movie extras).
        series: The root's series toggle; False skips every episode (and series extras), and
            dates and absolute numbers no longer mark episodes.
        flat: Stash-style mode: every file is its own movie titled from its file name (samples
            are still skipped).

    Returns:
        One :class:`Placement` per distinct input path, keyed by ``PurePosixPath(path)``.
        Never raises for odd names: a folder whose placement fails has its files skipped with
        the error as ``reason`` (``rejected=True``) and the rest of the tree is placed.
    """
    return _run(paths, _Planner(movies=movies, series=series, flat=flat))


def place_relative(
    paths: Iterable[str], *, movies: bool = True, series: bool = True, flat: bool = False
) -> dict[str, Placement]:
    """:func:`place_tree` keyed by the given strings themselves (no ``PurePosixPath`` per file:
    the scan's form, a tenth faster). Give clean relative paths (no ``.``/``..``/``//``)."""
    return _run(paths, _Planner(movies=movies, series=series, flat=flat, str_keys=True))


def _run(paths: Iterable[Any], planner: _Planner) -> dict[Any, Placement]:
    out: dict[Any, Placement] = {}
    # The run allocates a few small objects per path and frees nothing until it ends: the cyclic
    # collector would only rescan them (~40 % of the time on 20k paths). Paused, then restored.
    collecting = gc.isenabled()
    gc.disable()
    try:
        planner.load(paths, out)
        for folder, files in planner.files.items():
            try:
                planner.place_folder(folder, out)
            except Exception as exc:
                reason = f"could not place folder {folder!r}: {type(exc).__name__}: {exc}"
                for key, _name in files:
                    out[key] = _skip(reason, rejected=True)
    finally:
        if collecting:
            gc.enable()
    return out
