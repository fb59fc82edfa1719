"""Identifying videos against the fake stash-box through the metadata plugin: the cascade (stash
id → fingerprints → title), the hashes as Stash sends them, batches of at most 40 videos,
performers, and accepting a fingerprint match end to end (fields, links and stash ids)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from plugin_sdk import ScrapeRequest
from plugins_builtin.stashbox import endpoints, source
from plugins_builtin.stashbox.ratelimit import RedisTokenBucket
from plugins_builtin.videos.metadata_target import describe_videos
from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox.conftest import KEY, error, md5, ok, oshash, phash

pytestmark = pytest.mark.integration

Videos = Callable[..., list[str]]


@pytest.fixture
def scene(box: FakeStashBox) -> dict[str, Any]:
    """A remote scene that knows video 0 by its oshash and pHash (and another file by MD5)."""
    network = box.add_studio("Moon Network")
    studio = box.add_studio("Moonlight Studio", parent=network, aliases=["Moonlight"],
                            urls=[{"url": "https://moonlight.example", "type": "HOME"}])  # fmt: skip
    jane = box.add_performer(
        "Jane Roe", disambiguation="the first", aliases=["Jane R", "JANE ROE", "Jane R"], gender="FEMALE",
        birth_date="1990-02-03", country="US", ethnicity="CAUCASIAN", eye_color="BLUE", hair_color="BRUNETTE",
        height=168, measurements={"band_size": 34, "cup_size": "C", "waist": 24, "hip": 35}, breast_type="NATURAL",
        career_start_year=2012, career_end_year=2020, tattoos=[{"location": "Left arm", "description": "Rose"}],
        piercings=[{"location": "Navel", "description": None}],
        urls=[{"url": "https://twitter.com/janeroe", "type": "TWITTER"},
              {"url": "https://jane.example", "type": "HOME"}],
        images=[{"id": "img-1", "url": box.add_image("jane.jpg"), "width": 600, "height": 900}],
    )  # fmt: skip
    john = box.add_performer("John Doe", gender="MALE")
    tags = [box.add_tag("Outdoor"), box.add_tag("Drama"), box.add_tag("4K Watermark")]
    return box.add_scene(
        "Night and Day", code="ND-001", details="Two friends meet.", director="Ann Director", date="2021-05-04",
        duration=1801, urls=[{"url": "https://moonlight.example/scenes/1", "type": "STUDIO"}],
        studio=studio, performers=[jane, john], tags=tags,
        fingerprints=[("OSHASH", oshash(0), 1801), ("PHASH", phash(0), 1801), ("MD5", md5(999), 1801)],
    )  # fmt: skip


def _scrape(client: Any, endpoint: dict[str, Any], **body: Any) -> list[dict[str, Any]]:
    return ok(client.post(f"/api/stashbox-endpoints/{endpoint['id']}/scrape", json=body))["results"]


def test_a_fingerprint_match_carries_the_remote_scene_as_stash_has_it(
    client: Any, box: FakeStashBox, make_endpoint: Callable[..., dict[str, Any]], videos: Videos,
    scene: dict[str, Any],
) -> None:  # fmt: skip
    endpoint = make_endpoint(excludeTagPatterns=["watermark$"])
    [video_id] = videos(["Some clip"])
    [result] = _scrape(client, endpoint, videoId=video_id)
    assert (result["action"], result["matchType"], result["remoteId"]) == ("findByFingerprint", "fingerprint",
                                                                           scene["id"])  # fmt: skip
    assert result["source"] == {"kind": "stashbox", "id": endpoint["id"], "name": "Fake box"}
    ours = [{"algorithm": "OSHASH", "hash": oshash(0)}, {"algorithm": "PHASH", "hash": phash(0).lstrip("0")}]
    assert result["matchDetails"] == {"fingerprints": ours}
    studio, (jane, john), tags = scene["studio"], (p["performer"] for p in scene["performers"]), scene["tags"]
    assert result["raw"] == {
        "title": "Night and Day", "code": "ND-001", "details": "Two friends meet.", "director": "Ann Director",
        "url": "https://moonlight.example/scenes/1", "urls": ["https://moonlight.example/scenes/1"],
        "date": "2021-05-04",
        "studio": {"name": "Moonlight Studio", "url": "https://moonlight.example", "urls": ["https://moonlight.example"],
                   "aliases": "Moonlight", "remote_site_id": studio["id"],
                   "parent": {"name": "Moon Network", "remote_site_id": studio["parent"]["id"]}},
        "performers": [
            {"name": "Jane Roe", "disambiguation": "the first", "gender": "FEMALE",
             "urls": ["https://twitter.com/janeroe", "https://jane.example"], "twitter": "https://twitter.com/janeroe",
             "birthdate": "1990-02-03", "ethnicity": "Caucasian", "country": "US", "eye_color": "Blue",
             "hair_color": "Brunette", "height": "168", "measurements": "34C-24-35", "fake_tits": "Natural",
             "career_length": "2012 - 2020", "tattoos": "Left arm, Rose", "piercings": "Navel", "aliases": "Jane R",
             "image": box.base + "/images/jane.jpg", "images": [box.base + "/images/jane.jpg"],
             "remote_site_id": jane["id"]},
            {"name": "John Doe", "gender": "MALE", "remote_site_id": john["id"]},
        ],
        "tags": [{"name": "Outdoor", "remote_site_id": tags[0]["id"]},
                 {"name": "Drama", "remote_site_id": tags[1]["id"]}],
        "remote_site_id": scene["id"],
        "duration": 1801,
        "fingerprints": [{"algorithm": "OSHASH", "hash": oshash(0), "duration": 1801},
                         {"algorithm": "PHASH", "hash": phash(0), "duration": 1801},
                         {"algorithm": "MD5", "hash": md5(999), "duration": 1801}],
    }  # fmt: skip
    assert result["proposed"]["tags"] == ["Outdoor", "Drama"], "the excluded tag is dropped"
    assert result["proposed"]["performers"] == ["Jane Roe", "John Doe"]

    [call] = box.calls()
    assert call.operation == "FindScenesBySceneFingerprints" and call.headers["apikey"] == KEY
    assert call.variables == {"fingerprints": [[
        {"hash": oshash(0), "algorithm": "OSHASH"},  # 16 hex digits
        {"hash": phash(0).lstrip("0"), "algorithm": "PHASH"},  # Stash's PhashToString: hex, no padding
        {"hash": md5(0), "algorithm": "MD5"},  # 32 hex digits
    ]]}  # fmt: skip
    assert len(oshash(0)) == 16 and len(md5(0)) == 32 and len(phash(0).lstrip("0")) == 12


def test_title_search_when_no_fingerprint_matches(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos, scene: dict[str, Any]
) -> None:
    [unknown] = videos(["Night and Day"], start=50)  # fingerprints the box does not know
    [result] = _scrape(client, endpoint, videoId=unknown)
    assert (result["action"], result["matchType"], result["remoteId"]) == ("searchByTitle", "title", scene["id"])
    assert result["matchDetails"] == {"term": "Night and Day"}
    assert [c.operation for c in box.calls()] == ["FindScenesBySceneFingerprints", "SearchScene"]
    assert box.calls("SearchScene")[0].variables == {"term": "Night and Day"}

    box.clear()
    [bare] = videos(["Nothing like it"], fingerprinted=False)
    assert _scrape(client, endpoint, videoId=bare) == []
    assert [c.operation for c in box.calls()] == ["SearchScene"], "no fingerprints: not asked by fingerprint"


def test_a_known_stash_id_is_asked_first(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos, scene: dict[str, Any]
) -> None:
    other = box.add_scene("The Other One", date="2019-01-01")
    [video_id] = videos(["Some clip"])
    link = {"entityType": "video", "entityId": video_id, "endpoint": box.url, "stashId": other["id"]}
    ok(client.post("/api/stash-ids", json=link), 201)
    [result] = _scrape(client, endpoint, videoId=video_id)
    assert (result["action"], result["matchType"], result["remoteId"]) == ("findById", "stashid", other["id"])
    assert [(c.operation, c.variables) for c in box.calls()] == [("FindSceneByID", {"id": other["id"]})]


def test_explicit_url_query_and_action(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos, scene: dict[str, Any]
) -> None:
    [video_id] = videos(["Some clip"], fingerprinted=False)
    [by_url] = _scrape(client, endpoint, videoId=video_id, url=f"https://stashdb.example/scenes/{scene['id']}")
    assert (by_url["action"], by_url["matchType"], by_url["remoteId"]) == ("findById", "url", scene["id"])
    [by_id] = _scrape(client, endpoint, videoId=video_id, query=scene["id"].upper())
    assert by_id["matchType"] == "stashid"
    [by_text] = _scrape(client, endpoint, videoId=video_id, query="night day")
    assert (by_text["action"], by_text["matchDetails"]) == ("searchByTitle", {"term": "night day"})
    scrape = f"/api/stashbox-endpoints/{endpoint['id']}/scrape"
    res = client.post(scrape, json={"videoId": video_id, "url": "https://stashdb.example/performers/" + scene["id"]})
    assert error(res, 400)["code"] == "unsupported_url"
    res = client.post(f"/api/stashbox-endpoints/{endpoint['id']}/scrape",
                      json={"videoId": video_id, "action": "sceneByURL"})  # fmt: skip
    assert error(res, 400)["code"] == "unsupported_action"
    res = client.post(f"/api/stashbox-endpoints/{endpoint['id']}/scrape",
                      json={"videoId": video_id, "action": "findByFingerprint"})  # fmt: skip
    assert error(res, 400)["code"] == "missing_input"


def test_server_problems_reach_the_user(
    client: Any, box: FakeStashBox, make_endpoint: Callable[..., dict[str, Any]], videos: Videos
) -> None:
    [video_id] = videos(["Some clip"])
    wrong = make_endpoint(apiKey="nope")
    res = client.post(f"/api/stashbox-endpoints/{wrong['id']}/scrape", json={"videoId": video_id})
    assert error(res, 400)["code"] == "bad_api_key"
    gone = make_endpoint(name="Gone", endpoint="http://127.0.0.1:9/graphql")
    res = client.post(f"/api/stashbox-endpoints/{gone['id']}/scrape", json={"videoId": video_id})
    assert error(res, 502)["code"] == "unreachable"
    off = make_endpoint(name="Off", endpoint=box.url + "?off", enabled=False)
    res = client.post(f"/api/stashbox-endpoints/{off['id']}/scrape", json={"videoId": video_id})
    assert error(res, 404)
    box.html = True
    good = make_endpoint(name="Good", endpoint=box.url + "?good")
    res = client.post(f"/api/stashbox-endpoints/{good['id']}/scrape", json={"videoId": video_id})
    assert error(res, 502)["code"] == "not_graphql"


def test_a_remote_scene_without_a_title_still_converts(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    tag = box.add_tag("Outdoor")
    untitled = box.add_scene(None, tags=[tag], fingerprints=[("OSHASH", oshash(0), 60)])
    box.add_scene(None, fingerprints=[("OSHASH", oshash(1), 60)])  # nothing usable at all
    first, second = videos(["a", "b"])
    [result] = _scrape(client, endpoint, videoId=first)
    assert "title" not in result["raw"] and result["raw"]["remote_site_id"] == untitled["id"]
    assert result["proposed"] == {"tags": ["Outdoor"]}
    assert _scrape(client, endpoint, videoId=second) == [], "nothing usable: dropped, then no title match"


def test_performers_are_searched_by_name_or_found_by_id(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], scene: dict[str, Any]
) -> None:
    jane = scene["performers"][0]["performer"]
    pid = ok(client.post("/api/performers", json={"name": "Jane Roe"}), 201)["id"]
    url = f"/api/stashbox-endpoints/{endpoint['id']}/scrape-performer"
    [found] = ok(client.post(url, json={"performerId": pid}))["results"]
    assert (found["action"], found["matchType"], found["remoteId"]) == ("searchByName", "name", jane["id"])
    assert found["raw"]["measurements"] == "34C-24-35" and found["proposed"]["aliases"] == ["Jane R"]
    assert box.calls("SearchPerformer")[0].variables == {"term": "Jane Roe"}
    [by_id] = ok(client.post(url, json={"performerId": pid, "query": jane["id"]}))["results"]
    assert (by_id["action"], by_id["matchType"]) == ("findById", "stashid")
    [by_url] = ok(client.post(url, json={"performerId": pid, "url": f"https://x.example/performers/{jane['id']}"}))[
        "results"]  # fmt: skip
    assert by_url["matchType"] == "url" and box.calls("FindPerformerByID")[-1].variables == {"id": jane["id"]}


def test_accepting_a_fingerprint_match_fills_the_video_and_links_stash_ids(
    client: Any, runtime: Any, run_jobs: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos,
    scene: dict[str, Any],
) -> None:  # fmt: skip
    [video_id] = videos(["Some clip"])
    [result] = _scrape(client, endpoint, videoId=video_id)
    ok(client.post(f"/api/videos/{video_id}/accept-scrape", json={"resultId": result["id"]}), 202)
    run_jobs("metadata-import")
    video = ok(client.get(f"/api/videos/{video_id}"))
    expected = ("Night and Day", "2021-05-04", "ND-001", "Ann Director")
    assert (video["title"], video["date"], video["code"], video["director"]) == expected
    assert video["studio"]["name"] == "Moonlight Studio"
    assert sorted(p["name"] for p in video["performers"]) == ["Jane Roe", "John Doe"]
    assert sorted(t["name"] for t in video["tags"]) == ["4K Watermark", "Drama", "Outdoor"]
    links = ok(client.get(f"/api/stash-ids?entityType=video&entityId={video_id}"))
    assert [(s["endpoint"], s["stashId"]) for s in links] == [(box.url, scene["id"])]
    jane = next(p for p in video["performers"] if p["name"] == "Jane Roe")
    links = ok(client.get(f"/api/stash-ids?entityType=performer&entityId={jane['id']}"))
    assert [(s["endpoint"], s["stashId"]) for s in links] == [(box.url, scene["performers"][0]["performer"]["id"])]
    links = ok(client.get(f"/api/stash-ids?entityType=studio&entityId={video['studio']['id']}"))
    assert [s["stashId"] for s in links] == [scene["studio"]["id"]]
    pictures = {p["name"]: p["imageUrl"] for p in video["performers"]}
    assert pictures["John Doe"] is None, "no picture at the source"
    picture = client.get(pictures["Jane Roe"])
    assert picture.status_code == 200
    with Image.open(io.BytesIO(picture.data)) as img:
        assert img.size == (60, 90), "her stash-box picture"


def test_bulk_identify_asks_40_videos_a_request_and_titles_only_for_the_rest(
    client: Any, run_jobs: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos
) -> None:
    ids = videos([f"Video {i:03d}" for i in range(95)])
    known = {i: box.add_scene(f"Remote {i}", fingerprints=[("OSHASH", oshash(i), 1800)], date="2020-01-01")
             for i in (0, 39, 40, 94)}  # fmt: skip
    by_title = box.add_scene("Video 007 special", date="2020-02-02")
    box.clear()
    res = client.post(f"/api/stashbox-endpoints/{endpoint['id']}/scrape-bulk", json={"videoIds": ids})
    assert ok(res, 202)["entities"] == 95
    run_jobs("metadata-import")

    groups = [len(c.variables["fingerprints"]) for c in box.calls("FindScenesBySceneFingerprints")]
    assert groups == [40, 40, 15]
    for call in box.calls("FindScenesBySceneFingerprints"):
        for group in call.variables["fingerprints"]:
            assert [fp["algorithm"] for fp in group] == ["OSHASH", "PHASH", "MD5"]
            assert all(set(fp) == {"hash", "algorithm"} for fp in group)
    searched = [c.variables["term"] for c in box.calls("SearchScene")]
    assert searched == [f"Video {i:03d}" for i in range(95) if i not in known], "titles only for the unmatched"

    results = ok(client.get("/api/scrape-results?status=pending&perPage=500"))["items"]
    by_video = {r["entityId"]: r for r in results}
    assert len(results) == 5
    for i, remote in known.items():
        assert (by_video[ids[i]]["matchType"], by_video[ids[i]]["remoteId"]) == ("fingerprint", remote["id"])
    assert (by_video[ids[7]]["matchType"], by_video[ids[7]]["remoteId"]) == ("title", by_title["id"])


def test_bulk_identify_with_auto_accept_proposes_the_known_clip_only(
    client: Any, run_jobs: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos, scene: dict[str, Any]
) -> None:
    ids = videos(["Clip A", "Clip B", "Clip C"])
    res = client.post(f"/api/stashbox-endpoints/{endpoint['id']}/identify",
                      json={"videoIds": ids, "autoAccept": True})  # fmt: skip
    assert res.status_code == 202, res.get_json()
    run_jobs("metadata-import")
    results = ok(client.get("/api/scrape-results?perPage=500"))["items"]
    assert [(r["entityId"], r["status"], r["remoteId"]) for r in results] == [(ids[0], "accepted", scene["id"])]
    assert ok(client.get(f"/api/videos/{ids[0]}"))["title"] == "Night and Day"
    assert ok(client.get(f"/api/videos/{ids[1]}"))["title"] == "Clip B"


def test_scrape_batch_answers_each_request_in_order(
    runtime: Any, client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Videos, scene: dict[str, Any]
) -> None:
    known, unknown, titled = videos(["Known", "Unknown one", "Night and Day"])
    logged: list[tuple[str, str]] = []

    def log(level: str, message: str) -> None:
        logged.append((level, message))

    with runtime.session() as db:
        found = describe_videos(db, [known, unknown, titled])
        requests = [ScrapeRequest(endpoint["id"], "scene", found[i], log=log) for i in (unknown, known, titled)]
        requests += [
            ScrapeRequest(endpoint["id"], "scene", found[unknown], query=scene["id"], log=log),
            ScrapeRequest(endpoint["id"], "scene", found[unknown], action="findByFingerprint", log=log),
            ScrapeRequest(endpoint["id"], "scene", found[unknown], action="bogus", log=log),
        ]
        answers = source.scrape_batch(db, requests)
        limiter = endpoints.client(endpoints.get(db, endpoint["id"])).limiter
    assert [[(r.match_type, r.remote_id) for r in a] for a in answers] == [
        [], [("fingerprint", scene["id"])], [("title", scene["id"])], [("stashid", scene["id"])], [], [],
    ]  # fmt: skip
    assert [c.operation for c in box.calls()] == ["FindSceneByID", "FindScenesBySceneFingerprints", "SearchScene",
                                                  "SearchScene"]  # fmt: skip
    assert len(box.calls("FindScenesBySceneFingerprints")[0].variables["fingerprints"]) == 4, "one request"
    assert [c.variables["term"] for c in box.calls("SearchScene")] == ["Unknown one", "Night and Day"]
    assert ("warning", "A StashBox cannot run 'bogus' (one of findById, findByFingerprint, searchByTitle).") in logged
    assert isinstance(limiter, RedisTokenBucket) and limiter.key.endswith(endpoint["id"])
    assert limiter.per_minute == 6000
