"""File-name helpers for the video library scan (pure string functions, no I/O).

* :func:`strip_extension` – a name without its extension (``Show.2010`` keeps its year).
* :func:`decode_html_entities` – ``&amp;``, ``&#39;``… as downloaded names carry them.
* :func:`filename_to_title` – last-resort title from a file name.

Placing files (movies, series, seasons, episodes, extras) is :mod:`.layout`'s.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["decode_html_entities", "filename_to_title", "strip_extension"]

# An extension is 1-5 ASCII letters/digits containing at least one letter, so
# ``Movie.Title.2010`` keeps its year (the original stripped any 1-5 char suffix).
_EXTENSION_RE: Final = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$")

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


def filename_to_title(basename: str) -> str:
    """Fallback title: the file name without extension, ``[._-]+`` → space, entities decoded."""
    text = _SEPARATORS_RE.sub(" ", strip_extension(basename))
    if "&" in text:
        text = decode_html_entities(text)
    return _SPACES_RE.sub(" ", text).strip()


_SEPARATORS_RE = re.compile(r"[._-]+")
_SPACES_RE = re.compile(r"\s+")
