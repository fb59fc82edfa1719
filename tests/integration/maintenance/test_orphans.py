"""The orphan sweep reports; deleting takes an explicit list and refuses anything not an orphan."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from plugin_sdk.storage import cache_dir, cache_path
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import Video
from tests.integration.maintenance.helpers import scanned_library, videos

pytestmark = pytest.mark.integration


def _sweep(client, run_jobs) -> dict:
    resp = client.post("/api/maintenance/orphans/scan", json={})
    assert resp.status_code == 202, resp.get_json()
    again = client.post("/api/maintenance/orphans/scan", json={})
    assert again.status_code == 409
    run_jobs("library-maintenance")
    status = client.get("/api/maintenance/status").get_json()["data"]
    assert status["orphans"]["status"] == "completed", status
    return status["orphans"]["result"]


def _delete(client, folders) -> tuple[int, dict]:
    resp = client.post("/api/maintenance/orphans/delete", json={"folders": folders})
    return resp.status_code, resp.get_json()


def test_report_then_guarded_delete(client, runtime, run_jobs, media, library, tmp_path) -> None:
    scanned_library(client, run_jobs, media, library)
    first, second = videos(runtime)
    # an orphaned cache folder: its row went away without its files (e.g. a crash after the delete)
    with runtime.session() as db:
        db.execute(delete(Video).where(Video.id == second.id))
        db.commit()
    orphan_dir = assets.video_dir(second.id)
    orphan_bytes = sum(p.stat().st_size for p in orphan_dir.rglob("*") if p.is_file())
    # a video whose file vanished
    media_file = library / "Films" / "First Film.mp4"
    media_file.unlink()
    # something in the cache that is not laid out as an entity folder is never reported
    (cache_dir() / "videos" / "zz").mkdir(parents=True, exist_ok=True)
    (cache_dir() / "videos" / "zz" / "not-a-zz-id").mkdir()

    result = _sweep(client, run_jobs)
    rel = f"videos/{second.id[:2]}/{second.id}"
    assert [f["folder"] for f in result["folders"]] == [rel]
    assert result["orphanFolders"] == 1 and result["orphanBytes"] == orphan_bytes == result["folders"][0]["bytes"]
    assert result["folders"][0]["files"] == 4
    assert [v["entityId"] for v in result["vanished"]] == [first.id]
    assert result["vanished"][0]["path"] == str(media_file) and result["vanished"][0]["bytes"] > 0
    assert orphan_dir.is_dir()  # a report only

    # SFW mode: the report does not name a hidden video
    with runtime.session() as db:
        db.execute(update(Video).where(Video.id == first.id).values(is_nsfw=True))
        db.commit()
    sfw = client.get("/api/maintenance/status", headers={"X-Obscura-Nsfw-Mode": "off"}).get_json()["data"]
    assert sfw["orphans"]["result"]["vanished"] == []
    assert len(client.get("/api/maintenance/status").get_json()["data"]["orphans"]["result"]["vanished"]) == 1
    with runtime.session() as db:
        db.execute(update(Video).where(Video.id == first.id).values(is_nsfw=False))
        db.commit()

    own = f"videos/{first.id[:2]}/{first.id}"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    link_id = "ab" + "0" * 30
    link = cache_path("videos", link_id)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside, target_is_directory=True)
    for bad, code in [
        ("../../etc", 403),
        ("videos/../../..", 403),
        ("/etc/passwd", 403),
        ("videos/ab", 403),
        (f"videos/zz/{second.id}", 403),  # not its shard
        (f"images/{second.id[:2]}/{second.id}", 403),  # no plugin announced that folder
        (f"videos/ab/{link_id}", 403),  # a symlink out of the cache
        (own, 409),  # belongs to an existing video (whose file vanished: never deleted here)
        ("videos/cd/cd" + "1" * 30, 409),  # does not exist
    ]:
        status, body = _delete(client, [rel, bad])
        assert status == code, (bad, body)
        assert body["ok"] is False and body["error"]["message"]
        assert orphan_dir.is_dir()  # one bad entry refuses the whole request
    assert (outside / "keep.txt").read_text() == "keep"
    assert _delete(client, [])[0] == 400
    assert client.post("/api/maintenance/orphans/delete", json={"folders": "videos"}).status_code == 400

    status, body = _delete(client, [rel])
    assert status == 200, body
    assert body["data"] == {"deleted": [rel], "freedBytes": orphan_bytes}
    assert not orphan_dir.exists()
    assert assets.video_dir(first.id).is_dir()  # the vanished video keeps its row and files
    with runtime.session() as db:
        assert db.get(Video, first.id) is not None
    assert _delete(client, [rel])[0] == 409  # already gone

    link.unlink()
    after = _sweep(client, run_jobs)
    assert after["orphanFolders"] == 0 and after["vanishedRows"] == 1


def test_an_offline_library_folder_is_not_reported_as_vanished_files(client, runtime, run_jobs, media, library):
    scanned_library(client, run_jobs, media, library)
    library.rename(library.with_name("Unplugged"))
    try:
        result = _sweep(client, run_jobs)
    finally:
        library.with_name("Unplugged").rename(library)
    assert result["vanishedRows"] == 0 and result["orphanFolders"] == 0
    assert result["offlineRoots"] == [{"path": str(library.resolve()), "rows": 2}]
