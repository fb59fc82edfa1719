"""Turning selector values into scraped objects (Stash's ``mapped.go``, ``mapped_config.go``,
``mapped_result.go``).

For each field: a ``fixed`` value goes to object 0; otherwise the selector (after ``common``
substitution and ``{inputURL}``/``{inputHostname}``) yields values that go through ``concat`` →
post-processing → ``split``, are de-duplicated and emptied of blanks (except in searches), and are
spread by index over the result objects. A single-object scrape uses object 0, except ``URLs``,
which collects every value. Relationship maps (``Tags``, ``Performers``, ``Studio``, ``Groups``,
``Movies``) make one related object per index; performer ``Tags`` go to every performer; the
studio is the one at the scene's index in a search. Nothing found → ``None``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from plugins_builtin.scrapers.engine.config import AttrConfig, MappedScraper, ObjectConfig
from plugins_builtin.scrapers.engine.fields import FIELDS
from plugins_builtin.scrapers.engine.log import ScrapeLog
from plugins_builtin.scrapers.engine.postprocess import PostContext, apply_post
from plugins_builtin.scrapers.engine.query import Query, QueryError
from plugins_builtin.scrapers.engine.text import unique_non_empty

__all__ = ["Mapper"]

Result = dict[str, Any]  # Go field name -> str or list[str]


@lru_cache(maxsize=512)
def _common_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))


def apply_common(common: dict[str, str], selector: str) -> str:
    """Replace each ``$key`` of ``common`` in a selector, in one pass (no recursion)."""
    if not common:
        return selector
    keys = tuple(k for k in common if k)
    if not keys:
        return selector
    return _common_pattern(keys).sub(lambda m: common[m.group(0)], selector)


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


class Mapper:
    """Runs one mapped scraper's object configs against a :class:`Query`."""

    def __init__(self, scraper: MappedScraper, query: Query, log: ScrapeLog) -> None:
        self.scraper = scraper
        self.query = query
        self.log = log
        self._warned: set[tuple[str, str]] = set()

    # --- values --------------------------------------------------------------------------
    def _values(self, key: str, attr: AttrConfig) -> list[str]:
        q = self.query
        selector = apply_common(self.scraper.common, attr.selector)
        if "{input" in selector:
            selector = selector.replace("{inputURL}", q.url).replace("{inputHostname}", _hostname(q.url))
        try:
            found = q.run(selector)
        except QueryError as exc:
            self.log.warning(f"key '{key}': {exc}")
            return []
        if not found:
            return []
        ctx = PostContext(q, self.log, key)
        if attr.concat:
            result = apply_post(attr, attr.concat.join(found), ctx)
            if attr.split:
                parts = [p for p in result.split(attr.split) if p != ""]
                return parts if q.search else unique_non_empty(parts)
            return [result]
        out: list[str] = []
        for text in found:
            text = apply_post(attr, text, ctx)
            if attr.split:
                return [p for p in text.split(attr.split) if p != ""]
            out.append(text)
        return out if q.search else unique_non_empty(out)

    def process(self, obj: ObjectConfig | None, multi: bool) -> list[Result]:
        """Stash's ``mappedConfig.process``: one result dict per index."""
        results: list[Result] = []
        if obj is None:
            return results

        def set_key(index: int, key: str, value: Any) -> None:
            if index >= len(results):
                results.append({})
            results[index][key] = value

        for key, attr in obj.fields.items():
            if attr.fixed:
                url = self.query.url
                value = attr.fixed
                if "{input" in value:
                    value = value.replace("{inputURL}", url).replace("{inputHostname}", _hostname(url))
                set_key(0, key, value)
                continue
            values = self._values(key, attr)
            if not values:
                continue
            if multi and key == "URLs":
                set_key(0, key, values)
            else:
                for i, text in enumerate(values):
                    set_key(i, key, text)
        return results

    # --- objects ---------------------------------------------------------------------------
    def to_object(self, kind: str, result: Result) -> dict[str, Any]:
        """A result dict as Stash's scraped JSON object of ``kind``."""
        fields = FIELDS[kind]
        out: dict[str, Any] = {}
        for key, value in result.items():
            spec = fields.get(key)
            if spec is None:
                if (kind, key) not in self._warned:
                    self._warned.add((kind, key))
                    self.log.error(f"Field {key} does not exist in {kind.replace('scene_', '').replace('_plain', '')}")
                continue
            name, typ = spec
            if typ == "list":
                value = value if isinstance(value, list) else [value]
                if value:
                    out[name] = value
            elif typ == "int":
                text = value if isinstance(value, str) else str(value)
                try:
                    out[name] = int(text.strip())
                except ValueError:
                    self.log.error(f"Int field {key} is not a whole number: {text!r}")
            else:
                out[name] = value
        if kind in ("tag", "studio") and "name" not in out:
            self.log.error("Missing required string field Name in mappedResult")
            out = {"name": "", **out}
        return out

    def objects(self, kind: str, results: list[Result]) -> list[dict[str, Any]]:
        return [self.to_object(kind, r) for r in results]

    def _tags(self, obj: ObjectConfig | None) -> list[dict[str, Any]]:
        return self.objects("tag", self.process(obj, False)) if obj is not None else []

    def _studio(self, obj: ObjectConfig | None, index: int = 0) -> dict[str, Any] | None:
        if obj is None:
            return None
        studios = self.process(obj, False)
        if index < len(studios):
            return self.to_object("studio", studios[index])
        return None

    def _scene_performers(self, obj: ObjectConfig | None) -> list[dict[str, Any]]:
        if obj is None or not obj.fields:
            return []
        performers = self.objects("scene_performer", self.process(obj, False))
        tags = self._tags(obj.subs.get("Tags"))
        if tags:
            for p in performers:
                p["tags"] = [dict(t) for t in tags]
        return performers

    def _scene_relationships(self, cfg: ObjectConfig) -> dict[str, Any]:
        rel: dict[str, Any] = {}
        performers = self._scene_performers(cfg.subs.get("Performers"))
        if performers:
            rel["performers"] = performers
        tags = self._tags(cfg.subs.get("Tags"))
        if tags:
            rel["tags"] = tags
        for key, name in (("Movies", "movies"), ("Groups", "groups")):
            sub = cfg.subs.get(key)
            if sub is not None:
                items = self.objects("movie" if key == "Movies" else "group", self.process(sub, False))
                if items:
                    rel[name] = items
        return rel

    def scrape_scene(self) -> dict[str, Any] | None:
        cfg = self.scraper.scene
        if cfg is None:
            return None
        results = self.process(cfg, True)
        scene = self.to_object("scene", results[0]) if results else {}
        rel = self._scene_relationships(cfg)
        studio = self._studio(cfg.subs.get("Studio"), 0)
        if studio is not None:
            rel["studio"] = studio
        if not results and not rel:
            return None
        scene.update(rel)
        return scene

    def scrape_scenes(self) -> list[dict[str, Any]]:
        cfg = self.scraper.scene
        if cfg is None:
            return []
        results = self.process(cfg, False)
        if not results:
            return []
        rel = self._scene_relationships(cfg)
        studio_cfg = cfg.subs.get("Studio")
        studios = self.process(studio_cfg, False) if studio_cfg is not None else []
        scenes = []
        for i, r in enumerate(results):
            scene = self.to_object("scene", r)
            for key, value in rel.items():
                scene[key] = [dict(v) for v in value]
            if i < len(studios):
                scene["studio"] = self.to_object("studio", studios[i])
            scenes.append(scene)
        return scenes

    def scrape_performer(self) -> dict[str, Any] | None:
        cfg = self.scraper.performer
        if cfg is None:
            return None
        results = self.process(cfg, True)
        tags = self._tags(cfg.subs.get("Tags"))
        if not results:
            return None
        performer = self.to_object("performer", results[0])
        if tags:
            performer["tags"] = tags
        return performer

    def scrape_performers(self) -> list[dict[str, Any]]:
        cfg = self.scraper.performer
        if cfg is None:
            return []
        return self.objects("performer", self.process(cfg, False))

    def _scrape_gallery_like(self, cfg: ObjectConfig | None, kind: str) -> dict[str, Any] | None:
        if cfg is None:
            return None
        results = self.process(cfg, True)
        out = self.to_object(kind, results[0]) if results else {}
        performers_cfg = cfg.subs.get("Performers")
        if performers_cfg is not None:
            # galleries collect performer URLs as a list, images do not (Stash passes urlsIsMulti / nil)
            performers = self.objects("performer_plain", self.process(performers_cfg, kind == "gallery"))
            if performers:
                out["performers"] = performers
        tags = self._tags(cfg.subs.get("Tags"))
        if tags:
            out["tags"] = tags
        studio = self._studio(cfg.subs.get("Studio"), 0)
        if studio is not None:
            out["studio"] = studio
        if not results and not out:
            return None
        return out

    def scrape_gallery(self) -> dict[str, Any] | None:
        return self._scrape_gallery_like(self.scraper.gallery, "gallery")

    def scrape_image(self) -> dict[str, Any] | None:
        return self._scrape_gallery_like(self.scraper.image, "image")

    def scrape_group(self) -> dict[str, Any] | None:
        cfg = self.scraper.group or self.scraper.movie
        if cfg is None:
            return None
        results = self.process(cfg, True)
        out = self.to_object("group", results[0]) if results else {}
        studio = self._studio(cfg.subs.get("Studio"), 0)
        if studio is not None:
            out["studio"] = studio
        tags = self._tags(cfg.subs.get("Tags"))
        if tags:
            out["tags"] = tags
        if not results and not out:
            return None
        return out
