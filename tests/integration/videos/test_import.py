"""The videos plugin's importers (``video``, ``video_marker``), called as an import source calls
them: ``plugin_sdk.imports.run_import`` with the importer the runtime registered."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from plugin_sdk.imports import (
    CREATED,
    MERGED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    ImportBatch,
    ImportOutcome,
    ImportRecord,
    importer,
    run_import,
)
from plugin_sdk.links import entities_deleted
from plugin_sdk.models import JobRunRow
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import Video, VideoEvent, VideoMarker, VideoSeason, VideoSeries

pytestmark = pytest.mark.integration

T0 = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
MD5 = "0123456789abcdef0123456789abcdef"
OSHASH = "fedcba9876543210"
PHASH = "8000000000000001"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 36), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 36), (30, 200, 30)).save(out, "JPEG")
    return out.getvalue()


def video_fields(path: Path | str, **values: Any) -> dict[str, Any]:
    """A ``video`` record's fields, every key present (the documented shape)."""
    fields: dict[str, Any] = {
        "path": str(path), "missing": False, "size": None, "mtime": None,
        "title": None, "code": None, "details": None, "director": None, "date": None, "rating": None,
        "organized": False, "urls": [], "created_at": None, "updated_at": None,
        "duration": None, "width": None, "height": None, "frame_rate": None, "bit_rate": None,
        "video_codec": None, "audio_codec": None, "container": None,
        "md5": None, "oshash": None, "phash": None,
        "play_count": 0, "play_duration": 0.0, "resume_time": None, "play_history": [],
        "o_counter": 0, "o_history": [], "cover": None, "interactive": False, "interactive_speed": None,
    }  # fmt: skip
    fields.update(values)
    return fields


def full_fields(path: Path, **values: Any) -> dict[str, Any]:
    """Every field with a value."""
    plays = [T0 + timedelta(days=d) for d in (1, 5, 3)]
    full = dict(
        size=path.stat().st_size if path.exists() else 1234,
        mtime=path.stat().st_mtime if path.exists() else 1600000000.0,
        title="Imported Title", code="ABC-123", details="Some details.", director="A. Director",
        date="2019-07", rating=80, organized=True, urls=["https://example.com/a", "https://example.com/b"],
        created_at=T0, updated_at=T0 + timedelta(hours=1),
        duration=1234.5, width=1920, height=1080, frame_rate=29.97, bit_rate=4_000_000,
        video_codec="h264", audio_codec="aac", container="mp4",
        md5=MD5, oshash=OSHASH, phash=PHASH,
        play_count=3, play_duration=600.25, resume_time=42.5, play_history=plays,
        o_counter=2, o_history=[T0 + timedelta(days=2), T0 + timedelta(days=4)],
    )  # fmt: skip
    return video_fields(path, **{**full, **values})


def run(runtime, entity: str, records: list[ImportRecord], dry_run: bool = False) -> list[ImportOutcome]:
    """One batch through the registered importer, committed (rolled back for a dry run)."""
    with runtime.session() as db:
        outcomes = run_import(db, importer(entity), ImportBatch("stash", entity, records, dry_run=dry_run))
        if dry_run:
            db.rollback()
        else:
            db.commit()
    return outcomes


def videos(runtime) -> dict[str, Video]:
    with runtime.session() as db:
        return {v.file_path: v for v in db.execute(select(Video)).scalars()}


def history(runtime, video_id: str) -> list[tuple[str, datetime]]:
    with runtime.session() as db:
        return sorted(db.execute(select(VideoEvent.kind, VideoEvent.at).where(VideoEvent.video_id == video_id)).all())


def add_root(client, path: Path, **extra) -> dict:
    resp = client.post("/api/libraries", json={"path": str(path), **extra})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["data"]


def scan(client, run_jobs, root_id: str) -> dict:
    client.post(f"/api/libraries/{root_id}/scan", json={})
    run_jobs("library-scan")
    runs = client.get("/api/jobs?queue=library-scan&perPage=1").get_json()["data"]["items"]
    assert runs[0]["status"] == "completed", runs[0]
    return runs[0]["result"]


def touch(root: Path, *names: str, data: bytes = b"x" * 64) -> list[Path]:
    paths = []
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def jobs(runtime, queue: str | None = None) -> list[JobRunRow]:
    with runtime.session() as db:
        q = select(JobRunRow)
        if queue:
            q = q.where(JobRunRow.queue_name == queue)
        return list(db.execute(q).scalars())


def test_the_importers_are_registered(runtime) -> None:
    video, marker = importer("video"), importer("video_marker")
    assert (video.name, video.label, marker.name, marker.label) == ("videos", "Videos", "videos", "Video markers")
    assert "oshash" in video.fields and "primary_tag_id" in marker.fields


def test_a_created_video_keeps_every_field(client, runtime, library) -> None:
    (path,) = touch(library, "Some Scene.mp4")
    add_root(client, library, isNsfw=True)
    fields = full_fields(path, cover=_png(), interactive=True, interactive_speed=3)
    (out,) = run(runtime, "video", [ImportRecord("s1", fields)])
    assert (out.status, out.reason, out.warnings) == (CREATED, None, ())
    assert out.unmapped == ("interactive", "interactive_speed")
    v = videos(runtime)[str(path)]
    assert v.id == out.id
    for name in ("title", "code", "details", "director", "date", "rating", "organized", "urls", "duration",
                 "width", "height", "frame_rate", "bit_rate", "video_codec", "audio_codec", "container",
                 "md5", "oshash", "phash", "play_count", "play_duration", "resume_time", "o_counter",
                 "created_at", "updated_at"):  # fmt: skip
        assert getattr(v, name) == fields[name], name
    st = path.stat()
    assert (v.file_size, v.file_mtime) == (st.st_size, st.st_mtime), "the disk's size and mtime: a scan sees no change"
    assert v.last_played_at == T0 + timedelta(days=5) and v.year == 2019 and v.is_nsfw and v.missing_at is None
    assert v.kind == "movie" and v.sort_title == "imported title" and v.probed_at is not None
    assert v.custom_thumbnail and v.thumbnail_at is None
    with Image.open(assets.asset(v.id, assets.CUSTOM_THUMB)) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (64, 36)
    assert history(runtime, v.id) == sorted(
        [("o", at) for at in fields["o_history"]] + [("play", at) for at in fields["play_history"]]
    )

    detail = client.get(f"/api/videos/{v.id}").get_json()["data"]
    assert (detail["oCounter"], detail["missing"], detail["playCount"]) == (2, False, 3)
    assert detail["thumbnailUrl"] and client.get(detail["thumbnailUrl"]).status_code == 200
    listed = client.get("/api/videos").get_json()["data"]["items"][0]
    assert (listed["oCounter"], listed["missing"]) == (2, False)
    got = client.get(f"/api/videos/{v.id}/history").get_json()["data"]
    assert [datetime.fromisoformat(p) for p in got["plays"]] == sorted(fields["play_history"], reverse=True)
    assert [datetime.fromisoformat(o) for o in got["os"]] == sorted(fields["o_history"], reverse=True)
    assert client.get("/api/videos/nope/history").status_code == 404

    assert client.post(f"/api/videos/{v.id}/play", json={}).status_code == 200
    got = client.get(f"/api/videos/{v.id}/history").get_json()["data"]
    assert len(got["plays"]) == 4 and datetime.fromisoformat(got["plays"][0]) > T0 + timedelta(days=5)


TREE = (
    "Movie Title (2020).mp4",
    "Show/Season 01/Show S01E01.mkv",
    "Show/Season 01/Show S01E02.mkv",
    "Show/Season 2/Show 2x01 - Return.mp4",
    "Show/Sample/sample.mp4",
    "Films/Heat (1995)/Heat (1995) - 1080p.mkv",
    "Films/Heat (1995)/Heat (1995) - 2160p.mkv",
    "Films/Heat (1995)/Trailers/Heat trailer.mp4",
    "Night Shift S01E03.mp4",
    "Night Shift S01E04.mp4",
    "Stacked/Alien (1979) cd1.avi",
    "Stacked/Alien (1979) cd2.avi",
    "Studio/Scene One.mp4",
    "Studio/Scene Two.mp4",
)
PLACED = (
    "kind", "title", "year", "season_number", "episode_number", "episode_end", "absolute_episode_number",
    "group_key", "part_number", "version_label", "extra_type", "layout_version",
)  # fmt: skip


def placed(runtime, root: Path) -> dict[str, tuple]:
    """Each video of ``root`` by relative path: its placed columns, series, season and main file."""
    prefix = str(root) + os.sep
    with runtime.session() as db:
        rows = db.execute(select(Video).where(Video.file_path.startswith(prefix))).scalars().all()
        paths = {v.id: v.file_path[len(prefix) :] for v in rows}
        out = {}
        for v in rows:
            series = db.get(VideoSeries, v.series_id) if v.series_id else None
            season = db.get(VideoSeason, v.season_id) if v.season_id else None
            out[paths[v.id]] = (
                *(getattr(v, c) for c in PLACED),
                series and (series.relative_path, series.title),
                season and season.season_number,
                paths.get(v.parent_id),
            )
    return out


def test_created_videos_are_placed_as_a_scan_places_them(client, runtime, run_jobs, tmp_path) -> None:
    scanned, imported = tmp_path / "Scanned", tmp_path / "Imported"
    touch(scanned, *TREE)
    files = touch(imported, *TREE)
    scan(client, run_jobs, add_root(client, scanned)["id"])
    add_root(client, imported)
    # two batches: the second brings a second version, more episodes and the other part, which
    # change how the files of the first are placed
    first = [f for i, f in enumerate(files) if i % 2 == 0]
    second = [f for i, f in enumerate(files) if i % 2 == 1]
    outcomes = run(runtime, "video", [ImportRecord(str(f), video_fields(f)) for f in first])
    outcomes += run(runtime, "video", [ImportRecord(str(f), video_fields(f)) for f in second])
    by_key = {o.key: o for o in outcomes}
    assert by_key[str(imported / "Show/Sample/sample.mp4")].status == SKIPPED
    assert by_key[str(imported / "Show/Sample/sample.mp4")].reason == "sample"
    assert {o.status for k, o in by_key.items() if "sample" not in k} == {CREATED}
    expected = placed(runtime, scanned)
    assert len(expected) == len(TREE) - 1
    assert placed(runtime, imported) == expected
    heat = expected["Films/Heat (1995)/Heat (1995) - 2160p.mkv"]
    assert heat[0] == "movie" and heat[-1] == "Films/Heat (1995)/Heat (1995) - 1080p.mkv", "versions of one movie"


def test_a_merge_takes_the_values_but_keeps_edits_and_our_file(client, runtime, run_jobs, library) -> None:
    (path,) = touch(library, "Scanned Movie (2001).mp4")
    root = add_root(client, library)
    scan(client, run_jobs, root["id"])
    before = videos(runtime)[str(path)]
    assert client.patch(f"/api/videos/{before.id}", json={"title": "My Own Title", "rating": 10}).status_code == 200
    with runtime.session() as db:  # fingerprinted earlier, with another md5 than the record's
        db.execute(update(Video).where(Video.id == before.id).values(md5="f" * 32, play_count=7))
        db.commit()
    fields = full_fields(path, title="Stash Title", rating=95, size=before.file_size)
    (out,) = run(runtime, "video", [ImportRecord("s1", fields)])
    assert (out.status, out.id) == (MERGED, before.id)
    v = videos(runtime)[str(path)]
    assert (v.title, v.rating) == ("My Own Title", 10), "edited fields are never overwritten"
    assert (v.code, v.details, v.director, v.date, v.organized, v.urls) == (
        "ABC-123",
        "Some details.",
        "A. Director",
        "2019-07",
        True,
        fields["urls"],
    )
    assert v.md5 == "f" * 32 and (v.oshash, v.phash) == (OSHASH, PHASH), "hashes only where ours are empty"
    assert v.duration == 1234.5 and v.probed_at is not None, "probe facts of a row not probed yet"
    assert (v.play_count, v.o_counter, v.resume_time, v.play_duration) == (7, 2, 42.5, 600.25)
    assert v.last_played_at == T0 + timedelta(days=5)
    assert (v.created_at, v.file_mtime) == (before.created_at, before.file_mtime), "our row's own facts stay"
    assert len(history(runtime, v.id)) == 5


def test_a_missing_file_merges_into_the_row_with_its_oshash(client, runtime, run_jobs, library) -> None:
    (path,) = touch(library, "Here.mp4")
    root = add_root(client, library)
    scan(client, run_jobs, root["id"])
    row = videos(runtime)[str(path)]
    with runtime.session() as db:
        db.execute(update(Video).where(Video.id == row.id).values(oshash=OSHASH))
        db.commit()
    elsewhere = "/stash/old/place/There.mp4"
    fields = video_fields(elsewhere, missing=True, oshash=OSHASH, title="From Stash", play_count=2)
    (out,) = run(runtime, "video", [ImportRecord("s1", fields)])
    assert (out.status, out.id) == (MERGED, row.id)
    v = videos(runtime)[str(path)]
    assert (v.title, v.play_count, v.file_path, v.missing_at) == ("From Stash", 2, str(path), None), "our path stays"
    # a file on disk with the oshash of a known row at another path is another file: created
    (copy,) = touch(library, "Copy.mp4")
    (out,) = run(runtime, "video", [ImportRecord("s2", video_fields(copy, oshash=OSHASH))])
    assert out.status == CREATED and out.id != row.id


def _snapshot(runtime) -> tuple:
    with runtime.session() as db:
        rows = db.execute(select(*Video.__table__.columns).order_by(Video.file_path)).all()
        events = db.execute(select(*VideoEvent.__table__.columns).order_by(*VideoEvent.__table__.columns)).all()
        markers = db.execute(select(*VideoMarker.__table__.columns).order_by(VideoMarker.id)).all()
        series = db.execute(select(*VideoSeries.__table__.columns).order_by(VideoSeries.id)).all()
        seasons = db.execute(select(*VideoSeason.__table__.columns).order_by(VideoSeason.id)).all()
        job_count = db.execute(select(func.count()).select_from(JobRunRow)).scalar_one()
    return rows, events, markers, series, seasons, job_count


def test_a_second_import_changes_nothing(client, runtime, library) -> None:
    files = touch(library, *TREE)
    add_root(client, library)
    records = [ImportRecord(str(f), full_fields(f, cover=_jpeg(), title=None)) for f in files]
    records.append(ImportRecord("gone", full_fields(library / "Gone.mp4", missing=True)))
    first = run(runtime, "video", records)
    ids = {o.key: o.id for o in first}
    marks = [
        ImportRecord("m1", {"video_id": first[0].id, "title": "Intro", "seconds": 1.5, "end_seconds": 9.0,
                            "primary_tag_id": "tag-1", "tag_ids": ["tag-2", "tag-3"], "created_at": T0,
                            "updated_at": None}),
    ]  # fmt: skip
    run(runtime, "video_marker", marks)
    before = _snapshot(runtime)
    again = run(runtime, "video", records)
    assert {o.status for o in again if o.key != str(library / TREE[4])} == {UNCHANGED}
    assert {o.key: o.id for o in again} == ids
    assert [o.status for o in run(runtime, "video_marker", marks)] == [UNCHANGED]
    assert _snapshot(runtime) == before
    # the same, told which rows an earlier import made
    targeted = [ImportRecord(r.key, r.fields, target_id=ids[r.key]) for r in records]
    assert {o.status for o in run(runtime, "video", targeted) if o.id} == {UNCHANGED}
    assert [o.status for o in run(runtime, "video_marker", [ImportRecord("m1", marks[0].fields, "x")])] == [UNCHANGED]
    assert _snapshot(runtime) == before


def test_an_update_by_target_id(client, runtime, library) -> None:
    (path,) = touch(library, "Movie (1999).mp4")
    add_root(client, library)
    (first,) = run(runtime, "video", [ImportRecord("s1", video_fields(path, title="One", rating=20))])
    fields = video_fields(path, title="Two", rating=40, play_history=[T0], play_count=1)
    (out,) = run(runtime, "video", [ImportRecord("s1", fields, target_id=first.id)])
    assert (out.status, out.id) == (UPDATED, first.id)
    v = videos(runtime)[str(path)]
    assert (v.title, v.rating, v.play_count, v.last_played_at) == ("Two", 40, 1, T0)
    # a target that is gone: found by its path instead
    (out,) = run(runtime, "video", [ImportRecord("s1", fields, target_id="no-such-row")])
    assert (out.status, out.id) == (UNCHANGED, first.id)


def test_a_dry_run_writes_no_file_and_queues_nothing(client, runtime, library) -> None:
    (path,) = touch(library, "Dry.mp4")
    add_root(client, library)
    record = ImportRecord("s1", full_fields(path, cover=_png()))
    with runtime.session() as db:
        (out,) = run_import(db, importer("video"), ImportBatch("stash", "video", [record], dry_run=True))
        assert out.status == CREATED
        assert db.get(Video, out.id).custom_thumbnail, "rows are written as usual"
        assert db.execute(select(func.count()).select_from(JobRunRow)).scalar_one() == 0
        db.rollback()
    assert not assets.asset(out.id, assets.CUSTOM_THUMB).exists()
    assert not videos(runtime) and not jobs(runtime)


def test_skips_and_warnings(client, runtime, library, tmp_path) -> None:
    (movie, sample) = touch(library, "A Movie.mp4", "A Movie-sample.mp4")
    add_root(client, library)
    outside = tmp_path / "Elsewhere" / "x.mp4"
    neighbour = Path(str(library) + "-2") / "y.mp4"  # the root's path is a prefix of its name only
    records = [
        ImportRecord("outside", video_fields(outside, missing=True)),
        ImportRecord("neighbour", video_fields(neighbour, missing=True)),
        ImportRecord("nopath", video_fields("", title="x")),
        ImportRecord("relative", video_fields("videos/x.mp4")),
        ImportRecord("sample", video_fields(sample)),
        ImportRecord("folder", video_fields(library)),
        ImportRecord(
            "bad",
            video_fields(
                movie, cover=b"not an image at all", date="2020-13-01", rating=250, md5="xyz", play_history=["x"]
            ),
        ),
        ImportRecord("gone", video_fields(library / "Not There.mp4", title="Not there")),
    ]
    out = {o.key: o for o in run(runtime, "video", records)}
    assert out["outside"].reason == out["neighbour"].reason == "not under a library root"
    assert out["nopath"].reason == "no file path" and "absolute" in out["relative"].reason
    assert out["sample"].reason == "sample" and "folder" in out["folder"].reason
    assert all(o.status == SKIPPED and o.id is None for k, o in out.items() if k not in ("bad", "gone"))
    bad = out["bad"]
    assert bad.status == CREATED and len(bad.warnings) == 5, bad.warnings
    assert any("cover" in w for w in bad.warnings) and any("date" in w for w in bad.warnings)
    v = videos(runtime)[str(movie)]
    assert not v.custom_thumbnail and v.date is None and v.rating is None and v.md5 is None
    assert not assets.asset(v.id, assets.CUSTOM_THUMB).exists()
    assert out["gone"].status == CREATED and out["gone"].warnings == ("the file is not on disk: imported as missing",)
    assert videos(runtime)[str(library / "Not There.mp4")].missing_at is not None


def test_missing_files_stay_until_they_are_back(client, runtime, run_jobs, library) -> None:
    (kept,) = touch(library, "Kept.mp4")
    root = add_root(client, library)
    gone = library / "Show" / "Season 01" / "Show S01E01.mkv"
    moved = library / "Old Name.mp4"
    records = [
        ImportRecord("kept", video_fields(kept, title="Kept")),
        ImportRecord("gone", video_fields(gone, missing=True, size=64, mtime=1600000000.5, duration=10.0, width=320,
                                          height=180, md5=MD5, oshash=OSHASH, title="Pilot")),
        ImportRecord("moved", video_fields(moved, missing=True, size=64, oshash="1" * 16, md5="2" * 32,
                                           title="Moved One")),
    ]  # fmt: skip
    out = {o.key: o for o in run(runtime, "video", records)}
    assert [o.status for o in out.values()] == [CREATED] * 3
    rows = videos(runtime)
    assert rows[str(gone)].missing_at is not None and rows[str(gone)].kind == "episode"
    detail = client.get(f"/api/videos/{out['gone'].id}").get_json()["data"]
    assert detail["missing"] is True
    assert not [j for j in jobs(runtime) if j.target_id in (out["gone"].id, out["moved"].id)], "nothing queued"

    result = scan(client, run_jobs, root["id"])
    assert result["removed"] == 0 and result["keptMissing"] == 2
    assert set(videos(runtime)) == {str(kept), str(gone), str(moved)}

    # the episode is back where it was (same size, mtime to the second); the other one moved
    gone.parent.mkdir(parents=True)
    gone.write_bytes(b"x" * 64)
    os.utime(gone, (1600000000.9, 1600000000.9))
    (new_place,) = touch(library, "New Name.mp4", data=b"y" * 64)
    from plugins_builtin.videos import scan as scan_module

    with pytest.MonkeyPatch.context() as mp:  # the oshash of the moved file is the record's
        mp.setattr(scan_module, "oshash_file", lambda p: "1" * 16)
        result = scan(client, run_jobs, root["id"])
    assert (result["foundAgain"], result["moved"], result["removed"], result["new"]) == (2, 1, 0, 0)
    rows = videos(runtime)
    back = rows[str(gone)]
    assert back.missing_at is None and (back.md5, back.oshash, back.duration) == (MD5, OSHASH, 10.0)
    assert back.file_mtime == 1600000000.9 and back.probed_at is not None
    assert rows[str(new_place)].id == out["moved"].id and rows[str(new_place)].missing_at is None
    queued = {(j.queue_name, j.target_id) for j in jobs(runtime)}
    assert ("preview", back.id) in queued and ("media-probe", back.id) not in queued
    assert ("fingerprint", back.id) not in queued, "its hashes came with it"
    assert ("media-probe", out["moved"].id) in queued, "never probed: the probe first"
    # an ordinary row whose file vanished is still removed
    kept.unlink()
    assert scan(client, run_jobs, root["id"])["removed"] == 1


def test_generation_is_queued_as_the_switches_say(client, runtime, run_jobs, library, media) -> None:
    probed, unprobed = library / "Probed.mp4", library / "Unprobed.mp4"
    media.copy(media.h264(), probed)
    media.copy(media.h264(), unprobed)
    add_root(client, library)
    client.put("/api/settings/library", json={"generatePhash": True})
    facts = {"duration": 3.0, "width": 320, "height": 180, "video_codec": "h264"}
    records = [
        ImportRecord("p", video_fields(probed, md5=MD5, oshash=OSHASH, **facts)),
        ImportRecord("u", video_fields(unprobed, md5=MD5, oshash=OSHASH, phash=PHASH)),
    ]
    out = {o.key: o.id for o in run(runtime, "video", records)}
    queued = {(j.queue_name, j.target_id): j.payload for j in jobs(runtime)}
    assert queued[("fingerprint", out["p"])] == {"videoId": out["p"], "phashOnly": True}
    assert ("preview", out["p"]) in queued and ("extract-subtitles", out["p"]) in queued
    assert ("media-probe", out["p"]) not in queued
    assert queued[("media-probe", out["u"])]["videoIds"] == [out["u"]]
    run_jobs("media-probe")
    queued = {(j.queue_name, j.target_id) for j in jobs(runtime)}
    assert ("preview", out["u"]) in queued and ("fingerprint", out["u"]) not in queued, "its hashes came with it"

    # the switches off: nothing but what an import cannot do without (none)
    client.put("/api/settings/library", json={"autoGeneratePreview": False, "autoGenerateFingerprints": False,
                                              "autoGenerateMetadata": False, "generateSubtitles": False})  # fmt: skip
    (other,) = touch(library, "Other.mp4")
    before = len(jobs(runtime))
    run(runtime, "video", [ImportRecord("o", video_fields(other, **facts))])
    assert len(jobs(runtime)) == before


def test_markers(client, runtime, library) -> None:
    (path,) = touch(library, "Marked.mp4")
    add_root(client, library)
    (video,) = run(runtime, "video", [ImportRecord("s1", video_fields(path, duration=100.0))])

    def marker(**values: Any) -> dict[str, Any]:
        fields = {"video_id": video.id, "title": "Intro", "seconds": 5.0, "end_seconds": None,
                  "primary_tag_id": None, "tag_ids": [], "created_at": None, "updated_at": None}  # fmt: skip
        fields.update(values)
        return fields

    with runtime.session() as db:  # one made here by hand: the import merges into it
        db.add(VideoMarker(video_id=video.id, title="Intro", seconds=5.0))
        db.commit()
    records = [
        ImportRecord("m1", marker(end_seconds=9.5, primary_tag_id="t1", tag_ids=["t2", "t3", "t2"])),
        ImportRecord("m2", marker(title="Scene", seconds=50.0, created_at=T0, updated_at=T0, tag_ids=["t3"])),
        ImportRecord("m3", marker(video_id="no-such-video")),
        ImportRecord("m4", marker(seconds=10.0, end_seconds=4.0)),
        ImportRecord("m5", marker(seconds=-1)),
        ImportRecord("m6", marker(title="Scene", seconds=50.0, tag_ids=["t3"], extra_field="kept?")),
    ]
    out = {o.key: o for o in run(runtime, "video_marker", records)}
    assert out["m1"].status == MERGED and out["m2"].status == CREATED
    assert out["m3"].reason == "video not found" and "before it starts" in out["m4"].reason
    assert out["m5"].status == SKIPPED and out["m6"].id == out["m2"].id and out["m6"].unmapped == ("extra_field",)
    got = {m["title"]: m for m in client.get(f"/api/videos/{video.id}").get_json()["data"]["markers"]}
    intro = got["Intro"]
    assert (intro["endSeconds"], intro["primaryTagId"], intro["tagIds"]) == (9.5, "t1", ["t2", "t3"])
    assert got["Scene"]["tagIds"] == ["t3"] and got["Scene"]["createdAt"].startswith("2021-03-04")
    listed = client.get(f"/api/videos/{video.id}/markers").get_json()["data"]
    assert {m["title"]: m["primaryTagId"] for m in listed} == {"Intro": "t1", "Scene": None}

    # target_id: that marker is updated, moved and renamed
    (upd,) = run(runtime, "video_marker", [ImportRecord("m2", marker(title="Later", seconds=60.0), out["m2"].id)])
    assert (upd.status, upd.id) == (UPDATED, out["m2"].id)

    with runtime.session() as db:  # the taxonomy announces deleted tags
        entities_deleted(db, "tag", ["t1", "t3"])
        db.commit()
        rows = {m.title: m for m in db.execute(select(VideoMarker)).scalars()}
    assert (rows["Intro"].primary_tag_id, rows["Intro"].tag_ids, rows["Later"].tag_ids) == (None, ["t2"], [])


def test_records_meeting_on_one_file_in_a_batch_come_in_one_after_the_other(client, runtime, library) -> None:
    (path,) = touch(library, "Twice.mp4")
    add_root(client, library)
    records = [
        ImportRecord("a", video_fields(path, title="First", play_history=[T0], play_count=1)),
        ImportRecord(
            "b", video_fields(str(library) + "/./Twice.mp4", title="Second", play_history=[T0, T0 + timedelta(1)])
        ),
    ]
    first, second = run(runtime, "video", records)
    assert (first.status, second.status) == (CREATED, MERGED) and first.id == second.id
    v = videos(runtime)[str(path)]
    assert (v.title, v.play_count) == ("Second", 2) and len(history(runtime, v.id)) == 2
