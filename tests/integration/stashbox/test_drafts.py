"""Scene drafts sent to the fake stash-box as Stash sends them: a GraphQL multipart request
(``operations`` with an empty operation name, ``map``, the cover as file part ``0`` named
``draft``), the ``SceneDraftInput`` fields, linked entities with their stash ids, and the
fingerprints with whole-second durations."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from plugins_builtin.stashbox.queries import document
from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox.conftest import KEY, error, md5, ok, oshash, phash
from tests.integration.stashbox.test_submissions import Videos, link

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def draft(client: Any, endpoint: dict[str, Any], status: int = 200, **body: Any) -> dict[str, Any]:
    return ok(client.post(f"/api/stashbox-endpoints/{endpoint['id']}/submit-draft", json=body), status)


def stash_link(client: Any, box: FakeStashBox, entity_type: str, entity_id: str, stash_id: str) -> None:
    body = {"entityType": entity_type, "entityId": entity_id, "endpoint": box.url, "stashId": stash_id}
    ok(client.post("/api/stash-ids", json=body), 201)


def test_a_draft_is_a_multipart_request_with_the_cover(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    [video_id] = videos(["Some clip"])
    patch = {"title": "Night and Day", "date": "2021-05-04", "details": "Two friends meet.", "code": "ND-001",
             "director": "Ann Director", "urls": ["https://studio.example/scenes/1"], "studioName": "Moonlight",
             "performerNames": ["Jane Roe", "John Doe"], "tagNames": ["Outdoor"]}  # fmt: skip
    video = ok(client.patch(f"/api/videos/{video_id}", json=patch))
    jane = next(p for p in video["performers"] if p["name"] == "Jane Roe")
    stash_link(client, box, "performer", jane["id"], "11111111-1111-1111-1111-111111111111")
    stash_link(client, box, "studio", video["studio"]["id"], "22222222-2222-2222-2222-222222222222")

    answer = draft(client, endpoint, videoId=video_id, image="data:image/png;base64," + base64.b64encode(PNG).decode())
    [sent] = box.drafts
    assert answer["draftId"] == sent["id"] and answer["image"] is True
    assert answer["url"] == f"{box.base}/drafts/{sent['id']}"
    duration = 1800  # Stash's int(1800.7)
    assert sent["input"] == answer["input"] == {
        "title": "Night and Day", "code": "ND-001", "details": "Two friends meet.", "director": "Ann Director",
        "urls": ["https://studio.example/scenes/1"], "date": "2021-05-04",
        "studio": {"name": "Moonlight", "id": "22222222-2222-2222-2222-222222222222"},
        "performers": [{"name": "Jane Roe", "id": "11111111-1111-1111-1111-111111111111"}, {"name": "John Doe"}],
        "tags": [{"name": "Outdoor"}],
        "fingerprints": [{"hash": oshash(0), "algorithm": "OSHASH", "duration": duration},
                         {"hash": phash(0).lstrip("0"), "algorithm": "PHASH", "duration": duration},
                         {"hash": md5(0), "algorithm": "MD5", "duration": duration}],
    }  # fmt: skip
    assert sent["image"].data == PNG

    [call] = box.calls()
    assert call.operation == "SubmitSceneDraft" and call.headers["apikey"] == KEY
    assert call.headers["content-type"].startswith("multipart/form-data; boundary=")
    operations = json.loads(call.form["operations"])
    assert operations["operationName"] == "" and operations["query"] == document("SubmitSceneDraft")
    assert operations["variables"]["input"]["image"] is None, "the spec's placeholder for the file"
    assert call.form["map"] == '{ "0": ["variables.input.image"] }'
    assert list(call.files) == ["0"]
    assert (call.files["0"].filename, call.files["0"].content_type) == ("draft", "application/octet-stream")
    assert call.files["0"].data == PNG


def test_a_draft_without_cover_or_links(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    scene = box.add_scene("Known")
    [video_id] = videos(["Bare clip"], fingerprinted=False)
    link(client, box, video_id, scene["id"])
    answer = draft(client, endpoint, videoId=video_id)
    assert answer["image"] is False
    assert box.drafts[0]["input"] == {"id": scene["id"], "title": "Bare clip", "performers": [], "fingerprints": []}
    assert box.drafts[0]["image"] is None
    [call] = box.calls()
    assert call.form["map"] == "{}" and call.files == {}
    assert "image" not in json.loads(call.form["operations"])["variables"]["input"]


def test_bad_drafts(client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos) -> None:
    [video_id] = videos(["Some clip"])
    url = f"/api/stashbox-endpoints/{endpoint['id']}/submit-draft"
    assert error(client.post(url, json={"videoId": video_id, "image": "%%%"}), 400)["code"] == "invalid_image"
    text = base64.b64encode(b"just some text").decode()
    assert error(client.post(url, json={"videoId": video_id, "image": text}), 400)["code"] == "invalid_image"
    assert error(client.post(url, json={"videoId": "0" * 36}), 404)
    box.fail_next(401)
    assert error(client.post(url, json={"videoId": video_id}), 400)["code"] == "bad_api_key"
    assert box.drafts == []


def test_a_draft_is_retried_on_429_only(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    """A server that failed after storing a draft would get it twice: only a 429 is retried."""
    [video_id] = videos(["Some clip"])
    url = f"/api/stashbox-endpoints/{endpoint['id']}/submit-draft"
    box.fail_next(500)
    failed = error(client.post(url, json={"videoId": video_id}), 502)
    assert failed["code"] == "stashbox_unavailable" and "after 1 attempt(s)" in failed["message"]
    assert len(box.calls("SubmitSceneDraft")) == 1 and box.drafts == []
    box.fail_next(429, {"Retry-After": "0"})
    assert ok(client.post(url, json={"videoId": video_id}))["draftId"] == box.drafts[0]["id"]
    assert len(box.calls("SubmitSceneDraft")) == 3
