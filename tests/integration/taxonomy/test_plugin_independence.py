"""Media plugins work without the taxonomy plugin (and say when a request needs it), and the
taxonomy works with only some media plugins loaded."""

from __future__ import annotations

import pytest

from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration


def _ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()["data"]


def _err(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()["error"]


class TestVideosAlone:
    @pytest.fixture
    def obscura_plugins(self) -> dict:
        return {"plugins": None, "builtins": ("videos",), "load_entrypoints": False}

    def test_link_fields_and_filters_need_the_taxonomy_plugin(self, client, runtime) -> None:
        (vid,) = rows.videos(runtime, rows.root(runtime), ["Alone"])
        err = _err(client.patch(f"/api/videos/{vid}", json={"title": "Changed", "performerNames": ["Tom"]}), 400)
        assert err["message"] == "body.performerNames: unknown field", "no plugin declares the link field"
        assert _ok(client.get(f"/api/videos/{vid}"))["title"] == "Alone", "nothing of the refused PATCH is kept"
        assert _ok(client.patch(f"/api/videos/{vid}", json={"title": "Changed"}))["title"] == "Changed"
        err = _err(client.get("/api/videos?tags=Drama"), 400)
        assert err["message"] == "query.tags: unknown field", "the videos list refuses parameters it does not know"
        assert _ok(client.get("/api/series?studio=A24"))["total"] == 0, "the series list ignores them"
        spec = client.get("/api/openapi.json").get_json()
        patch = spec["components"]["schemas"]["videos.VideoPatch"]["properties"]
        assert "title" in patch and "performerNames" not in patch
        detail = _ok(client.get(f"/api/videos/{vid}"))
        assert "performers" not in detail and "tags" not in detail, "no plugin, no link fields"
        _err(client.get("/api/performers"), 404)
        _ok(client.delete(f"/api/videos/{vid}", json={}))


class TestVideosWithTaxonomy:
    @pytest.fixture
    def obscura_plugins(self) -> dict:
        return {"plugins": None, "builtins": ("videos", "taxonomy"), "load_entrypoints": False}

    def test_taxonomy_works_without_images_or_audio(self, client, runtime) -> None:
        (vid,) = rows.videos(runtime, rows.root(runtime), ["Together"])
        spec = client.get("/api/openapi.json").get_json()
        patch = spec["components"]["schemas"]["videos.VideoPatch"]["properties"]
        assert {"title", "performerNames", "tagNames", "studioName"} <= patch.keys(), "taxonomy's link fields"
        params = {p["name"] for p in spec["paths"]["/api/videos"]["get"]["parameters"]}
        assert {"tags", "performers", "studio", "resolution"} <= params
        patched = _ok(client.patch(f"/api/videos/{vid}", json={"performerNames": ["Tom"], "tagNames": ["Drama"]}))
        assert [p["name"] for p in patched["performers"]] == ["Tom"]
        assert _ok(client.get("/api/videos?tags=drama"))["total"] == 1
        assert _ok(client.get("/api/performers"))["items"][0]["counts"] == {"video": 1}
        _ok(client.delete(f"/api/videos/{vid}", json={}))
        assert rows.link_rows(runtime)["entity_performers"] == 0
