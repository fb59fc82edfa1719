"""Between the metadata plugin's terms and a script plugin's: which action to run for an entity,
the ``input`` it gets, and its answer as ``ScrapeResult`` records.

A plugin answers the original Obscura's shapes: a typed ``{kind, movie|series|episode}`` (or the
bare normalized shape), read as a typed result; or a flat video, folder or gallery result
(``title``, ``date``, ``details``, ``urls``, ``studioName``, ``performerNames``, ``tagNames``,
``imageUrl``…), turned into Stash's scraped shape so it is reviewed like any scraper's. A list
answers several results (a search).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugin_sdk import ScrapeRequest, ScrapeResult
from plugin_sdk.errors import ValidationError
from plugins_builtin.packages.manifest import Manifest

KIND_ACTIONS: dict[str, tuple[str, ...]] = {
    "scene": ("videoByURL", "videoByFragment", "videoByName", "movieByURL", "movieByFragment", "movieByName",
              "episodeByFragment", "episodeByName"),
    "group": ("seriesByName", "folderByName", "seriesCascade", "folderCascade", "seriesByURL", "seriesByFragment",
              "folderByFragment"),
    "gallery": ("galleryByURL", "galleryByFragment"),
    "image": ("imageByURL",),
    "performer": ("performerByURL", "performerByFragment", "performerByName"),
    "audio": ("audioByURL", "audioByFragment"),
    "audio-library": ("audioLibraryByName",),
}  # fmt: skip
"""The actions that scrape each Stash kind, in the order a default pick tries them. A series is
searched by name first: the community TMDB and TVDB plugins answer ``folderByName`` with the whole
cascade over ``localSeasons``, while their ``folderCascade`` wants an ``externalId`` already."""
TYPED_ORDER = {
    "episode": ("episodeByFragment", "episodeByName", "videoByURL", "videoByFragment", "videoByName"),
    "movie": ("movieByURL", "movieByFragment", "movieByName", "videoByURL", "videoByFragment", "videoByName"),
}
MAX_RESULTS = 25
TYPED_KINDS = ("movie", "series", "episode")


def kinds_of(manifest: Manifest) -> list[str]:
    """The Stash kinds the plugin can scrape (from its capabilities)."""
    return [kind for kind, actions in KIND_ACTIONS.items() if any(manifest.supports(a) for a in actions)]


def actions_of(manifest: Manifest) -> list[str]:
    """Its declared actions (``supportsBatch`` is a flag, not an action)."""
    return [name for name, on in manifest.capabilities.items() if on is True and name != "supportsBatch"]


def choose_action(manifest: Manifest, request: ScrapeRequest) -> str:
    """The action to run: the one asked for (it must be declared), else the first the plugin
    declares for the entity (a URL action only when there is a URL to scrape)."""
    if request.action:
        if not manifest.supports(request.action):
            raise ValidationError(f"{manifest.name} does not declare the action {request.action!r}.",
                                  code="unsupported_action")  # fmt: skip
        return request.action
    typed_kind = (request.typed or {}).get("kind")
    order = TYPED_ORDER.get(typed_kind, ()) + KIND_ACTIONS.get(request.kind, ())
    url = request.url or (request.fragment or {}).get("url")
    for action in dict.fromkeys(order):
        if manifest.supports(action) and (url or not action.endswith("ByURL")):
            return action
    raise ValidationError(f"{manifest.name} cannot scrape a {request.kind}.", code="unsupported_kind")


def build_input(request: ScrapeRequest) -> dict[str, Any]:
    """The plugin's ``input``: the entity as typed sources see it (or its Stash fragment), the
    URL or search text asked for, and the caller's own input over it."""
    out: dict[str, Any] = dict(request.typed or {})
    if not out:
        fragment = request.fragment or {}
        files = fragment.get("files") or [{}]
        prints = {p.get("type"): p.get("fingerprint") for p in files[0].get("fingerprints") or []}
        title = fragment.get("title") or fragment.get("name")
        out = {
            "title": title, "name": title, "date": fragment.get("date"), "details": fragment.get("details"),
            "url": fragment.get("url"), "filePath": files[0].get("path"), "duration": files[0].get("duration"),
            "oshash": prints.get("oshash"), "checksumMd5": prints.get("md5"), "phash": prints.get("phash"),
        }  # fmt: skip
    if request.url:
        out["url"] = request.url
    if request.query:
        out["title"] = out["name"] = request.query
    out.update(request.input or {})
    return {k: v for k, v in out.items() if v is not None}


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else []
    return [str(i.get("name") if isinstance(i, Mapping) else i) for i in items if i]


def _first(raw: Mapping[str, Any], *keys: str) -> Any:
    return next((raw[k] for k in keys if raw.get(k) not in (None, "", [])), None)


def _urls(raw: Mapping[str, Any]) -> list[str]:
    value = _first(raw, "urls", "url")
    return [u for u in (value if isinstance(value, list) else [value]) if isinstance(u, str)]


def stash_scene(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A flat video or gallery result in Stash's ``ScrapedScene`` shape."""
    studio = _first(raw, "studioName", "studio")
    return {
        "title": raw.get("title"), "date": raw.get("date"), "details": raw.get("details"), "urls": _urls(raw),
        "code": raw.get("code"), "director": raw.get("director"),
        "studio": {"name": studio} if isinstance(studio, str) else studio,
        "performers": [{"name": n} for n in _names(_first(raw, "performerNames", "performers"))],
        "tags": [{"name": n} for n in _names(_first(raw, "tagNames", "tags"))],
        "image": _first(raw, "imageUrl", "image"),
    }  # fmt: skip


def stash_group(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A flat folder result in Stash's ``ScrapedGroup`` shape."""
    studio = _first(raw, "studioName", "studio")
    return {
        "name": _first(raw, "name", "title"), "date": raw.get("date"), "synopsis": raw.get("details"),
        "urls": _urls(raw), "studio": {"name": studio} if isinstance(studio, str) else studio,
        "tags": [{"name": n} for n in _names(_first(raw, "tagNames", "tags"))],
        "front_image": _first(raw, "imageUrl", "image"),
    }  # fmt: skip


TYPED_KEYS = ("overview", "releaseDate", "firstAirDate", "airDate", "genres", "cast", "guestStars", "tagline",
              "posterCandidates", "backdropCandidates", "stillCandidates", "externalIds", "runtime",
              "contentRating")  # fmt: skip
"""Keys only the typed shapes have: a bare answer with one of them is a typed result."""


def detect(item: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """``(kind, body)`` of a typed answer: the ``{kind, movie|series|episode}`` wrapper, or a bare
    series (``seasons``), episode (``episodeNumber`` and typed keys) or movie (typed keys);
    ``None`` for a flat video/folder/gallery result."""
    kind = item.get("kind")
    if kind in TYPED_KINDS and isinstance(item.get(kind), Mapping):
        return str(kind), item[kind]
    if isinstance(item.get("seasons"), list):
        return "series", item
    if any(key in item for key in TYPED_KEYS):
        return ("episode" if item.get("episodeNumber") is not None else "movie"), item
    return None


def to_results(answer: Any, action: str, kind: str) -> list[ScrapeResult]:
    """The plugin's answer as results for an entity of Stash kind ``kind``."""
    items: Sequence[Any] = answer if isinstance(answer, list) else [answer]
    out = []
    for item in items[:MAX_RESULTS]:
        if not isinstance(item, Mapping):
            continue
        found = detect(item)
        if found is not None:
            typed_kind, body = found
            out.append(ScrapeResult(raw=dict(body), action=action, match_type="plugin", kind=typed_kind))
        elif kind == "group":
            out.append(ScrapeResult(raw=stash_group(item), action=action, match_type="plugin"))
        elif kind in ("audio", "audio-library"):  # the original's flat audio shapes, read as they are
            out.append(ScrapeResult(raw=dict(item), action=action, match_type="plugin"))
        else:
            out.append(ScrapeResult(raw=stash_scene(item), action=action, match_type="plugin"))
    return out
