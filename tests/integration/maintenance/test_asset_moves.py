"""Generated files follow the storage setting, move both ways and back with nothing lost, and resume."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plugin_sdk.models import JobRunRow
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import Video, VideoSubtitle
from tests.integration.maintenance.helpers import (
    KEYS,
    assert_all_in,
    assert_served,
    layout,
    maintenance_runs,
    migrate,
    originals,
    read_only,
    scanned_library,
    set_dedicated,
    sha,
    videos,
)

pytestmark = pytest.mark.integration


def preview_result(runtime, video_id: str) -> dict:
    with runtime.session() as db:
        run = db.execute(
            select(JobRunRow)
            .where(JobRunRow.queue_name == "preview", JobRunRow.target_id == video_id)
            .order_by(JobRunRow.created_at.desc())
            .limit(1)
        ).scalar_one()
    assert run.status == "completed", run.error
    return run.result


def test_cache_to_media_to_cache_keeps_every_byte(client, runtime, run_jobs, media, library) -> None:
    root = scanned_library(client, run_jobs, media, library)
    first = originals(layout(runtime))
    assert len(first) == 8  # 2 videos × thumbnail, preview clip, sprite, trickplay track
    assert_all_in(layout(runtime), "cache", first)
    assert_served(client, first)

    set_dedicated(client, False)
    result = migrate(client, run_jobs)  # no body: where the setting now says
    assert result["targetDedicated"] is False
    assert (result["moved"], result["failed"], result["rows"]) == (8, 0, 2)
    assert result["bytesMoved"] > 0
    assert_all_in(layout(runtime), "side", first)
    films = library / "Films"
    assert sorted(p.name for p in films.iterdir()) == [
        "First Film-preview.mp4", "First Film-sprite.jpg", "First Film-thumb.jpg", "First Film-trickplay.vtt",
        "First Film.mp4",
        "Second Film-preview.mp4", "Second Film-sprite.jpg", "Second Film-thumb.jpg", "Second Film-trickplay.vtt",
        "Second Film.mp4",
    ]  # fmt: skip
    assert_served(client, first)

    # a rescan indexes no derivative as a video and no trickplay track as a subtitle
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    assert len(videos(runtime)) == 2
    with runtime.session() as db:
        assert db.execute(select(func.count()).select_from(VideoSubtitle)).scalar_one() == 0

    again = migrate(client, run_jobs, targetDedicated=False)  # a second run finds everything in place
    assert (again["moved"], again["alreadyThere"], again["failed"]) == (0, 8, 0)

    back = migrate(client, run_jobs, targetDedicated=True)
    assert (back["moved"], back["failed"]) == (8, 0)
    assert_all_in(layout(runtime), "cache", first)
    assert sorted(p.name for p in films.iterdir()) == ["First Film.mp4", "Second Film.mp4"]
    assert_served(client, first)  # the setting still says "next to the media": served from the cache


def test_previews_are_written_where_the_setting_says(client, runtime, run_jobs, media, library) -> None:
    set_dedicated(client, False)
    scanned_library(client, run_jobs, media, library)
    state = layout(runtime)
    first = originals(state)
    assert_all_in(state, "side", first)
    assert_served(client, first)

    # a rebuild in the dedicated layout replaces Obscura's own files beside the video
    set_dedicated(client, True)
    video = videos(runtime)[0]
    resp = client.post(f"/api/jobs/rebuild-preview/{video.id}", json={})
    assert resp.status_code == 202
    run_jobs()
    rebuilt = layout(runtime)
    for key in KEYS:
        assert rebuilt[(video.id, key)]["cache"] and rebuilt[(video.id, key)]["side"] is None


def test_a_users_file_with_our_name_is_never_overwritten(client, runtime, run_jobs, media, library) -> None:
    set_dedicated(client, False)
    users = library / "Films" / "First Film-thumb.jpg"
    users.parent.mkdir(parents=True)
    users.write_bytes(b"\xff\xd8 the user's own poster")
    scanned_library(client, run_jobs, media, library)
    first = next(v for v in videos(runtime) if v.file_path.endswith("First Film.mp4"))
    assert users.read_bytes() == b"\xff\xd8 the user's own poster"
    ours = assets.asset(first.id, assets.THUMB)
    assert ours.is_file()  # the generated thumbnail went to the cache instead
    assert preview_result(runtime, first.id)["keptInCache"] == ["thumb"]

    result = migrate(client, run_jobs, targetDedicated=True)
    assert (result["notOurs"], result["failed"], result["moved"]) == (1, 0, 7)  # the user's file is not taken
    assert users.read_bytes() == b"\xff\xd8 the user's own poster" and ours.is_file()
    back = migrate(client, run_jobs, targetDedicated=False)
    assert back["failed"] == 1 and "both files were kept" in back["failures"][0]["reason"]
    assert users.read_bytes() == b"\xff\xd8 the user's own poster" and ours.is_file()

    # rebuilding the previews, then deleting the video, still leave the user's file alone
    assert client.post(f"/api/jobs/rebuild-preview/{first.id}", json={}).status_code == 202
    run_jobs()
    assert users.read_bytes() == b"\xff\xd8 the user's own poster" and ours.is_file()
    assert preview_result(runtime, first.id)["keptInCache"] == ["thumb"]
    assert client.delete(f"/api/videos/{first.id}", json={}).status_code == 200
    assert users.read_bytes() == b"\xff\xd8 the user's own poster"
    assert not (library / "Films" / "First Film-preview.mp4").exists()  # Obscura's own files went with it


def test_an_interrupted_move_resumes_without_loss(client, runtime, run_jobs, media, library) -> None:
    scanned_library(client, run_jobs, media, library)
    first = originals(layout(runtime))
    a, b = videos(runtime)
    with runtime.session() as db:
        fa = assets.files_of(db, db.get(Video, a.id))
        fb = assets.files_of(db, db.get(Video, b.id))
    # the state a crash leaves: one file moved, one copied but not yet deleted, one half-copied temp
    shutil.move(fa["preview"].cache_path, fa["preview"].sidecar_path)
    shutil.copyfile(fa["thumb"].cache_path, fa["thumb"].sidecar_path)
    half = fb["sprite"].sidecar_path.with_name(".Second Film-sprite.jpg.obscura-move")
    half.write_bytes(fb["sprite"].cache_path.read_bytes()[:100])
    assert_served(client, first)  # every asset still found while the move is half done

    set_dedicated(client, False)
    result = migrate(client, run_jobs)
    assert (result["moved"], result["deduplicated"], result["alreadyThere"], result["failed"]) == (6, 1, 1, 0)
    assert_all_in(layout(runtime), "side", first)
    assert not half.exists()
    assert_served(client, first)


def test_a_read_only_folder_keeps_its_files_in_the_cache(client, runtime, run_jobs, media, library) -> None:
    scanned_library(client, run_jobs, media, library)
    first = originals(layout(runtime))
    films = library / "Films"
    set_dedicated(client, False)
    with read_only(films):
        result = migrate(client, run_jobs)
        assert (result["moved"], result["keptInCache"], result["failed"]) == (0, 8, 0)
        assert result["readOnlyFolders"] == [str(films.resolve())]
        assert_all_in(layout(runtime), "cache", first)
        assert_served(client, first)
        # and a rebuild while the setting says "next to the media" writes to the cache
        video = videos(runtime)[0]
        assert client.post(f"/api/jobs/rebuild-preview/{video.id}", json={}).status_code == 202
        run_jobs()
        rebuilt = layout(runtime)
        assert all(rebuilt[(video.id, k)]["cache"] and rebuilt[(video.id, k)]["side"] is None for k in KEYS)
        assert preview_result(runtime, video.id)["keptInCache"] == list(KEYS)  # reported on the run
    assert sorted(p.name for p in films.iterdir()) == ["First Film.mp4", "Second Film.mp4"]


def test_one_move_at_a_time_and_bad_bodies(client, runtime, run_jobs) -> None:
    first = client.post("/api/jobs/migrate-asset-storage", json={"targetDedicated": False})
    assert first.status_code == 202
    second = client.post("/api/jobs/migrate-asset-storage", json={"targetDedicated": True})
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "job_pending"
    bad = client.post("/api/jobs/migrate-asset-storage", json={"targetDedicated": "sideways"})
    assert bad.status_code == 400 and not bad.get_json()["ok"]
    run_jobs("library-maintenance")
    runs = maintenance_runs(runtime)
    assert [r.status for r in runs] == ["completed"]
    assert runs[0].result["rows"] == 0
    status = client.get("/api/maintenance/status").get_json()["data"]
    assert status["dedicated"] is True and status["migration"]["status"] == "completed"
    assert client.post("/api/jobs/migrate-asset-storage", json={}).status_code == 202  # free again


def test_the_served_file_survives_a_deleted_copy(client, runtime, run_jobs, media, library) -> None:
    """Serving reads the current layout first and falls back to the other one."""
    scanned_library(client, run_jobs, media, library)
    video = videos(runtime)[0]
    with runtime.session() as db:
        thumb = assets.files_of(db, db.get(Video, video.id))["thumb"]
    digest = sha(thumb.cache_path)
    set_dedicated(client, False)
    Path(thumb.cache_path).rename(thumb.sidecar_path)
    resp = client.get(f"/api/videos/{video.id}/thumbnail")
    assert resp.status_code == 200 and hashlib.sha256(resp.data).hexdigest() == digest
    set_dedicated(client, True)  # the other layout: found by the fallback
    resp = client.get(f"/api/videos/{video.id}/thumbnail")
    assert resp.status_code == 200 and hashlib.sha256(resp.data).hexdigest() == digest
    thumb.sidecar_path.unlink()
    gone = client.get(f"/api/videos/{video.id}/thumbnail")
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "asset_missing"


def test_a_renamed_video_takes_its_files_along(client, runtime, run_jobs, media, library) -> None:
    set_dedicated(client, False)
    root = scanned_library(client, run_jobs, media, library)
    first = originals(layout(runtime))
    films = library / "Films"
    (library / "Moved").mkdir()
    (films / "First Film.mp4").rename(library / "Moved" / "Renamed Film.mp4")
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    runs = client.get("/api/jobs?queue=library-scan&perPage=1").get_json()["data"]["items"]
    assert runs[0]["result"]["moved"] == 1
    assert sorted(p.name for p in (library / "Moved").iterdir()) == [
        "Renamed Film-preview.mp4", "Renamed Film-sprite.jpg", "Renamed Film-thumb.jpg", "Renamed Film-trickplay.vtt",
        "Renamed Film.mp4",
    ]  # fmt: skip
    assert not [p for p in films.iterdir() if p.name.startswith("First Film")]
    assert_all_in(layout(runtime), "side", first)
    assert_served(client, first)
