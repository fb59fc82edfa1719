"""Linking performers, tags and studios from every media plugin's PATCH, seeing the links in their
answers and filters, counting them in SQL, and losing them when media rows are deleted."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.integration.images.media import picture, write_jpeg
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration


def _ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()["data"]


def _err(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()["error"]


def _names(refs: list[dict]) -> list[str]:
    return [r["name"] for r in refs]


@pytest.fixture
def media(runtime) -> dict[str, str]:
    """One row of every kind the media plugins link: ``{entity type: id}``."""
    root = rows.root(runtime)
    series = rows.series(runtime, root, "Show")
    gallery = rows.gallery(runtime, "Holiday")
    library = rows.audio_library(runtime, root, "Album")
    return {
        "video": rows.videos(runtime, root, ["Movie"])[0],
        "series": series,
        "gallery": gallery,
        "image": rows.images(runtime, root, ["Photo"])[0],
        "audio-track": rows.tracks(runtime, root, ["Song"], library)[0],
        "audio-library": library,
    }


DETAIL = {
    "video": "/api/videos/{}", "series": "/api/series/{}", "gallery": "/api/galleries/{}", "image": "/api/images/{}",
    "audio-track": "/api/audio-tracks/{}", "audio-library": "/api/audio-libraries/{}",
}  # fmt: skip
LIST = {
    "video": "/api/videos", "series": "/api/series", "gallery": "/api/galleries", "image": "/api/images",
    "audio-track": "/api/audio-tracks", "audio-library": "/api/audio-libraries",
}  # fmt: skip


def test_every_media_patch_links_by_name_case_insensitively(client, media) -> None:
    spellings = ["Tom Hanks", " tom hanks ", "TOM  HANKS", "Tom Hanks", "tom Hanks", "Tom hanks"]
    for (entity_type, entity_id), spelling in zip(media.items(), spellings, strict=True):
        patched = _ok(
            client.patch(
                DETAIL[entity_type].format(entity_id),
                json={"performerNames": [spelling, "Meg Ryan"], "tagNames": ["Comedy", " comedy", "Romance"],
                      "studioName": " playtone "},
            )
        )  # fmt: skip
        assert _names(patched["performers"]) == ["Meg Ryan", "Tom Hanks"], entity_type
        assert _names(patched["tags"]) == ["Comedy", "Romance"], entity_type
        assert patched["studio"]["name"] == "playtone", f"{entity_type}: the first spelling names the studio"
        detail = _ok(client.get(DETAIL[entity_type].format(entity_id)))
        assert _names(detail["performers"]) == ["Meg Ryan", "Tom Hanks"] and detail["studio"]["name"] == "playtone"
        listed = _ok(client.get(LIST[entity_type]))["items"]
        assert [_names(i["performers"]) for i in listed] == [["Meg Ryan", "Tom Hanks"]], entity_type

    performers = _ok(client.get("/api/performers"))["items"]
    assert [p["name"] for p in performers] == ["Meg Ryan", "Tom Hanks"], "one row per name, whatever its spelling"
    assert performers[1]["counts"] == {t: 1 for t in media}, "counts per media type"
    tags = _ok(client.get("/api/tags?sort=count"))["items"]
    assert [(t["name"], sum(t["counts"].values())) for t in tags] == [("Comedy", 6), ("Romance", 6)]
    assert _ok(client.get("/api/studios"))["items"][0]["counts"] == {t: 1 for t in media}


def test_links_are_replaced_cleared_or_kept(client, media) -> None:
    url = DETAIL["video"].format(media["video"])
    _ok(client.patch(url, json={"performerNames": ["A", "B"], "tagNames": ["T"], "studioName": "S"}))
    kept = _ok(client.patch(url, json={"title": "Renamed"}))
    assert (_names(kept["performers"]), _names(kept["tags"]), kept["studio"]["name"]) == (["A", "B"], ["T"], "S")
    replaced = _ok(client.patch(url, json={"performerNames": ["C"]}))
    assert _names(replaced["performers"]) == ["C"] and _names(replaced["tags"]) == ["T"]
    cleared = _ok(client.patch(url, json={"performerNames": [], "tagNames": None, "studioName": ""}))
    assert cleared["performers"] == [] and cleared["tags"] == [] and cleared["studio"] is None
    _ok(client.patch(url, json={"studioName": "S"}))
    assert _ok(client.patch(url, json={"studioName": None}))["studio"] is None
    assert _ok(client.get("/api/performers?search=a"))["items"][0]["counts"] == {}, "unlinked performers stay"

    _err(client.patch(url, json={"performerNames": ["x" * 301]}), 400)
    _err(client.patch(url, json={"performerNames": "Tom"}), 400)
    _err(client.patch(url, json={"studioName": ["A", "B"]}), 400)
    _err(client.patch(url, json={"tagNames": [1, 2]}), 400)
    _err(client.patch(DETAIL["video"].format("missing"), json={"tagNames": ["T"]}), 404)
    err = _err(client.patch(url, json={"title": "", "tagNames": ["Never"]}), 400)
    assert "title" in err["message"]
    assert _ok(client.get("/api/tags?search=never"))["total"] == 0, "a refused PATCH creates nothing"


def test_bulk_image_patch_links_many_images(client, runtime) -> None:
    root = rows.root(runtime)
    ids = rows.images(runtime, root, ["a", "b", "c"])
    _ok(client.patch("/api/images/bulk", json={"ids": ids[:2], "patch": {"tagNames": ["Beach"], "rating": 60}}))
    items = {i["id"]: i for i in _ok(client.get("/api/images?sort=title&order=asc"))["items"]}
    assert [_names(items[i]["tags"]) for i in ids] == [["Beach"], ["Beach"], []]
    assert items[ids[0]]["rating"] == 60
    _err(client.patch("/api/images/bulk", json={"ids": [*ids, "missing"], "patch": {"tagNames": ["X"]}}), 404)
    assert _ok(client.get("/api/tags"))["total"] == 1


def test_list_filters_by_tag_tree_performers_and_studio_tree(client, runtime) -> None:
    root = rows.root(runtime)
    v = dict(zip("abcde", rows.videos(runtime, root, ["a", "b", "c", "d", "e"]), strict=True))
    genre = _ok(client.post("/api/tags", json={"name": "Drama", "aliases": ["Dramatic"]}), 201)
    _ok(client.post("/api/tags", json={"name": "Courtroom Drama", "parentIds": [genre["id"]]}), 201)
    parent = _ok(client.post("/api/studios", json={"name": "Universal"}), 201)
    _ok(client.post("/api/studios", json={"name": "Focus", "parentId": parent["id"]}), 201)
    patches = {
        "a": {"tagNames": ["Drama"], "performerNames": ["Ann", "Bob"], "studioName": "Universal"},
        "b": {"tagNames": ["Courtroom Drama"], "performerNames": ["Ann"], "studioName": "Focus"},
        "c": {"tagNames": ["Comedy"], "performerNames": ["Bob"]},
        "d": {"tagNames": ["Comedy", "Drama"]},
    }
    for key, body in patches.items():
        _ok(client.patch(f"/api/videos/{v[key]}", json=body))

    def titles(query: str) -> list[str]:
        return sorted(i["title"] for i in _ok(client.get(f"/api/videos?{query}"))["items"])

    assert titles("tags=drama") == ["a", "b", "d"], "a tag matches its sub-tags"
    assert titles("tags=Courtroom%20Drama") == ["b"]
    assert titles("tags=dramatic") == ["a", "b", "d"], "aliases work as names"
    assert titles(f"tags={genre['id']}") == ["a", "b", "d"], "and ids"
    assert titles("tags=Drama&tags=Comedy") == ["d"], "every value must match"
    assert titles("performers=ann") == ["a", "b"] and titles("performers=Ann&performers=Bob") == ["a"]
    assert titles("studio=universal") == ["a", "b"], "a studio matches its sub-studios"
    assert titles("studio=Focus&performers=Ann") == ["b"]
    assert titles("tags=nothing-like-this") == [] and titles("tags=") == ["a", "b", "c", "d", "e"]
    assert _ok(client.get("/api/videos?tags=Drama&perPage=1"))["total"] == 3
    assert titles("tags=Drama&sort=title&order=desc") == ["a", "b", "d"]
    _err(client.get("/api/videos?" + "&".join(f"tags=t{i}" for i in range(21))), 400)
    _err(client.get("/api/videos?studio=" + "x" * 301), 400)


def test_filters_on_images_galleries_audio_and_series(client, media) -> None:
    for entity_type, entity_id in media.items():
        _ok(client.patch(DETAIL[entity_type].format(entity_id), json={"tagNames": [f"{entity_type} tag", "shared"]}))
    for entity_type in media:
        assert _ok(client.get(f"{LIST[entity_type]}?tags=shared"))["total"] == 1, entity_type
        assert _ok(client.get(f"{LIST[entity_type]}?tags={entity_type}%20tag"))["total"] == 1, entity_type
        assert _ok(client.get(f"{LIST[entity_type]}?tags=video%20tag&tags=shared"))["total"] == (
            1 if entity_type == "video" else 0
        ), "links are per media type"


def test_concurrent_find_or_create_makes_one_performer(client, runtime) -> None:
    root = rows.root(runtime)
    ids = rows.videos(runtime, root, [f"v{i}" for i in range(8)])
    barrier = threading.Barrier(len(ids))
    statuses: list[int] = []

    def patch(video_id: str) -> None:
        barrier.wait()
        resp = client.patch(f"/api/videos/{video_id}", json={"performerNames": ["Race Person", "Other One"]})
        statuses.append(resp.status_code)

    threads = [threading.Thread(target=patch, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * len(ids)
    performers = _ok(client.get("/api/performers"))["items"]
    linked = [(p["name"], p["counts"]) for p in performers]
    assert linked == [("Other One", {"video": 8}), ("Race Person", {"video": 8})]


def test_deleting_media_drops_their_links(client, runtime, media) -> None:
    for entity_type, entity_id in media.items():
        _ok(client.patch(DETAIL[entity_type].format(entity_id), json={"performerNames": ["P"], "tagNames": ["T"],
                                                                      "studioName": "S"}))  # fmt: skip
    assert rows.link_rows(runtime) == {"entity_performers": 6, "entity_tags": 6, "entity_studios": 6}
    _ok(client.delete(DETAIL["video"].format(media["video"]), json={}))
    _ok(client.delete(DETAIL["image"].format(media["image"]), json={}))
    _ok(client.delete(DETAIL["gallery"].format(media["gallery"]), json={}))
    _ok(client.delete(DETAIL["audio-library"].format(media["audio-library"]), json={}), 200)
    counts = _ok(client.get("/api/tags"))["items"][0]["counts"]
    assert counts == {"series": 1}, "the library took its track with it"
    roots = _ok(client.get("/api/libraries"))
    _ok(client.delete(f"/api/libraries/{roots[0]['id'] if isinstance(roots, list) else roots['items'][0]['id']}",
                      json={}))  # fmt: skip
    assert rows.link_rows(runtime) == {"entity_performers": 0, "entity_tags": 0, "entity_studios": 0}
    assert _ok(client.get("/api/performers"))["items"][0]["counts"] == {}, "performers stay, without links"


def test_scans_pruning_missing_files_drop_their_links(client, runtime, run_jobs, tmp_path: Path) -> None:
    lib = tmp_path / "Lib"
    write_jpeg(lib / "Trip" / "one.jpg", picture(64, 48, 1))
    write_jpeg(lib / "Trip" / "two.jpg", picture(64, 48, 2))
    write_jpeg(lib / "Other" / "three.jpg", picture(64, 48, 3))
    (lib / "Show" / "Season 1").mkdir(parents=True)
    (lib / "Show" / "Season 1" / "Show S01E01.mkv").write_bytes(b"\x1a\x45\xdf\xa3" + b"\0" * 2048)
    (lib / "Film (2020).mp4").write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 2048)
    root = _ok(client.post("/api/libraries", json={"path": str(lib)}), 201)
    _ok(client.post(f"/api/libraries/{root['id']}/scan", json={}))
    run_jobs("gallery-scan")
    run_jobs("library-scan")
    images = {i["title"]: i["id"] for i in _ok(client.get("/api/images"))["items"]}
    galleries = {g["title"]: g["id"] for g in _ok(client.get("/api/galleries"))["items"]}
    videos = {v["title"]: v for v in _ok(client.get("/api/videos"))["items"]}
    series = _ok(client.get("/api/series"))["items"]
    assert set(images) == {"one", "two", "three"} and set(galleries) >= {"Trip", "Other"} and len(videos) == 2
    _ok(client.patch("/api/images/bulk", json={"ids": list(images.values()), "patch": {"tagNames": ["Scanned"]}}))
    for gid in galleries.values():
        _ok(client.patch(f"/api/galleries/{gid}", json={"tagNames": ["Scanned"]}))
    for video in videos.values():
        _ok(client.patch(f"/api/videos/{video['id']}", json={"tagNames": ["Scanned"]}))
    _ok(client.patch(f"/api/series/{series[0]['id']}", json={"tagNames": ["Scanned"]}))
    before = _ok(client.get("/api/tags"))["items"][0]["counts"]
    assert before == {"image": 3, "gallery": len(galleries), "video": 2, "series": 1}

    (lib / "Trip" / "two.jpg").unlink()
    (lib / "Other" / "three.jpg").unlink()
    (lib / "Other").rmdir()
    (lib / "Show" / "Season 1" / "Show S01E01.mkv").unlink()
    _ok(client.post(f"/api/libraries/{root['id']}/scan", json={}))
    run_jobs("gallery-scan")
    run_jobs("library-scan")
    assert _ok(client.get("/api/images"))["total"] == 1 and _ok(client.get("/api/series"))["total"] == 0
    after = _ok(client.get("/api/tags"))["items"][0]["counts"]
    assert after == {"image": 1, "gallery": len(galleries) - 1, "video": 1}, "pruned rows lost their links"
