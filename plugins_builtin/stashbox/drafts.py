"""Scene drafts: a video proposed to a stash-box as a new scene, as Stash's "Submit StashBox draft"
sends it (``pkg/stashbox/scene.go`` ``newSceneDraftInput``, sent by ``draft.go`` as a GraphQL
multipart request with the cover).

The ``SceneDraftInput``: ``id`` (the video's stash id there, if any), ``title``, ``code``,
``details``, ``director``, ``urls``, ``date`` (each only when set), ``studio`` / ``performers`` /
``tags`` as ``{name, id?}`` (``id``: their stash id on that endpoint), and ``fingerprints``: the
file's ``{hash, algorithm, duration}`` when it has a duration. The cover is an image the caller
gives (base64 in the request: the browser has the thumbnail at hand); without one the draft goes
without a cover, as in Stash.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.links import links_for
from plugins_builtin.stashbox import linked
from plugins_builtin.stashbox.models import StashBoxEndpointRow
from plugins_builtin.stashbox.submissions import describe_videos, file_duration, sent_fingerprints

IMAGE_MAX_BYTES = 20 * 1024 * 1024
_DATA_URL = re.compile(r"^data:image/[\w.+-]+;base64,", re.IGNORECASE)
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
LINKED = (("studio", "studio"), ("performers", "performer"), ("tags", "tag"))
"""The video's link fields (``plugin_sdk.links.links_for``) and the entity type of each."""


def decode_image(value: str) -> bytes:
    """The bytes of a base64 image (a ``data:image/…;base64,`` URL or bare base64): JPEG, PNG, GIF
    or WebP, at most 20 MiB; a ``ValidationError`` otherwise."""
    text = _DATA_URL.sub("", value.strip(), count=1)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("body.image: not base64.", code="invalid_image") from None
    if len(data) > IMAGE_MAX_BYTES:
        raise ValidationError(f"body.image: larger than {IMAGE_MAX_BYTES // (1024 * 1024)} MiB.", code="invalid_image")
    webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not webp and not data.startswith(_SIGNATURES):
        raise ValidationError("body.image: not a JPEG, PNG, GIF or WebP image.", code="invalid_image")
    return data


def _entities(items: Any, stash_ids: Mapping[str, str]) -> list[dict[str, str]]:
    """``[{name, id?}]`` (``DraftEntityInput``) of linked entities (``{"id", "name"}`` each)."""
    out = []
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str) and item["name"].strip():
            entity = {"name": item["name"]}
            if stash_ids.get(str(item.get("id"))):
                entity["id"] = stash_ids[str(item["id"])]
            out.append(entity)
    return out


def draft_input(db: Session, row: StashBoxEndpointRow, video_id: str) -> dict[str, Any]:
    """The ``SceneDraftInput`` of a video for ``row``'s server (see the module's docstring)."""
    fragment = describe_videos(db, [video_id]).get(video_id)
    if fragment is None:
        raise NotFoundError(f"Video {video_id[:64]} not found.")
    links = links_for(db, "video", [video_id]).get(video_id, {})
    draft: dict[str, Any] = {}
    scene_id = linked.stash_ids(db, "video", [video_id], row.endpoint).get(video_id)
    if scene_id:
        draft["id"] = scene_id
    for key in ("title", "code", "details", "director"):
        if isinstance(fragment.get(key), str) and fragment[key].strip():
            draft[key] = fragment[key]
    urls = [u.strip() for u in fragment.get("urls") or [] if isinstance(u, str) and u.strip()]
    if urls:
        draft["urls"] = urls
    if isinstance(fragment.get("date"), str) and fragment["date"]:
        draft["date"] = fragment["date"]
    by_key: dict[str, list[dict[str, str]]] = {}
    for key, entity_type in LINKED:
        items = links.get(key)
        ids = [str(i.get("id")) for i in (items if isinstance(items, list) else [items]) if isinstance(i, Mapping)]
        by_key[key] = _entities(items, linked.stash_ids(db, entity_type, ids, row.endpoint) if ids else {})
    if by_key["studio"]:
        draft["studio"] = by_key["studio"][0]
    draft["performers"] = by_key["performers"]
    if by_key["tags"]:
        draft["tags"] = by_key["tags"]
    duration = file_duration(fragment)
    fps = sent_fingerprints(fragment, md5=row.submit_md5) if duration is not None else []
    draft["fingerprints"] = [{"hash": fp.hash, "algorithm": fp.algorithm, "duration": duration} for fp in fps]
    return draft


def draft_url(endpoint: str, draft_id: str) -> str:
    """The draft's page on the server (``https://stashdb.org/drafts/<id>``), as Stash links it."""
    base = re.sub(r"/graphql/?$", "", endpoint.rstrip("/"))
    return f"{base}/drafts/{draft_id}"
