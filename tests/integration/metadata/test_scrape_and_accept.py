"""Scrape results through the metadata plugin: stored pending, reviewed, accepted by a
``metadata-import`` job that applies them to videos and performers, or rejected."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image

from plugin_sdk.models import JobRunRow
from tests.integration.metadata import fakesource
from tests.integration.taxonomy import rows

SCENE = {
    "title": "  Night &amp; Day  ",
    "date": "2021-05-04",
    "details": "Two  friends\nmeet.",
    "url": "https://site.example/scenes/1",
    "urls": ["https://site.example/scenes/1", "https://mirror.example/1"],
    "code": "ND-001",
    "director": "Ann Director",
    "studio": {"name": "Moonlight Studio"},
    "performers": [{"name": "Jane Roe"}, {"name": "john doe"}, {"name": "JANE ROE"}],
    "tags": [{"name": "Outdoor"}, {"name": "Drama"}],
}


def _png(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 36), color).save(out, "PNG")
    return out.getvalue()


class _Images(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/ok.png":
            body, kind = _png("blue"), "image/png"
        elif self.path == "/page.html":
            body, kind = b"<html>not an image</html>", "text/html"
        elif self.path == "/huge.jpg":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(5 * 1024**3))
            self.end_headers()
            return
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def images_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("fakesource", fakesource)], "builtins": ("videos", "images", "taxonomy", "metadata"),
            "load_entrypoints": False}  # fmt: skip


@pytest.fixture(autouse=True)
def _pages() -> Iterator[None]:
    fakesource.PAGES.clear()
    fakesource.BY_OSHASH.clear()
    fakesource.SEEN.clear()
    fakesource.BOX_SCENES.clear()
    fakesource.BATCHES.clear()
    yield


@pytest.fixture
def video_id(runtime: Any) -> str:
    return rows.videos(runtime, rows.root(runtime), ["night_and_day_1080p"])[0]


def _scrape(client: Any, video_id: str, url: str, source: str = "site") -> list[dict[str, Any]]:
    res = client.post(f"/api/fake-sources/{source}/scrape", json={"videoId": video_id, "url": url})
    assert res.status_code == 200, res.get_json()
    return res.get_json()["data"]["results"]


def _video(client: Any, video_id: str) -> dict[str, Any]:
    return client.get(f"/api/videos/{video_id}").get_json()["data"]


def test_scrape_stores_a_pending_result_with_normalized_fields(client: Any, video_id: str) -> None:
    fakesource.PAGES["https://site.example/scenes/1"] = SCENE
    [result] = _scrape(client, video_id, "https://site.example/scenes/1")
    assert result["status"] == "pending"
    assert result["source"] == {"kind": "fake", "id": "site", "name": "Fake site"}
    assert result["action"] == "sceneByURL" and result["matchType"] == "url"
    assert result["raw"]["title"] == SCENE["title"]  # Stash's own shape, untouched
    assert result["proposed"] == {
        "title": "Night & Day", "date": "2021-05-04", "details": "Two friends\nmeet.",
        "urls": ["https://site.example/scenes/1", "https://mirror.example/1"], "code": "ND-001",
        "director": "Ann Director", "studio": "Moonlight Studio", "performers": ["Jane Roe", "john doe"],
        "tags": ["Outdoor", "Drama"],
    }  # fmt: skip
    fragment = fakesource.SEEN[0].fragment
    assert fragment["title"] == "night_and_day_1080p" and fragment["files"][0]["path"].endswith(".mp4")
    listed = client.get(f"/api/scrape-results?status=pending&entityType=video&entityId={video_id}").get_json()
    assert listed["data"]["total"] == 1 and listed["data"]["items"][0]["id"] == result["id"]
    assert client.get(f"/api/scrape-results/{result['id']}").get_json()["data"]["proposed"]["code"] == "ND-001"


def test_accepting_applies_the_result_once(client: Any, runtime: Any, run_jobs: Any, video_id: str) -> None:
    fakesource.PAGES["https://site.example/scenes/1"] = SCENE
    [result] = _scrape(client, video_id, "https://site.example/scenes/1")
    res = client.post(f"/api/videos/{video_id}/accept-scrape", json={"resultId": result["id"]})
    assert res.status_code == 202, res.get_json()
    run_id = res.get_json()["data"]["jobRunId"]
    assert run_jobs("metadata-import") == 1

    video = _video(client, video_id)
    assert (video["title"], video["date"], video["code"], video["director"]) == (
        "Night & Day", "2021-05-04", "ND-001", "Ann Director")
    assert video["details"] == "Two friends\nmeet." and video["organized"] is True
    assert video["urls"] == ["https://site.example/scenes/1", "https://mirror.example/1"]
    assert video["studio"]["name"] == "Moonlight Studio"
    assert sorted(p["name"] for p in video["performers"]) == ["Jane Roe", "john doe"]
    assert sorted(t["name"] for t in video["tags"]) == ["Drama", "Outdoor"]
    assert "title" in video["editedFields"]  # a later scan keeps the accepted title
    done = client.get(f"/api/scrape-results/{result['id']}").get_json()["data"]
    assert done["status"] == "accepted" and done["appliedAt"]
    with runtime.session() as db:
        assert db.get(JobRunRow, run_id).status == "completed"

    again = client.post(f"/api/videos/{video_id}/accept-scrape", json={"resultId": result["id"]})
    assert again.status_code == 409 and "already accepted" in again.get_json()["error"]["message"]
    # the same job run twice (a retry after a crash) changes nothing the second time
    from plugins_builtin.metadata.accepting import apply_result

    client.patch(f"/api/videos/{video_id}", json={"title": "My own title"})
    with runtime.session() as db:
        out = apply_result(db, result["id"], log=lambda level, message: None)
    assert out["alreadyAccepted"] is True
    assert _video(client, video_id)["title"] == "My own title"


def test_field_mask_and_excluded_names(client: Any, run_jobs: Any, video_id: str) -> None:
    fakesource.PAGES["https://site.example/scenes/1"] = SCENE
    [result] = _scrape(client, video_id, "https://site.example/scenes/1")
    res = client.post(f"/api/video/movies/{video_id}/accept-scrape", json={
        "resultId": result["id"], "fields": ["title", "performers", "tags"],
        "excludePerformers": ["JOHN DOE"], "excludeTags": ["drama"]})  # fmt: skip
    assert res.status_code == 202
    run_jobs("metadata-import")
    video = _video(client, video_id)
    assert video["title"] == "Night & Day" and video["date"] is None and video["studio"] is None
    assert [p["name"] for p in video["performers"]] == ["Jane Roe"]
    assert [t["name"] for t in video["tags"]] == ["Outdoor"]


def test_accepting_adds_names_and_records_the_excluded_ones(client: Any, run_jobs: Any, video_id: str) -> None:
    client.patch(f"/api/videos/{video_id}", json={"tagNames": ["Vintage", "outdoor"], "studioName": "Old"})
    fakesource.PAGES["https://site.example/scenes/1"] = SCENE
    [result] = _scrape(client, video_id, "https://site.example/scenes/1")
    client.post(f"/api/videos/{video_id}/accept-scrape", json={"resultId": result["id"], "excludeTags": ["Drama"]})
    run_jobs("metadata-import")
    video = _video(client, video_id)
    assert sorted(t["name"] for t in video["tags"]) == ["Vintage", "outdoor"]  # kept; Outdoor is outdoor
    assert video["studio"]["name"] == "Moonlight Studio"  # one studio: replaced
    applied = client.get(f"/api/scrape-results/{result['id']}").get_json()["data"]["applied"]
    assert applied["excludedTags"] == ["Drama"] and applied["excludedPerformers"] == []


def test_names_are_found_case_insensitively_or_by_alias(client: Any, run_jobs: Any, video_id: str) -> None:
    made = client.post("/api/performers", json={"name": "JANE ROE", "aliases": ["John Doe"]}).get_json()["data"]
    fakesource.PAGES["https://site.example/scenes/1"] = SCENE
    [result] = _scrape(client, video_id, "https://site.example/scenes/1")
    client.post(f"/api/videos/{video_id}/accept-scrape", json={"resultId": result["id"]})
    run_jobs("metadata-import")
    assert [p["id"] for p in _video(client, video_id)["performers"]] == [made["id"]]
    assert client.get("/api/performers").get_json()["data"]["total"] == 1


def test_bad_requests_are_clear(client: Any, video_id: str) -> None:
    fakesource.PAGES["https://site.example/scenes/1"] = SCENE
    [result] = _scrape(client, video_id, "https://site.example/scenes/1")
    other = rows.videos(client.application.extensions["obscura"], rows.root(
        client.application.extensions["obscura"], "/media/other"), ["other"])[0]
    cases = [
        (f"/api/videos/{other}/accept-scrape", {"resultId": result["id"]}, 400, "is not for this video"),
        (f"/api/videos/{video_id}/accept-scrape", {"resultId": "nope"}, 404, "not found"),
        (f"/api/videos/{video_id}/accept-scrape", {"resultId": result["id"], "fields": ["colour"]}, 400,
         "unknown field 'colour'"),
        ("/api/fake-sources/missing/scrape", {"videoId": video_id}, 404, "not installed"),
        ("/api/fake-sources/site/scrape", {"videoId": video_id, "url": "https://site.example/404"}, 400,
         "http error 404"),
        ("/api/fake-sources/site/scrape", {"videoId": "no-such-video"}, 404, "not found"),
        ("/api/fake-sources/site/scrape", {}, 400, "name exactly one of"),
        ("/api/fake-sources/broken/scrape", {"videoId": video_id, "url": "x"}, 502,
         "Fake sources failed: RuntimeError: the site changed its layout"),
    ]
    for url, body, status, message in cases:
        res = client.post(url, json=body)
        assert res.status_code == status, (url, body, res.get_json())
        assert message in res.get_json()["error"]["message"], (url, res.get_json())


def test_accepting_many_results_at_once(client: Any, runtime: Any, run_jobs: Any) -> None:
    ids = rows.videos(runtime, rows.root(runtime), ["a", "b", "c"])
    results = []
    for i, vid in enumerate(ids):
        fakesource.PAGES[f"https://site.example/scenes/{i}"] = {**SCENE, "title": f"Scene {i}"}
        results.append(_scrape(client, vid, f"https://site.example/scenes/{i}")[0]["id"])
    client.post(f"/api/scrape-results/{results[0]}/accept", json={})
    run_jobs("metadata-import")
    res = client.post("/api/scrape-results/accept", json={"resultIds": results, "fields": ["title", "tags"]})
    assert res.status_code == 202, res.get_json()
    assert res.get_json()["data"]["accepting"] == 2 and res.get_json()["data"]["alreadyAccepted"] == 1
    run_jobs("metadata-import")
    assert [_video(client, v)["title"] for v in ids] == ["Scene 0", "Scene 1", "Scene 2"]
    assert _video(client, ids[1])["studio"] is None  # not in the mask
    bad = client.post("/api/scrape-results/accept", json={"resultIds": [results[0], "nope"]})
    assert bad.status_code == 404 and "nope" in bad.get_json()["error"]["message"]


def test_reject(client: Any, run_jobs: Any, video_id: str) -> None:
    fakesource.PAGES["https://site.example/scenes/1"] = SCENE
    first, second = (_scrape(client, video_id, "https://site.example/scenes/1")[0] for _ in range(2))
    rejected = client.post(f"/api/scrape-results/{first['id']}/reject", json={}).get_json()
    assert rejected["data"]["status"] == "rejected", rejected
    assert client.get("/api/scrape-results?status=rejected").get_json()["data"]["total"] == 1
    client.post(f"/api/scrape-results/{second['id']}/accept", json={})
    run_jobs("metadata-import")
    res = client.post(f"/api/scrape-results/{second['id']}/reject", json={})
    assert res.status_code == 409


@pytest.mark.parametrize(
    ("image", "applied", "warning"),
    [
        ("data:image/png;base64," + base64.b64encode(_png()).decode(), True, None),
        ("{server}/ok.png", True, None),
        ("{server}/page.html", False, "is text/html, not an image"),
        ("{server}/huge.jpg", False, "the limit is 20 MiB"),
        ("{server}/missing.png", False, "answered HTTP 404"),
    ],
)
def test_images_are_fetched_with_limits(
    client: Any, run_jobs: Any, video_id: str, images_server: str, image: str, applied: bool, warning: str | None
) -> None:
    fakesource.PAGES["https://site.example/scenes/1"] = {**SCENE, "image": image.format(server=images_server)}
    [result] = _scrape(client, video_id, "https://site.example/scenes/1")
    client.post(f"/api/videos/{video_id}/accept-scrape", json={"resultId": result["id"]})
    run_jobs("metadata-import")
    done = client.get(f"/api/scrape-results/{result['id']}").get_json()["data"]
    assert done["status"] == "accepted"  # a bad image is a warning, never a failed job
    assert ("image" in done["applied"]["fields"]) is applied
    assert (warning is None) == (not done["applied"]["warnings"])
    if warning:
        assert warning in done["applied"]["warnings"][0]
    video = _video(client, video_id)
    assert video["title"] == "Night & Day"
    if applied:
        thumb = client.get(video["thumbnailUrl"])
        assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"


def test_performer_apply_scrape(client: Any, run_jobs: Any) -> None:
    performer = client.post("/api/performers", json={"name": "Jane Roe", "urls": ["https://a.example/jane"]})
    pid = performer.get_json()["data"]["id"]
    fakesource.PAGES["https://site.example/people/jane"] = {
        "name": "Jane Roe", "aliases": "Janey, J. Roe", "gender": "female", "birthdate": "1990-02-03",
        "country": "France", "height": "170", "weight": "55", "measurements": "34B-24-34",
        "career_length": "2010 - 2018", "eye_color": "Green", "urls": ["https://site.example/people/jane"],
        "tags": [{"name": "Brunette"}], "death_date": "2090-01-01",
    }  # fmt: skip
    res = client.post("/api/fake-sources/site/scrape-performer",
                      json={"performerId": pid, "url": "https://site.example/people/jane"})  # fmt: skip
    assert res.status_code == 200, res.get_json()
    [result] = res.get_json()["data"]["results"]
    assert result["proposed"]["gender"] == "FEMALE" and result["proposed"]["aliases"] == ["Janey", "J. Roe"]
    assert fakesource.SEEN[-1].fragment["name"] == "Jane Roe"
    res = client.post(f"/api/performers/{pid}/apply-scrape", json={"resultId": result["id"]})
    assert res.status_code == 202, res.get_json()
    run_jobs("metadata-import")
    data = client.get(f"/api/performers/{pid}").get_json()["data"]
    assert (data["gender"], data["birthdate"], data["country"], data["height"], data["weight"]) == (
        "FEMALE", "1990-02-03", "France", 170, 55)
    assert (data["careerStart"], data["careerEnd"], data["eyeColor"]) == (2010, 2018, "Green")
    assert data["aliases"] == ["Janey", "J. Roe"]
    assert data["urls"] == ["https://a.example/jane", "https://site.example/people/jane"]
    done = client.get(f"/api/scrape-results/{result['id']}").get_json()["data"]
    assert done["applied"]["warnings"] == ["deathDate not applied: performers do not keep it"]


def test_bulk_scrape_runs_as_jobs_and_auto_accepts_single_fingerprint_matches(
    client: Any, runtime: Any, run_jobs: Any
) -> None:
    from plugins_builtin.videos.models import Video

    ids = rows.videos(runtime, rows.root(runtime), ["a", "b", "c"])
    with runtime.session() as db:
        for vid, oshash in zip(ids, ["1111222233334444", "5555666677778888", None], strict=True):
            db.get(Video, vid).oshash = oshash
        db.commit()
    fakesource.BY_OSHASH["1111222233334444"] = [{**SCENE, "title": "Matched"}]
    fakesource.BY_OSHASH["5555666677778888"] = [{"title": "One"}, {"title": "Two"}]
    res = client.post("/api/fake-sources/site/scrape-bulk", json={"filter": {"organized": False}, "autoAccept": True})
    assert res.status_code == 202, res.get_json()
    assert res.get_json()["data"]["enqueued"] == 3
    assert run_jobs("metadata-import") == 3
    titles = {vid: _video(client, vid)["title"] for vid in ids}
    assert titles == {ids[0]: "Matched", ids[1]: "b", ids[2]: "c"}
    pending = client.get("/api/scrape-results?status=pending").get_json()["data"]
    assert sorted(r["proposed"]["title"] for r in pending["items"]) == ["One", "Two"]
    by_ids = client.post("/api/fake-sources/site/scrape-bulk", json={"videoIds": [ids[2], "missing"]})
    assert by_ids.get_json()["data"] == {"enqueued": 1, "entities": 1, "skipped": 1}
    bad = client.post("/api/fake-sources/site/scrape-bulk", json={"filter": {"colour": "red"}})
    assert bad.status_code == 400 and "colour" in bad.get_json()["error"]["message"]


def test_a_gallery_takes_a_scraped_gallery(client: Any, runtime: Any, run_jobs: Any) -> None:
    gid = rows.gallery(runtime, "IMG_0001-0040")
    fakesource.PAGES["https://site.example/galleries/9"] = {
        "title": "Beach Day", "date": "2020-07-01", "details": "Sand.", "studio": {"name": "Sunny"},
        "performers": [{"name": "Jane Roe"}], "tags": [{"name": "Beach"}], "photographer": "Ann",
    }  # fmt: skip
    body = {"galleryId": gid, "url": "https://site.example/galleries/9"}
    [result] = client.post("/api/fake-sources/site/scrape", json=body).get_json()["data"]["results"]
    assert result["entityType"] == "gallery" and result["kind"] == "gallery"
    assert client.post(f"/api/galleries/{gid}/accept-scrape", json={"resultId": result["id"]}).status_code == 202
    run_jobs("metadata-import")
    gallery = client.get(f"/api/galleries/{gid}").get_json()["data"]
    assert (gallery["title"], gallery["date"], gallery["organized"]) == ("Beach Day", "2020-07-01", True)
    assert gallery["studio"]["name"] == "Sunny" and [t["name"] for t in gallery["tags"]] == ["Beach"]


def test_deleting_a_video_drops_its_results(client: Any, video_id: str) -> None:
    fakesource.PAGES["https://site.example/scenes/1"] = SCENE
    _scrape(client, video_id, "https://site.example/scenes/1")
    assert client.delete(f"/api/videos/{video_id}", json={}).status_code == 200
    assert client.get("/api/scrape-results").get_json()["data"]["total"] == 0


def test_sources_are_listed_with_what_they_offer(client: Any) -> None:
    src, box = client.get("/api/metadata-sources").get_json()["data"]
    assert (box["kind"], box["entries"]) == ("fakebox", [])
    entry = {"id": "site", "name": "Fake site", "kinds": ["scene", "performer", "gallery"]}
    assert src == {"kind": "fake", "collection": "fake-sources", "label": "Fake sources", "entries": [entry]}


def test_stash_ids(client: Any, video_id: str) -> None:
    body = {"entityType": "video", "entityId": video_id, "endpoint": "https://stashdb.org/graphql", "stashId": "abc"}
    made = client.post("/api/stash-ids", json=body)
    assert made.status_code == 201
    client.post("/api/stash-ids", json={**body, "stashId": "def"})  # one per server: replaced
    listed = client.get(f"/api/stash-ids?entityType=video&entityId={video_id}").get_json()["data"]
    assert [s["stashId"] for s in listed] == ["def"]
    assert client.post("/api/stash-ids", json={**body, "entityId": "nope"}).status_code == 404
    who = client.get("/api/stash-ids?entityType=video&endpoint=https://stashdb.org/graphql&stashId=def&stashId=x")
    assert [s["entityId"] for s in who.get_json()["data"]] == [video_id]
    assert client.get("/api/stash-ids?entityType=video").status_code == 400
    assert client.delete(f"/api/stash-ids/{listed[0]['id']}", json={}).status_code == 200


BOX_SCENE = {
    "title": "Box Scene", "date": "2022-02-02", "remote_site_id": "scene-uuid-1",
    "studio": {"name": "Box Studio", "remote_site_id": "studio-uuid"},
    "performers": [{"name": "Remote Name", "remote_site_id": "perf-uuid", "country": "Japan",
                    "birthdate": "1991-01-01"},
                   {"name": "New Person", "remote_site_id": "perf-2", "gender": "FEMALE", "height": "170",
                    "measurements": "34B-24-34"}],
    "tags": [{"name": "Box Tag", "remote_site_id": "tag-uuid"}],
}  # fmt: skip


def _stash_ids(client: Any, entity_type: str, entity_id: str) -> list[str]:
    data = client.get(f"/api/stash-ids?entityType={entity_type}&entityId={entity_id}").get_json()["data"]
    return [(s["endpoint"], s["stashId"]) for s in data]


def test_a_stashbox_match_links_stash_ids_and_matches_by_them_first(client: Any, runtime: Any, run_jobs: Any) -> None:
    from plugins_builtin.videos.models import Video

    ids = rows.videos(runtime, rows.root(runtime), ["a", "b"])
    with runtime.session() as db:
        db.get(Video, ids[0]).oshash, db.get(Video, ids[1]).oshash = "a" * 16, "b" * 16
        db.commit()
    # a performer of ours already linked to the box's perf-uuid, under our own name
    mine = client.post("/api/performers", json={"name": "Local Name", "country": "Germany"}).get_json()["data"]["id"]
    endpoint = fakesource.BOX_ENDPOINT
    client.post("/api/stash-ids", json={"entityType": "performer", "entityId": mine, "endpoint": endpoint,
                                        "stashId": "perf-uuid"})  # fmt: skip
    fakesource.BOX_SCENES["a" * 16] = BOX_SCENE
    res = client.post("/api/fake-boxes/box/identify", json={"videoId": ids[0]})
    assert res.status_code == 200, res.get_json()
    [result] = res.get_json()["data"]["results"]
    assert result["matchType"] == "fingerprint" and result["remoteId"] == "scene-uuid-1"
    assert result["matchDetails"] == {"fingerprints": [{"algorithm": "OSHASH", "hash": "a" * 16}]}
    client.post(f"/api/videos/{ids[0]}/accept-scrape", json={"resultId": result["id"]})
    run_jobs("metadata-import")

    video = _video(client, ids[0])
    assert sorted(p["name"] for p in video["performers"]) == ["Local Name", "New Person"]
    assert client.get("/api/performers").get_json()["data"]["total"] == 2  # no "Remote Name" made
    assert _stash_ids(client, "video", ids[0]) == [(endpoint, "scene-uuid-1")]
    new_person = next(p["id"] for p in video["performers"] if p["name"] == "New Person")
    assert _stash_ids(client, "performer", new_person) == [(endpoint, "perf-2")]
    assert _stash_ids(client, "performer", mine) == [(endpoint, "perf-uuid")]
    assert _stash_ids(client, "studio", video["studio"]["id"]) == [(endpoint, "studio-uuid")]
    assert _stash_ids(client, "tag", video["tags"][0]["id"]) == [(endpoint, "tag-uuid")]
    # the performers get the details the scene carries, where theirs are empty
    new = client.get(f"/api/performers/{new_person}").get_json()["data"]
    assert (new["gender"], new["height"], new["measurements"]) == ("FEMALE", 170, "34B-24-34")
    known = client.get(f"/api/performers/{mine}").get_json()["data"]
    assert (known["name"], known["country"], known["birthdate"]) == ("Local Name", "Germany", "1991-01-01")

    # the next identify of that video knows its stash id (Stash's scene JSON has stash_ids)
    client.post("/api/fake-boxes/box/identify", json={"videoId": ids[0]})
    assert fakesource.SEEN[-1].fragment["stash_ids"] == [{"endpoint": endpoint, "stash_id": "scene-uuid-1"}]


def test_bulk_identify_hands_the_source_batches(client: Any, runtime: Any, run_jobs: Any) -> None:
    from plugins_builtin.videos.models import Video

    ids = rows.videos(runtime, rows.root(runtime), [f"v{i}" for i in range(7)])
    with runtime.session() as db:
        for i, vid in enumerate(ids):
            db.get(Video, vid).oshash = f"{i:016x}"
        db.commit()
    fakesource.BOX_SCENES[f"{2:016x}"] = {**BOX_SCENE, "title": "Two"}
    fakesource.BOX_SCENES[f"{5:016x}"] = {**BOX_SCENE, "title": "Five"}
    res = client.post("/api/fake-boxes/box/identify", json={"videoIds": ids, "autoAccept": True})
    assert res.status_code == 202, res.get_json()
    assert res.get_json()["data"]["enqueued"] == 1  # one job of a few batches
    assert len(res.get_json()["data"]["jobRunIds"]) == 1
    run_jobs("metadata-import")
    assert sorted(fakesource.BATCHES) == [1, 3, 3]
    assert _video(client, ids[2])["title"] == "Two" and _video(client, ids[5])["title"] == "Five"
    assert _video(client, ids[0])["title"] == "v0"
