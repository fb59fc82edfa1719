"""The Settings section "Generated files" in headless Chromium: saving the storage setting offers the
move, the move runs and reports, files land beside the videos on disk, and the orphan report deletes
only the folder the user selected."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Served, serve_fresh
from tests.e2e.ui import VIEWPORTS, api, opened_page, screenshot, wait_for_jobs
from tests.integration.videos.media import MediaCache

pytestmark = pytest.mark.e2e

SECTION = "#section-storage [data-maintenance]"


@pytest.fixture(scope="module")
def served(obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``obscura serve`` on its own database, Redis database and data folder (kept for the checks)."""
    data = tmp_path_factory.mktemp("e2e-maint-data")
    env: dict[str, str | None] = {"OBSCURA_CACHE_DIR": None, "OBSCURA_WORKERS": "1"}
    with serve_fresh(obscura_service_urls, f"obscura_e2e_maint_{os.getpid()}", 13, data, env) as server:
        server.data_dir = data  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def films(served: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    media = MediaCache(tmp_path_factory.mktemp("e2e-maint-media"))
    root = tmp_path_factory.mktemp("e2e-maint-lib") / "Films"
    media.copy(media.h264(), root / "First Film.mp4")
    media.copy(media.h264_b(), root / "Second Film.mp4")
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Films"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan", {})
    wait_for_jobs(served.url, timeout=120)
    return root


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_saving_the_setting_offers_the_move_and_it_reports(served: Any, browser: Any, films: Path) -> None:
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(served.url + "/settings#section-storage")
        page.wait_for_selector(SECTION + "[data-ready]")
        section = page.locator("#section-storage")
        assert "in Obscura's data folder" in section.inner_text()
        assert section.locator("#maint-move").inner_text().strip() == "Move files to the data folder"

        page.locator("#set-metadataStorageDedicated").uncheck()
        page.locator("#settings-save").click()
        dialog = page.locator("dialog[open]")
        dialog.get_by_text("Move the existing generated files?").wait_for()
        dialog.get_by_role("button", name="Move files").click()
        summary = section.locator("[data-migration-summary]")
        summary.wait_for(timeout=60_000)
        assert "8 files moved to the videos' folders" in summary.inner_text()
        assert "next to each video" in section.locator("[data-layout-label]").inner_text()
        assert section.locator("#maint-move").inner_text().strip() == "Move files next to the videos"
        section.scroll_into_view_if_needed()
        screenshot(page, "maintenance-moved", full_page=False)
        watch.assert_clean()
    assert _names(films) == [
        "First Film-preview.mp4", "First Film-sprite.jpg", "First Film-thumb.jpg", "First Film-trickplay.vtt",
        "First Film.mp4",
        "Second Film-preview.mp4", "Second Film-sprite.jpg", "Second Film-thumb.jpg", "Second Film-trickplay.vtt",
        "Second Film.mp4",
    ]  # fmt: skip
    videos = api(served.url, "GET", "/api/videos?perPage=10")["data"]["items"]
    for video in videos:  # still served from beside the media
        assert api_status(served.url, f"/api/videos/{video['id']}/preview") == 200


def api_status(base: str, path: str) -> int:
    import urllib.request

    with urllib.request.urlopen(base + path, timeout=10) as resp:
        return resp.status


def test_orphans_are_reported_and_only_the_selected_folder_is_deleted(served: Any, browser: Any, films: Path) -> None:
    cache = Path(served.data_dir) / "cache" / "videos"
    orphan = cache / "ff" / ("ff" + "e" * 30)
    orphan.mkdir(parents=True)
    (orphan / "thumb.jpg").write_bytes(b"\xff\xd8" + b"0" * 4000)
    other = cache / "fe" / ("fe" + "d" * 30)
    other.mkdir(parents=True)
    (other / "thumb.jpg").write_bytes(b"\xff\xd8" + b"1" * 100)

    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        page.goto(served.url + "/settings#section-storage")
        page.wait_for_selector(SECTION + "[data-ready]")
        section = page.locator("#section-storage")
        section.locator("#maint-orphans").click()
        section.locator("[data-orphans-summary]").wait_for(timeout=60_000)
        assert "2 orphaned folders" in section.locator("[data-orphans-summary]").inner_text()
        rows = section.locator("[data-orphan]")
        assert rows.count() == 2
        delete = section.locator("[data-delete-orphans]")
        assert delete.is_disabled()
        section.locator(f'[data-orphan="videos/ff/{orphan.name}"]').check()
        assert "1 folder selected" in section.locator("[data-selection]").inner_text()
        section.scroll_into_view_if_needed()
        screenshot(page, "maintenance-orphans", full_page=False)
        delete.click()
        page.locator("dialog[open]").get_by_role("button", name="Delete folders").click()
        page.wait_for_function(
            "() => document.querySelectorAll('#section-storage [data-orphan]').length === 1", timeout=10_000
        )
        watch.assert_clean()
    assert not orphan.exists() and other.is_dir()
    assert _names(films)[0] == "First Film-preview.mp4"  # media folders untouched
