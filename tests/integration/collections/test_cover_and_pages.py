"""Collection covers (a real WebP mosaic, a chosen item, 404 when empty), CRUD edges and the pages."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from plugin_sdk.storage import cache_path
from tests.integration.collections.helpers import PLUGINS, cond, err, group, ok
from tests.integration.images.media import picture, write_jpeg
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return PLUGINS


def _thumbs(runtime, video_ids: list[str]) -> None:
    """Generated thumbnails on disk where the videos plugin keeps them."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from plugins_builtin.videos.models import Video

    for n, vid in enumerate(video_ids):
        write_jpeg(cache_path("videos", vid, "thumb.jpg"), picture(320, 180, seed=n))
    with runtime.session() as db:
        db.execute(update(Video).where(Video.id.in_(video_ids)).values(thumbnail_at=datetime.now(UTC)))
        db.commit()


def _video(video_id: str) -> dict:
    return {"entityType": "video", "entityId": video_id}


def _manual(client, name: str, video_ids: list[str]) -> str:
    coll = ok(client.post("/api/collections", json={"name": name}), 201)
    ok(client.post(f"/api/collections/{coll['id']}/items",
                   json={"items": [{"entityType": "video", "entityId": v} for v in video_ids]}), 201)  # fmt: skip
    return coll["id"]


def test_cover_is_a_webp_mosaic_rebuilt_when_members_change(client, runtime) -> None:
    root = rows.root(runtime)
    vids = rows.videos(runtime, root, ["A", "B", "C", "D", "E"])
    _thumbs(runtime, vids)
    cid = _manual(client, "Mosaic", vids)

    resp = client.get(f"/api/collections/{cid}/cover")
    assert resp.status_code == 200 and resp.mimetype == "image/webp"
    first = resp.data
    img = Image.open(io.BytesIO(first))
    assert img.format == "WEBP" and img.size == (640, 360)
    cached = list((runtime.settings.cache_dir / "collections" / cid).glob("cover-*.webp"))
    assert len(cached) == 1, "cached under the cache dir's collections/<id>/"
    assert client.get(f"/api/collections/{cid}/cover").data == first, "served from the cache"

    # the first four change: a new mosaic, the old file is gone
    ok(client.post(f"/api/collections/{cid}/items/remove", json={"items": [_video(vids[0])]}))
    second = client.get(f"/api/collections/{cid}/cover").data
    assert second != first
    assert len(list(cached[0].parent.glob("cover-*.webp"))) == 1

    # a chosen item: its own thumbnail
    ok(
        client.patch(
            f"/api/collections/{cid}",
            json={"coverMode": "item", "coverItem": {"entityType": "video", "entityId": vids[2]}},
        )
    )
    chosen = client.get(f"/api/collections/{cid}/cover")
    assert chosen.mimetype == "image/jpeg" and Image.open(io.BytesIO(chosen.data)).size == (320, 180)
    e = err(client.patch(f"/api/collections/{cid}", json={"coverMode": "item", "coverItem": None}), 400)
    assert "coverItem" in e["message"]
    ok(client.post(f"/api/collections/{cid}/items/remove", json={"items": [_video(vids[2])]}))
    fallback = client.get(f"/api/collections/{cid}/cover")
    assert fallback.mimetype == "image/webp", "the chosen item left: the mosaic again"

    # one member: the mosaic is that picture filling the cover
    single = _manual(client, "Single", [vids[1]])
    assert Image.open(io.BytesIO(client.get(f"/api/collections/{single}/cover").data)).size == (640, 360)

    ok(client.delete(f"/api/collections/{cid}", json={}))
    assert not cached[0].parent.exists(), "deleting a collection drops its cached covers"


def test_empty_or_thumbless_collection_cover_is_a_404_envelope(client, runtime) -> None:
    coll = ok(client.post("/api/collections", json={"name": "Empty"}), 201)
    e = err(client.get(f"/api/collections/{coll['id']}/cover"), 404)
    assert e["code"] == "asset_missing"
    (vid,) = rows.videos(runtime, rows.root(runtime), ["No thumb"])
    ok(client.post(f"/api/collections/{coll['id']}/items", json={"items": [{"entityType": "video", "entityId": vid}]}),
       201)  # fmt: skip
    err(client.get(f"/api/collections/{coll['id']}/cover"), 404)
    err(client.get("/api/collections/unknown/cover"), 404)


def test_crud_and_validation(client, runtime) -> None:
    e = err(client.post("/api/collections", json={"name": "  "}), 400)
    assert "name" in e["message"]
    err(client.post("/api/collections", json={"name": "x", "mode": "smart"}), 400)
    err(client.post("/api/collections", json={"name": "x", "slideshowSeconds": 0}), 400)
    a = ok(client.post("/api/collections", json={"name": "beta", "description": "Second"}), 201)
    ok(client.post("/api/collections", json={"name": "Alpha"}), 201)
    listed = ok(client.get("/api/collections"))
    assert [c["name"] for c in listed["items"]] == ["Alpha", "beta"] and listed["total"] == 2
    assert [c["name"] for c in ok(client.get("/api/collections?search=ET"))["items"]] == ["beta"]
    patched = ok(client.patch(f"/api/collections/{a['id']}", json={"name": "Beta", "description": None,
                                                                     "slideshowSeconds": 8}))  # fmt: skip
    assert (patched["name"], patched["description"], patched["slideshowSeconds"]) == ("Beta", None, 8)
    err(client.patch(f"/api/collections/{a['id']}", json={"name": ""}), 400)
    err(client.get("/api/collections/nope"), 404)
    ok(client.delete(f"/api/collections/{a['id']}", json={}))
    err(client.get(f"/api/collections/{a['id']}"), 404)
    fields = ok(client.get("/api/collections/rule-fields"))
    kinds = {k["kind"]: {f["key"]: f for f in k["fields"]} for k in fields["kinds"]}
    assert set(kinds) == {"video", "gallery", "image", "audio-track"}
    assert kinds["video"]["duration"]["type"] == "duration" and kinds["video"]["tags"]["available"] is True
    assert "between" in kinds["image"]["width"]["operators"]
    spec = client.get("/api/openapi.json").get_json()
    assert {"/api/collections/preview-rules", "/api/collections/{collection_id}/items/reorder"} <= set(spec["paths"])


def test_pages_render_collections_items_rules_and_the_panel(client, runtime) -> None:
    root = rows.root(runtime)
    vids = rows.videos(runtime, root, ["First <b>video</b>", "Second"])
    cid = _manual(client, "My picks", vids)
    dyn = ok(
        client.post(
            "/api/collections",
            json={"name": "Rules", "mode": "dynamic", "ruleTree": group("and", cond("title", "contains", "second"))},
        ),
        201,
    )
    ok(client.post(f"/api/collections/{dyn['id']}/refresh", json={}))

    grid = client.get("/collections").get_data(as_text=True)
    assert "My picks" in grid and "2 items" in grid and f"/api/collections/{cid}/cover" in grid
    detail = client.get(f"/collections/{cid}").get_data(as_text=True)
    assert "First &lt;b&gt;video&lt;/b&gt;" in detail, "titles are escaped"
    assert "data-rule-builder" in detail and "data-slideshow" in detail and '"kinds"' in detail
    rules_page = client.get(f"/collections/{dyn['id']}").get_data(as_text=True)
    assert '"contains"' in rules_page and "auto" in rules_page
    assert client.get("/collections/missing").status_code == 404
    fragment = client.get(f"/collections/{cid}/fragments/items?page=1").get_data(as_text=True)
    assert fragment.count("data-item ") == 2
    panel = client.get(f"/collections/fragments/panel?entity=video&id={vids[0]}").get_data(as_text=True)
    assert "My picks" in panel and "in it" in panel and "rules only" in panel


def test_garbage_never_gets_a_500(app, client, runtime) -> None:
    coll = ok(client.post("/api/collections", json={"name": "Target"}), 201)
    bodies = ('{"x": [1, {"y": null}]}', "[]", "null", '"str"', "{bad", '{"items": [{"entityType": "video"}]}',
              '{"ruleTree": {"type": "group", "operator": "and", "children": [{"type": "condition"}]}}')  # fmt: skip
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/collections"):
            continue
        for ident in ("nope", coll["id"], "x" * 80):
            url = rule.rule.replace("<collection_id>", ident)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                for body in bodies:
                    resp = client.open(url + "?page=-1&perPage=x&entityType=" + "y" * 50, method=method, data=body,
                                       headers={"Content-Type": "application/json"})  # fmt: skip
                    assert resp.status_code < 500, (method, url, body, resp.get_data(as_text=True)[:300])


def test_pages_refuse_odd_ids_without_a_500(client, runtime) -> None:
    for url in ("/collections/a%00b", "/collections/" + "x" * 80, "/collections/a%00b/fragments/items?page=x",
                "/collections/fragments/panel?entity=video&id=a%00b", "/collections/fragments/panel"):  # fmt: skip
        resp = client.get(url)
        assert resp.status_code in (200, 400, 404), (url, resp.status_code)


def test_collections_are_found_by_the_global_search(client, runtime) -> None:
    from plugins_builtin.collections.search import search

    ok(client.post("/api/collections", json={"name": "Summer holidays", "description": "Beach and sea"}), 201)
    ok(client.post("/api/collections", json={"name": "Winter"}), 201)
    with runtime.session() as db:
        hits = search(db, "sumer holiday", 5)
        assert [(h.kind, h.title, h.subtitle) for h in hits] == [
            ("collection", "Summer holidays", "Collection · 0 items")
        ]
        assert hits[0].url.startswith("/collections/")
        assert [h.title for h in search(db, "beach", 5)] == ["Summer holidays"], "descriptions match too"
        assert search(db, "winter", 5, kinds=["video"]) == []


def test_sfw_mode_leaves_hidden_members_out(client, runtime) -> None:
    root = rows.root(runtime)
    safe, adult = rows.videos(runtime, root, ["Safe", "Adult"])
    ok(client.patch(f"/api/videos/{adult}", json={"isNsfw": True}))
    cid = _manual(client, "Mixed", [safe, adult])
    assert ok(client.get(f"/api/collections/{cid}/items"))["total"] == 2
    sfw = {"X-Obscura-Nsfw-Mode": "off"}
    listed = ok(client.get(f"/api/collections/{cid}/items", headers=sfw))
    assert (listed["total"], [i["title"] for i in listed["items"]]) == (1, ["Safe"])
    tree = group("and", cond("title", "is_not_null", None, ["video"]))
    preview = ok(client.post("/api/collections/preview-rules", headers=sfw, json={"ruleTree": tree}))
    assert preview["byType"]["video"] == 1 and [i["title"] for i in preview["items"]] == ["Safe"]
