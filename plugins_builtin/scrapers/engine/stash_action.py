"""``action: stash``: asking another Stash over GraphQL (Stash's ``stash.go``).

``stashServer.url`` + ``/graphql`` (``user:pass@`` in the URL is basic auth), header ``ApiKey``
when ``stashServer.apiKey`` is set. The queries are the ones Stash sends:

* ``sceneByFragment`` (a stored scene) → ``findSceneByHash(input: {checksum, oshash})``;
* ``sceneByName`` → ``findScenes(filter: {q, page: 1, per_page: 10})``, each result's ``urls`` set
  to the scene's id (so the query-fragment step can find it again);
* ``sceneByQueryFragment`` → ``findScene(id: urls[0])``;
* ``performerByName`` → ``findPerformers(filter: …)``, each ``{name, url: <id>}``;
* ``performerByFragment`` → ``findPerformer(id: url)``.

Scene covers come from ``<url>/scene/<id>/screenshot`` and performer images from
``<url>/performer/<id>/image``, as ``data:`` URIs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from plugins_builtin.scrapers.engine.errors import ScrapeError
from plugins_builtin.scrapers.engine.fetch import Fetcher
from plugins_builtin.scrapers.engine.log import ScrapeLog

__all__ = ["StashClient"]

_TAG = "tags{name}"
_PERFORMER = (
    "name gender urls birthdate ethnicity country eye_color height_cm measurements fake_tits penis_length "
    "circumcised career_length tattoos piercings alias_list " + _TAG + " details death_date hair_color weight"
)
_SCENE = (
    "id title details urls date files{size duration video_codec audio_codec width height frame_rate bit_rate} "
    "studio{name url} " + _TAG + " performers{" + _PERFORMER + "}"
)

FIND_SCENE_BY_HASH = "query FindSceneByHash($c: SceneHashInput!) { findSceneByHash(input: $c) { " + _SCENE + " } }"
FIND_SCENE = "query FindScene($f: ID!) { findScene(id: $f) { " + _SCENE + " } }"
FIND_SCENES = "query FindScenes($f: FindFilterType) { findScenes(filter: $f) { count scenes { " + _SCENE + " } } }"
FIND_PERFORMERS = (
    "query FindPerformers($f: FindFilterType) { findPerformers(filter: $f) { count performers { id name } } }"
)
FIND_PERFORMER = "query FindPerformer($f: ID!) { findPerformer(id: $f) { " + _PERFORMER + " } }"


def _performer(p: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in (
        "name",
        "gender",
        "birthdate",
        "ethnicity",
        "country",
        "eye_color",
        "measurements",
        "fake_tits",
        "penis_length",
        "circumcised",
        "career_length",
        "tattoos",
        "piercings",
        "details",
        "death_date",
        "hair_color",
    ):
        if p.get(key) is not None:
            out[key] = str(p[key])
    if p.get("urls"):
        out["urls"] = [str(u) for u in p["urls"]]
    aliases = p.get("alias_list")
    if aliases is not None:
        out["aliases"] = ", ".join(str(a) for a in aliases)
    if p.get("height_cm") is not None:
        out["height"] = str(p["height_cm"])
    if p.get("weight") is not None:
        out["weight"] = str(p["weight"])
    if p.get("tags"):
        out["tags"] = [{"name": str(t.get("name", ""))} for t in p["tags"]]
    return out


class StashClient:
    """GraphQL against the scraper's ``stashServer``."""

    def __init__(self, url: str, api_key: str, fetcher: Fetcher, log: ScrapeLog) -> None:
        if not url:
            raise ScrapeError("action: stash needs stashServer.url")
        self.base = url.rstrip("/")
        self.api_key = api_key
        self.fetcher = fetcher
        self.log = log

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["ApiKey"] = self.api_key
        return headers

    def query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        endpoint = self.base + "/graphql"
        try:
            resp = self.fetcher.session.post(
                endpoint,
                json={"query": query, "variables": variables},
                headers=self._headers(),
                timeout=(self.fetcher.timeout, self.fetcher.timeout),
            )
        except requests.exceptions.Timeout:
            raise ScrapeError(f"timed out asking {endpoint}") from None
        except requests.exceptions.RequestException as exc:
            raise ScrapeError(f"could not reach the Stash server at {endpoint}: {str(exc)[:200]}") from None
        if resp.status_code >= 400:
            raise ScrapeError(f"http error {resp.status_code}: {resp.reason or 'error'} from {endpoint}")
        try:
            body = resp.json()
        except ValueError:
            raise ScrapeError(f"the Stash server at {endpoint} did not answer JSON") from None
        if body.get("errors"):
            first = body["errors"][0]
            message = first.get("message", first) if isinstance(first, Mapping) else first
            raise ScrapeError(f"graphql error: {message}")
        return body.get("data") or {}

    def _image(self, path: str) -> str | None:
        headers = {"ApiKey": self.api_key} if self.api_key else None
        try:
            return self.fetcher.image_data_uri(self.base + path, extra_headers=headers)
        except ScrapeError as exc:
            self.log.warning(f"could not get the image {path}: {exc}")
            return None

    def _scene(self, scene: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("title", "details", "date"):
            if scene.get(key) is not None:
                out[key] = str(scene[key])
        if scene.get("urls"):
            out["urls"] = [str(u) for u in scene["urls"]]
        files = scene.get("files") or []
        if files:
            f = files[0]
            out["file"] = {
                "size": str(f.get("size", "")),
                "duration": f.get("duration"),
                "video_codec": f.get("video_codec"),
                "audio_codec": f.get("audio_codec"),
                "width": f.get("width"),
                "height": f.get("height"),
                "framerate": f.get("frame_rate"),
                "bitrate": f.get("bit_rate"),
            }
        studio = scene.get("studio")
        if studio:
            out["studio"] = {"name": str(studio.get("name", ""))}
            if studio.get("url"):
                out["studio"]["url"] = str(studio["url"])
        if scene.get("tags"):
            out["tags"] = [{"name": str(t.get("name", ""))} for t in scene["tags"]]
        if scene.get("performers"):
            out["performers"] = [_performer(p) for p in scene["performers"]]
        image = self._image(f"/scene/{scene.get('id')}/screenshot")
        if image is not None:
            out["image"] = image
        return out

    # --- actions ---------------------------------------------------------------------------
    def scene_by_hash(self, checksum: str, oshash: str) -> dict[str, Any] | None:
        data = self.query(FIND_SCENE_BY_HASH, {"c": {"checksum": checksum, "oshash": oshash}})
        scene = data.get("findSceneByHash")
        return self._scene(scene) if scene else None

    def scene_by_id(self, scene_id: str) -> dict[str, Any] | None:
        data = self.query(FIND_SCENE, {"f": scene_id})
        scene = data.get("findScene")
        return self._scene(scene) if scene else None

    def scenes_by_name(self, name: str) -> list[dict[str, Any]]:
        data = self.query(FIND_SCENES, {"f": {"q": name, "page": 1, "per_page": 10}})
        out = []
        for scene in (data.get("findScenes") or {}).get("scenes") or []:
            converted = self._scene(scene)
            converted["urls"] = [str(scene.get("id"))]
            out.append(converted)
        return out

    def performers_by_name(self, name: str) -> list[dict[str, Any]]:
        data = self.query(FIND_PERFORMERS, {"f": {"q": name, "page": 1, "per_page": 10}})
        performers = (data.get("findPerformers") or {}).get("performers") or []
        return [{"name": str(p.get("name", "")), "url": str(p.get("id", ""))} for p in performers]

    def performer_by_id(self, performer_id: str) -> dict[str, Any] | None:
        data = self.query(FIND_PERFORMER, {"f": performer_id})
        performer = data.get("findPerformer")
        if not performer:
            return None
        out = _performer(performer)
        image = self._image(f"/performer/{performer_id}/image")
        if image is not None:
            out["image"] = image
            out["images"] = [image]
        return out
