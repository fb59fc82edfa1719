"""Collections work with whichever media plugins are loaded; tag/performer/studio rules say when the
taxonomy plugin is missing."""

from __future__ import annotations

import pytest

from tests.integration.collections.helpers import cond, err, group, ok
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "collections"), "load_entrypoints": False}


def test_videos_only_without_taxonomy(client, runtime, run_jobs) -> None:
    (vid,) = rows.videos(runtime, rows.root(runtime), ["Lonely"])
    fields = ok(client.get("/api/collections/rule-fields"))
    assert [k["kind"] for k in fields["kinds"]] == ["video"]
    video_fields = {f["key"]: f for f in fields["kinds"][0]["fields"]}
    assert video_fields["tags"]["available"] is False and video_fields["title"]["available"] is True

    e = err(client.post("/api/collections/preview-rules", json={"ruleTree": group("and", cond("tags", "equals", "x"))}),
            400)  # fmt: skip
    assert e["code"] == "plugin_missing" and "taxonomy" in e["message"]
    e = err(client.post("/api/collections/preview-rules",
                        json={"ruleTree": group("and", cond("title", "equals", "x", ["image"]))}), 400)  # fmt: skip
    assert "unknown entity type 'image'" in e["message"]

    coll = ok(
        client.post(
            "/api/collections",
            json={"name": "Titles", "mode": "dynamic", "ruleTree": group("and", cond("title", "contains", "lone"))},
        ),
        201,
    )
    run_jobs()
    assert ok(client.get(f"/api/collections/{coll['id']}/items"))["items"][0]["entityId"] == vid
