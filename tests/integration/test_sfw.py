"""SFW mode hides NSFW rows on the server: every GET route of every built-in plugin is swept with
the ids of NSFW rows of each kind (own flag, NSFW root, linked to an NSFW tag/performer/studio),
and no answer may name them, count them or serve their files."""

from __future__ import annotations

import re
from typing import Any

import pytest

from plugin_sdk.sfw import SFW_COOKIE, SFW_HEADER
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

SFW = {SFW_HEADER: "off"}
SECRET = "Secret"  # every hidden row's name says it; no visible row's does


def _ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()["data"]


def _flag(runtime: Any, model: Any, ids: list[str]) -> None:
    from sqlalchemy import update

    with runtime.session() as db:
        db.execute(update(model).where(model.id.in_(ids)).values(is_nsfw=True))
        db.commit()


@pytest.fixture(autouse=True)
def _local_indexes(tmp_path, monkeypatch) -> None:
    """The sweep reads the community scrapers' and plugins' indexes too: empty local ones (no test
    reaches the internet)."""
    index = tmp_path / "index.yml"
    index.write_text("[]\n")
    monkeypatch.setenv("OBSCURA_SCRAPER_INDEX_URL", str(index))
    monkeypatch.setenv("OBSCURA_PLUGIN_INDEX_URL", str(index))


@pytest.fixture
def world(runtime, client) -> dict[str, Any]:
    """Visible and hidden rows of every kind. Hidden: ``{entity type: [ids]}``."""
    from plugins_builtin.audio.models import AudioLibrary, AudioTrack
    from plugins_builtin.images.models import Gallery, Image
    from plugins_builtin.videos.models import Video, VideoSeries

    root = rows.root(runtime)
    shown_series = rows.series(runtime, root, "Sunny Show")
    secret_series = rows.series(runtime, root, "Secret Show")
    _flag(runtime, VideoSeries, [secret_series])
    sunny, secret, tagged, cast, made = rows.videos(
        runtime, root, ["Sunny Movie", "Secret Movie", "Secret Tagged", "Secret Cast", "Secret Made"]
    )
    _flag(runtime, Video, [secret])
    gallery, secret_gallery = rows.gallery(runtime, "Sunny Gallery"), rows.gallery(runtime, "Secret Gallery")
    _flag(runtime, Gallery, [secret_gallery])
    image, secret_image = rows.images(runtime, root, ["Sunny Image", "Secret Image"], gallery_id=gallery)
    _flag(runtime, Image, [secret_image])
    with runtime.session() as db:
        from sqlalchemy import update

        from plugins_builtin.images.scan import recount

        db.execute(update(Gallery).where(Gallery.id == gallery).values(kind="folder"))  # owns its images
        recount(db, gallery_ids=[gallery])
        db.commit()
    library, secret_library = rows.audio_library(runtime, root, "Sunny Album"), rows.audio_library(
        runtime, root, "Secret Album"
    )
    _flag(runtime, AudioLibrary, [secret_library])
    track, secret_track = rows.tracks(runtime, root, ["Sunny Song", "Secret Song"], library_id=library)
    _flag(runtime, AudioTrack, [secret_track])

    # finished probe runs name their video: a hidden video's run is hidden too
    from plugin_sdk.models import JobRunRow

    with runtime.session() as db:
        for vid, title in ((sunny, "Sunny Movie"), (secret, "Secret Movie")):
            db.add(JobRunRow(queue_name="media-probe", status="completed", target_type="video", target_id=vid,
                             target_label=f"Probe · {title}", payload={"videoId": vid}))  # fmt: skip
        db.commit()
        runs = {r.target_label: r.id for r in db.query(JobRunRow)}

    # taxonomy: NSFW tag / performer / studio hide what they are linked to
    tag = _ok(client.post("/api/tags", json={"name": "Secret Tag", "isNsfw": True}), 201)
    performer = _ok(client.post("/api/performers", json={"name": "Secret Star", "isNsfw": True}), 201)
    studio = _ok(client.post("/api/studios", json={"name": "Secret Studio", "isNsfw": True}), 201)
    everyone = _ok(client.post("/api/performers", json={"name": "Sunny Star"}), 201)
    _ok(client.patch(f"/api/videos/{tagged}", json={"tagNames": ["Secret Tag"]}))
    _ok(client.patch(f"/api/videos/{cast}", json={"performerNames": ["Secret Star"]}))
    _ok(client.patch(f"/api/videos/{made}", json={"studioName": "Secret Studio"}))
    for vid in (sunny, secret):
        _ok(client.patch(f"/api/videos/{vid}", json={"performerNames": ["Sunny Star"]}))
    return {
        "shown": {"video": [sunny], "series": [shown_series], "gallery": [gallery], "image": [image],
                  "audio-library": [library], "audio-track": [track], "performer": [everyone["id"]]},
        "hidden": {"video": [secret, tagged, cast, made], "series": [secret_series], "gallery": [secret_gallery],
                   "image": [secret_image], "audio-library": [secret_library], "audio-track": [secret_track],
                   "tag": [tag["id"]], "performer": [performer["id"]], "studio": [studio["id"]],
                   "job": [runs["Probe · Secret Movie"]]},
        "sunny_star": everyone["id"],
        "runs": runs,
    }  # fmt: skip


def _get_rules(app) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if "GET" in (r.methods or set()) and r.endpoint != "static"]


def _fill(rule: Any, first: str) -> str:
    """The rule's URL with ``first`` as its first parameter and harmless values for the rest."""
    url = rule.rule
    for i, arg in enumerate(re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", url)):
        value = first if i == 0 else "1"
        url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(arg) + ">", value, url, count=1)
    return url


def test_the_same_routes_do_show_nsfw_rows_outside_sfw_mode(client, world) -> None:
    """The sweep below can fail: without SFW mode the hidden rows are there."""
    body = client.get("/api/videos?perPage=100").get_data(as_text=True)
    assert body.count(SECRET) >= 4
    assert SECRET in client.get(f"/api/videos/{world['hidden']['video'][0]}").get_data(as_text=True)


def test_every_get_route_hides_nsfw_rows_in_sfw_mode(app, client, world) -> None:
    leaks: list[str] = []
    hidden_ids = [i for ids in world["hidden"].values() for i in ids]
    for rule in _get_rules(app):
        if "<" not in rule.rule:
            urls = [rule.rule, rule.rule + "?q=secre", rule.rule + "?search=secre"]  # finds them, echoes no "Secret"
        else:
            urls = [_fill(rule, hid) for hid in hidden_ids]
        for url in urls:
            resp = client.get(url, headers=SFW)
            body = resp.get_data(as_text=True)
            if resp.status_code >= 500:
                leaks.append(f"{url}: {resp.status_code}")
            elif SECRET in body:
                at = body.index(SECRET)
                leaks.append(f"{url}: {resp.status_code} …{body[max(0, at - 80) : at + 40]!r}")
            elif "<" in rule.rule and resp.status_code == 200 and resp.mimetype != "text/html":
                leaks.append(f"{url}: 200 {resp.mimetype} for a hidden row")
    assert not leaks, "\n".join(leaks)


def test_visible_rows_stay_reachable_and_counts_leave_hidden_rows_out(client, world) -> None:
    for kind, ids in world["shown"].items():
        assert ids, kind
    sunny = world["shown"]["video"][0]
    assert _ok(client.get(f"/api/videos/{sunny}", headers=SFW))["title"] == "Sunny Movie"
    listed = _ok(client.get("/api/videos?perPage=100", headers=SFW))
    assert [v["title"] for v in listed["items"]] == ["Sunny Movie"] and listed["total"] == 1
    star = world["sunny_star"]
    assert _ok(client.get(f"/api/performers/{star}"))["counts"]["video"] == 2
    assert _ok(client.get(f"/api/performers/{star}", headers=SFW))["counts"]["video"] == 1
    assert "2 videos" in client.get("/performers").get_data(as_text=True)
    grid = client.get("/performers", headers=SFW).get_data(as_text=True)
    assert "1 video" in grid and "2 videos" not in grid


def test_the_cookie_turns_sfw_mode_on_for_a_browser(client, world) -> None:
    secret = world["hidden"]["video"][0]
    client.set_cookie(SFW_COOKIE, "1")
    assert client.get(f"/api/videos/{secret}").status_code == 404
    client.set_cookie(SFW_COOKIE, "0")
    assert client.get(f"/api/videos/{secret}").status_code == 200


def test_gallery_image_counts_leave_hidden_images_out(client, world) -> None:
    gallery = world["shown"]["gallery"][0]
    assert _ok(client.get(f"/api/galleries/{gallery}"))["imageCount"] == 2
    assert _ok(client.get(f"/api/galleries/{gallery}", headers=SFW))["imageCount"] == 1
    listed = _ok(client.get("/api/galleries", headers=SFW))["items"]
    assert [(g["title"], g["imageCount"]) for g in listed] == [("Sunny Gallery", 1)]
    page = client.get("/galleries", headers=SFW).get_data(as_text=True)
    assert "1 image" in page and "2 images" not in page


def test_job_runs_of_hidden_rows_are_hidden(client, world) -> None:
    listed = _ok(client.get("/api/jobs?queue=media-probe", headers=SFW))
    assert [r["targetLabel"] for r in listed["items"]] == ["Probe · Sunny Movie"] and listed["total"] == 1
    assert len(_ok(client.get("/api/jobs?queue=media-probe"))["items"]) == 2


def test_a_roots_nsfw_switch_carries_over_to_its_rows(client, runtime, world) -> None:
    """Reference §4.6: turning a root's NSFW flag on hides everything scanned from it; off shows
    it again — except rows an NSFW tag, performer or studio hides."""
    listed = _ok(client.get("/api/libraries"))
    root_id = (listed["items"] if isinstance(listed, dict) else listed)[0]["id"]
    sunny = world["shown"]["video"][0]
    _ok(client.patch(f"/api/libraries/{root_id}", json={"isNsfw": True}))
    assert client.get(f"/api/videos/{sunny}", headers=SFW).status_code == 404
    assert client.get(f"/api/images/{world['shown']['image'][0]}", headers=SFW).status_code == 404
    assert _ok(client.get("/api/audio-tracks", headers=SFW))["total"] == 0
    _ok(client.patch(f"/api/libraries/{root_id}", json={"isNsfw": False}))
    titles = {v["title"] for v in _ok(client.get("/api/videos?perPage=100", headers=SFW))["items"]}
    assert titles == {"Sunny Movie", "Secret Movie"}, "tagged, cast and studio-made ones stay hidden"


def test_collections_count_and_list_visible_members_only(client, world) -> None:
    picks = _ok(client.post("/api/collections", json={"name": "Sunny Picks"}), 201)
    members = [{"entityType": "video", "entityId": world["shown"]["video"][0]},
               {"entityType": "video", "entityId": world["hidden"]["video"][0]}]  # fmt: skip
    _ok(client.post(f"/api/collections/{picks['id']}/items", json={"items": members}), 201)
    assert _ok(client.get(f"/api/collections/{picks['id']}"))["itemCount"] == 2
    assert _ok(client.get(f"/api/collections/{picks['id']}", headers=SFW))["itemCount"] == 1
    assert [c["itemCount"] for c in _ok(client.get("/api/collections", headers=SFW))["items"]] == [1]
    shown = _ok(client.get(f"/api/collections/{picks['id']}/items", headers=SFW))
    assert shown["total"] == 1 and SECRET not in str(shown)
    grid = client.get("/collections", headers=SFW).get_data(as_text=True)
    assert "1 item" in grid and "2 items" not in grid



def test_a_request_reads_the_nsfw_taxonomy_rows_once(runtime, client, world) -> None:
    """Every media model's SFW condition needs the NSFW performers, studios and tags: one read of
    each per request, not one per model."""
    from sqlalchemy import event

    reads: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if re.search(r"FROM (performers|studios|tags)\s+WHERE \1\.is_nsfw IS true", statement):
            reads.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        items = _ok(client.get("/api/videos?perPage=60", headers=SFW))["items"]
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    assert items and not any(SECRET in v["title"] for v in items)
    assert len(reads) == 3, reads
