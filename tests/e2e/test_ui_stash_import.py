"""Settings → Import in headless Chromium: pick a Stash database with the server-side browser, map
Stash's ``/data/videos`` to the library folder here, check it, dry-run it (nothing is written),
import it (progress, then the report), find the videos, performer and tags through the API, play an
imported video, and import again (everything unchanged). A bad path shows its error inline.

The Stash database is built with ``tests.fixtures.stash_db``; its scene files are real small videos
made with ffmpeg, fingerprinted the way Stash does (MD5 and oshash of the files themselves)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from plugin_sdk.hashing import md5_file, oshash_file
from tests.e2e.conftest import Served, serve_fresh
from tests.e2e.ui import SCREENSHOTS, VIEWPORTS, api, colour_clip, opened_page, screenshot, wait_for_jobs
from tests.fixtures.stash_db import StashDB

pytestmark = pytest.mark.e2e

STASH_VIDEOS = "/data/videos"
ENDPOINT = "https://stashdb.org/graphql"
SECTION = "#section-import"
READY = SECTION + " [data-stash-import][data-ready]"
REPORT = SECTION + " [data-si-report]"
#: Stash entity (report key) → how many the test library holds.
EXPECTED = {"scenes": 4, "performers": 1, "studios": 1, "tags": 2, "markers": 1, "groups": 1}


@dataclass
class StashLibrary:
    """Stash's database, the folder Stash's ``/data/videos`` is here, and what the scenes hold."""

    db_path: Path
    here: Path
    scenes: dict[str, dict[str, Any]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def served(obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``obscura serve`` on its own database, Redis database and data folder."""
    data = tmp_path_factory.mktemp("e2e-stash-data")
    env: dict[str, str | None] = {"OBSCURA_WORKERS": "2"}
    with serve_fresh(obscura_service_urls, f"obscura_e2e_stash_{os.getpid()}", 8, data, env) as server:
        yield server


def _video_file(db: StashDB, path: Path, stash_path: str) -> int:
    return db.video_file(
        stash_path,
        size=path.stat().st_size,
        duration=4.0,
        video_codec="h264",
        audio_codec="",
        format="mp4",
        width=320,
        height=180,
        frame_rate=25.0,
        bit_rate=120_000,
        md5=md5_file(path),
        oshash=oshash_file(path),
        phash=0x8F3C_5A10_22D4_E691,
    )


@pytest.fixture(scope="module")
def stash(tmp_path_factory: pytest.TempPathFactory) -> StashLibrary:
    """Three scenes with real files (one missing on disk besides), a performer, a tag hierarchy, a
    studio, a marker and a group of two scenes in order."""
    base = tmp_path_factory.mktemp("e2e-stash")
    here = base / "library"
    lib = StashLibrary(base / "stash" / "config" / "stash-go.sqlite", here)
    lib.db_path.parent.mkdir(parents=True)
    (base / "stash" / "notes.txt").write_text("not a database")
    files = {"Alpha Scene.mp4": "red", "Beta Scene.mp4": "green", "Clips/Gamma.mp4": "blue"}
    for rel, colour in files.items():
        colour_clip(here / rel, colour, seconds=4)

    db = StashDB.create(lib.db_path, version=75)
    db.folder(STASH_VIDEOS)  # Stash's library path: its top folder
    outdoors = db.tag("Outdoors", description="Shot outside")
    beach = db.tag("Beach", aliases=["Seaside"], parents=[outdoors])
    studio = db.studio("Studio A", urls=["https://studio-a.example"])
    jane = db.performer(
        "Jane Doe", aliases=["Janey", "J. Doe"], gender="FEMALE", stash_ids=[(ENDPOINT, "jane-0001")], rating=80
    )
    alpha_file = _video_file(db, here / "Alpha Scene.mp4", f"{STASH_VIDEOS}/Alpha Scene.mp4")
    beta_file = _video_file(db, here / "Beta Scene.mp4", f"{STASH_VIDEOS}/Beta Scene.mp4")
    gamma_file = _video_file(db, here / "Clips/Gamma.mp4", f"{STASH_VIDEOS}/Clips/Gamma.mp4")
    lost_file = db.video_file(
        f"{STASH_VIDEOS}/Old/Lost Scene.mp4", size=123_456, duration=60.0, oshash="deadbeef00c0ffee"
    )
    alpha = db.scene(
        "Alpha Scene",
        files=[alpha_file],
        rating=80,
        date="2021-06-15",
        studio_id=studio,
        o_dates=["2024-01-02 03:04:05+00:00", "2024-02-03 04:05:06+00:00"],
        view_dates=["2024-01-01T10:00:00Z", "2024-01-05T10:00:00Z", "2024-03-01T10:00:00Z"],
        resume_time=1.5,
        play_duration=12.0,
        tags=[beach],
        performers=[jane],
    )
    beta = db.scene("Beta Scene", files=[beta_file], rating=60, performers=[jane], tags=[outdoors])
    db.scene("Gamma Clip", files=[gamma_file], rating=40)
    db.scene("Lost Scene", files=[lost_file], rating=20)
    db.marker(alpha, 1.0, beach, title="Waves", end_seconds=2.5)
    db.group("The Feature", scenes=[beta, alpha], director="Dee Rector")
    db.close()
    lib.scenes = {
        "Alpha Scene": {"rating": 80, "o": 2, "plays": 3, "resume": 1.5},
        "Beta Scene": {"rating": 60},
        "Gamma Clip": {"rating": 40},
        "Lost Scene": {"rating": 20},
    }
    return lib


# ------------------------------------------------------------------------------------------ helpers


def open_section(page: Any, served: Served) -> Any:
    page.goto(served.url + "/settings#section-import")
    page.wait_for_selector(READY)
    return page.locator(SECTION)


def section_shot(page: Any, name: str) -> None:
    """The Import section alone (the page is long), beside :func:`screenshot`'s full pages."""
    size = page.viewport_size
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(SECTION).screenshot(path=str(SCREENSHOTS / f"{name}-section-{size['width']}x{size['height']}.png"))


def fill_mapping(section: Any, lib: StashLibrary) -> None:
    row = section.locator(".si-map").first
    row.locator("[data-map-from]").fill(STASH_VIDEOS)
    row.locator("[data-map-to]").fill(str(lib.here))


def shown_run(page: Any) -> str:
    return page.locator(REPORT).get_attribute("data-run-id") or ""


def start_and_wait(
    page: Any, section: Any, which: str, *, status: str = "completed", timeout_ms: int = 120_000
) -> dict[str, Any]:
    """Click "Dry run" or "Import", see the progress, wait for the new run's report (of ``status``);
    the report element's text and whether progress was shown."""
    before = shown_run(page)
    page.evaluate(
        """() => {
          window.__siProgress = false;
          const run = document.querySelector('[data-si-run]');
          const seen = () => { if (run.querySelector('[data-si-progress]')) window.__siProgress = true; };
          new MutationObserver(seen).observe(run, { childList: true, subtree: true });
        }"""
    )
    section.locator(f"[data-si-start={which}]").click()
    page.wait_for_function(
        "(before) => { const r = document.querySelector('[data-si-report]');"
        " return r.dataset.runId && r.dataset.runId !== before; }",
        arg=before,
        timeout=timeout_ms,
    )
    report = page.locator(REPORT)
    failed = report.locator("[data-si-failed]")
    if status != "failed":
        assert not failed.count(), f"the run failed: {failed.inner_text()}"
    assert report.get_attribute("data-status") == status
    return {"text": report.inner_text(), "progress": page.evaluate("() => window.__siProgress")}


def entity_row(page: Any, name: str) -> dict[str, int]:
    row = page.locator(f'{REPORT} tr[data-entity="{name}"]')
    cells = row.locator("td[data-col]")
    return {
        cells.nth(i).get_attribute("data-col"): int(cells.nth(i).inner_text().replace(",", ""))
        for i in range(cells.count())
    }


def latest_report(served: Served) -> dict[str, Any]:
    runs = api(served.url, "GET", "/api/imports/stash")["data"]["runs"]
    return runs[0]["result"]


# ------------------------------------------------------------------------------------------ tests


def test_a_bad_path_shows_its_error_inline(served: Served, browser: Any, stash: StashLibrary) -> None:
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        watch.allow("/api/imports/stash", 400)
        section = open_section(page, served)
        error = section.locator("[data-si-error]")
        assert error.is_hidden()
        section.locator("[data-si-check]").click()
        assert "Choose Stash's database file" in error.inner_text()  # nothing typed: said before asking
        assert section.locator("#si-path").get_attribute("aria-invalid") == "true"

        section.locator("#si-path").fill(str(stash.db_path.parent / "nope.sqlite"))
        section.locator("#si-path").press("Enter")  # Enter checks
        page.wait_for_function("() => !document.querySelector('[data-si-error]').hidden")
        assert error.get_attribute("role") == "alert"
        assert "nope.sqlite" in error.inner_text()

        section.locator("#si-path").fill(str(stash.db_path.parent.parent / "notes.txt"))
        assert error.is_hidden(), "typing clears the error"
        section.locator("[data-si-start=import]").click()
        page.wait_for_function("() => !document.querySelector('[data-si-error]').hidden")
        assert "notes.txt" in error.inner_text()
        assert not api(served.url, "GET", "/api/imports/stash")["data"]["runs"], "no run was started"

        row = section.locator(".si-map").first
        row.locator("[data-map-from]").fill("/data/videos")
        section.locator("[data-si-check]").click()
        assert "Mapping 1: give both" in error.inner_text()
        watch.assert_clean()


def test_pick_check_dry_run_import_play_and_import_again(served: Served, browser: Any, stash: StashLibrary) -> None:
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        section = open_section(page, served)

        # browse to the file and pick it
        section.locator("[data-si-browse]").click()
        dialog = page.locator("#si-browse-dialog")
        assert dialog.evaluate("d => d.open")
        dialog.locator("#si-browse-path").fill(str(stash.db_path.parent.parent))
        dialog.locator("#si-browse-path").press("Enter")
        config = dialog.locator('.folder-item[data-kind="folder"]', has_text="config")
        config.wait_for()
        assert not dialog.locator('.folder-item[data-kind="file"]').count(), "notes.txt is not offered"
        config.click()
        item = dialog.locator('.folder-item[data-kind="file"]', has_text="stash-go.sqlite")
        item.wait_for()
        assert "1 database file" in dialog.locator("[data-si-status]").inner_text()
        screenshot(page, "stash-import-browse", full_page=False)
        item.click()
        assert not dialog.evaluate("d => d.open")
        assert section.locator("#si-path").input_value() == str(stash.db_path)

        # the mapping, then Check
        fill_mapping(section, stash)
        assert section.locator("#si-create-roots").is_checked()
        section.locator("[data-si-check]").click()
        checked = section.locator("[data-si-checked]")
        checked.wait_for()
        assert "Stash schema 75" in checked.inner_text()
        counts = dict(
            zip(
                checked.locator(".si-count dt").all_inner_texts(),
                [int(n) for n in checked.locator(".si-count dd").all_inner_texts()],
                strict=True,
            )
        )
        assert counts["Scenes"] == 4 and counts["Performers"] == 1 and counts["Tags"] == 2
        assert counts["Markers"] == 1 and counts["Groups (movies)"] == 1 and counts["Studios"] == 1
        folders = checked.locator(".si-folders li")
        assert folders.count() == 1
        assert STASH_VIDEOS in folders.inner_text() and "found" in folders.inner_text()
        assert "not found here" not in folders.inner_text()
        section_shot(page, "stash-import-checked")

        # dry run: the report says so, nothing was written
        dry = start_and_wait(page, section, "dry")
        assert page.locator(f"{REPORT} [data-si-dry]").inner_text() == "dry run"
        assert "Dry run: nothing was written" in dry["text"]
        assert entity_row(page, "scenes")["read"] == 4
        assert api(served.url, "GET", "/api/videos?perPage=50")["data"]["total"] == 0
        assert api(served.url, "GET", "/api/libraries")["data"] == [], "the dry run's root was rolled back"

        # the import: progress, then the report with what was created
        done = start_and_wait(page, section, "import")
        assert done["progress"], "the progress bar was shown while the import ran"
        assert not page.locator(f"{REPORT} [data-si-dry]").count()
        for name, n in EXPECTED.items():
            row = entity_row(page, name)
            assert row["read"] == n and row["created"] == n, (name, row)
        assert entity_row(page, "scenes")["skipped"] == 0
        assert str(stash.here) in page.locator(f"{REPORT} [data-si-roots]").inner_text()
        assert "1 file is not on disk" in page.locator(f"{REPORT} [data-si-missing-files]").inner_text()
        screenshot(page, "stash-import-report")
        section_shot(page, "stash-import-report")
        watch.assert_clean()

    # what came over, through the API
    wait_for_jobs(served.url, timeout=180)
    videos = {v["title"]: v for v in api(served.url, "GET", "/api/videos?perPage=50")["data"]["items"]}
    assert set(stash.scenes) <= set(videos), sorted(videos)
    for title, want in stash.scenes.items():
        assert videos[title]["rating"] == want["rating"], (title, videos[title])
    alpha = api(served.url, "GET", f"/api/videos/{videos['Alpha Scene']['id']}")["data"]
    assert (alpha["oCounter"], alpha["playCount"], alpha["resumeTime"]) == (2, 3, 1.5), alpha
    performers = api(served.url, "GET", "/api/performers?perPage=50")["data"]["items"]
    jane = next(p for p in performers if p["name"] == "Jane Doe")
    assert sorted(jane["aliases"]) == ["J. Doe", "Janey"]
    ids = api(served.url, "GET", f"/api/stash-ids?entityType=performer&entityId={jane['id']}")["data"]
    assert [(s["endpoint"], s["stashId"]) for s in ids] == [(ENDPOINT, "jane-0001")]
    tags = {t["name"]: t for t in api(served.url, "GET", "/api/tags?perPage=50")["data"]["items"]}
    assert {"Outdoors", "Beach"} <= set(tags)
    assert [p["name"] for p in tags["Beach"]["parents"]] == ["Outdoors"]

    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        # an imported video plays
        page.goto(f"{served.url}/videos/{alpha['id']}?t=0")
        page.wait_for_selector('#vp[data-ready="true"]')
        page.locator('[data-vp="bigplay"]').click()
        page.wait_for_function(
            "() => { const v = document.querySelector('#vp video'); return !v.paused && v.currentTime > 1; }",
            timeout=30_000,
        )

        # importing again changes nothing
        section = open_section(page, served)
        assert section.locator("#si-path").input_value() == str(stash.db_path), (
            "the form starts as the last run left it"
        )
        assert section.locator(".si-map [data-map-from]").first.input_value() == STASH_VIDEOS
        start_and_wait(page, section, "import")
        for name, n in EXPECTED.items():
            row = entity_row(page, name)
            assert (row["created"], row["merged"], row["updated"], row["unchanged"]) == (0, 0, 0, n), (name, row)
        result = latest_report(served)
        for name, e in result["entities"].items():
            assert e["created"] == e["merged"] == e["updated"] == 0, (name, e)
        # the earlier runs' reports stay reachable
        history = section.locator("[data-si-show]")
        assert history.count() == 3
        history.last.click()
        page.wait_for_selector(f"{REPORT} [data-si-dry]")
        watch.assert_clean()


def test_the_section_on_a_phone(served: Served, browser: Any, stash: StashLibrary) -> None:
    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        section = open_section(page, served)
        section.scroll_into_view_if_needed()
        section.locator("[data-si-add-map]").click()
        assert section.locator(".si-map").count() == 2
        assert page.evaluate("() => document.activeElement.matches('.si-map:last-child [data-map-from]')")
        section.locator(".si-map").last.locator("[data-map-remove]").click()
        assert section.locator(".si-map").count() == 1
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        box = section.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["phone"][0]
        section_shot(page, "stash-import-phone")
        watch.assert_clean()


def test_a_failed_run_shows_the_job_error(served: Served, browser: Any, stash: StashLibrary, tmp_path: Path) -> None:
    """A database that opens and checks fine but breaks halfway (its performers table is gone):
    the job fails and the section shows its error."""
    broken = tmp_path / "broken-stash.sqlite"
    db = StashDB.create(broken, version=75)
    db.folder(STASH_VIDEOS)
    db.tag("Broken tag")
    db.close()
    with sqlite3.connect(broken) as conn:
        conn.execute("DROP TABLE performers")
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        section = open_section(page, served)
        section.locator("#si-path").fill(str(broken))
        fill_mapping(section, stash)
        start_and_wait(page, section, "import", status="failed")
        report = page.locator(REPORT)
        assert "The import failed" in report.locator("h3").inner_text()
        failed = report.locator("[data-si-failed]")
        assert failed.get_attribute("role") == "alert"
        assert "performers" in failed.inner_text()
        watch.assert_clean()
