"""File and folder name parsing for the video library scan.

Pure string functions (no I/O):

* :func:`parse_season_folder` – ``Season 01`` / ``S2`` / ``Staffel 3`` / ``Specials`` → number.
* :func:`parse_episode_filename` – ``S01E02``, ``1x02``, ``Season 1 Episode 2``, absolute
  (anime) numbers, multi-episode files, year and episode title.
* :func:`parse_movie_filename` / :func:`parse_series_folder` – title and year with release
  noise (``1080p``, ``WEB-DL``, ``x264``, ``-GROUP`` …) removed.
* :func:`filename_to_title` – last-resort title from a file name.

The rules follow the original Obscura parsers (``packages/media-core/src/parsing``); the few
deliberate differences are called out in the docstrings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "SPECIALS_SEASON",
    "EpisodeParse",
    "MovieParse",
    "decode_html_entities",
    "filename_to_title",
    "parse_episode_filename",
    "parse_movie_filename",
    "parse_season_folder",
    "parse_series_folder",
    "strip_extension",
]

#: Season number used for specials, extras and flat (season-less) series.
SPECIALS_SEASON: Final[int] = 0


@dataclass(frozen=True, slots=True)
class EpisodeParse:
    """What an episode file name says about itself.

    Attributes:
        season: Season number from the name (informational: the folder decides placement).
        episode: First episode number (``S01E03`` → 3).
        absolute: Absolute episode number (``Show - 013`` → 13) when no S/E pattern matched.
        title: Episode title found after the episode marker, cleaned, or None.
        year: Year found in the name (``(2019)``, ``[2019]`` or bare ``2019``), or None.
        episode_end: Last episode number of a multi-episode file (``S01E01E02`` → 2), else None.
    """

    season: int | None = None
    episode: int | None = None
    absolute: int | None = None
    title: str | None = None
    year: int | None = None
    episode_end: int | None = None


@dataclass(frozen=True, slots=True)
class MovieParse:
    """Title and year parsed from a movie file name (title may be empty, never None)."""

    title: str
    year: int | None = None


# --------------------------------------------------------------------------- helpers

# An extension is 1-5 ASCII letters/digits containing at least one letter, so
# ``Movie.Title.2010`` keeps its year (the original stripped any 1-5 char suffix).
_EXTENSION_RE: Final = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$")

_YEAR_PAREN_RE: Final = re.compile(r"\(((?:19|20)\d{2})\)")
_YEAR_BRACKET_RE: Final = re.compile(r"\[((?:19|20)\d{2})\]")
_YEAR_BARE_RE: Final = re.compile(r"(?:^|(?<=[\s._-]))((?:19|20)\d{2})(?=[\s._-]|$)")

_RESOLUTION_RE: Final = re.compile(r"(?<![A-Za-z0-9])\d{3,4}[pi](?![A-Za-z0-9])", re.IGNORECASE)

# Release noise.  The original's list (resolution, hdr, sdr, web-dl, webrip, bluray, bdrip,
# dvdrip, hdtv, x264/x265, h264/h.265, hevc, avc, aac, ac3, dts) plus a few common extras.
# "_" counts as a separator (the original used \b, for which "_" is a word character).
_NOISE_RE: Final = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"\d{3,4}[pi]|4k|uhd|hdr\d*\+?|sdr|10bit"
    r"|web[-.]?dl|web[-.]?rip|blu[-.]?ray|bdrip|brrip|dvdrip|hdrip|hdtv|remux"
    r"|x26[45]|h[-.]?26[45]|hevc|avc|xvid|divx"
    r"|aac(?:\d\.\d)?|e?ac3|dts|ddp?\d\.\d"
    r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_TRAILING_GROUP_RE: Final = re.compile(r"-[A-Za-z0-9]+$")
_BRACKET_GROUP_RE: Final = re.compile(r"\[[^\[\]]*\]")
_EMPTY_PARENS_RE: Final = re.compile(r"\(\s*\)")

_SEASON_EPISODE_RE: Final = re.compile(r"s(\d{1,3})[\s._-]*x?e(\d{1,3})", re.IGNORECASE)
_CROSS_RE: Final = re.compile(r"(?:^|[^\d])(\d{1,2})x(\d{1,3})(?!\d)")
_LONG_FORM_RE: Final = re.compile(r"season[\s._-]*(\d{1,3})[\s._-]+episode[\s._-]*(\d{1,3})", re.IGNORECASE)
# Continuations of a multi-episode marker, tried right after the previous episode number:
# "E02" / "-E02" / "xE02", "-02" (not "-10bit"/"-720p"), and the repeated "S01E02" form.
_MULTI_E_RE: Final = re.compile(r"-?x?e(\d{1,3})(?!\d)", re.IGNORECASE)
_MULTI_RANGE_RE: Final = re.compile(r"-(\d{1,3})(?![0-9A-Za-z])")
_MULTI_REPEAT_RE: Final = re.compile(r"[\s._-]?s(\d{1,3})[\s._-]*x?e(\d{1,3})(?!\d)", re.IGNORECASE)

# Starts at the first separator of a run (same matches as the original's
# ``(?:^|[\s._-])-?[\s._-]*``, without quadratic backtracking on long separator runs).
_ABSOLUTE_RE: Final = re.compile(r"(?:^|(?<![\s._-])[\s._-])[\s._-]*(\d{2,4})(?:[\s._-]+|$)")

_SPECIALS_WORDS: Final[frozenset[str]] = frozenset({"specials", "special", "extras", "ova"})
_SEASON_LONG_RE: Final = re.compile(r"^(?:season|saison|temporada|staffel)[\s._-]*(\d{1,3})$", re.IGNORECASE)
_SEASON_SHORT_RE: Final = re.compile(r"^s[\s._-]*(\d{1,3})$", re.IGNORECASE)
_SEASON_BARE_RE: Final = re.compile(r"^(\d{1,3})$")

_NAMED_ENTITIES: Final[dict[str, str]] = {
    "amp": "&",
    "lt": "<",
    "gt": ">",
    "quot": '"',
    "apos": "'",
    "nbsp": " ",
}
_ENTITY_RE: Final = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,6})|#(\d{1,7})|([A-Za-z]+));")


def _basename(path_or_name: str) -> str:
    """Return the part of ``path_or_name`` after the last ``/``."""
    return path_or_name.rsplit("/", 1)[-1]


def strip_extension(name: str) -> str:
    """Return the base name of ``name`` without its file extension.

    Only a 1–5 character alphanumeric suffix containing a letter counts as an
    extension (``.mkv``, ``.m2ts``), so ``Show.2010`` or ``Show.S01E02`` stay whole.
    """
    return _EXTENSION_RE.sub("", _basename(name))


def decode_html_entities(text: str) -> str:
    """Decode the HTML entities that show up in downloaded file names.

    Handles ``&amp; &lt; &gt; &quot; &apos; &nbsp;`` (any case) and numeric
    references (``&#39;``, ``&#x27;``, ``&#x2F;`` …); anything else is left alone.
    """

    def replace(match: re.Match[str]) -> str:
        hex_code, dec_code, name = match.groups()
        if name is not None:
            return _NAMED_ENTITIES.get(name.lower(), match.group(0))
        try:
            return chr(int(hex_code, 16) if hex_code is not None else int(dec_code))
        except (ValueError, OverflowError):
            return match.group(0)

    return _ENTITY_RE.sub(replace, text)


def _collapse(text: str) -> str:
    """Turn ``.``/``_`` into spaces, collapse whitespace and trim."""
    return _SPACES_RE.sub(" ", _DOTS_RE.sub(" ", text)).strip()


def _strip_noise(text: str) -> str:
    """Remove release-noise tokens; then a trailing ``-GROUP`` if any noise was found.

    Requiring other noise before dropping ``-GROUP`` keeps hyphenated titles such as
    ``Spider-Man`` intact (the original always stripped a trailing ``-word``).
    """
    cleaned, count = _NOISE_RE.subn(" ", text)
    if count:
        cleaned = _TRAILING_GROUP_RE.sub("", cleaned)
    return cleaned


def _take_year(text: str, *, prefer_last_bare: bool) -> tuple[int | None, str]:
    """Find a year in ``text`` and return ``(year, text with the year removed)``.

    ``(YYYY)`` wins over ``[YYYY]`` which wins over a bare ``YYYY`` bounded by
    separators.  Only 1900–2099 count as years.  With ``prefer_last_bare`` the last
    bare candidate that is not at the very start is used (``2001.A.Space.Odyssey.1968``
    → 1968; ``1917`` alone is a title, not a year).
    """
    if "19" not in text and "20" not in text:  # no year can be there: skip three regexes
        return None, text
    for pattern in (_YEAR_PAREN_RE, _YEAR_BRACKET_RE):
        match = pattern.search(text)
        if match:
            return int(match.group(1)), f"{text[: match.start()]} {text[match.end() :]}"
    candidates = list(_YEAR_BARE_RE.finditer(text))
    if prefer_last_bare:
        candidates = [m for m in candidates if text[: m.start()].strip(" ._-")]
        chosen = candidates[-1] if candidates else None
    else:
        chosen = candidates[0] if candidates else None
    if chosen is None:
        return None, text
    return int(chosen.group(1)), f"{text[: chosen.start()]} {text[chosen.end() :]}"


def _clean_episode_title(raw: str) -> str | None:
    """Clean the text found after an episode marker into a title (None when empty)."""
    if not raw.strip(" -_."):
        return None
    text = _strip_noise(raw)
    text = _BRACKET_GROUP_RE.sub(" ", text)
    text = _EMPTY_PARENS_RE.sub(" ", text)
    text = _collapse(text).strip(" -_.")
    return text or None


def _scan_multi_episode(text: str, pos: int, season: int, first: int) -> tuple[int, int | None]:
    """Follow multi-episode continuations from ``pos``.

    Returns ``(end position, last episode number or None)``.  A continuation is only
    accepted when its number is larger than the previous one.
    """
    last = first
    end_episode: int | None = None
    while True:
        number: int | None = None
        match = _MULTI_E_RE.match(text, pos) or _MULTI_RANGE_RE.match(text, pos)
        if match:
            number = int(match.group(1))
        else:
            match = _MULTI_REPEAT_RE.match(text, pos)
            if match and int(match.group(1)) == season:
                number = int(match.group(2))
        if match is None or number is None or number <= last:
            return pos, end_episode
        last = number
        end_episode = number
        pos = match.end()


# --------------------------------------------------------------------------- public API


def parse_season_folder(name: str) -> int | None:
    """Return the season number a season folder name stands for, else None.

    ``Specials``/``Special``/``Extras``/``OVA`` → 0; ``Season 1``, ``season_01``,
    ``Saison 2``, ``Temporada 3``, ``Staffel 4``; ``S1``/``S 01``; bare ``1``–``999``.
    Case-insensitive, surrounding whitespace ignored.
    """
    trimmed = name.strip()
    if not trimmed:
        return None
    if trimmed.lower() in _SPECIALS_WORDS:
        return SPECIALS_SEASON
    for pattern in (_SEASON_LONG_RE, _SEASON_SHORT_RE, _SEASON_BARE_RE):
        match = pattern.match(trimmed)
        if match:
            return int(match.group(1))
    return None


def parse_episode_filename(basename: str) -> EpisodeParse:
    """Parse an episode file name (a full path is accepted; only the base name is used).

    Order, as in the original: extension stripped, a year removed, then the first of
    ``SxxEyy`` (also ``S01.E02``, ``s01 e02``, ``S01xE02``), ``1x02``,
    ``Season N Episode M``; otherwise an absolute number (2–4 digits between
    separators, not 1900–2099).  The title is the cleaned text after the marker.

    Differences from the original: multi-episode markers (``S01E01E02``,
    ``S01E01-E02``, ``S01E01-02``, ``S01E01-S01E02``) set ``episode_end``; release
    noise and ``[...]`` groups are removed from titles (not only the first resolution
    token); noise such as ``x264``/``H.264`` is removed before the absolute-number
    scan; an absolute number may end the name (``Title - 013.mkv``); ``[YYYY]`` is a
    year too.
    """
    working_source = strip_extension(basename)
    year, working = _take_year(working_source, prefer_last_bare=False)

    match = _SEASON_EPISODE_RE.search(working)
    if match:
        season, episode = int(match.group(1)), int(match.group(2))
        end_pos, episode_end = _scan_multi_episode(working, match.end(), season, episode)
        return EpisodeParse(
            season=season,
            episode=episode,
            title=_clean_episode_title(working[end_pos:]),
            year=year,
            episode_end=episode_end,
        )

    for pattern in (_CROSS_RE, _LONG_FORM_RE):
        match = pattern.search(working)
        if match:
            return EpisodeParse(
                season=int(match.group(1)),
                episode=int(match.group(2)),
                title=_clean_episode_title(working[match.end() :]),
                year=year,
            )

    scratch = _NOISE_RE.sub(" ", working)
    match = _ABSOLUTE_RE.search(scratch)
    if match:
        candidate = int(match.group(1))
        if not 1900 <= candidate <= 2099:
            return EpisodeParse(
                absolute=candidate,
                title=_clean_episode_title(scratch[match.end() :]),
                year=year,
            )
    return EpisodeParse(year=year)


def parse_series_folder(name: str) -> tuple[str, int | None]:
    """Return ``(title, year)`` for a series folder name.

    Year from ``(YYYY)``, ``[YYYY]`` or a bare ``19xx``/``20xx`` between separators
    (the last such one that is not at the start); release noise and a trailing
    ``-GROUP`` removed; ``.``/``_`` become spaces; whitespace collapsed.
    """
    if not name.strip():
        return "", None
    year, working = _take_year(name, prefer_last_bare=True)
    title = _collapse(_strip_noise(working))
    return title, year


def parse_movie_filename(basename: str) -> MovieParse:
    """Parse a movie file name (or path) into title and year, like a series folder.

    ``Movie.Title.2010.1080p.BluRay.x264-GRP.mkv`` → ``("Movie Title", 2010)``;
    ``2001 A Space Odyssey (1968).mkv`` → ``("2001 A Space Odyssey", 1968)``.
    """
    title, year = parse_series_folder(strip_extension(basename))
    return MovieParse(title=title, year=year)


def filename_to_title(basename: str) -> str:
    """Fallback title: the file name without extension, ``[._-]+`` → space, entities decoded."""
    text = _SEPARATORS_RE.sub(" ", strip_extension(basename))
    if "&" in text:
        text = decode_html_entities(text)
    return _SPACES_RE.sub(" ", text).strip()


_SEPARATORS_RE = re.compile(r"[._-]+")
_DOTS_RE = re.compile(r"[._]+")
_SPACES_RE = re.compile(r"\s+")
