"""Submitting fingerprints to the fake stash-box: the mutation documents and variables Stash sends
(hash formats, whole-second durations), the batch mutation and the fallback to one
``submitFingerprint`` each, nothing submitted twice, skipped videos and their reasons, a refused
key, errors per fingerprint, the MD5 switch and the job for more than 50 videos."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from plugins_builtin.stashbox.queries import document
from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox.conftest import KEY, error, md5, ok, oshash, phash

pytestmark = pytest.mark.integration

Videos = Callable[..., list[str]]


def link(client: Any, box: FakeStashBox, video_id: str, scene_id: str) -> None:
    body = {"entityType": "video", "entityId": video_id, "endpoint": box.url, "stashId": scene_id}
    ok(client.post("/api/stash-ids", json=body), 201)


def submit(client: Any, endpoint: dict[str, Any], status: int = 200, **body: Any) -> dict[str, Any]:
    return ok(client.post(f"/api/stashbox-endpoints/{endpoint['id']}/submit-fingerprints", json=body), status)


def sent(box: FakeStashBox) -> list[dict[str, Any]]:
    """Every fingerprint of every submission request, in the batch shape."""
    out = []
    for call in box.calls():
        if call.operation == "SubmitFingerprints":
            out += call.variables["input"]
        elif call.operation == "SubmitFingerprint":
            fp = call.variables["input"]["fingerprint"]
            out.append({"scene_id": call.variables["input"]["scene_id"], **fp})
    return out


def expected(scene_id: str, i: int, duration: int = 1800, md5s: bool = True) -> list[dict[str, Any]]:
    """Video ``i``'s fingerprints as Stash submits them."""
    fps = [("OSHASH", oshash(i)), ("PHASH", phash(i).lstrip("0")), *([("MD5", md5(i))] if md5s else [])]
    return [{"scene_id": scene_id, "hash": h, "algorithm": a, "duration": duration} for a, h in fps]


def test_the_documents_are_stashs() -> None:
    assert document("SubmitFingerprint") == (
        "mutation SubmitFingerprint($input: FingerprintSubmission!) { submitFingerprint(input: $input) }"
    )
    assert document("SubmitSceneDraft") == (
        "mutation SubmitSceneDraft($input: SceneDraftInput!) { submitSceneDraft(input: $input) { id } }"
    )
    assert document("SubmitFingerprints") == (
        "mutation SubmitFingerprints($input: [FingerprintBatchSubmission!]!) "
        "{ submitFingerprints(input: $input) { scene_id hash error } }"
    )


def test_a_linked_videos_fingerprints_are_submitted_as_stash_sends_them(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    scene = box.add_scene("Night and Day")
    [video_id] = videos(["Some clip"])  # duration 1800.7 s
    link(client, box, video_id, scene["id"])
    answer = submit(client, endpoint, videoId=video_id)
    assert answer == {"submitted": 3, "videos": 1, "alreadySubmitted": 0, "skipped": [], "failed": [], "batched": True}
    [call] = box.calls()
    assert (call.operation, call.query) == ("SubmitFingerprints", document("SubmitFingerprints"))
    assert call.headers["apikey"] == KEY and call.headers["content-type"] == "application/json"
    assert call.variables == {"input": expected(scene["id"], 0)}
    assert [len(fp["hash"]) for fp in call.variables["input"]] == [16, 12, 32], "16-digit oshash, unpadded pHash"
    assert all(type(fp["duration"]) is int for fp in call.variables["input"]), "Stash's int(1800.7) = 1800"
    assert [(s["scene_id"], s["algorithm"], s["duration"]) for s in box.fingerprint_submissions] == [
        (scene["id"], "OSHASH", 1800), (scene["id"], "PHASH", 1800), (scene["id"], "MD5", 1800)
    ]  # fmt: skip


def test_nothing_is_submitted_twice(client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos) -> None:
    scene, other = box.add_scene("Night and Day"), box.add_scene("Another")
    first, second = videos(["First", "Second"])
    link(client, box, first, scene["id"])
    assert submit(client, endpoint, videoId=first)["submitted"] == 3
    box.clear()

    again = submit(client, endpoint, videoIds=[first])
    assert again == {"submitted": 0, "videos": 0, "alreadySubmitted": 3, "failed": [], "batched": None,
                     "skipped": [{"videoId": first, "reason": "already submitted"}]}  # fmt: skip
    assert box.calls() == [], "nothing sent"

    link(client, box, second, scene["id"])
    both = submit(client, endpoint, videoIds=[first, second])
    assert (both["submitted"], both["alreadySubmitted"]) == (3, 3)
    assert sent(box) == expected(scene["id"], 1), "only the new video's"

    box.clear()
    link(client, box, first, other["id"])  # relinked to another scene: its fingerprints go there
    assert submit(client, endpoint, videoId=first)["submitted"] == 3
    assert sent(box) == expected(other["id"], 0)


def test_an_older_server_gets_one_submit_fingerprint_each(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    box.batch_submissions = False
    scene = box.add_scene("Night and Day")
    first, second = videos(["First", "Second"])
    for video_id in (first, second):
        link(client, box, video_id, scene["id"])
    answer = submit(client, endpoint, videoId=first)
    assert (answer["submitted"], answer["batched"], answer["failed"]) == (3, False, [])
    probe, *singles = box.calls()
    assert probe.operation == "SubmitFingerprints", "the batch mutation is tried first"
    assert [c.operation for c in singles] == ["SubmitFingerprint"] * 3
    for call, fp in zip(singles, expected(scene["id"], 0), strict=True):
        assert call.query == document("SubmitFingerprint")
        assert call.variables == {"input": {"scene_id": scene["id"], "fingerprint": {
            "hash": fp["hash"], "algorithm": fp["algorithm"], "duration": 1800}}}  # fmt: skip
    assert len(box.fingerprint_submissions) == 3

    box.clear()
    assert submit(client, endpoint, videoId=second)["submitted"] == 3
    assert [c.operation for c in box.calls()] == ["SubmitFingerprint"] * 3, "no second probe"


def test_videos_without_a_link_or_a_duration_are_skipped_with_the_reason(
    client: Any, runtime: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    from plugins_builtin.videos.models import Video

    scene = box.add_scene("Night and Day")
    unlinked, no_duration, linked_ok = videos(["Unlinked", "No duration", "Fine"])
    [bare] = videos(["No fingerprints"], fingerprinted=False)
    for video_id in (no_duration, bare, linked_ok):
        link(client, box, video_id, scene["id"])
    with runtime.session() as db:
        db.get(Video, no_duration).duration = None
        db.commit()
    ids = [unlinked, no_duration, bare, "0" * 36, linked_ok]
    answer = submit(client, endpoint, videoIds=ids)
    assert answer["skipped"] == [
        {"videoId": unlinked, "reason": "not linked to this endpoint"},
        {"videoId": no_duration, "reason": "no duration"},
        {"videoId": bare, "reason": "no fingerprints yet"},
        {"videoId": "0" * 36, "reason": "not found"},
    ]
    assert (answer["submitted"], answer["videos"]) == (3, 1)
    assert sent(box) == expected(scene["id"], 2)


def test_a_refused_key_submits_nothing_and_records_nothing(
    client: Any, box: FakeStashBox, make_endpoint: Callable[..., dict[str, Any]], videos: Videos
) -> None:
    wrong = make_endpoint(apiKey="nope")
    scene = box.add_scene("Night and Day")
    [video_id] = videos(["Some clip"])
    link(client, box, video_id, scene["id"])
    res = client.post(f"/api/stashbox-endpoints/{wrong['id']}/submit-fingerprints", json={"videoId": video_id})
    assert error(res, 400)["code"] == "bad_api_key"
    assert box.fingerprint_submissions == []
    contributions = ok(client.get("/api/phash-contributions"))["items"]
    assert contributions[0]["endpoints"][0]["status"] == "pending", "nothing recorded"

    ok(client.patch(f"/api/stashbox-endpoints/{wrong['id']}", json={"apiKey": KEY}))
    assert submit(client, wrong, videoId=video_id)["submitted"] == 3


def test_an_error_for_one_fingerprint_fails_it_and_the_next_run_tries_it_again(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    scene = box.add_scene("Night and Day")
    good, gone = videos(["Good", "Gone"])
    link(client, box, good, scene["id"])
    link(client, box, gone, "00000000-0000-0000-0000-0000000000ff")  # no such scene there
    answer = submit(client, endpoint, videoIds=[good, gone])
    assert (answer["submitted"], answer["videos"]) == (3, 1)
    assert answer["failed"] == [{"videoId": gone, "algorithm": a, "hash": h, "error": "invalid or deleted scene"}
                                for a, h in (("OSHASH", oshash(1)), ("PHASH", phash(1).lstrip("0")),
                                             ("MD5", md5(1)))]  # fmt: skip
    box.clear()
    again = submit(client, endpoint, videoIds=[good, gone])
    assert (again["alreadySubmitted"], len(again["failed"])) == (3, 3)
    assert [fp["scene_id"] for fp in sent(box)] == ["00000000-0000-0000-0000-0000000000ff"] * 3, "only the failed"


def test_md5_is_left_out_when_the_endpoint_says_so(
    client: Any, box: FakeStashBox, make_endpoint: Callable[..., dict[str, Any]], videos: Videos
) -> None:
    endpoint = make_endpoint(submitMd5=False)
    assert endpoint["submitMd5"] is False
    scene = box.add_scene("Night and Day")
    [video_id] = videos(["Some clip"])
    link(client, box, video_id, scene["id"])
    assert submit(client, endpoint, videoId=video_id)["submitted"] == 2
    assert sent(box) == expected(scene["id"], 0, md5s=False)
    ok(client.patch(f"/api/stashbox-endpoints/{endpoint['id']}", json={"submitMd5": True}))
    box.clear()
    assert submit(client, endpoint, videoId=video_id)["submitted"] == 1
    assert [fp["algorithm"] for fp in sent(box)] == ["MD5"]


def test_bad_requests(client: Any, box: FakeStashBox, make_endpoint: Callable[..., dict[str, Any]]) -> None:
    endpoint = make_endpoint()
    url = f"/api/stashbox-endpoints/{endpoint['id']}/submit-fingerprints"
    assert error(client.post(url, json={}), 400)["message"] == "body: give videoId or videoIds."
    assert error(client.post(url, json={"videoId": "a", "videoIds": ["b"]}), 400)
    assert error(client.post("/api/stashbox-endpoints/nope/submit-fingerprints", json={"videoId": "a"}), 404)
    off = make_endpoint(name="Off", endpoint=box.url + "?off", enabled=False)
    res = client.post(f"/api/stashbox-endpoints/{off['id']}/submit-fingerprints", json={"videoId": "a"})
    assert error(res, 409)["code"] == "endpoint_disabled"


def test_more_than_50_videos_are_submitted_by_a_job(
    client: Any, run_jobs: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    scene = box.add_scene("Night and Day")
    ids = videos([f"Video {i:02d}" for i in range(51)])
    for video_id in ids:
        link(client, box, video_id, scene["id"])
    queued = submit(client, endpoint, status=202, videoIds=ids)
    assert queued["videos"] == 51 and queued["jobRunId"]
    assert box.calls() == [], "nothing sent within the request"
    run_jobs("stashbox")
    run = ok(client.get(f"/api/jobs/{queued['jobRunId']}"))
    assert run["status"] == "completed", run
    assert [len(c.variables["input"]) for c in box.calls("SubmitFingerprints")] == [50, 50, 50, 3]
    assert sent(box) == [fp for i in range(51) for fp in expected(scene["id"], i)]
