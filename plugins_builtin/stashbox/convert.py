"""stash-box objects → Stash's scraped shapes (``ScrapedScene``, ``ScrapedPerformer``, ``ScrapedStudio``,
``ScrapedTag`` JSON, snake_case), as Stash's ``pkg/stashbox`` makes them.

Differences from Stash, on purpose: ``image`` is the first image's URL (Stash downloads it at
scrape time; the ``metadata`` plugin fetches it when the result is accepted), and tags carry
their ``remote_site_id`` so accepted tags can be linked to their stash ids. Fields the remote
object lacks are left out rather than set to ``null``; a scene without a title converts without
one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_GENDERS = {"MALE", "FEMALE", "TRANSGENDER_MALE", "TRANSGENDER_FEMALE", "INTERSEX", "NON_BINARY"}


class TagFilter:
    """The endpoint's exclude patterns, applied as Stash does: lower-cased regular expressions
    searched in the lower-cased tag name."""

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = []
        for pattern in patterns:
            try:
                self.patterns.append(re.compile(pattern.lower()))
            except (re.error, AttributeError):  # checked when saved; one stored otherwise is skipped
                continue

    def excluded(self, name: str) -> bool:
        lowered = name.lower()
        return any(p.search(lowered) for p in self.patterns)


NO_FILTER = TagFilter()


def _compact(out: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _urls(value: Any) -> list[str]:
    return [u["url"] for u in value or [] if isinstance(u, Mapping) and isinstance(u.get("url"), str)]


def _url_of_type(value: Any, kind: str) -> str | None:
    return next((u["url"] for u in value or [] if isinstance(u, Mapping) and u.get("type") == kind), None)


def _images(value: Any) -> list[str]:
    return [i["url"] for i in value or [] if isinstance(i, Mapping) and isinstance(i.get("url"), str)]


def _title_case(value: Any) -> str | None:
    """An enum value as Stash shows it: ``MIDDLE_EASTERN`` → ``Middle Eastern``."""
    if not isinstance(value, str) or not value:
        return None
    return " ".join(word.capitalize() for word in value.replace("_", " ").lower().split())


def _measurements(value: Any) -> str | None:
    """``34C-24-35``, only when all four parts are known (as Stash)."""
    if not isinstance(value, Mapping):
        return None
    band, cup, waist, hip = (value.get(k) for k in ("band_size", "cup_size", "waist", "hip"))
    if band is None or cup is None or waist is None or hip is None:
        return None
    return f"{band}{cup}-{waist}-{hip}"


def _career(start: Any, end: Any) -> str | None:
    """``2015 - 2020``, ``2015 -`` or ``- 2020`` (as Stash)."""
    if start is None and end is None:
        return None
    if end is None:
        return f"{start} -"
    if start is None:
        return f"- {end}"
    return f"{start} - {end}"


def _body_modifications(value: Any) -> str | None:
    """``location, description; location`` (as Stash)."""
    parts = []
    for mod in value or []:
        if isinstance(mod, Mapping) and mod.get("location"):
            parts.append(f"{mod['location']}, {mod['description']}" if mod.get("description") else mod["location"])
    return "; ".join(parts) or None


def _aliases(name: str, value: Any) -> str | None:
    """The aliases joined by ``", "``: those equal to the name and repeats left out (as Stash)."""
    seen = {name.casefold()}
    kept = []
    for alias in value or []:
        if isinstance(alias, str) and alias.strip() and alias.casefold() not in seen:
            seen.add(alias.casefold())
            kept.append(alias)
    return ", ".join(kept) or None


def tag(remote: Mapping[str, Any]) -> dict[str, Any]:
    """A stash-box tag as a ``ScrapedTag``: ``{name, remote_site_id}``."""
    return _compact({"name": remote.get("name"), "remote_site_id": remote.get("id")})


def tags(remote: Sequence[Any] | None, excluded: TagFilter = NO_FILTER) -> list[dict[str, Any]]:
    """Tags as ``ScrapedTag`` objects, those matching the exclude patterns dropped."""
    out = []
    for item in remote or []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str) and not excluded.excluded(item["name"]):
            out.append(tag(item))
    return out


def studio(remote: Mapping[str, Any]) -> dict[str, Any]:
    """A stash-box studio as a ``ScrapedStudio`` (its parent too, as far as the server gave it)."""
    urls = _urls(remote.get("urls"))
    images = _images(remote.get("images"))
    aliases = [a for a in remote.get("aliases") or [] if isinstance(a, str) and a]
    parent = remote.get("parent")
    return _compact({
        "name": remote.get("name"),
        "url": urls[0] if urls else None,
        "urls": urls,
        "aliases": ", ".join(aliases) or None,
        "image": images[0] if images else None,
        "images": images,
        "remote_site_id": remote.get("id"),
        "parent": studio(parent) if isinstance(parent, Mapping) else None,
    })  # fmt: skip


def performer(remote: Mapping[str, Any]) -> dict[str, Any]:
    """A stash-box performer as a ``ScrapedPerformer``."""
    name = remote.get("name") if isinstance(remote.get("name"), str) else ""
    images = _images(remote.get("images"))
    height = remote.get("height")
    gender = remote.get("gender")
    return _compact({
        "name": name,
        "disambiguation": remote.get("disambiguation"),
        "gender": gender if gender in _GENDERS else None,
        "urls": _urls(remote.get("urls")),
        "twitter": _url_of_type(remote.get("urls"), "TWITTER"),
        "birthdate": remote.get("birth_date"),
        "death_date": remote.get("death_date"),
        "ethnicity": _title_case(remote.get("ethnicity")),
        "country": remote.get("country"),
        "eye_color": _title_case(remote.get("eye_color")),
        "hair_color": _title_case(remote.get("hair_color")),
        "height": str(height) if isinstance(height, int) and height > 0 else None,
        "measurements": _measurements(remote.get("measurements")),
        "fake_tits": _title_case(remote.get("breast_type")),
        "career_length": _career(remote.get("career_start_year"), remote.get("career_end_year")),
        "tattoos": _body_modifications(remote.get("tattoos")),
        "piercings": _body_modifications(remote.get("piercings")),
        "aliases": _aliases(name, remote.get("aliases")),
        "image": images[0] if images else None,
        "images": images,
        "remote_site_id": remote.get("id"),
        "remote_deleted": remote.get("deleted") or None,
        "remote_merged_into_id": remote.get("merged_into_id"),
    })  # fmt: skip


def fingerprints(remote: Any) -> list[dict[str, Any]]:
    """A scene's fingerprints as ``StashBoxFingerprint`` objects: ``{algorithm, hash, duration}``."""
    return [
        {"algorithm": fp.get("algorithm"), "hash": fp.get("hash"), "duration": fp.get("duration")}
        for fp in remote or []
        if isinstance(fp, Mapping)
    ]


def scene(remote: Mapping[str, Any], excluded: TagFilter = NO_FILTER) -> dict[str, Any]:
    """A stash-box scene as a ``ScrapedScene``: its studio, performers and tags with their
    ``remote_site_id``, the first image's URL as ``image``, and its fingerprints."""
    urls = _urls(remote.get("urls"))
    images = _images(remote.get("images"))
    remote_studio = remote.get("studio")
    performers = [
        performer(appearance["performer"])
        for appearance in remote.get("performers") or []
        if isinstance(appearance, Mapping) and isinstance(appearance.get("performer"), Mapping)
    ]
    duration = remote.get("duration")
    return _compact({
        "title": remote.get("title"),
        "code": remote.get("code"),
        "details": remote.get("details"),
        "director": remote.get("director"),
        "url": urls[0] if urls else None,
        "urls": urls,
        "date": remote.get("date"),
        "image": images[0] if images else None,
        "studio": studio(remote_studio) if isinstance(remote_studio, Mapping) else None,
        "performers": performers,
        "tags": tags(remote.get("tags"), excluded),
        "remote_site_id": remote.get("id"),
        "duration": duration if isinstance(duration, int) and duration > 0 else None,
        "fingerprints": fingerprints(remote.get("fingerprints")),
    })  # fmt: skip


USABLE_SCENE_FIELDS = ("title", "code", "details", "director", "urls", "date", "image", "studio", "performers", "tags")


def usable(scraped: Mapping[str, Any]) -> bool:
    """Whether a converted scene proposes anything a video could take."""
    return any(scraped.get(key) for key in USABLE_SCENE_FIELDS)
