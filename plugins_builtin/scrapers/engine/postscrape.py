"""After a scrape (Stash's ``postprocessing.go`` and ``image.go``), minus the database parts.

* Script output is reduced to the fields of Stash's scraped objects (unknown fields are dropped
  with a warning, as Go's lenient decode does).
* ``url`` and ``urls`` are reconciled: a legacy ``url`` becomes ``urls`` when there is none, and
  ``url`` is filled from ``urls[0]``; a performer's ``twitter``/``instagram`` handles join ``urls``.
* ``image`` (scenes), ``image``/``images`` (performers), ``front_image``/``back_image`` (groups)
  that start with ``http`` are downloaded into ``data:`` URIs; a failed download keeps the URL
  and logs a warning. Values that do not start with ``http`` (data URIs) are kept as they are.

Matching names to stored objects and tag exclusions belong to the caller (they need a database).
"""

from __future__ import annotations

from typing import Any

from plugins_builtin.scrapers.engine.errors import ScrapeError
from plugins_builtin.scrapers.engine.fetch import Fetcher
from plugins_builtin.scrapers.engine.fields import SCRAPED_JSON
from plugins_builtin.scrapers.engine.log import ScrapeLog

__all__ = ["post_scrape", "sanitize"]

MAX_PERFORMER_IMAGES = 10


def sanitize(kind: str, obj: Any, log: ScrapeLog, path: str = "") -> Any:
    """Keep the known fields of a scraped ``kind`` object (recursively)."""
    if not isinstance(obj, dict):
        return obj
    known = SCRAPED_JSON[kind]
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if value is None:
            continue
        if key not in known:
            log.warning(f'reading script result: json: unknown field "{path}{key}"')
            continue
        sub = known[key]
        if sub is not None and value is not None:
            if isinstance(value, list):
                value = [sanitize(sub, v, log, f"{path}{key}.") for v in value]
            else:
                value = sanitize(sub, value, log, f"{path}{key}.")
        out[key] = value
    return out


def _url_from_handle(handle: str, site: str) -> str:
    """Stash's ``utils.URLFromHandle``: a bare handle becomes ``<site>/<handle>``."""
    if handle.startswith(("http://", "https://")):
        return handle
    return f"{site}/{handle}"


def _reconcile_urls(obj: dict[str, Any]) -> None:
    urls = obj.get("urls") or []
    if obj.get("url") is None and urls:
        obj["url"] = urls[0]
    if obj.get("url") is not None and not urls:
        obj["urls"] = [obj["url"]]


def _reconcile_performer_urls(p: dict[str, Any]) -> None:
    if p.get("urls"):
        if p.get("url") is None:
            p["url"] = p["urls"][0]
        return
    urls = []
    if p.get("url"):
        urls.append(p["url"])
    if p.get("twitter"):
        urls.append(_url_from_handle(str(p["twitter"]), "https://twitter.com"))
    if p.get("instagram"):
        urls.append(_url_from_handle(str(p["instagram"]), "https://instagram.com"))
    if urls:
        p["urls"] = urls


def _download(fetcher: Fetcher | None, value: Any, log: ScrapeLog, what: str) -> Any:
    if fetcher is None or not isinstance(value, str) or not value.startswith("http"):
        return value
    try:
        return fetcher.image_data_uri(value)
    except ScrapeError as exc:
        log.warning(f"Could not set {what} using URL {value}: {exc}")
        return value


def _performer(p: dict[str, Any], fetcher: Fetcher | None, log: ScrapeLog, images: bool) -> None:
    _reconcile_performer_urls(p)
    if not images:
        return
    image = p.get("image")
    listed = p.get("images") or []
    if image is not None and not listed:
        if not str(image).startswith("http"):
            p["images"] = [image]
        else:
            img = _download(fetcher, image, log, "image")
            p["image"] = img
            p["images"] = [img]
    elif listed:
        p["images"] = [
            _download(fetcher, v, log, "image") if i < MAX_PERFORMER_IMAGES else v for i, v in enumerate(listed)
        ]


def post_scrape(kind: str, obj: dict[str, Any], fetcher: Fetcher | None, log: ScrapeLog) -> dict[str, Any]:
    """Stash's post-scrape for one scraped object of ``kind`` (scene, performer, gallery, image,
    group); images are fetched with ``fetcher`` (``None``: left as URLs)."""
    if kind == "performer":
        _performer(obj, fetcher, log, images=True)
        return obj
    if kind in ("scene", "gallery", "group"):
        _reconcile_urls(obj)
    for p in obj.get("performers") or []:
        if isinstance(p, dict):
            _performer(p, fetcher, log, images=False)
    for g in (obj.get("groups") or []) + (obj.get("movies") or []):
        if isinstance(g, dict):
            _reconcile_urls(g)
    if kind == "scene" and obj.get("image") is not None:
        obj["image"] = _download(fetcher, obj["image"], log, "image")
    if kind == "group":
        for key in ("front_image", "back_image"):
            if obj.get(key) is not None:
                obj[key] = _download(fetcher, obj[key], log, key.replace("_", " "))
    return obj
