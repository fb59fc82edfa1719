"""The ``stash-compat`` runtime: a Stash scraper definition run by the ``scrapers`` plugin's engine.

``manifest.stash_definition`` (a ``.yml`` inside the package folder) is loaded with
``plugins_builtin.scrapers.engine`` — imported when first needed; without it the run is a 409
``needs_scrapers_plugin``. Obscura action names map to Stash's as in the original's adapter
(``videoByURL`` → ``sceneByURL``, ``videoByFragment`` → ``sceneByFragment``, ``videoByName`` →
``sceneByName``; the gallery and performer actions keep their names), plus ``imageByURL``;
Stash's own action names are accepted as they are. The plugin input becomes Stash's input:
``{"url"}``, ``{"name"}`` (title or name), or a fragment (a stored scene with its file and
fingerprints for ``sceneByFragment``).

Results: scenes become the original's ``NormalizedVideoResult`` (``title``, ``date``,
``details``, ``urls``, ``studioName``, ``performerNames``, ``tagNames``, ``imageUrl``, ``code``,
``director``, ``episodeNumber: null``, ``series: null``), galleries its
``NormalizedGalleryResult``; performers, images and groups are Stash's scraped objects as they
are. A ``*ByURL`` scene or gallery without a URL of its own gets the one it was scraped from. A
``*ByName`` search answers its first hit, as the original does. The engine runs in this
process (a scraper's own ``action: script`` is its child process, under the engine's rules).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plugin_sdk.errors import ConflictError, ValidationError
from plugins_builtin.packages.runtime.process import LogFn, PluginRunError

__all__ = ["ACTIONS", "engine_available", "run", "stash_action"]

ACTIONS = {
    "videoByURL": "sceneByURL",
    "videoByFragment": "sceneByFragment",
    "videoByName": "sceneByName",
    "galleryByURL": "galleryByURL",
    "galleryByFragment": "galleryByFragment",
    "imageByURL": "imageByURL",
    "performerByURL": "performerByURL",
    "performerByFragment": "performerByFragment",
    "performerByName": "performerByName",
}
"""Obscura action → Stash action (the original's ``obscuraToStashActionMap`` plus ``imageByURL``)."""


def _engine() -> Any:
    try:
        engine = importlib.import_module("plugins_builtin.scrapers.engine")
    except ImportError:
        raise ConflictError("stash-compat plugins need the scrapers plugin", code="needs_scrapers_plugin") from None
    return engine


def engine_available() -> bool:
    """Whether the scrapers plugin's engine can be imported."""
    try:
        _engine()
    except ConflictError:
        return False
    return True


def stash_action(action: str) -> str:
    """The Stash action for an Obscura (or Stash) action name.

    :raises ValidationError: (``unsupported_action``) no Stash action does that.
    """
    if action in ACTIONS:
        return ACTIONS[action]
    if action in _engine().run.ACTION_KIND:
        return action
    raise ValidationError(f"A stash-compat plugin cannot do {action}.", code="unsupported_action")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _stash_input(stash: str, input: Mapping[str, Any]) -> dict[str, Any]:
    """The Stash input of ``stash`` for an Obscura plugin input."""
    url = _text(input.get("url"))
    if stash.endswith("ByURL"):
        if not url:
            raise ValidationError(f"{stash} needs a url.", code="missing_input")
        return {"url": url}
    if stash.endswith("ByName"):
        first, second = ("name", "title") if stash.startswith("performer") else ("title", "name")
        name = _text(input.get(first)) or _text(input.get(second))
        if not name:
            raise ValidationError(f"{stash} needs a name.", code="missing_input")
        return {"name": name}
    if stash == "performerByFragment":
        return {"name": _text(input.get("name")) or _text(input.get("title")), "url": url, "urls": [url] if url else []}
    fingerprints = [
        {"type": kind, "value": str(input[key])}
        for kind, key in (("md5", "checksumMd5"), ("oshash", "oshash"), ("phash", "phash"))
        if input.get(key)
    ]
    path = _text(input.get("filePath"))
    file: dict[str, Any] = {"path": path, "fingerprints": fingerprints}
    if input.get("duration") is not None:
        file["duration"] = input["duration"]
    fragment: dict[str, Any] = {
        "title": _text(input.get("title")),
        "url": url,
        "urls": [url] if url else [],
        "date": _text(input.get("date")),
        "details": _text(input.get("details")),
        "code": _text(input.get("code")),
        "files": [file] if path or fingerprints else [],
    }
    if stash == "sceneByFragment":
        fragment.update(
            checksum=input.get("checksumMd5"),
            oshash=input.get("oshash"),
            phash=input.get("phash"),
            duration=input.get("duration"),
            file_path=path,
        )
    return fragment


def _names(items: Any) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for item in items or []:
        name = _text(item.get("name") if isinstance(item, Mapping) else item)
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def _urls(obj: Mapping[str, Any]) -> list[str]:
    urls = [u for u in (obj.get("urls") or []) if isinstance(u, str) and u.strip()]
    if not urls and _text(obj.get("url")):
        urls = [str(obj["url"]).strip()]
    return urls


def _studio(obj: Mapping[str, Any]) -> str | None:
    studio = obj.get("studio")
    return _text(studio.get("name")) if isinstance(studio, Mapping) else None


def _normalized(stash: str, scraped: Any) -> Any:
    """The original's normalized shape of a Stash result (first hit of a ``*ByName`` list)."""
    if isinstance(scraped, list):
        scraped = scraped[0] if scraped else None
    if not isinstance(scraped, Mapping):
        return None
    if stash.startswith(("scene", "gallery")):
        common = {
            "title": _text(scraped.get("title")),
            "date": _text(scraped.get("date")),
            "details": _text(scraped.get("details")),
            "urls": _urls(scraped),
            "studioName": _studio(scraped),
            "performerNames": _names(scraped.get("performers")),
            "tagNames": _names(scraped.get("tags")),
        }
        if stash.startswith("gallery"):
            return {**common, "imageUrl": None, "photographer": _text(scraped.get("photographer"))}
        return {**common, "imageUrl": _text(scraped.get("image")), "episodeNumber": None, "series": None,
                "code": _text(scraped.get("code")), "director": _text(scraped.get("director"))}  # fmt: skip
    return dict(scraped)


def _definition_path(folder: Path, manifest: Any) -> Path:
    if not manifest.stash_definition:
        raise PluginRunError(f"{manifest.name} has no stashDefinition", plugin_id=manifest.id)
    root = folder.resolve()
    path = (root / manifest.stash_definition).resolve()
    if not path.is_relative_to(root):
        raise PluginRunError(
            f"{manifest.name}'s stashDefinition leaves its folder: {manifest.stash_definition}", plugin_id=manifest.id
        )
    return path


def run(
    folder: Path,
    manifest: Any,
    action: str,
    input: Mapping[str, Any],
    auth: Mapping[str, str],
    *,
    timeout: float,
    log: LogFn | None = None,
) -> Any:
    """Run the definition's Stash action for ``action``; ``auth`` is not used (Stash scrapers
    have none). :raises PluginRunError: the scrape failed or timed out, or the YAML is invalid."""
    engine = _engine()
    stash = stash_action(action)
    payload = _stash_input(stash, input)
    path = _definition_path(folder, manifest)
    who = manifest.name
    try:
        defn = engine.load_scraper(path)
    except engine.ScraperConfigError as exc:
        message = f"{who}'s stash definition is not valid: {exc}"
        raise PluginRunError(message, plugin_id=manifest.id, action=action) from None
    scrape_log = engine.ScrapeLog(who, log)
    try:
        scraped = engine.scrape(defn, stash, payload, log=scrape_log, timeout=timeout)
    except engine.ScrapeTimeout as exc:
        message = f"{who} timed out after {timeout:g} s ({exc})"
        raise PluginRunError(message, plugin_id=manifest.id, action=action) from None
    except engine.ScrapeError as exc:
        raise PluginRunError(f"{who} failed: {exc}", plugin_id=manifest.id, action=action) from None
    result = _normalized(stash, scraped)
    if isinstance(result, dict) and stash.endswith("ByURL") and not result.get("urls") and "urls" in result:
        result["urls"] = [payload["url"]]  # the page it came from
    return result
