"""``GET /api/phash-contributions``: linked videos, their hashes as Stash sends them and the
submission state per endpoint; and ``identify-performer``, the alias of the metadata plugin's
``scrape-performer``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox.conftest import error, md5, ok, oshash, phash
from tests.integration.stashbox.test_submissions import Videos, submit

pytestmark = pytest.mark.integration


def link(client: Any, url: str, video_id: str, scene_id: str) -> None:
    body = {"entityType": "video", "entityId": video_id, "endpoint": url, "stashId": scene_id}
    ok(client.post("/api/stash-ids", json=body), 201)


def test_linked_videos_with_their_hashes_and_what_each_endpoint_got(
    client: Any, runtime: Any, box: FakeStashBox, make_endpoint: Callable[..., dict[str, Any]], videos: Videos
) -> None:
    from plugins_builtin.videos.models import Video

    first_box = make_endpoint(name="A box")
    other_box = make_endpoint(name="B box", endpoint=box.url + "?other")
    scene = box.add_scene("Night and Day")
    older, newer, unlinked, no_duration = videos(["Older", "Newer", "Unlinked", "No duration"])
    link(client, box.url, older, scene["id"])
    link(client, box.url + "?other", older, "33333333-3333-3333-3333-333333333333")
    link(client, box.url, newer, scene["id"])
    link(client, box.url, no_duration, scene["id"])
    with runtime.session() as db:
        db.get(Video, no_duration).duration = None
        db.commit()
    submit(client, first_box, videoId=older)

    listed = ok(client.get("/api/phash-contributions?perPage=2"))
    assert (listed["total"], listed["page"], listed["perPage"]) == (3, 1, 2)
    assert [i["videoId"] for i in listed["items"]] == [no_duration, newer], "the most recently linked first"
    rest = ok(client.get("/api/phash-contributions?perPage=2&page=2"))["items"]
    [item] = rest
    assert item["videoId"] == older and item["title"] == "Older" and item["duration"] == 1800
    assert item["hashes"] == {"OSHASH": oshash(0), "PHASH": phash(0).lstrip("0"), "MD5": md5(0)}
    a, b = item["endpoints"]
    assert (a["endpointId"], a["endpointName"], a["stashId"], a["status"]) == (first_box["id"], "A box", scene["id"],
                                                                              "submitted")  # fmt: skip
    states = [(f["algorithm"], f["status"]) for f in a["fingerprints"]]
    assert states == [("OSHASH", "submitted"), ("PHASH", "submitted"), ("MD5", "submitted")]
    assert all(f["submittedAt"] for f in a["fingerprints"])
    assert (b["endpointId"], b["status"]) == (other_box["id"], "pending")
    assert {f["status"] for f in b["fingerprints"]} == {"pending"}

    newest = ok(client.get("/api/phash-contributions"))["items"]
    assert newest[0]["endpoints"][0] == {"endpointId": first_box["id"], "endpointName": "A box",
                                         "endpoint": box.url, "stashId": scene["id"], "status": "unavailable",
                                         "reason": "no duration", "fingerprints": []}  # fmt: skip
    assert newest[1]["endpoints"][0]["status"] == "pending"

    only_b = ok(client.get(f"/api/phash-contributions?endpointId={other_box['id']}"))
    assert only_b["total"] == 1 and [e["endpointId"] for e in only_b["items"][0]["endpoints"]] == [other_box["id"]]
    assert unlinked not in {i["videoId"] for i in newest}
    assert error(client.get("/api/phash-contributions?endpointId=nope"), 404)


def test_identify_performer_makes_pending_performer_results(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any]
) -> None:
    jane = box.add_performer("Jane Roe", birth_date="1990-02-03")
    performer_id = ok(client.post("/api/performers", json={"name": "Jane Roe"}), 201)["id"]
    url = f"/api/stashbox-endpoints/{endpoint['id']}/identify-performer"
    [result] = ok(client.post(url, json={"performerId": performer_id}))["results"]
    assert (result["entityType"], result["entityId"], result["status"]) == ("performer", performer_id, "pending")
    assert (result["action"], result["remoteId"]) == ("searchByName", jane["id"])
    assert box.calls("SearchPerformer")[0].variables == {"term": "Jane Roe"}
    pending = ok(client.get(f"/api/scrape-results?status=pending&entityType=performer&entityId={performer_id}"))
    assert [r["id"] for r in pending["items"]] == [result["id"]]
    [by_id] = ok(client.post(url, json={"performerId": performer_id, "query": jane["id"]}))["results"]
    assert by_id["matchType"] == "stashid"
    assert error(client.post(url, json={}), 400)
    assert error(client.post("/api/stashbox-endpoints/nope/identify-performer", json={"performerId": "x"}), 404)


def test_the_routes_are_documented(client: Any) -> None:
    res = client.get("/api/openapi.json")
    assert res.status_code == 200
    paths = res.get_json()["paths"]
    for path in ("/api/stashbox-endpoints/{endpoint_id}/submit-fingerprints",
                 "/api/stashbox-endpoints/{endpoint_id}/submit-draft", "/api/phash-contributions",
                 "/api/stashbox-endpoints/{endpoint_id}/identify-performer"):  # fmt: skip
        assert path in paths, sorted(p for p in paths if "stash" in p)
