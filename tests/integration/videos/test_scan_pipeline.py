"""Scan → probe → fingerprint → previews → subtitles on a library laid out as a user would."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from plugin_sdk.hashing import oshash_file, phash_to_hex
from plugin_sdk.models import JobRunRow
from plugin_sdk.videophash import video_phash
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries
from tests.integration.videos.media import build_library

pytestmark = pytest.mark.integration


def _add_root(client, path: Path, **extra) -> dict:
    resp = client.post("/api/libraries", json={"path": str(path), **extra})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["data"]


def _scan(client, run_jobs, root_id: str, queue: str | None = None) -> dict:
    client.post(f"/api/libraries/{root_id}/scan", json={})
    run_jobs(queue)
    runs = client.get("/api/jobs?queue=library-scan&perPage=1").get_json()["data"]["items"]
    assert runs[0]["status"] == "completed", runs[0]
    return runs[0]["result"]


def _videos(runtime) -> dict[str, Video]:
    with runtime.session() as db:
        return {Path(v.file_path).name: v for v in db.execute(select(Video)).scalars()}


def test_first_scan_classifies_and_the_pipeline_fills_everything(client, runtime, run_jobs, media, library) -> None:
    files = build_library(media, library)
    root = _add_root(client, library, isNsfw=True)
    client.put("/api/settings/library", json={"generatePhash": True})
    result = _scan(client, run_jobs, root["id"])
    assert result["new"] == 9  # 6 media files + empty + garbage + deep; hidden, derivative, sample skipped
    assert result["skipped"] == 1 and result["skippedReasons"] == {"sample": 1}
    assert result["removed"] == 0 and not result.get("rootProblem")

    videos = _videos(runtime)
    assert set(videos) == {
        "Movie Title (2020).mp4", "Show S01E02.webm", "Show.S01E01.Pilot.mkv", "Show 2x01 - Return.mp4",
        "Flat Show - 003.mp4", "Broken Movie.mp4", "empty.mp4", "notes.mkv", "Lost.mp4",
    }  # fmt: skip
    assert (videos["Lost.mp4"].kind, videos["Lost.mp4"].title) == ("movie", "Lost")
    movie = videos["Movie Title (2020).mp4"]
    assert movie.kind == "movie" and movie.title == "Movie Title" and movie.year == 2020 and movie.is_nsfw
    e2 = videos["Show S01E02.webm"]
    assert (e2.kind, e2.season_number, e2.episode_number) == ("episode", 1, 2)
    e1 = videos["Show.S01E01.Pilot.mkv"]
    assert (e1.season_number, e1.episode_number, e1.title) == (1, 1, "Pilot")
    s2 = videos["Show 2x01 - Return.mp4"]
    assert (s2.season_number, s2.episode_number) == (2, 1)
    flat = videos["Flat Show - 003.mp4"]
    assert (flat.kind, flat.season_number, flat.episode_number, flat.absolute_episode_number) == ("episode", 1, 3, 3)
    with runtime.session() as db:
        series = {s.title: s for s in db.execute(select(VideoSeries)).scalars()}
        assert set(series) == {"Show", "Flat Show"}
        seasons = sorted(
            n
            for (n,) in db.execute(select(VideoSeason.season_number).where(VideoSeason.series_id == series["Show"].id))
        )
        assert seasons == [1, 2]
        runs = db.execute(select(JobRunRow)).scalars().all()
    assert runs and all(r.status == "completed" for r in runs), [(r.queue_name, r.status, r.error) for r in runs]

    # probe facts
    assert movie.duration == pytest.approx(3, abs=0.2) and (movie.width, movie.height) == (320, 180)
    assert (movie.video_codec, movie.audio_codec, movie.container) == ("h264", "aac", "mp4")
    assert (e2.video_codec, e2.audio_codec, e2.container) == ("vp9", "opus", "webm")
    assert e1.video_codec == "hevc" and e1.container == "matroska"
    assert (s2.width, s2.height) == (180, 320)
    assert flat.audio_codec is None
    for bad in ("Broken Movie.mp4", "empty.mp4", "notes.mkv"):
        v = videos[bad]
        if bad != "Broken Movie.mp4":
            assert v.duration is None and v.probe_error, bad
    assert "empty" in videos["empty.mp4"].probe_error

    # fingerprints equal the reference definitions, pHash equals the Stash algorithm on the same file
    data = files["movie"].read_bytes()
    assert movie.md5 == hashlib.md5(data).hexdigest()
    assert movie.oshash == oshash_file(files["movie"])
    assert movie.phash == phash_to_hex(video_phash(files["movie"], movie.duration))
    assert videos["notes.mkv"].md5 and videos["notes.mkv"].phash is None

    # previews and subtitles
    assert movie.thumbnail_at and movie.preview_at and movie.trickplay_at and not movie.preview_error
    assert videos["notes.mkv"].preview_at is None


def test_rescan_is_a_no_op_and_keeps_edits(client, runtime, run_jobs, media, library) -> None:
    build_library(media, library)
    root = _add_root(client, library)
    _scan(client, run_jobs, root["id"])
    movie = next(v for v in _videos(runtime).values() if v.kind == "movie" and v.title == "Movie Title")
    assert client.patch(f"/api/videos/{movie.id}", json={"title": "My Favourite", "rating": 80}).status_code == 200
    before = client.get("/api/jobs").get_json()["data"]["total"]
    again = _scan(client, run_jobs, root["id"])
    assert again["new"] == again["changed"] == again["removed"] == again["moved"] == 0
    assert again["unchanged"] == 9 and again["probesEnqueued"] == 0 and again["replaced"] == 0
    assert client.get("/api/jobs").get_json()["data"]["total"] == before + 1  # just the scan itself
    detail = client.get(f"/api/videos/{movie.id}").get_json()["data"]
    assert (detail["title"], detail["rating"]) == ("My Favourite", 80)
    assert set(detail["editedFields"]) == {"title", "rating"}


def test_moved_and_renamed_files_keep_their_rows(client, runtime, run_jobs, media, library) -> None:
    files = build_library(media, library)
    root = _add_root(client, library)
    _scan(client, run_jobs, root["id"])
    movie_id = next(v.id for v in _videos(runtime).values() if v.title == "Movie Title")
    client.patch(f"/api/videos/{movie_id}", json={"title": "Kept Title"})
    client.post(f"/api/videos/{movie_id}/markers", json={"title": "Intro", "seconds": 1.0})
    os.rename(files["movie"], library / "Show" / "Season 01" / "Show S01E05.mp4")  # now an episode
    result = _scan(client, run_jobs, root["id"])
    assert result["moved"] == 1 and result["new"] == 0 and result["removed"] == 0
    detail = client.get(f"/api/videos/{movie_id}").get_json()["data"]
    assert detail["title"] == "Kept Title" and detail["filePath"].endswith("Season 01/Show S01E05.mp4")
    assert (detail["kind"], detail["seasonNumber"], detail["episodeNumber"]) == ("episode", 1, 5)
    assert [m["title"] for m in detail["markers"]] == ["Intro"]


def test_a_move_and_a_same_sized_new_file_share_the_series_folder_they_went_to(
    client, runtime, run_jobs, media, library
) -> None:
    """A new file as big as a known one is held back until the walk ends (it might be that file
    moved); here it is new after all, and lands in the series the moved file created."""
    files = build_library(media, library)
    root = _add_root(client, library)
    _scan(client, run_jobs, root["id"])
    movie_id = next(v.id for v in _videos(runtime).values() if v.title == "Movie Title")
    (library / "Archive" / "Season 01").mkdir(parents=True)
    lookalike = bytearray(files["movie"].read_bytes())
    lookalike[100] ^= 0xFF  # same size, another oshash
    (library / "Archive" / "Season 01" / "Archive S01E02.mp4").write_bytes(bytes(lookalike))
    os.rename(files["movie"], library / "Archive" / "Season 01" / "Archive S01E01.mp4")
    result = _scan(client, run_jobs, root["id"], queue="library-scan")
    assert (result["moved"], result["new"], result["removed"]) == (1, 1, 0)
    videos = _videos(runtime)
    assert videos["Archive S01E01.mp4"].id == movie_id
    assert videos["Archive S01E01.mp4"].series_id == videos["Archive S01E02.mp4"].series_id is not None
    assert videos["Archive S01E01.mp4"].season_id == videos["Archive S01E02.mp4"].season_id is not None
    with runtime.session() as db:
        assert db.get(VideoSeries, videos["Archive S01E02.mp4"].series_id).title == "Archive"


def test_missing_unreadable_or_emptied_roots_are_reported_not_pruned(client, runtime, run_jobs, media, library) -> None:
    build_library(media, library)
    root = _add_root(client, library)
    _scan(client, run_jobs, root["id"])
    count = len(_videos(runtime))

    hidden = library.with_name("Library-unplugged")
    library.rename(hidden)
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    run = client.get("/api/jobs?queue=library-scan&perPage=1").get_json()["data"]["items"][0]
    assert (run["status"], run["attempts"]) == ("failed", 1), "the one way a scan fails, and it is not retried"
    assert "missing" in run["error"] and "Nothing was removed" in run["error"] and len(_videos(runtime)) == count
    status = client.get("/api/system/status").get_json()["data"]
    problems = status["plugins"]["videos"]["rootProblems"]
    assert problems[0]["rootId"] == root["id"] and "missing" in problems[0]["problem"]

    library.mkdir()  # an empty mount point where the drive used to be
    result = _scan(client, run_jobs, root["id"])
    assert "no videos now" in result["rootProblem"] and len(_videos(runtime)) == count

    library.rmdir()
    hidden.rename(library)
    result = _scan(client, run_jobs, root["id"])
    assert not result.get("rootProblem") and result["unchanged"] == count
    assert "videos" not in client.get("/api/system/status").get_json()["data"]["plugins"]


def test_deleted_files_are_pruned_with_their_cache(client, runtime, run_jobs, media, library) -> None:
    from plugins_builtin.videos import assets

    files = build_library(media, library)
    root = _add_root(client, library)
    _scan(client, run_jobs, root["id"])
    flat = next(v for v in _videos(runtime).values() if v.file_path == str(files["flat"]))
    assert assets.video_dir(flat.id).exists()
    shutil.rmtree(library / "Anime" / "Flat Show")
    result = _scan(client, run_jobs, root["id"])
    assert result["removed"] == 1
    assert not assets.video_dir(flat.id).exists()
    titles = [s["title"] for s in client.get("/api/series").get_json()["data"]["items"]]
    assert titles == ["Show"], "the empty series went with its last episode"


def _big_tree(root: Path) -> set[str]:
    names = set()
    for i in range(4):
        (root / f"Film {i} (2010).mp4").touch()
        names.add(f"Film {i} (2010).mp4")
    for s in (1, 2):
        season = root / "Saga" / f"Season {s:02d}"
        season.mkdir(parents=True)
        for e in (1, 2, 3):
            (season / f"Saga S{s:02d}E{e:02d}.mkv").touch()
            names.add(f"Saga S{s:02d}E{e:02d}.mkv")
    return names


def _probed_ids(runtime) -> list[str]:
    """Every video some media-probe run covers, once per run covering it."""
    with runtime.session() as db:
        payloads = db.execute(select(JobRunRow.payload).where(JobRunRow.queue_name == "media-probe")).scalars()
        return [vid for p in payloads for vid in (p.get("videoIds") or [p["videoId"]])]


def test_large_scans_copy_chunks_on_their_own_connections_with_batched_probes(
    client, runtime, run_jobs, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path every scan takes, with tiny chunks and batches: rows COPied a chunk at a time on
    two connections, each chunk committed with one probe run per batch of its videos; every row
    lands and every video is probed exactly once, chained on to its own fingerprint run."""
    from plugins_builtin.videos import new_rows, queues

    monkeypatch.setattr(new_rows, "COPY_CHUNK", 4)
    monkeypatch.setattr(queues, "PROBE_BATCH", 3)
    names = _big_tree(library)
    root = _add_root(client, library)
    result = _scan(client, run_jobs, root["id"], queue="library-scan")
    assert (result["new"], result["probesEnqueued"]) == (10, 10)
    assert result["probeRuns"] == 5  # chunks of 4, 4, 2 → batches of 3+1, 3+1, 2
    videos = _videos(runtime)
    assert set(videos) == names
    episode = videos["Saga S02E03.mkv"]
    assert (episode.kind, episode.season_number, episode.episode_number) == ("episode", 2, 3)
    with runtime.session() as db:
        season = db.get(VideoSeason, episode.season_id)
        assert season.season_number == 2 and db.get(VideoSeries, episode.series_id).title == "Saga"
        labels = db.execute(select(JobRunRow.target_label).where(JobRunRow.queue_name == "media-probe")).scalars()
        assert any(label.endswith(" and 2 more") for label in labels)
    assert sorted(_probed_ids(runtime)) == sorted(v.id for v in videos.values())

    run_jobs("media-probe")
    with runtime.session() as db:
        probes = db.execute(select(JobRunRow).where(JobRunRow.queue_name == "media-probe")).scalars().all()
        assert {r.status for r in probes} == {"completed"}
        batch = next(r for r in probes if "videoIds" in r.payload)
        assert [v["videoId"] for v in batch.result["videos"]] == batch.payload["videoIds"]
        assert batch.result["failed"] == len(batch.payload["videoIds"])  # empty files do not decode
        fingerprints = (
            db.execute(select(JobRunRow.target_id).where(JobRunRow.queue_name == "fingerprint")).scalars().all()
        )
    assert sorted(fingerprints) == sorted(v.id for v in videos.values())
    assert all(v.probed_at is not None and v.probe_error for v in _videos(runtime).values())


def test_odd_characters_in_names_reach_the_rows_exactly(runtime, client, library) -> None:
    """Backslashes, tabs and newlines are COPY's own syntax; names carrying them land unchanged."""
    from plugin_sdk.models import LibraryRoot
    from plugins_builtin.videos import scan

    names = {"Back\\slash (2001).mp4", "Tab\there.mp4", "New\nline.mp4", "Café ünïcode.mkv"}
    for name in names:
        (library / name).touch()
    (library / "Back\\slash (2001).nfo").write_text(
        "<movie><title>Slash \\ and\ttab</title><plot>two\nlines \\N</plot></movie>", encoding="utf-8"
    )
    root = _add_root(client, library)
    with runtime.session() as db:
        assert scan.scan_root(db, db.get(LibraryRoot, root["id"]))["new"] == len(names)
    videos = _videos(runtime)
    assert set(videos) == names
    assert {v.file_path for v in videos.values()} == {str(library / n) for n in names}
    slash = videos["Back\\slash (2001).mp4"]
    assert (slash.title, slash.details, slash.year) == ("Slash \\ and\ttab", "two\nlines \\N", 2001)
    assert videos["Tab\there.mp4"].title == "Tab here"


def test_rows_are_committed_while_the_walk_goes_on(
    client, runtime, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long first scan shows its first rows before it has walked every folder."""
    import time

    from plugin_sdk.models import LibraryRoot
    from plugins_builtin.videos import new_rows, scan

    monkeypatch.setattr(new_rows, "COPY_CHUNK", 2)
    real_walk, seen_mid_walk = scan.iter_walk, []

    def slow_walk(*args, **kwargs):
        for i, files in enumerate(real_walk(*args, **kwargs)):
            if i == 2:  # two folders walked, the third not yet read: wait for the copy threads
                deadline = time.monotonic() + 10
                while not seen_mid_walk and time.monotonic() < deadline:
                    if rows := len(_videos(runtime)):
                        seen_mid_walk.append(rows)
                    time.sleep(0.05)
            yield files

    monkeypatch.setattr(scan, "iter_walk", slow_walk)
    names = _big_tree(library)
    root = _add_root(client, library)
    with runtime.session() as db:
        result = scan.scan_root(db, db.get(LibraryRoot, root["id"]))
    assert seen_mid_walk and seen_mid_walk[0] < len(names)
    assert result["new"] == len(names) and set(_videos(runtime)) == names


def test_a_scan_that_fails_midway_keeps_whole_chunks_and_the_next_scan_adds_the_rest(
    client, runtime, run_jobs, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugin_sdk.models import LibraryRoot
    from plugins_builtin.videos import new_rows, scan

    monkeypatch.setattr(new_rows, "COPY_CHUNK", 4)
    real, calls = new_rows.RowMaker.line, []

    def breaks_on_the_ninth_file(*args, **kwargs):
        calls.append(1)
        if len(calls) == 9:
            raise OSError("disk went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(new_rows.RowMaker, "line", breaks_on_the_ninth_file)
    names = _big_tree(library)
    root = _add_root(client, library)
    with runtime.session() as db, pytest.raises(OSError, match="disk went away"):
        scan.scan_root(db, db.get(LibraryRoot, root["id"]))
    first = _videos(runtime)
    assert len(first) == 8, "the two chunks before the failure are committed, the third never was"
    assert sorted(_probed_ids(runtime)) == sorted(v.id for v in first.values())

    monkeypatch.setattr(new_rows.RowMaker, "line", real)
    with runtime.session() as db:
        again = scan.scan_root(db, db.get(LibraryRoot, root["id"]))
    assert (again["new"], again["unchanged"]) == (2, 8)
    videos = _videos(runtime)
    assert set(videos) == names and all(videos[n].id == first[n].id for n in first)
    assert sorted(_probed_ids(runtime)) == sorted(v.id for v in videos.values())



@pytest.mark.timeout(60)
def test_a_copy_connection_that_fails_stops_the_scan_with_its_error_and_never_hangs(
    runtime, client, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    from plugin_sdk.models import LibraryRoot
    from plugins_builtin.videos import new_rows, scan

    monkeypatch.setattr(new_rows, "COPY_CHUNK", 2)
    monkeypatch.setattr(new_rows, "COPY_SQL", "COPY videos (no_such_column) FROM STDIN")
    _big_tree(library)
    root = _add_root(client, library)
    with runtime.session() as db, pytest.raises(psycopg.errors.UndefinedColumn):
        scan.scan_root(db, db.get(LibraryRoot, root["id"]))
    assert _videos(runtime) == {} and _probed_ids(runtime) == []


def test_run_queue_probes_in_batches_only_what_no_waiting_probe_covers(
    client, runtime, run_jobs, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugins_builtin.videos import new_rows, queues

    monkeypatch.setattr(new_rows, "COPY_CHUNK", 4)
    monkeypatch.setattr(queues, "PROBE_BATCH", 3)
    _big_tree(library)
    root = _add_root(client, library)
    _scan(client, run_jobs, root["id"], queue="library-scan")
    assert client.post("/api/jobs/queues/media-probe/run", json={}).get_json()["data"]["count"] == 0

    with runtime.session() as db:  # the user cancelled all but one batch
        runs = db.execute(select(JobRunRow).where(JobRunRow.queue_name == "media-probe")).scalars().all()
        kept = next(r for r in runs if "videoIds" in r.payload)
        for r in runs:
            if r is not kept:
                r.status = "cancelled"
        db.commit()
        kept_ids = set(kept.payload["videoIds"])
    assert client.post("/api/jobs/queues/media-probe/run", json={}).get_json()["data"]["count"] == 3  # 7 in 3+3+1
    with runtime.session() as db:
        waiting = db.execute(
            select(JobRunRow.payload).where(JobRunRow.queue_name == "media-probe", JobRunRow.status == "waiting")
        ).scalars().all()
    covered = [vid for p in waiting for vid in (p.get("videoIds") or [p["videoId"]])]
    assert sorted(covered) == sorted(v.id for v in _videos(runtime).values())  # each exactly once
    assert kept_ids <= set(covered)
