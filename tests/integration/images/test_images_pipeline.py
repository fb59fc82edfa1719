"""gallery-scan → image-thumbnail → image-fingerprint, and the galleries/images API."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from plugin_sdk.models import JobRunRow
from plugins_builtin.images.models import Gallery, Image
from tests.integration.images.media import build_library, jpeg_bytes, picture

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("images",), "load_entrypoints": False}


@pytest.fixture
def scanned(client, run_jobs, tmp_path: Path):
    root_dir = tmp_path / "Pictures"
    files = build_library(root_dir)
    root = client.post("/api/libraries", json={"path": str(root_dir), "isNsfw": True}).get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    return {"root": root, "dir": root_dir, "files": files}


def _err(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:400]
    return resp.get_json()["error"]


def test_scan_builds_galleries_and_safe_archives(client, runtime, scanned) -> None:
    with runtime.session() as db:
        galleries = {g.title: g for g in db.execute(select(Gallery)).scalars()}
        images = db.execute(select(Image)).scalars().all()
        runs = db.execute(select(JobRunRow)).scalars().all()
    assert set(galleries) == {"Trips", "Beach", "Issue 1", "evil"}
    assert galleries["Beach"].parent_id == galleries["Trips"].id, "nested folders nest galleries"
    assert galleries["Issue 1"].kind == "zip" and galleries["Issue 1"].image_count == 3
    assert galleries["evil"].image_count == 1
    names = sorted((Path(i.file_path).name, i.member) for i in images)
    assert ("Issue 1.cbz", "1.jpg") in names and ("evil.zip", "honest.jpg") in names
    assert not any(n.endswith(".mp4") for n, _ in names), "videos are not indexed as images"
    assert not any(m.endswith("escape.jpg") or m == "bomb.png" for _, m in names)
    assert all(i.is_nsfw for i in images), "new rows inherit the root's NSFW flag"
    comic = sorted((i for i in images if i.member and "Issue" in i.file_path), key=lambda i: i.sort_order)
    assert [i.member for i in comic] == ["1.jpg", "2.jpg", "10.jpg"]
    assert runs and {r.status for r in runs} == {"completed"}, [(r.queue_name, r.error) for r in runs if r.error]
    scan = next(r for r in runs if r.queue_name == "gallery-scan")
    problems = " ".join(scan.result["problems"])
    assert "garbage.zip" in problems and "climbs out" in problems and "ratio" in problems
    # nothing written outside the library and the cache
    assert not (scanned["dir"].parent / "escape.jpg").exists()

    by_name = {Path(i.file_path).name + i.member: i for i in images}
    rotated = by_name["rotated.jpg"]
    assert (rotated.width, rotated.height) == (200, 400) and rotated.thumbnail_at
    assert by_name["anim.gif"].animated is True
    broken = by_name["broken.jpg"]
    assert broken.thumbnail_error and broken.thumbnail_at is None
    plain = by_name["plain.jpg"]
    assert plain.md5 == hashlib.md5(scanned["files"]["plain"].read_bytes()).hexdigest()
    assert plain.oshash and plain.phash is not None


def test_rescan_keeps_moves_and_prunes(client, runtime, run_jobs, scanned) -> None:
    with runtime.session() as db:
        plain = db.execute(select(Image).where(Image.file_path.like("%plain.jpg"))).scalar_one()
    client.patch(f"/api/images/{plain.id}", json={"title": "Kept", "rating": 80})
    os.rename(scanned["files"]["plain"], scanned["dir"] / "Trips" / "Beach" / "moved.jpg")
    shutil.rmtree(scanned["dir"] / "Comics")
    client.post(f"/api/libraries/{scanned['root']['id']}/scan", json={})
    run_jobs()
    result = client.get("/api/jobs?queue=gallery-scan&perPage=1").get_json()["data"]["items"][0]["result"]
    assert result["moved"] == 1 and result["removed"] == 4 and result["removedGalleries"] == 2
    detail = client.get(f"/api/images/{plain.id}").get_json()["data"]
    assert detail["title"] == "Kept" and detail["rating"] == 80 and detail["filePath"].endswith("Beach/moved.jpg")


def test_missing_root_is_reported_not_pruned(client, runtime, run_jobs, scanned) -> None:
    scanned["dir"].rename(scanned["dir"].with_name("Unplugged"))
    client.post(f"/api/libraries/{scanned['root']['id']}/scan", json={})
    run_jobs()
    result = client.get("/api/jobs?queue=gallery-scan&perPage=1").get_json()["data"]["items"][0]["result"]
    assert "missing" in result["rootProblem"]
    assert client.get("/api/images").get_json()["data"]["total"] > 0


def test_gallery_and_image_routes(client, scanned) -> None:
    galleries = client.get("/api/galleries?sort=title").get_json()["data"]["items"]
    by_title = {g["title"]: g for g in galleries}
    top = client.get("/api/galleries?parent=none").get_json()["data"]["items"]
    assert "Beach" not in {g["title"] for g in top}
    trips = client.get(f"/api/galleries/{by_title['Trips']['id']}").get_json()["data"]
    assert [c["title"] for c in trips["children"]] == ["Beach"]
    assert trips["images"]["total"] == 3 and trips["coverUrl"]
    cover = client.get(trips["coverUrl"])
    assert cover.status_code == 302 and "/api/images/" in cover.headers["Location"]

    comic = client.get(f"/api/galleries/{by_title['Issue 1']['id']}?perPage=2").get_json()["data"]
    assert comic["images"]["total"] == 3 and len(comic["images"]["items"]) == 2
    first = comic["images"]["items"][0]
    raw = client.get(first["fileUrl"])
    assert raw.status_code == 200 and raw.mimetype == "image/jpeg" and raw.data[:2] == b"\xff\xd8"
    thumb = client.get(first["thumbnailUrl"])
    assert thumb.mimetype == "image/webp"
    big = client.get(first["previewUrl"])
    with PILImage.open(io.BytesIO(big.data)) as im:
        assert im.size == (200, 300)

    # chapters, cover, edits, bulk edits
    ch = client.post(f"/api/galleries/{comic['id']}/chapters", json={"title": "Part two", "imageIndex": 1})
    assert ch.status_code == 201
    _err(client.post(f"/api/galleries/{comic['id']}/chapters", json={"title": "x", "imageIndex": 99}), 400)
    assert client.post(f"/api/galleries/{comic['id']}/cover", json={"imageId": first["id"]}).status_code == 200
    detail = client.get(f"/api/galleries/{comic['id']}").get_json()["data"]
    assert [c["title"] for c in detail["chapters"]] == ["Part two"]
    ids = [i["id"] for i in detail["images"]["items"]]
    assert (
        client.patch("/api/images/bulk", json={"ids": ids, "patch": {"rating": 60, "organized": True}}).get_json()[
            "data"
        ]["updated"]
        == 3
    )
    assert all(i["rating"] == 60 for i in client.get(f"/api/images?gallery={comic['id']}").get_json()["data"]["items"])
    _err(client.patch("/api/images/bulk", json={"ids": ["nope"], "patch": {"rating": 1}}), 404)
    _err(client.patch(f"/api/galleries/{comic['id']}", json={"rating": 101}), 400)

    # virtual galleries
    virt = client.post("/api/galleries", json={"title": "Favourites", "imageIds": ids[:2]})
    assert virt.status_code == 201 and virt.get_json()["data"]["imageCount"] == 2
    vid = virt.get_json()["data"]["id"]
    assert client.post(f"/api/galleries/{vid}/items", json={"imageIds": ids}).get_json()["data"]["imageCount"] == 3
    assert (
        client.delete(f"/api/galleries/{vid}/items", json={"imageIds": ids[:1]}).get_json()["data"]["imageCount"] == 2
    )
    _err(client.delete(f"/api/galleries/{comic['id']}", json={}), 409)
    assert client.delete(f"/api/galleries/{vid}", json={}).status_code == 200
    _err(client.delete(f"/api/images/{first['id']}?deleteFile=true", json={}), 409)


def test_upload_into_a_folder_gallery_and_delete_with_file(client, run_jobs, scanned) -> None:
    beach = next(g for g in client.get("/api/galleries").get_json()["data"]["items"] if g["title"] == "Beach")
    data = jpeg_bytes(picture(100, 80, 9))
    resp = client.post(
        f"/api/galleries/{beach['id']}/images/upload",
        content_type="multipart/form-data",
        data={"file": [(io.BytesIO(data), "wave.png"), (io.BytesIO(data), "../new shot.jpg")]},
    )
    assert resp.status_code == 201, resp.get_json()
    made = resp.get_json()["data"]
    run_jobs()
    names = [Path(client.get(f"/api/images/{m['id']}").get_json()["data"]["filePath"]).name for m in made]
    assert names == ["wave (2).png", "new shot.jpg"]
    assert (scanned["dir"] / "Trips" / "Beach" / "new shot.jpg").exists()
    bad = client.post(
        f"/api/galleries/{beach['id']}/images/upload",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"x"), "notes.txt")},
    )
    _err(bad, 415)
    comic = next(g for g in client.get("/api/galleries").get_json()["data"]["items"] if g["kind"] == "zip")
    _err(
        client.post(
            f"/api/galleries/{comic['id']}/images/upload",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(data), "x.jpg")},
        ),
        409,
    )
    gone = client.delete(f"/api/images/{made[1]['id']}?deleteFile=true", json={}).get_json()["data"]
    assert gone["fileDeleted"] and not (scanned["dir"] / "Trips" / "Beach" / "new shot.jpg").exists()


def test_duplicates_endpoint_finds_a_recompressed_copy(client, run_jobs, scanned) -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    blocks = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)  # a distinctive block pattern
    original = PILImage.fromarray(blocks).resize((800, 600), PILImage.Resampling.NEAREST)
    dup_dir = scanned["dir"] / "Dups"
    dup_dir.mkdir()
    (dup_dir / "a.jpg").write_bytes(jpeg_bytes(original, quality=95))
    (dup_dir / "b.jpg").write_bytes(jpeg_bytes(original.resize((400, 300)), quality=55))
    client.post(f"/api/libraries/{scanned['root']['id']}/scan", json={})
    run_jobs()
    groups = client.get("/api/images/duplicates?distance=4").get_json()["data"]
    titles = [sorted(i["title"] for i in g["images"]) for g in groups]
    assert ["a", "b"] in titles
    _err(client.get("/api/images/duplicates?distance=17"), 400)
    _err(client.get("/api/images/nope"), 404)
