"""Rows and requests the collections tests share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

PLUGINS = {"plugins": None, "builtins": ("videos", "images", "audio", "taxonomy", "collections"),
           "load_entrypoints": False}  # fmt: skip


def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    return resp.get_json()["data"]


def err(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    body = resp.get_json()
    assert body["ok"] is False
    return body["error"]


def set_videos(runtime: Any, values: dict[str, dict[str, Any]]) -> None:
    """Write probe-like facts (duration, height…) straight into video rows."""
    from plugins_builtin.videos.models import Video

    with runtime.session() as db:
        for vid, fields in values.items():
            db.execute(update(Video).where(Video.id == vid).values(**fields))
        db.commit()


def link(client: Any, video_id: str, tags: list[str] | None = None, performers: list[str] | None = None,
         studio: str | None = None) -> None:  # fmt: skip
    body: dict[str, Any] = {}
    if tags is not None:
        body["tagNames"] = tags
    if performers is not None:
        body["performerNames"] = performers
    if studio is not None:
        body["studioName"] = studio
    ok(client.patch(f"/api/videos/{video_id}", json=body))


def cond(field: str, operator: str, value: Any = None, kinds: list[str] | None = None) -> dict[str, Any]:
    return {"type": "condition", "field": field, "operator": operator, "value": value, "entityTypes": kinds or []}


def group(operator: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "operator": operator, "children": list(children)}


def members(client: Any, collection_id: str) -> list[tuple[str, str, str]]:
    """``(entity type, id, source)`` of every member, in order."""
    items = ok(client.get(f"/api/collections/{collection_id}/items?perPage=500"))["items"]
    return [(i["entityType"], i["entityId"], i["source"]) for i in items]
