"""Typed results (movie, series, episode), as the original Obscura's plugins answer them.

A source says which kind a result is (``ScrapeResult.kind``); :func:`proposed` normalizes it the way the original
does (``normalized-video``: text trimmed, empty values dropped, image candidates only
``http(s)://`` or ``data:image/``, names de-duplicated case-insensitively, external ids kept as
strings). Accepting takes a field mask of the original's keys (:data:`MASK`) and, for a series,
the season/episode cascade; :func:`accepted_fields` turns both into ``AcceptedMetadata.fields``
and :func:`image_slots` says which images to download.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from plugin_sdk.errors import ValidationError
from plugins_builtin.metadata.normalize import long_text, text

KINDS = ("movie", "series", "episode")
MASK = ("title", "overview", "tagline", "releaseDate", "airDate", "firstAirDate", "runtime", "genres", "studio",
        "cast", "rating", "contentRating", "externalIds")  # fmt: skip
"""The original's ``AcceptFieldMask`` keys (all kept when no mask is given)."""
EPISODE_MASK = ("title", "overview", "airDate", "runtime", "cast", "rating", "externalIds")
IMAGE_SLOTS = {"poster": "posterCandidates", "backdrop": "backdropCandidates", "logo": "logoCandidates",
               "still": "stillCandidates"}  # fmt: skip
MAX_IMAGES = 60
MAX_CANDIDATES = 20
DATE_KEYS = {"movie": "releaseDate", "episode": "airDate", "series": "firstAirDate"}


# ------------------------------------------------------------------------------------------ reading


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        try:
            return _number(float(value.strip()))
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _names(values: Any) -> list[str]:
    out: dict[str, str] = {}
    for value in values if isinstance(values, list) else []:
        name = text(value)
        if name:
            out.setdefault(name.casefold(), name)
    return list(out.values())


def _external_ids(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    out = {}
    for key, raw in value.items():
        got = text(raw)
        if isinstance(key, str) and key.strip() and got:
            out[key.strip()[:40]] = got[:200]
    return out


def _url(value: Any) -> str | None:
    url = text(value)
    return url if url and url.startswith(("http://", "https://", "data:image/")) else None


def _candidates(value: Any) -> list[dict[str, Any]]:
    out = []
    for raw in value if isinstance(value, list) else []:
        if isinstance(raw, Mapping) and (url := _url(raw.get("url"))):
            out.append(_compact({"url": url, "language": text(raw.get("language")), "width": _int(raw.get("width")),
                                 "height": _int(raw.get("height")), "source": text(raw.get("source"))}))  # fmt: skip
    return out[:MAX_CANDIDATES]


def _cast(value: Any) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for raw in value if isinstance(value, list) else []:
        name = text(raw.get("name")) if isinstance(raw, Mapping) else None
        if name and name.casefold() not in out:
            person = {"name": name, "character": text(raw.get("character")), "order": _int(raw.get("order")),
                      "profileUrl": _url(raw.get("profileUrl"))}  # fmt: skip
            out[name.casefold()] = _compact(person)
    return list(out.values())


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}


READERS: dict[str, Any] = {
    "title": text, "originalTitle": text, "overview": long_text, "tagline": text, "releaseDate": text,
    "airDate": text, "firstAirDate": text, "endAirDate": text, "status": text, "runtime": _int,
    "genres": _names, "studioName": text, "cast": _cast, "guestStars": _cast, "externalIds": _external_ids,
    "posterCandidates": _candidates, "backdropCandidates": _candidates, "logoCandidates": _candidates,
    "stillCandidates": _candidates, "rating": _number, "contentRating": text, "absoluteEpisodeNumber": _int,
}  # fmt: skip
"""How each key of the original's normalized shapes is read."""
MOVIE_KEYS = ("title", "originalTitle", "overview", "tagline", "releaseDate", "runtime", "genres", "studioName",
              "cast", "posterCandidates", "backdropCandidates", "logoCandidates", "externalIds", "rating",
              "contentRating")  # fmt: skip
SERIES_KEYS = ("title", "originalTitle", "overview", "tagline", "firstAirDate", "endAirDate", "status", "genres",
               "studioName", "cast", "posterCandidates", "backdropCandidates", "logoCandidates", "externalIds",
               "rating", "contentRating")  # fmt: skip
SEASON_KEYS = ("title", "overview", "airDate", "posterCandidates", "externalIds")
EPISODE_KEYS = ("absoluteEpisodeNumber", "title", "overview", "airDate", "runtime", "stillCandidates", "guestStars",
                "externalIds", "rating")  # fmt: skip


def _read(raw: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return _compact({key: READERS[key](raw.get(key)) for key in keys})


LEGACY = {"overview": "details", "genres": "tagNames", "studioName": "studio"}
"""Typed keys and the legacy flat keys plugins send beside them (TMDB's answers carry both): a
typed key that is missing is read from its legacy one."""
LEGACY_DATES = {"movie": "releaseDate", "series": "firstAirDate"}
LEGACY_IMAGES = {"posterCandidates": "imageUrl", "backdropCandidates": "backdropUrl"}


def _with_legacy(raw: Mapping[str, Any], kind: str) -> dict[str, Any]:
    out = dict(raw)
    for key, legacy in (*LEGACY.items(), (LEGACY_DATES[kind], "date")):
        if out.get(key) in (None, "", []) and raw.get(legacy) not in (None, "", []):
            out[key] = raw[legacy]
    for key, legacy in LEGACY_IMAGES.items():
        if not out.get(key) and _url(raw.get(legacy)):
            out[key] = [{"url": raw[legacy], "source": "legacy"}]
    if not text(out.get("title")) and text(raw.get("name")):
        out["title"] = raw["name"]
    return out


def movie(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = _with_legacy(raw, "movie")
    return _read(raw, MOVIE_KEYS) if text(raw.get("title")) else None


def episode(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    number = _int(raw.get("episodeNumber"))
    if number is None:
        return None
    return {"seasonNumber": _int(raw.get("seasonNumber")) or 0, "episodeNumber": number, **_read(raw, EPISODE_KEYS)}


def season(raw: Mapping[str, Any]) -> dict[str, Any]:
    episodes = [e for e in (episode(r) for r in raw.get("episodes") or [] if isinstance(r, Mapping)) if e]
    return {"seasonNumber": _int(raw.get("seasonNumber")) or 0, **_read(raw, SEASON_KEYS), "episodes": episodes}


def _candidate(raw: Mapping[str, Any]) -> dict[str, Any]:
    """One of a series search's candidates, for disambiguation."""
    return _compact({
        "title": text(raw.get("title")), "year": _int(raw.get("year")), "overview": long_text(raw.get("overview")),
        "posterUrl": _url(raw.get("posterUrl")), "externalIds": _external_ids(raw.get("externalIds")),
    })  # fmt: skip


def series(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = _with_legacy(raw, "series")
    if not text(raw.get("title")):
        return None
    seasons = [season(s) for s in raw.get("seasons") or [] if isinstance(s, Mapping)]
    candidates = [_candidate(c) for c in raw.get("candidates") or [] if isinstance(c, Mapping) and text(c.get("title"))]
    return _compact({**_read(raw, SERIES_KEYS), "seasons": seasons, "candidates": candidates})


NORMALIZERS = {"movie": movie, "series": series, "episode": episode}


def proposed(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The normalized result the reviewer sees (empty when it is not usable)."""
    return NORMALIZERS[kind](raw) or {}


# ------------------------------------------------------------------------------------------ accepting


def check_mask(fields: Iterable[str] | None) -> None:
    unknown = [f for f in fields or () if f not in MASK]
    if unknown:
        raise ValidationError(f"body.fields: unknown field '{unknown[0]}' (one of {', '.join(MASK)}).")


def _rating(value: Any) -> int | None:
    """A 0–10 rating (TMDB, TVDB) as our 0–100; a rating above 10 is read as 0–100 already."""
    number = _number(value)
    if number is None or number < 0:
        return None
    return max(0, min(100, round(number * 10 if number <= 10 else number)))


def _fields(kind: str, body: Mapping[str, Any], mask: set[str]) -> dict[str, Any]:
    """``AcceptedMetadata.fields`` of one normalized result (or one season's or episode's)."""
    out: dict[str, Any] = {}
    for key in ("title", "overview", "tagline", "contentRating", "runtime"):
        if key in mask and body.get(key) is not None:
            out[key] = body[key]
    date_key = DATE_KEYS.get(kind, "airDate")
    if date_key in mask and body.get(date_key):
        out["date"] = body[date_key]
    if "rating" in mask and (rating := _rating(body.get("rating"))) is not None:
        out["rating"] = rating
    if "externalIds" in mask and body.get("externalIds"):
        out["externalIds"] = dict(body["externalIds"])
    if "genres" in mask and body.get("genres"):
        out["tags"] = list(body["genres"])
    if "studio" in mask and body.get("studioName"):
        out["studio"] = body["studioName"]
    people = body.get("cast") or body.get("guestStars") or []
    if "cast" in mask and people:
        out["performers"] = [c["name"] for c in people]
        out["cast"] = [{k: c.get(k) for k in ("name", "character", "order")} for c in people]
    return out


def _option(options: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = options.get(key)
    return value if isinstance(value, Mapping) else {}


def _mask(value: Any, default: Iterable[str]) -> set[str]:
    """A field mask given as a list of keys or as ``{key: bool}`` (the original's)."""
    if isinstance(value, Mapping):
        return {k for k in default if value.get(k, True)}
    if isinstance(value, list):
        check_mask(value)
        return set(value) & set(default)
    return set(default)


def accepted_seasons(
    body: Mapping[str, Any], options: Mapping[str, Any]
) -> Iterator[tuple[int, Mapping[str, Any], Mapping[str, Any]]]:
    """``(number, remote season, its override)`` of the seasons the cascade accepts: every one
    unless ``acceptAllSeasons`` is false, each as its ``seasonOverrides[n].accepted`` says."""
    all_seasons = options.get("acceptAllSeasons", True) is not False
    overrides = _option(options, "seasonOverrides")
    for remote in body.get("seasons") or []:
        number = remote.get("seasonNumber", 0)
        override = _option(overrides, str(number))
        if override.get("accepted", all_seasons):
            yield number, remote, override


def accepted_fields(
    kind: str, body: Mapping[str, Any], fields: Iterable[str] | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    """What the target gets: the kept fields, and for a series the seasons and episodes the
    cascade accepts (``acceptAllSeasons``; ``seasonOverrides: {n: {accepted, fieldMask,
    episodes: {m: {accepted, fieldMask}}}}``), each with its own mask."""
    mask = set(MASK) if fields is None else set(fields)
    out = _fields(kind, body, mask)
    if kind != "series":
        return out
    seasons = []
    for number, remote, override in accepted_seasons(body, options):
        season_mask = _mask(override.get("fieldMask"), ("title", "overview", "airDate", "externalIds"))
        episodes = []
        for ep in remote.get("episodes") or []:
            ep_override = _option(_option(override, "episodes"), str(ep.get("episodeNumber")))
            if ep_override.get("accepted", True) is False:
                continue
            ep_mask = _mask(ep_override.get("fieldMask"), EPISODE_MASK)
            episodes.append({"seasonNumber": ep.get("seasonNumber", number), "episodeNumber": ep["episodeNumber"],
                             "fields": _fields("episode", ep, ep_mask)})  # fmt: skip
        seasons.append({"seasonNumber": number, "fields": _fields("season", remote, season_mask), "episodes": episodes})
    out["seasons"] = seasons
    return out


_FIRST = object()
"""No choice made for a slot: its first candidate is taken."""


def _choose(candidates: list[Mapping[str, Any]], selected: Any, slot: str) -> str | None:
    """The image to download for a slot: the selected URL (one of the candidates; ``None`` or
    ``""`` for none), else (nothing chosen) the first candidate."""
    urls = [str(c["url"]) for c in candidates if c.get("url")]
    if selected is _FIRST:
        return urls[0] if urls else None
    if selected in (None, "", False):
        return None
    if selected not in urls:
        raise ValidationError(f"body.selectedImages.{slot}: not one of the result's {slot} images.")
    return str(selected)


def image_slots(kind: str, body: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, str]:
    """``{slot: URL}`` of the images to download: ``poster``/``backdrop``/``logo`` (a movie or a
    series), ``still`` (an episode), ``season:<n>:poster`` for each accepted season. The chosen
    ones (``selectedImages``, per season ``seasonOverrides[n].selectedImages``) are honoured."""
    selected = _option(options, "selectedImages")
    slots = ("still",) if kind == "episode" else ("poster", "backdrop", "logo")
    out: dict[str, str] = {}
    for slot in slots:
        url = _choose(body.get(IMAGE_SLOTS[slot]) or [], selected.get(slot, _FIRST), slot)
        if url:
            out[slot] = url
    if kind == "series":
        for number, remote, override in accepted_seasons(body, options):
            chosen = _option(override, "selectedImages").get("poster", _FIRST)
            url = _choose(remote.get("posterCandidates") or [], chosen, f"season {number} poster")
            if url:
                out[f"season:{number}:poster"] = url
    return dict(list(out.items())[:MAX_IMAGES])


def portraits(fields: Mapping[str, Any], body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The accepted cast as performer fragments with their picture (``profileUrl``)."""
    if "cast" not in fields:
        return []
    people = body.get("cast") or body.get("guestStars") or []
    return [{"name": c["name"], "image": c["profileUrl"]} for c in people if c.get("profileUrl")]
