"""Running a scraper: one action (:func:`scrape`) or the usual order of actions (:func:`cascade`).

``input`` is what Stash hands an action: ``{"url": …}`` for ``*ByURL``, ``{"name": …}`` for
``*ByName``, the stored scene/gallery/image for ``sceneByFragment``/``galleryByFragment``/
``imageByFragment``, and Stash's scraped-input shape for ``sceneByQueryFragment`` and
``performerByFragment``. Results are Stash's scraped JSON shapes (snake_case keys; unset fields are
left out); ``*ByName`` returns a list; ``None`` means no result; failures raise :class:`ScrapeError`.
"""

from __future__ import annotations

import json
import posixpath
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plugins_builtin.scrapers.engine.config import ActionConfig, ScraperDef
from plugins_builtin.scrapers.engine.errors import ScrapeError
from plugins_builtin.scrapers.engine.fetch import DEFAULT_USER_AGENT, Fetcher
from plugins_builtin.scrapers.engine.jsonpath import JsonQuery, is_valid_json
from plugins_builtin.scrapers.engine.log import ScrapeLog
from plugins_builtin.scrapers.engine.mapped import Mapper
from plugins_builtin.scrapers.engine.placeholders import (
    by_name_url,
    fragment_url,
    params_from_file_object,
    params_from_scraped_scene,
    params_from_stored_scene,
    replace_url,
)
from plugins_builtin.scrapers.engine.postscrape import post_scrape, sanitize
from plugins_builtin.scrapers.engine.query import Query
from plugins_builtin.scrapers.engine.script import NO_RESULT, run_script
from plugins_builtin.scrapers.engine.stash_action import StashClient
from plugins_builtin.scrapers.engine.xpath import XPathQuery

__all__ = ["ACTION_KIND", "cascade", "scrape"]

ACTION_KIND = {
    "sceneByURL": "scene",
    "sceneByFragment": "scene",
    "sceneByName": "scene",
    "sceneByQueryFragment": "scene",
    "performerByURL": "performer",
    "performerByName": "performer",
    "performerByFragment": "performer",
    "galleryByURL": "gallery",
    "galleryByFragment": "gallery",
    "groupByURL": "group",
    "movieByURL": "group",
    "imageByURL": "image",
    "imageByFragment": "image",
}

SCRAPED_SCENE_INPUT = ("title", "code", "details", "director", "url", "urls", "date", "remote_site_id")
SCRAPED_PERFORMER_INPUT = (
    "stored_id",
    "name",
    "disambiguation",
    "gender",
    "url",
    "urls",
    "twitter",
    "instagram",
    "birthdate",
    "ethnicity",
    "country",
    "eye_color",
    "height",
    "measurements",
    "fake_tits",
    "penis_length",
    "circumcised",
    "career_length",
    "tattoos",
    "piercings",
    "aliases",
    "details",
    "death_date",
    "hair_color",
    "weight",
    "remote_site_id",
)


class _Run:
    """State of one ``scrape`` call."""

    def __init__(
        self, defn: ScraperDef, log: ScrapeLog, timeout: float, python: str, fetch_timeout: float, user_agent: str
    ) -> None:
        self.defn = defn
        self.log = log
        self.timeout = timeout
        self.python = python
        self.fetcher = Fetcher(defn, log, timeout=fetch_timeout, user_agent=user_agent)
        for warning in defn.warnings:
            log.warning(warning)

    # --- documents -----------------------------------------------------------------------
    def load(self, cfg: ActionConfig, url: str, *, search: bool = False) -> tuple[Query, Any]:
        """The mapped scraper named by ``cfg`` and its document at ``url``."""
        xpath = cfg.action == "scrapeXPath"
        scrapers = self.defn.xpath_scrapers if xpath else self.defn.json_scrapers
        mapped = scrapers.get(cfg.scraper)
        if mapped is None:
            kind = "xpath" if xpath else "json"
            raise ScrapeError(f"{kind} scraper with name {cfg.scraper!r} not found in config")
        return self._query(xpath, url, search), mapped

    def _query(self, xpath: bool, url: str, search: bool = False) -> Query:
        if xpath:
            return XPathQuery.from_text(self.fetcher.load_html(url), url, loader=self._sub_loader(True), search=search)
        text = self.fetcher.load_json(url)
        if not is_valid_json(text):
            raise ScrapeError("not valid json")
        return JsonQuery(text, url, loader=self._sub_loader(False), search=search)

    def _sub_loader(self, xpath: bool) -> Any:
        def load(url: str) -> Query | None:
            try:
                return self._query(xpath, url)
            except ScrapeError as exc:
                self.log.warning(f"Error getting URL '{url}' for sub-scraper: {exc}")
                return None

        return load

    # --- kinds of action -----------------------------------------------------------------
    def mapped(self, cfg: ActionConfig, kind: str, url: str, *, search: bool = False) -> Any:
        query, scraper = self.load(cfg, url, search=search)
        mapper = Mapper(scraper, query, self.log)
        if search:
            return mapper.scrape_scenes() if kind == "scene" else mapper.scrape_performers()
        return {
            "scene": mapper.scrape_scene,
            "performer": mapper.scrape_performer,
            "gallery": mapper.scrape_gallery,
            "image": mapper.scrape_image,
            "group": mapper.scrape_group,
        }[kind]()

    def script(self, cfg: ActionConfig, kind: str, payload: Mapping[str, Any], *, search: bool = False) -> Any:
        scraper_dir = self.defn.dir or Path.cwd()
        out = run_script(
            cfg.script,
            json.dumps(payload, ensure_ascii=False),
            scraper_dir=scraper_dir,
            log=self.log,
            timeout=self.timeout,
            python=self.python,
        )
        if out is NO_RESULT:
            return [] if search else None
        if search:
            if out is None:
                return []
            if not isinstance(out, list):
                raise ScrapeError(f"the script printed a JSON {type(out).__name__}, expected a list of {kind}s")
            return [sanitize(kind, item, self.log) for item in out if isinstance(item, dict)]
        if out is None:
            return None
        if not isinstance(out, dict):
            raise ScrapeError(f"the script printed a JSON {type(out).__name__}, expected a {kind} object")
        return sanitize(kind, out, self.log)

    def stash(self, action: str, payload: Mapping[str, Any]) -> Any:
        client = StashClient(self.defn.stash_url, self.defn.stash_api_key, self.fetcher, self.log)
        if action == "sceneByFragment":
            params = params_from_stored_scene(payload)
            return client.scene_by_hash(params.get("checksum", ""), params.get("oshash", ""))
        if action == "sceneByQueryFragment":
            urls = payload.get("urls") or ([payload["url"]] if payload.get("url") else [])
            if not urls:
                raise ScrapeError("action: stash needs the scene id in the fragment's urls")
            return client.scene_by_id(str(urls[0]))
        if action == "sceneByName":
            return client.scenes_by_name(str(payload.get("name", "")))
        if action == "performerByName":
            return client.performers_by_name(str(payload.get("name", "")))
        if action == "performerByFragment":
            performer_id = payload.get("url") or (payload.get("urls") or [None])[0]
            if not performer_id:
                raise ScrapeError("action: stash needs the performer id in the fragment's url")
            return client.performer_by_id(str(performer_id))
        raise ScrapeError(f"action: stash cannot do {action}")

    # --- one action ------------------------------------------------------------------------
    def run_url_config(self, cfg: ActionConfig, kind: str, url: str) -> Any:
        if cfg.action == "script":
            return self.script(cfg, kind, {"url": url})
        if cfg.action == "stash":
            raise ScrapeError("action: stash cannot scrape by URL")
        return self.mapped(cfg, kind, replace_url(url, cfg, self.log))

    def by_url(self, action: str, kind: str, url: str) -> Any:
        configs = self.defn.url_configs(action)
        if not configs:
            raise ScrapeError(f"scraper '{self.defn.id}' has no {action}")
        matched = False
        for cfg in configs:
            if not cfg.matches_url(url):
                continue
            matched = True
            result = self.run_url_config(cfg, kind, url)
            if result is not None:
                return result
        if not matched:
            self.log.info(f"no {action} URL pattern of this scraper matches {url}")
        return None

    def by_name(self, action: str, kind: str, name: str) -> list[Any]:
        cfg = self._single(action)
        if cfg.action == "script":
            return self.script(cfg, kind, {"name": name}, search=True)
        if cfg.action == "stash":
            return self.stash(action, {"name": name})
        return self.mapped(cfg, kind, by_name_url(cfg, name), search=True) or []

    def by_fragment(self, action: str, kind: str, payload: Mapping[str, Any]) -> Any:
        cfg = self.defn.action_config(action)
        if cfg is None and action == "performerByFragment":
            url = payload.get("url") or (payload.get("urls") or [None])[0]
            if url and self.defn.url_configs("performerByURL"):
                return self.by_url("performerByURL", "performer", str(url))
        cfg = self._single(action)
        if cfg.action == "script":
            return self.script(cfg, kind, _script_input(action, payload))
        if cfg.action == "stash":
            return self.stash(action, payload)
        if action == "performerByFragment":
            what = "an xpath" if cfg.action == "scrapeXPath" else "a json"
            raise ScrapeError(f"cannot use {what} scraper as a performer fragment scraper")
        if action == "sceneByFragment":
            params = params_from_stored_scene(payload)
        elif action == "sceneByQueryFragment":
            params = params_from_scraped_scene(payload)
        else:
            params = params_from_file_object(payload)
        return self.mapped(cfg, kind, fragment_url(cfg, params, self.log))

    def _single(self, action: str) -> ActionConfig:
        cfg = self.defn.action_config(action)
        if cfg is None:
            raise ScrapeError(f"scraper '{self.defn.id}' has no {action}")
        return cfg


def _script_input(action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """What a script reads on stdin for a fragment action."""
    if action == "sceneByQueryFragment":
        return {key: payload.get(key) for key in SCRAPED_SCENE_INPUT}
    if action == "performerByFragment":
        return {key: payload.get(key) for key in SCRAPED_PERFORMER_INPUT}
    out = dict(payload)
    if action in ("sceneByFragment", "galleryByFragment", "imageByFragment"):
        urls = list(out.get("urls") or [])
        out.setdefault("urls", urls)
        out.setdefault("url", urls[0] if urls else None)
        if not out.get("title"):
            files = out.get("files") or []
            path = files[0].get("path") if files and isinstance(files[0], Mapping) else None
            if path:
                out["title"] = posixpath.basename(str(path).replace("\\", "/"))
        if action == "sceneByFragment":
            out.setdefault("date", None)
            out.setdefault("details", "")
    return out


def _usable(result: Any) -> bool:
    return bool(result)


def scrape(
    defn: ScraperDef,
    action: str,
    input: Mapping[str, Any],
    *,
    log: ScrapeLog,
    timeout: float = 30.0,
    python: str = sys.executable,
    fetch_timeout: float = 60.0,
    user_agent: str = DEFAULT_USER_AGENT,
) -> dict[str, Any] | list[Any] | None:
    """Run one action of ``defn`` on ``input``; see the module docstring.

    ``timeout`` bounds a script; ``fetch_timeout`` each HTTP request (Stash's 60 s).
    """
    kind = ACTION_KIND.get(action)
    if kind is None:
        raise ScrapeError(f"unknown scraper action {action!r}")
    run = _Run(defn, log, timeout, python, fetch_timeout, user_agent)
    try:
        if action.endswith("ByURL"):
            url = input.get("url")
            if not isinstance(url, str) or not url:
                raise ScrapeError(f"{action} needs a url")
            result = run.by_url(action, kind, url)
        elif action.endswith("ByName"):
            name = input.get("name")
            if not isinstance(name, str):
                raise ScrapeError(f"{action} needs a name")
            results = run.by_name(action, kind, name)
            return [post_scrape(kind, r, run.fetcher, log) for r in results or []]
        else:
            result = run.by_fragment(action, kind, input)
        if result is None:
            return None
        return post_scrape(kind, result, run.fetcher, log)
    finally:
        run.fetcher.session.close()


def _fragment_url(fragment: Mapping[str, Any]) -> str | None:
    url = fragment.get("url")
    if url:
        return str(url)
    urls = fragment.get("urls") or []
    return str(urls[0]) if urls else None


def cascade(
    defn: ScraperDef,
    kind: str,
    fragment: Mapping[str, Any],
    *,
    url: str | None,
    query: str | None,
    log: ScrapeLog,
    timeout: float = 30.0,
    python: str = sys.executable,
    fetch_timeout: float = 60.0,
) -> tuple[str, dict[str, Any] | list[Any] | None]:
    """Try the scraper's actions for ``kind`` in order — by URL (when a URL config matches), by
    name, by fragment, by query fragment — and stop at the first usable result.

    Returns ``(action, result)``; ``("", None)`` when the scraper has nothing to try. If every
    attempt failed with an error and none produced a result, the first error is raised.
    """
    steps: list[tuple[str, Mapping[str, Any]]] = []
    target = url or _fragment_url(fragment)
    url_action = {"scene": "sceneByURL", "performer": "performerByURL", "gallery": "galleryByURL",
                  "group": "groupByURL", "image": "imageByURL"}.get(kind)  # fmt: skip
    if url_action is None:
        raise ScrapeError(f"unknown kind {kind!r}")
    if target and any(c.matches_url(target) for c in defn.url_configs(url_action)):
        steps.append((url_action, {"url": target}))
    if kind == "scene":
        name = query or fragment.get("title")
        if name and defn.supports("sceneByName"):
            steps.append(("sceneByName", {"name": str(name)}))
        if defn.supports("sceneByFragment"):
            steps.append(("sceneByFragment", fragment))
        if defn.supports("sceneByQueryFragment"):
            steps.append(("sceneByQueryFragment", {k: fragment.get(k) for k in SCRAPED_SCENE_INPUT}))
    elif kind == "performer":
        name = query or fragment.get("name")
        if name and defn.supports("performerByName"):
            steps.append(("performerByName", {"name": str(name)}))
        if defn.supports("performerByFragment"):
            steps.append(("performerByFragment", fragment))
    elif kind in ("gallery", "image") and defn.supports(f"{kind}ByFragment"):
        steps.append((f"{kind}ByFragment", fragment))
    first_error: ScrapeError | None = None
    last = ""
    for action, payload in steps:
        last = action
        try:
            result = scrape(defn, action, payload, log=log, timeout=timeout, python=python, fetch_timeout=fetch_timeout)
        except ScrapeError as exc:
            log.warning(f"{action} failed: {exc}")
            first_error = first_error or exc
            continue
        if _usable(result):
            return action, result
    if first_error is not None:
        raise first_error
    return last, None
