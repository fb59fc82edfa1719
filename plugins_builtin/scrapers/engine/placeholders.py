"""``queryURL`` placeholders and ``queryURLReplace`` (Stash's ``query_url.go``).

* ``*ByName``: ``{}`` → the name, ``url.QueryEscape``d (spaces become ``+``).
* ``sceneByFragment`` (a stored scene): ``{checksum}`` (MD5), ``{oshash}``, ``{phash}``,
  ``{filename}`` (base name of the first file), ``{title}`` (only if set), ``{url}`` (first URL).
* ``sceneByQueryFragment`` (a scraped scene): ``{title}``, ``{code}``, ``{url}`` (``urls[0]`` else
  ``url``), ``{date}``, ``{details}``, ``{director}``, ``{remote_site_id}`` — those present.
* ``galleryByFragment``/``imageByFragment``: ``{checksum}``, ``{filename}``, ``{title}``, ``{url}``.
* ``*ByURL``: only when ``queryURLReplace`` is set, the URL becomes ``queryURL`` with ``{url}``.

Each placeholder's value goes through its ``queryURLReplace`` regexes in order (TrimSpace after
each); values are inserted as they are; a placeholder with no value stays in the URL literally.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from plugins_builtin.scrapers.engine.config import ActionConfig
from plugins_builtin.scrapers.engine.log import ScrapeLog
from plugins_builtin.scrapers.engine.postprocess import apply_regex_list

__all__ = [
    "by_name_url",
    "construct_url",
    "fragment_url",
    "params_from_file_object",
    "params_from_scraped_scene",
    "params_from_stored_scene",
    "replace_url",
]


def _first_file(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    files = obj.get("files") or []
    return files[0] if files and isinstance(files[0], Mapping) else {}


def _fingerprint(file: Mapping[str, Any], kind: str) -> str | None:
    for fp in file.get("fingerprints") or []:
        if isinstance(fp, Mapping) and str(fp.get("type", "")).lower() == kind:
            value = fp.get("fingerprint", fp.get("value"))
            return None if value is None else str(value)
    return None


def _basename(path: str) -> str:
    return posixpath.basename(path.replace("\\", "/")) if path else ""


def _first_url(obj: Mapping[str, Any]) -> str | None:
    urls = obj.get("urls") or []
    if urls:
        return str(urls[0])
    url = obj.get("url")
    return str(url) if url else None


def params_from_stored_scene(scene: Mapping[str, Any]) -> dict[str, str]:
    """Placeholders of a stored scene (``sceneByFragment``)."""
    file = _first_file(scene)
    params = {
        "checksum": _fingerprint(file, "md5") or str(scene.get("checksum") or ""),
        "oshash": _fingerprint(file, "oshash") or str(scene.get("oshash") or ""),
    }
    phash = _fingerprint(file, "phash")
    if phash:
        params["phash"] = phash
    path = str(file.get("path") or scene.get("path") or "")
    if path:
        params["filename"] = _basename(path)
    if scene.get("title"):
        params["title"] = str(scene["title"])
    url = _first_url(scene)
    if url:
        params["url"] = url
    return params


def params_from_file_object(obj: Mapping[str, Any]) -> dict[str, str]:
    """Placeholders of a stored gallery or image (``galleryByFragment``/``imageByFragment``)."""
    file = _first_file(obj)
    params = {"checksum": _fingerprint(file, "md5") or str(obj.get("checksum") or "")}
    path = str(file.get("path") or obj.get("path") or "")
    if path:
        params["filename"] = _basename(path)
    if obj.get("title"):
        params["title"] = str(obj["title"])
    url = _first_url(obj)
    if url:
        params["url"] = url
    return params


def params_from_scraped_scene(scene: Mapping[str, Any]) -> dict[str, str]:
    """Placeholders of a scraped scene (``sceneByQueryFragment``): the fields that are set."""
    params: dict[str, str] = {}
    for key in ("title", "code"):
        if scene.get(key) is not None:
            params[key] = str(scene[key])
    urls = scene.get("urls") or []
    if urls:
        params["url"] = str(urls[0])
    elif scene.get("url") is not None:
        params["url"] = str(scene["url"])
    for key in ("date", "details", "director", "remote_site_id"):
        if scene.get(key) is not None:
            params[key] = str(scene[key])
    return params


def construct_url(query_url: str, params: Mapping[str, str]) -> str:
    """Put each ``{key}`` of ``params`` into ``query_url`` (others stay as they are)."""
    for key, value in params.items():
        query_url = query_url.replace("{" + key + "}", value)
    return query_url


def apply_replacements(params: dict[str, str], cfg: ActionConfig, log: ScrapeLog) -> dict[str, str]:
    """Run each placeholder's ``queryURLReplace`` regexes."""
    if cfg.query_url_replace is None:
        return params
    for key, value in list(params.items()):
        pairs = cfg.query_url_replace.get(key)
        if pairs is not None:
            params[key] = apply_regex_list(pairs, value, log)
    return params


def fragment_url(cfg: ActionConfig, params: dict[str, str], log: ScrapeLog) -> str:
    """The URL of a fragment scrape: replacements, then the placeholders into ``queryURL``."""
    return construct_url(cfg.query_url, apply_replacements(params, cfg, log))


def replace_url(url: str, cfg: ActionConfig, log: ScrapeLog) -> str:
    """Stash's ``replaceURL`` for ``*ByURL``: only with ``queryURLReplace`` does ``queryURL`` apply."""
    if cfg.query_url_replace is None:
        return url
    return construct_url(cfg.query_url, apply_replacements({"url": url}, cfg, log))


def by_name_url(cfg: ActionConfig, name: str) -> str:
    """``queryURL`` with ``{}`` → the query-escaped name."""
    return cfg.query_url.replace("{}", quote_plus(name, safe=""))
