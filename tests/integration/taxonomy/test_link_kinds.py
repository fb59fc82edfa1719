"""A third-party plugin adds its own kind of link (``obscura_link_kinds``): its field appears in
every media PATCH body and its filter in every media list, beside the taxonomy's; a field two
plugins declare stops start-up."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import literal

from obscura_core.app import create_app
from obscura_core.registry import RegistryError
from plugin_sdk import LinkKind, hookimpl
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

MOODS: dict[str, list[str]] = {}


class MoodPlugin:
    """Keeps a mood per video, in memory (enough to show the hooks' round trip)."""

    @hookimpl
    def obscura_link_kinds(self) -> list[LinkKind]:
        return [LinkKind("mood_names", filter="mood", linked_type="mood", description="moods, by name")]

    @hookimpl
    def obscura_entity_patch(self, entity_type, entity_ids, changes) -> set[str] | None:
        if "mood_names" not in changes:
            return None
        for entity_id in entity_ids:
            MOODS[entity_id] = list(changes["mood_names"])
        return {"mood_names"}

    @hookimpl
    def obscura_entity_links(self, entity_type, entity_ids) -> dict[str, dict[str, Any]]:
        return {i: {"moods": MOODS.get(i, [])} for i in entity_ids}

    @hookimpl
    def obscura_entity_filter(self, id_column, key, values):
        if key != "mood":
            return None
        ids = [i for i, moods in MOODS.items() if set(values) <= set(moods)]
        return id_column.in_(ids) if ids else literal(False)


class TagClash:
    @hookimpl
    def obscura_link_kinds(self) -> list[LinkKind]:
        return [LinkKind("tag_names", filter="labels")]


def _ok(resp, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()["data"]


def test_a_plugins_link_kind_joins_every_media_patch_and_list(make_runtime) -> None:
    MOODS.clear()
    rt = make_runtime(plugins=[("mood", MoodPlugin())], builtins=("videos", "taxonomy"))
    client = create_app(runtime=rt).test_client()
    calm, loud = rows.videos(rt, rows.root(rt), ["Calm", "Loud"])
    patched = _ok(client.patch(f"/api/videos/{calm}", json={"moodNames": ["calm"], "tagNames": ["Drama"]}))
    assert patched["moods"] == ["calm"] and [t["name"] for t in patched["tags"]] == ["Drama"]
    assert [v["title"] for v in _ok(client.get("/api/videos?mood=calm"))["items"]] == ["Calm"]
    assert _ok(client.get("/api/videos?mood=calm&tags=comedy"))["total"] == 0, "filters combine"
    assert _ok(client.get(f"/api/videos/{loud}"))["moods"] == []
    spec = client.get("/api/openapi.json").get_json()
    patch = spec["components"]["schemas"]["videos.VideoPatch"]["properties"]
    assert patch["moodNames"]["description"] == "moods, by name" and "tagNames" in patch
    resp = client.patch(f"/api/videos/{loud}", json={"moodNames": ["x"] * 201})
    assert resp.status_code == 400 and "moodNames" in resp.get_json()["error"]["message"]


def test_two_plugins_declaring_one_link_field_stop_start_up(make_runtime) -> None:
    with pytest.raises(RegistryError, match="link field 'tag_names' is declared by both 'taxonomy' and 'clash'"):
        make_runtime(plugins=[("clash", TagClash())], builtins=("videos", "taxonomy"))


