"""Real-world library layouts through a real scan: the Plex / Jellyfin / Kodi table of
``tests/unit/videos/test_layout_table.py`` laid out on disk and scanned, the issue's crash, rows
placed by older rules moved in place, movie groups (versions, parts, extras) in the API and the
player, and files no scan can index skipped without failing the rest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos import scan
from plugins_builtin.videos.models import Video, VideoMarker, VideoSeries
from plugins_builtin.videos.scanning.filetypes import is_video_file
from tests.unit.videos.test_layout_table import ANY, TABLE, Case

pytestmark = pytest.mark.integration

TOGGLE_OPTIONS = {"movies": "scanMovies", "series": "scanSeries", "flat": "scanFlat"}


def _trees() -> Iterator[Any]:
    """Each tree of the table once, with its toggles and the cases that check it."""
    trees: dict[tuple[tuple[str, ...], tuple[tuple[str, bool], ...]], list[Case]] = {}
    for case in TABLE:
        trees.setdefault((case.tree, case.toggles), []).append(case)
    for n, ((tree, toggles), cases) in enumerate(trees.items()):
        yield pytest.param(tree, dict(toggles), cases, id=f"{n:03d}-{cases[0].source}")


def _lay_out(root: Path, tree: tuple[str, ...]) -> None:
    for n, rel in enumerate(tree):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * (n + 1))  # sizes differ: no file looks like another one moved


def _root(client, path: Path, **options: bool) -> str:
    body = {"path": str(path), **{TOGGLE_OPTIONS[k]: v for k, v in options.items()}}
    resp = client.post("/api/libraries", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["data"]["id"]


def _scan(runtime, root_id: str) -> dict[str, Any]:
    with runtime.session() as db:
        return scan.scan_root(db, db.get(LibraryRoot, root_id))


def _rows(runtime) -> dict[str, tuple[Video, str | None]]:
    with runtime.session() as db:
        series = dict(db.execute(select(VideoSeries.id, VideoSeries.title)).all())
        return {v.file_path: (v, series.get(v.series_id)) for v in db.execute(select(Video)).scalars()}


@pytest.mark.parametrize(("tree", "toggles", "cases"), list(_trees()))
def test_the_naming_table_through_a_real_scan(client, runtime, tmp_path, tree, toggles, cases) -> None:
    library = tmp_path / "Library"
    _lay_out(library, tree)
    result = _scan(runtime, _root(client, library, **toggles))
    walked = [p for p in tree if is_video_file(p)]  # "x-sample.mkv" is never walked: our own derivatives' names
    assert result["found"] == len(walked) and not result.get("rootProblem")
    rows = _rows(runtime)
    by_key = {row.group_key: row for row, _ in rows.values() if row.kind == "movie" and row.parent_id is None}
    for case in cases:
        want, path = case.expect, str(library / case.expect.path)
        if want.kind == "skip":
            assert path not in rows, f"{want.path} should not be indexed"
            continue
        row, series_title = rows[path]
        extra_of = want.more.get("extra_of")
        kind = "movie" if want.kind == "extra" and extra_of is None and series_title is None else want.kind
        got = {"kind": row.kind, "title": row.title, "year": row.year, "series": series_title}
        expected = {"kind": kind, "title": want.title, "year": want.year, "series": want.series}
        if want.kind == "episode":
            got |= {"season": row.season_number, "episode": row.episode_number, "episode_end": row.episode_end}
            season = want.season if want.season is not ANY else ANY
            expected |= {"season": 0 if season is None else season, "episode": want.episode,
                         "episode_end": want.episode_end}  # fmt: skip
        for name in [k for k, v in expected.items() if v is ANY]:
            del expected[name], got[name]
        assert got == expected, want.path
        if "part" in want.more:
            assert row.part_number == want.more["part"], want.path
        if "version" in want.more:
            assert row.version_label == want.more["version"], want.path
        if want.kind == "extra" and extra_of is not None:
            assert (row.extra_type, row.group_key) == (want.more["extra_type"], extra_of), want.path
            if series_title is None:  # a movie's extra points at its movie's main file
                main = by_key.get(extra_of)
                assert main is not None and row.parent_id == main.id, want.path


def test_a_root_of_movies_and_series_folders_scans_through_the_job_queue(client, runtime, run_jobs, tmp_path) -> None:
    """Issue 15's crash: two folders of one series' season 0 in one upsert made the whole
    ``library-scan`` fail (CardinalityViolation) and retry fifteen times."""
    library = tmp_path / "Library"
    _lay_out(library, (
        "Movies/Fractals/Mandelbrot Zoom.mp4",
        "Movies/Test Pattern (2021)/Test Pattern (2021).mp4",
        "Movies/Life (2020)/Life.2020.1080p.webm",
        "Series/Night Shift/Season 01/Night Shift S01E01.mkv",
        "Series/Night Shift/Season 01/Night Shift S01E02.mkv",
        "Series/Night Shift/Specials/Night Shift S00E01.mkv",
        "Series/Night Shift/Season 00/Night Shift S00E02.mkv",
        "TV/Show/Season 1/Show - S01E03 - Deep.mkv",
    ))  # fmt: skip
    root_id = _root(client, library)
    client.post(f"/api/libraries/{root_id}/scan", json={})
    run_jobs("library-scan")
    run = client.get("/api/jobs?queue=library-scan&perPage=1").get_json()["data"]["items"][0]
    assert run["status"] == "completed" and run["attempts"] == 1, run
    assert run["result"]["new"] == 8 and run["result"]["skipped"] == 0
    rows = {Path(v.file_path).name: (v, s) for v, s in _rows(runtime).values()}
    assert {n: (v.kind, v.title, v.year) for n, (v, _) in rows.items() if v.kind == "movie"} == {
        "Mandelbrot Zoom.mp4": ("movie", "Mandelbrot Zoom", None),
        "Test Pattern (2021).mp4": ("movie", "Test Pattern", 2021),
        "Life.2020.1080p.webm": ("movie", "Life", 2020),
    }
    specials = sorted((v.season_number, v.episode_number) for v, s in rows.values() if s == "Night Shift")
    assert specials == [(0, 1), (0, 2), (1, 1), (1, 2)], "Specials and Season 00 are one season"
    deep, series = rows["Show - S01E03 - Deep.mkv"]
    assert (deep.kind, series, deep.season_number, deep.episode_number, deep.title) == ("episode", "Show", 1, 3, "Deep")
    listed = client.get("/api/videos?perPage=50").get_json()["data"]
    assert listed["total"] == 8


def test_rows_placed_by_older_rules_move_in_place_and_keep_what_they_had(client, runtime, tmp_path) -> None:
    library = tmp_path / "Library"
    _lay_out(library, ("Movies/Test Pattern (2021)/Test Pattern (2021).mp4", "Movies/Life (2020)/Life.2020.1080p.webm"))
    root_id = _root(client, library)
    _scan(runtime, root_id)
    rows = {Path(p).name: v for p, (v, _) in _rows(runtime).items()}
    life, pattern = rows["Life.2020.1080p.webm"], rows["Test Pattern (2021).mp4"]
    with runtime.session() as db:  # as the depth rules left them: episodes of a series "Movies"
        old_series = VideoSeries(library_root_id=root_id, folder_path=str(library / "Movies"), relative_path="Movies",
                                 title="Movies")  # fmt: skip
        db.add(old_series)
        db.flush()
        for v, title in ((life, "Life 2020 1080p"), (pattern, "Test Pattern")):
            db.execute(update(Video).where(Video.id == v.id).values(
                kind="episode", series_id=old_series.id, season_number=0, group_key=None, title=title,
                sort_title=title.lower(), layout_version=0, play_count=3, oshash="0123456789abcdef", rating=80,
            ))  # fmt: skip
        db.add(VideoMarker(video_id=life.id, title="Intro", seconds=1.0))
        db.commit()
    assert client.patch(f"/api/videos/{pattern.id}", json={"title": "My Pattern"}).status_code == 200

    result = _scan(runtime, root_id)
    assert (result["new"], result["removed"], result["replaced"]) == (0, 0, 2)
    after = {Path(p).name: v for p, (v, _) in _rows(runtime).items()}
    moved, edited = after["Life.2020.1080p.webm"], after["Test Pattern (2021).mp4"]
    assert (moved.id, moved.kind, moved.series_id, moved.title, moved.year) == (life.id, "movie", None, "Life", 2020)
    assert (moved.play_count, moved.oshash, moved.rating) == (3, "0123456789abcdef", 80), "history and hashes kept"
    assert (edited.kind, edited.title) == ("movie", "My Pattern"), "a title the user edited is kept"
    assert all(v.layout_version > 0 for v in after.values())
    detail = client.get(f"/api/videos/{life.id}").get_json()["data"]
    assert [m["title"] for m in detail["markers"]] == ["Intro"]
    assert client.get("/api/series").get_json()["data"]["total"] == 0, "the emptied series is gone"
    again = _scan(runtime, root_id)
    assert (again["replaced"], again["unchanged"]) == (0, 2), "an unchanged rescan moves nothing"


def test_versions_parts_and_extras_are_one_movie_with_a_choice(client, runtime, tmp_path) -> None:
    library = tmp_path / "Library"
    _lay_out(library, (
        "Movies/Night Flight (2021)/Night Flight (2021) - 1080p.mkv",
        "Movies/Night Flight (2021)/Night Flight (2021) - 2160p.mkv",
        "Movies/Night Flight (2021)/Night Flight (2021)-trailer.mp4",
        "Movies/Night Flight (2021)/Featurettes/Making Of.mp4",
        "Movies/Long Film (1999)/Long Film (1999) cd1.avi",
        "Movies/Long Film (1999)/Long Film (1999) cd2.avi",
        "Movies/Night Flight (2021)/sample.mkv",
    ))  # fmt: skip
    result = _scan(runtime, _root(client, library))
    assert result["skippedReasons"] == {"sample": 1}
    items = client.get("/api/videos?sort=title&order=asc").get_json()["data"]["items"]
    assert [(i["title"], i["kind"]) for i in items] == [("Long Film", "movie"), ("Night Flight", "movie")]
    flight = client.get(f"/api/videos/{items[1]['id']}").get_json()["data"]
    assert [v["label"] for v in flight["versions"]] == ["1080p", "2160p"] and flight["mainId"] is None
    assert sorted(e["label"] for e in flight["extras"]) == ["Featurette", "Trailer"]
    other = flight["versions"][1]["id"]
    assert client.get(f"/api/videos/{other}").get_json()["data"]["mainId"] == flight["id"]
    film = client.get(f"/api/videos/{items[0]['id']}").get_json()["data"]
    assert [p["label"] for p in film["parts"]] == ["Part 1", "Part 2"]
    extras = client.get("/api/videos?kind=extra").get_json()["data"]["items"]
    assert len(extras) == 2, "extras are listed only when asked for"

    page = client.get(f"/videos/{flight['id']}").get_data(as_text=True)
    assert "data-versions" in page and f'href="/videos/{other}"' in page and "data-extras" in page
    part1 = client.get(f"/videos/{film['id']}").get_data(as_text=True)
    assert "data-parts" in part1 and f'href="/videos/{film["parts"][1]["id"]}" rel="next"' in part1


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_rest_indexed(client, runtime, tmp_path) -> None:
    library = tmp_path / "Library"
    _lay_out(library, ("Movies/Good (2001)/Good (2001).mp4",))
    bad = os.path.join(os.fsencode(library / "Movies"), b"Bad \xff Name (2002).mp4")
    with open(bad, "wb") as f:
        f.write(b"\0" * 10)
    result = _scan(runtime, _root(client, library))
    assert result["new"] == 1 and result["skipped"] == 1
    assert "UTF-8" in next(iter(result["skippedReasons"]))
    assert [Path(p).name for p in _rows(runtime)] == ["Good (2001).mp4"]
