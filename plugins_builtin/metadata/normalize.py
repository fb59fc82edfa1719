"""From a source's raw result (Stash's scraped shape) to the ``proposed`` fields the user reviews.

Stash's ``ScrapedScene`` / ``ScrapedPerformer`` / ``ScrapedGroup`` JSON is snake_case, with
relations as objects (``studio: {name}``, ``performers: [{name}]``). ``proposed`` is flat and
camelCase, what the review UI shows beside the current values and what ``MetadataTarget.apply``
receives: text trimmed, HTML entities decoded and whitespace collapsed; dates as ``YYYY-MM-DD``
(garbage dropped); names de-duplicated case-insensitively (first spelling kept); images only
``http(s)://`` or ``data:image/…``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

SCENE_FIELDS = ("title", "date", "details", "urls", "code", "director", "studio", "performers", "tags", "image")
PERFORMER_FIELDS = (
    "name", "disambiguation", "aliases", "gender", "birthdate", "deathDate", "country", "ethnicity",
    "eyeColor", "hairColor", "height", "weight", "measurements", "fakeTits", "careerLength",
    "tattoos", "piercings", "details", "urls", "tags", "image",
)  # fmt: skip
GROUP_FIELDS = ("title", "aliases", "date", "details", "director", "urls", "studio", "tags", "image", "duration")
STUDIO_FIELDS = ("name", "aliases", "urls", "details", "parent", "image")
TAG_FIELDS = ("name", "aliases", "details")
AUDIO_FIELDS = ("title", "artist", "album", "trackNumber", "date", "details", "urls", "tags", "image")
ALBUM_FIELDS = ("title", "artist", "date", "details", "urls", "tags", "image")
FIELDS = {"scene": SCENE_FIELDS, "gallery": SCENE_FIELDS, "performer": PERFORMER_FIELDS, "group": GROUP_FIELDS,
          "studio": STUDIO_FIELDS, "tag": TAG_FIELDS, "audio": AUDIO_FIELDS, "audio-library": ALBUM_FIELDS}  # fmt: skip
LINK_FIELDS = ("studio", "performers", "tags")


def text(value: Any) -> str | None:
    """Trimmed, entity-decoded, whitespace-collapsed text; ``None`` when blank or not text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    cleaned = _SPACES.sub(" ", html.unescape(value)).strip()
    return cleaned or None


def long_text(value: Any) -> str | None:
    """Like :func:`text`, keeping line breaks (details, descriptions)."""
    if not isinstance(value, str):
        return None
    lines = [_SPACES.sub(" ", line).strip() for line in html.unescape(value).replace("\r\n", "\n").split("\n")]
    cleaned = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", cleaned) or None


def day(value: Any) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY`` as Stash keeps partial dates); garbage → ``None``."""
    raw = text(value)
    match = _DATE.match(raw or "")
    if not match:
        return None
    year, month, dom = match.group(1), match.group(2), match.group(3)
    try:
        if dom:
            return date(int(year), int(month), int(dom)).isoformat()
        if month:
            date(int(year), int(month), 1)
            return f"{year}-{int(month):02d}"
    except ValueError:
        return None
    return year if 1800 <= int(year) <= 2200 else None


def names(values: Any) -> list[str]:
    """Names from ``[{name}]`` objects or strings, de-duplicated case-insensitively, order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for item in values if isinstance(values, list) else []:
        name = text(item.get("name") if isinstance(item, Mapping) else item)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def urls(raw: Mapping[str, Any]) -> list[str]:
    """``url`` and ``urls`` merged (Stash's legacy single URL first), de-duplicated."""
    found = [raw.get("url")] + (raw.get("urls") if isinstance(raw.get("urls"), list) else [])
    out: list[str] = []
    for value in found:
        cleaned = text(value)
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return out


def image(raw: Mapping[str, Any], *keys: str) -> str | None:
    """The first usable image of ``keys`` (a value or a list): ``http(s)://`` or ``data:image/``."""
    for key in keys:
        value = raw.get(key)
        for candidate in value if isinstance(value, list) else [value]:
            if isinstance(candidate, str):
                candidate = candidate.strip()
                if candidate.startswith(("http://", "https://", "data:image/")):
                    return candidate
    return None


def _studio(raw: Mapping[str, Any]) -> str | None:
    studio = raw.get("studio")
    return text(studio.get("name")) if isinstance(studio, Mapping) else text(studio)


def _number(value: Any) -> int | None:
    found = _NUMBER.search(str(value)) if value is not None else None
    return round(float(found.group())) if found else None


def _aliases(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,;]", value)
    return names(value if isinstance(value, list) else [])


def _gender(value: Any) -> str | None:
    cleaned = text(value)
    return cleaned.upper().replace(" ", "_").replace("-", "_") if cleaned else None


def scene(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A ``ScrapedScene`` (or gallery) as proposed fields."""
    return _compact({
        "title": text(raw.get("title")),
        "date": day(raw.get("date")),
        "details": long_text(raw.get("details")),
        "urls": urls(raw),
        "code": text(raw.get("code")),
        "director": text(raw.get("director")),
        "studio": _studio(raw),
        "performers": names(raw.get("performers")),
        "tags": names(raw.get("tags")),
        "image": image(raw, "image", "images"),
    })  # fmt: skip


def performer(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A ``ScrapedPerformer`` as proposed fields (heights in cm, weights in kg, as Stash stores)."""
    return _compact({
        "name": text(raw.get("name")),
        "disambiguation": text(raw.get("disambiguation")),
        "aliases": _aliases(raw.get("aliases")),
        "gender": _gender(raw.get("gender")),
        "birthdate": day(raw.get("birthdate")),
        "deathDate": day(raw.get("death_date")),
        "country": text(raw.get("country")),
        "ethnicity": text(raw.get("ethnicity")),
        "eyeColor": text(raw.get("eye_color")),
        "hairColor": text(raw.get("hair_color")),
        "height": _number(raw.get("height")),
        "weight": _number(raw.get("weight")),
        "measurements": text(raw.get("measurements")),
        "fakeTits": text(raw.get("fake_tits")),
        "careerLength": text(raw.get("career_length")),
        "tattoos": text(raw.get("tattoos")),
        "piercings": text(raw.get("piercings")),
        "details": long_text(raw.get("details")),
        "urls": urls(raw),
        "tags": names(raw.get("tags")),
        "image": image(raw, "image", "images"),
    })  # fmt: skip


def group(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A ``ScrapedGroup`` (Stash's movie) as proposed fields."""
    return _compact({
        "title": text(raw.get("name")),
        "aliases": _aliases(raw.get("aliases")),
        "date": day(raw.get("date")),
        "details": long_text(raw.get("synopsis")),
        "director": text(raw.get("director")),
        "urls": urls(raw),
        "studio": _studio(raw),
        "tags": names(raw.get("tags")),
        "image": image(raw, "front_image", "image"),
        "duration": _number(raw.get("duration")),
    })  # fmt: skip


def studio(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A ``ScrapedStudio`` as proposed fields."""
    parent = raw.get("parent")
    return _compact({
        "name": text(raw.get("name")),
        "aliases": _aliases(raw.get("aliases")),
        "urls": urls(raw),
        "details": long_text(raw.get("details")),
        "parent": text(parent.get("name")) if isinstance(parent, Mapping) else None,
        "image": image(raw, "image", "images"),
    })  # fmt: skip


def tag(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A ``ScrapedTag`` as proposed fields."""
    return _compact({
        "name": text(raw.get("name")),
        "aliases": _aliases(raw.get("aliases")),
        "details": long_text(raw.get("description") or raw.get("details")),
    })  # fmt: skip


def _audio_common(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What the original's audio track and audio library results share."""
    return {
        "artist": text(raw.get("artist")),
        "date": day(raw.get("date")),
        "details": long_text(raw.get("details")),
        "urls": urls(raw),
        "tags": names(raw.get("tagNames", raw.get("tags"))),
        "image": image(raw, "imageUrl", "image"),
    }


def audio(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An audio track result (the original's ``NormalizedAudioTrackResult``: ``title``,
    ``artist``, ``album``, ``trackNumber``, ``date``, ``details``, ``imageUrl``, ``urls``,
    ``tagNames``) as proposed fields."""
    return _compact({
        "title": text(raw.get("title")),
        "album": text(raw.get("album")),
        "trackNumber": _number(raw.get("trackNumber", raw.get("track_number"))),
        **_audio_common(raw),
    })  # fmt: skip


def audio_library(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An audio library (album) result (``NormalizedAudioLibraryResult``: ``name``, ``artist``,
    ``date``, ``details``, ``imageUrl``, ``urls``, ``tagNames``) as proposed fields."""
    return _compact({"title": text(raw.get("name", raw.get("title"))), **_audio_common(raw)})


NORMALIZERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "scene": scene,
    "gallery": scene,
    "image": scene,
    "performer": performer,
    "group": group,
    "studio": studio,
    "tag": tag,
    "audio": audio,
    "audio-library": audio_library,
}


def proposed(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The proposed fields of ``raw`` for ``kind`` (an unknown kind is read as a scene)."""
    return NORMALIZERS.get(kind, scene)(raw)


def usable(fields: Mapping[str, Any]) -> bool:
    """Whether a result proposes anything at all."""
    return any(fields.values())


def masked(
    fields: Mapping[str, Any],
    keep: Iterable[str] | None,
    exclude_performers: Iterable[str] = (),
    exclude_tags: Iterable[str] = (),
) -> dict[str, Any]:
    """The proposed fields the user kept: ``keep`` (all when ``None``), minus excluded names."""
    wanted = set(fields) if keep is None else set(keep)
    out = {k: v for k, v in fields.items() if k in wanted}
    for key, excluded in (("performers", exclude_performers), ("tags", exclude_tags)):
        drop = {n.casefold() for n in excluded}
        if key in out and drop:
            out[key] = [n for n in out[key] if n.casefold() not in drop]
    return out


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v not in (None, "", [])}
