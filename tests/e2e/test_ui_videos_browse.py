"""Browsing videos in headless Chromium against ``obscura serve``: the three views at phone and desktop
sizes, filters in the URL with back/forward, hover and long-press previews, the series page and its
edit dialog, the 404 page, and uploads by drag and drop and by the file picker."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.ui import VIEWPORTS, api, make_video_library, new_page, screenshot, wait_for_jobs

pytestmark = pytest.mark.e2e

SIZES = [pytest.param("phone", id="phone"), pytest.param("desktop", id="desktop")]

THUMBS_LOADED = """() => {
  const sel = '#results .thumb img, #results .vb-row-thumb img, .sx-episodes .thumb img';
  const imgs = [...document.querySelectorAll(sel)];
  return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
}"""


@pytest.fixture(scope="module")
def library(served: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("browse-library")
    files = make_video_library(root)
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Test library"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan")
    wait_for_jobs(served.url, timeout=300)
    items = api(served.url, "GET", "/api/videos?perPage=100")["data"]["items"]
    series = api(served.url, "GET", "/api/series")["data"]["items"]
    return {
        "root": created,
        "path": root,
        "files": files,
        "videos": {v["title"]: v for v in items},
        "series": {s["title"]: s for s in series},
    }


def open_page(browser: Any, size: str) -> tuple[Any, Any]:
    return new_page(browser, VIEWPORTS[size], mobile=size == "phone")


def all_thumbs_loaded(page: Any) -> None:
    for img in page.locator("#results .thumb img, #results .vb-row-thumb img, .sx-episodes .thumb img").all():
        img.scroll_into_view_if_needed()
    page.wait_for_function(THUMBS_LOADED, timeout=15_000)
    page.evaluate("window.scrollTo(0, 0)")


def settle_results(page: Any) -> None:
    """Wait until the results region shows the state in the address bar."""
    page.wait_for_function(
        """() => { const r = document.getElementById('results');
                   return r && !r.hasAttribute('aria-busy') && r.dataset.rendered === location.search; }"""
    )


def _no_roots_yet(served: Any) -> None:
    if api(served.url, "GET", "/api/libraries")["data"]:
        pytest.skip("needs the server before the module's library is added (run the whole module)")


@pytest.mark.parametrize("size", SIZES)
def test_empty_library(served: Any, browser: Any, size: str) -> None:
    _no_roots_yet(served)
    page, watch = open_page(browser, size)
    try:
        page.goto(served.url + "/videos")
        assert page.locator(".vb-empty h2").inner_text() == "Add a library folder to get started"
        assert page.locator(".vb-empty a[href='/settings']").is_visible()
        screenshot(page, "videos-empty-no-folders")
        page.goto(served.url + "/")
        page.locator(".vb-panel-empty").nth(1).wait_for()
        assert page.locator(".vb-panel-empty a[href='/settings']").count() == 2
        watch.assert_clean()
    finally:
        page.context.close()


def test_scan_from_the_empty_state(served: Any, browser: Any, tmp_path: Path) -> None:
    _no_roots_yet(served)
    folder = tmp_path / "First library"
    folder.mkdir()
    root = api(served.url, "POST", "/api/libraries", {"path": str(folder), "label": "First library"})["data"]
    page, watch = open_page(browser, "desktop")
    try:
        page.goto(served.url + "/videos")
        assert page.locator(".vb-empty h2").inner_text() == "No videos yet"
        screenshot(page, "videos-empty-not-scanned")
        source = make_video_library(tmp_path / "source")["movie"]
        shutil.copyfile(source, folder / "First Light (2019).mp4")
        page.locator(".vb-empty [data-scan]").click()
        page.locator("#vb-grid .vb-card", has_text="First Light").wait_for(timeout=60_000)
        page.locator(".toast", has_text="Scan finished").wait_for(timeout=120_000)
        assert page.locator("#vb-grid .vb-card").count() == 1
        watch.assert_clean()
    finally:
        page.context.close()
        wait_for_jobs(served.url, timeout=120)
        api(served.url, "DELETE", f"/api/libraries/{root['id']}")


@pytest.mark.parametrize("size", SIZES)
def test_views(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    page, watch = open_page(browser, size)
    try:
        page.goto(served.url + "/videos")
        # series exist, so the series view is the default: series apart, then the movies
        assert page.locator('[data-view-link="series"]').get_attribute("aria-pressed") == "true"
        series = page.locator(".vb-series-card")
        assert series.count() == 1 and "Clip Show" in series.inner_text()
        assert "2 episodes" in series.inner_text()
        assert page.locator("#vb-grid .vb-card").count() == 2  # the two movies
        assert page.locator("#vb-count").inner_text() == "1 series · 2 movies"
        all_thumbs_loaded(page)
        screenshot(page, "videos-series")

        page.locator('[data-view-link="grid"]').click()
        page.wait_for_url(re.compile(r"view=grid"))
        settle_results(page)
        cards = page.locator("#vb-grid .vb-card")
        assert cards.count() == 4
        assert page.locator("#vb-grid .vb-ep", has_text="S01E01").count() == 1
        assert page.locator("#vb-grid .thumb .badge", has_text="720p").count() == 1
        assert page.locator("#vb-grid .thumb .badge", has_text="0:30").count() == 2  # movie and the HEVC one
        # the first image is sized before it loads: its box is the 16:9 thumb, nothing shifts
        box = cards.first.locator(".thumb").bounding_box()
        assert box and abs(box["width"] / box["height"] - 16 / 9) < 0.05
        all_thumbs_loaded(page)
        screenshot(page, "videos-grid")

        page.locator('[data-view-link="list"]').click()
        page.wait_for_url(re.compile(r"view=list"))
        settle_results(page)
        rows = page.locator("#vb-rows tr")
        assert rows.count() == 4
        assert page.locator("#vb-rows .vb-ep", has_text="S01E02").count() == 1
        all_thumbs_loaded(page)
        screenshot(page, "videos-list")
        page.evaluate("document.documentElement.dataset.theme = 'light'")
        screenshot(page, "videos-list-light")
        page.evaluate("document.documentElement.dataset.theme = 'dark'")

        # sort by a column header, then flip the order with the same header
        page.locator('[data-sort-col="duration"]').click()
        page.wait_for_url(re.compile(r"sort=duration"))
        settle_results(page)
        assert "Clip Show" in page.locator("#vb-rows tr").last.inner_text()
        page.locator('[data-sort-col="duration"]').click()
        page.wait_for_url(re.compile(r"order=asc"))
        settle_results(page)
        assert "Clip Show" in page.locator("#vb-rows tr").first.inner_text()
        watch.assert_clean()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_filters_live_in_the_url(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    page, watch = open_page(browser, size)
    try:
        page.goto(served.url + "/videos?view=grid")
        assert page.locator("#vb-grid .vb-card").count() == 4
        page.locator("input[name=search]").fill("big buck")
        page.wait_for_url(re.compile(r"search=big\+buck"))
        settle_results(page)
        assert page.locator("#vb-grid .vb-card").count() == 1
        assert page.locator(".vb-chip").first.inner_text().strip() == "“big buck”"

        if size == "phone":  # the filters fold away on a phone
            assert not page.locator("select[name=kind]").is_visible()
            page.locator("[data-filters-toggle]").click()
        page.locator("select[name=kind]").select_option("episode")
        page.wait_for_url(re.compile(r"kind=episode"))
        settle_results(page)
        assert page.locator(".vb-empty h2").inner_text() == "No videos match these filters"
        assert page.locator("[data-filter-count]").inner_text() == "1"
        screenshot(page, "videos-no-match")

        # back: the previous state, controls included
        page.go_back()
        page.wait_for_url(lambda url: "kind=" not in url and "search=big+buck" in url)
        settle_results(page)
        assert page.locator("#vb-grid .vb-card").count() == 1
        assert page.locator("select[name=kind]").input_value() == ""
        page.go_back()
        page.wait_for_url(lambda url: "search" not in url)
        settle_results(page)
        assert page.locator("#vb-grid .vb-card").count() == 4
        assert page.locator("input[name=search]").input_value() == ""
        page.go_forward()
        page.wait_for_url(re.compile(r"search=big\+buck"))
        settle_results(page)
        assert page.locator("input[name=search]").input_value() == "big buck"

        # a shared link restores everything, and "Clear filters" keeps the view
        page.goto(served.url + "/videos?view=grid&kind=episode&resolution=720p")
        assert page.locator("select[name=resolution]").input_value() == "720p"
        assert page.locator(".vb-empty h2").inner_text() == "No videos match these filters"
        page.locator(".vb-empty [data-clear]").click()
        page.wait_for_url(lambda url: url.endswith("/videos?view=grid"))
        settle_results(page)
        assert page.locator("#vb-grid .vb-card").count() == 4

        page.goto(served.url + "/videos?view=grid&kind=episode")
        if size == "phone":
            page.locator("[data-filters-toggle]").click()
        all_thumbs_loaded(page)
        screenshot(page, "videos-filtered")
        watch.assert_clean()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_panels(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    page, watch = open_page(browser, size)
    try:
        page.goto(served.url + "/")
        stats = page.locator(".vb-stats")
        stats.wait_for()
        numbers = dict(zip(stats.locator("span").all_inner_texts(), stats.locator("b").all_inner_texts(), strict=True))
        assert (numbers["Movies"], numbers["Episodes"], numbers["Series"]) == ("2", "2", "1")
        rail = page.locator(".vb-rail .vb-card")
        rail.first.wait_for()
        assert rail.count() == 4
        page.wait_for_function(
            "() => [...document.querySelectorAll('.vb-rail img')].every((i) => i.complete && i.naturalWidth > 0)"
        )
        screenshot(page, "dashboard-videos")
        watch.assert_clean()
    finally:
        page.context.close()


def test_soft_navigation_round_trip(served: Any, browser: Any, library: dict[str, Any]) -> None:
    """Leaving for the series page and coming back swaps pages inside the shell (no reload), and the
    restored page keeps its state and still works."""
    page, watch = open_page(browser, "desktop")
    try:
        page.goto(served.url + "/videos?view=list&search=clip")
        assert page.locator("#vb-rows tr").count() == 2
        page.evaluate("window.__sameDocument = true")
        page.locator("#vb-rows .vb-col-series a", has_text="Clip Show").first.click()
        page.wait_for_url("**/series/*")
        page.locator(".sx-episodes .sx-ep").first.wait_for()
        page.go_back()
        page.wait_for_url(lambda url: url.endswith("/videos?view=list&search=clip"))
        page.locator("#vb-rows tr").first.wait_for()
        assert page.evaluate("window.__sameDocument") is True
        assert page.locator("#vb-rows tr").count() == 2
        assert page.locator("input[name=search]").input_value() == "clip"
        page.locator("select[name=played]").select_option("true")
        page.wait_for_url(re.compile(r"played=true"))
        settle_results(page)
        assert page.locator(".vb-empty h2").inner_text() == "No videos match these filters"
        page.go_back()
        page.wait_for_url(lambda url: url.endswith("/videos?view=list&search=clip"))
        settle_results(page)
        assert page.locator("#vb-rows tr").count() == 2
        watch.assert_clean()
    finally:
        page.context.close()


def test_hover_preview_desktop(served: Any, browser: Any, library: dict[str, Any]) -> None:
    page, watch = open_page(browser, "desktop")
    try:
        page.goto(served.url + "/videos?view=grid")
        card = page.locator("#vb-grid .vb-card", has_text="Big Buck Test")
        assert card.get_attribute("data-preview")
        card.hover()
        page.wait_for_function(
            """() => { const v = document.querySelector('video.vb-preview');
                       return v && (v.currentTime > 0 || v.readyState >= 2) && !v.paused; }""",
            timeout=15_000,
        )
        assert card.locator("video.vb-preview").count() == 1
        assert page.evaluate("document.querySelector('video.vb-preview').muted") is True
        page.wait_for_selector(".vb-card.is-previewing")
        screenshot(page, "videos-hover-preview")
        page.mouse.move(5, 5)
        page.wait_for_selector("video.vb-preview", state="detached")
        watch.assert_clean()
    finally:
        page.context.close()


def test_long_press_preview_phone(served: Any, browser: Any, library: dict[str, Any]) -> None:
    page, watch = open_page(browser, "phone")
    try:
        page.goto(served.url + "/videos?view=grid")
        card = page.locator("#vb-grid .vb-card", has_text="Big Buck Test")
        card.scroll_into_view_if_needed()
        box = card.locator(".thumb").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        opts = f"{{pointerType: 'touch', isPrimary: true, bubbles: true, clientX: {x}, clientY: {y}}}"
        thumb = card.locator(".thumb")
        thumb.dispatch_event("pointerdown", {"pointerType": "touch", "isPrimary": True, "clientX": x, "clientY": y})
        page.wait_for_timeout(350)
        assert card.locator("video").count() == 0  # not yet: a tap still opens the video
        page.wait_for_function(
            """() => { const v = document.querySelector('video.vb-preview');
                       return v && (v.currentTime > 0 || v.readyState >= 2); }""",
            timeout=30_000,
        )
        # lifting the finger ends with a click, which must not navigate
        page.evaluate(
            f"""() => {{ const t = document.elementFromPoint({x}, {y});
                t.dispatchEvent(new PointerEvent('pointerup', {opts}));
                t.dispatchEvent(new MouseEvent('click', {{bubbles: true, cancelable: true}})); }}"""
        )
        page.wait_for_timeout(300)
        assert page.url.endswith("/videos?view=grid")
        screenshot(page, "videos-long-press")
        # a tap elsewhere stops it
        page.locator("h1").dispatch_event("pointerdown", {"pointerType": "touch"})
        page.wait_for_selector("video.vb-preview", state="detached")
        watch.assert_clean()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_series_page(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    page, watch = open_page(browser, size)
    series = library["series"]["Clip Show"]
    try:
        page.goto(served.url + "/videos")
        page.locator(".vb-series-card", has_text="Clip Show").click()
        page.wait_for_url(f"**/series/{series['id']}")
        assert page.locator("h1 [data-field=title]").inner_text() == "Clip Show"
        episodes = page.locator(".sx-episodes .sx-ep")
        assert episodes.count() == 2
        assert [e.locator(".vb-ep").inner_text() for e in episodes.all()] == ["S01E01", "S01E02"]
        assert "2 episodes" in page.locator(".sx-facts").inner_text()
        assert page.locator(".sx-actions .btn-primary").inner_text().strip() == "Play S01E01"
        all_thumbs_loaded(page)
        screenshot(page, "series-page")

        # edit: title, year, rating, overview
        page.locator("[data-edit-main]").click()
        dialog = page.locator("#sx-edit")
        assert dialog.is_visible()
        dialog.locator("input[name=title]").fill("")
        dialog.locator("[data-edit-save]").click()
        assert dialog.locator("[data-edit-error]").inner_text() == "The title cannot be empty."
        dialog.locator("input[name=title]").fill(f"Clip Show ({size})")
        dialog.locator("input[name=year]").fill("2021")
        dialog.locator(".sx-star").nth(3).click()
        dialog.locator("textarea[name=overview]").fill("Two short clips, one season.")
        screenshot(page, "series-edit")
        dialog.locator("[data-edit-save]").click()
        page.wait_for_selector("#sx-edit", state="hidden")
        assert page.locator("h1 [data-field=title]").inner_text() == f"Clip Show ({size})"
        assert page.locator("h1 [data-field=year]").inner_text() == "2021"
        assert page.locator(".sx-facts .vb-stars").get_attribute("aria-label") == "4 of 5 stars"
        assert page.locator("[data-field=overview]").inner_text() == "Two short clips, one season."
        saved = api(served.url, "GET", f"/api/series/{series['id']}")["data"]
        assert (saved["title"], saved["year"], saved["rating"]) == (f"Clip Show ({size})", 2021, 80)
        page.reload()
        assert page.locator("h1 [data-field=title]").inner_text() == f"Clip Show ({size})"
        watch.assert_clean()
    finally:
        page.context.close()
        api(served.url, "PATCH", f"/api/series/{series['id']}", {"title": "Clip Show", "year": None, "rating": None,
                                                                   "overview": None})  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
def test_series_404(served: Any, browser: Any, size: str) -> None:
    page, watch = open_page(browser, size)
    watch.allow("/series/no-such-series", 404)
    try:
        resp = page.goto(served.url + "/series/no-such-series")
        assert resp.status == 404 and "text/html" in resp.headers["content-type"]
        assert page.locator("h1").inner_text() == "This series does not exist"
        screenshot(page, "series-404")
        page.locator("a", has_text="Back to videos").click()
        page.wait_for_url("**/videos?view=series")
        watch.assert_clean()
    finally:
        page.context.close()


def _upload_done(page: Any, name: str) -> None:
    item = page.locator("#vb-upload-items li", has_text=name)
    page.wait_for_function(
        """(name) => [...document.querySelectorAll('#vb-upload-items li')].some((li) => li.textContent.includes(name)
             && li.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '100')""",
        arg=name,
        timeout=30_000,
    )
    assert item.locator(".progress > i").evaluate("i => i.style.width") == "100%"
    item.locator(".vb-upload-state", has_text="Added").wait_for(timeout=60_000)


def test_drop_upload_desktop(served: Any, browser: Any, library: dict[str, Any]) -> None:
    page, watch = open_page(browser, "desktop")
    movie = library["videos"]["Big Buck Test"]
    try:
        page.goto(served.url + "/videos?view=grid")
        assert page.locator("#vb-grid .vb-card").count() == 4
        # build the dropped file in the page from bytes the server sends (a real MP4: a preview clip)
        page.evaluate(
            """async (url) => {
                const blob = await (await fetch(url)).blob();
                const dt = new DataTransfer();
                dt.items.add(new File([blob], 'Dropped Clip.mp4', { type: 'video/mp4' }));
                window.__drop = dt;
                window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
            }""",
            movie["previewUrl"],
        )
        assert page.locator("#vb-drop-overlay").is_visible()
        screenshot(page, "videos-drop-overlay")
        page.evaluate(
            "() => document.body.dispatchEvent(new DragEvent('drop', "
            "{ dataTransfer: window.__drop, bubbles: true, cancelable: true }))"
        )
        assert page.locator("#vb-drop-overlay").is_hidden()
        dialog = page.locator("#vb-upload-dialog")
        assert dialog.is_visible()
        assert dialog.locator("#vb-upload-pending li").inner_text().startswith("Dropped Clip.mp4")
        assert dialog.locator("#vb-upload-root").input_value() == library["root"]["id"]
        screenshot(page, "videos-upload-dialog")
        # the upload is held at the network while the user goes to Settings and comes back: the tray
        # is a shell part, so the upload and its line in the tray outlive the page swaps
        held: list[Any] = []
        page.route("**/api/videos/upload", lambda route: held.append(route))
        page.evaluate("window.__sameDocument = true")
        dialog.locator("#vb-upload-start").click()
        tray = page.locator("#vb-upload-tray")
        item = tray.locator("#vb-upload-items li", has_text="Dropped Clip.mp4")
        item.wait_for()
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(100)
        assert held, "the upload request was sent"
        page.locator(".sidebar a[href='/settings']").click()
        page.wait_for_url("**/settings")
        page.wait_for_selector("body[data-page-ready]", state="attached")
        assert page.locator("#vb-upload-dialog").count() == 0, "the browse page is gone"
        assert tray.is_visible() and item.is_visible()
        assert item.get_attribute("data-state") is None, "still uploading"
        screenshot(page, "videos-upload-tray-settings")
        page.go_back()
        page.wait_for_url("**/videos?view=grid")
        page.wait_for_selector("body[data-page-ready]", state="attached")
        assert page.evaluate("window.__sameDocument") is True, "soft navigation, no reload"
        assert tray.is_visible() and item.is_visible() and tray.locator("#vb-upload-items li").count() == 1
        held[0].continue_()
        page.unroute("**/api/videos/upload")
        _upload_done(page, "Dropped Clip.mp4")
        page.locator("#vb-grid .vb-card", has_text="Dropped Clip").wait_for(timeout=30_000)
        assert page.evaluate("localStorage.getItem('obscura-videos-upload-root')") == library["root"]["id"]
        # its thumbnail follows once the preview job ran
        page.locator("#vb-grid .vb-card", has_text="Dropped Clip").locator(".thumb img").wait_for(timeout=90_000)
        all_thumbs_loaded(page)
        screenshot(page, "videos-upload-done")
        watch.assert_clean()
    finally:
        page.context.close()
    wait_for_jobs(served.url, timeout=120)


def test_picker_upload_phone(served: Any, browser: Any, library: dict[str, Any], tmp_path: Path) -> None:
    page, watch = open_page(browser, "phone")
    clip = tmp_path / "Phone Clip.mp4"
    shutil.copyfile(library["files"]["episode1"], clip)
    try:
        page.goto(served.url + "/videos?view=grid")
        page.locator(".vb-upload-btn").click()
        dialog = page.locator("#vb-upload-dialog")
        assert dialog.is_visible()
        with page.expect_file_chooser() as chooser:
            dialog.locator("[data-upload-pick]").click()
        chooser.value.set_files(str(clip))
        assert "Phone Clip.mp4" in dialog.locator("#vb-upload-pending").inner_text()
        dialog.locator("#vb-upload-start").click()
        _upload_done(page, "Phone Clip.mp4")
        page.locator("#vb-grid .vb-card", has_text="Phone Clip").wait_for(timeout=30_000)
        screenshot(page, "videos-upload-phone")
        watch.assert_clean()
    finally:
        page.context.close()
    wait_for_jobs(served.url, timeout=120)


def test_infinite_scroll(served: Any, browser: Any, obscura_service_urls: tuple[str, str], tmp_path: Path) -> None:
    """130 rows (written straight to the database, no files) in a folder of their own: the grid and
    the list load page after page as the user scrolls, each card once, and stop at the end."""
    import os
    import uuid
    from datetime import UTC, datetime, timedelta

    import psycopg

    from plugin_sdk.testing import database_url_with_name

    folder = tmp_path / "Many"
    folder.mkdir()
    root = api(served.url, "POST", "/api/libraries", {"path": str(folder), "label": "Many", "enabled": False})["data"]
    url = database_url_with_name(obscura_service_urls[0], f"obscura_e2e_{os.getpid()}")
    start = datetime(2001, 1, 1, tzinfo=UTC)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cols = "id, kind, library_root_id, title, sort_title, file_path, duration, width, height, created_at"
        with cur.copy(f"COPY videos ({cols}, updated_at) FROM STDIN") as copy:
            for i in range(130):
                title = f"Filler {i:03d}"
                when = start + timedelta(minutes=i)
                copy.write_row(
                    (str(uuid.uuid4()), "movie", root["id"], title, title.lower(), f"{folder}/{i}.mp4", 60.0 + i,
                     1920, 1080, when, when)
                )  # fmt: skip
    try:
        for size in ("desktop", "phone"):
            page, watch = open_page(browser, size)
            try:
                page.goto(served.url + f"/videos?view=grid&root={root['id']}")
                cards = page.locator("#vb-grid .vb-card")
                assert cards.count() == 48
                for expected in (96, 130):
                    page.locator(".vb-more").last.scroll_into_view_if_needed()
                    page.wait_for_function(
                        f"() => document.querySelectorAll('#vb-grid .vb-card').length === {expected}", timeout=15_000
                    )
                page.wait_for_timeout(300)
                titles = cards.all_inner_texts()
                assert len(titles) == 130 and len(set(titles)) == 130
                assert page.locator(".vb-more").count() == 0  # the end
                if size == "desktop":
                    page.evaluate("window.scrollTo(0, 0)")
                    screenshot(page, "videos-grid-many")
                page.goto(served.url + f"/videos?view=list&root={root['id']}&sort=title&order=asc")
                rows = page.locator("#vb-rows tr:not(.vb-more)")
                assert rows.count() == 60
                # the accessible fallback: the button loads the next page when clicked (or pressed)
                page.locator("#vb-rows .vb-more a").focus()
                page.keyboard.press("Enter")
                page.wait_for_function("() => document.querySelectorAll('#vb-rows tr:not(.vb-more)').length >= 120")
                while page.locator("#vb-rows .vb-more").count():
                    page.locator("#vb-rows .vb-more").scroll_into_view_if_needed()
                    page.wait_for_timeout(200)
                assert rows.count() == 130
                assert rows.first.inner_text().startswith("Filler 000")
                assert rows.last.inner_text().startswith("Filler 129")
                watch.assert_clean()
            finally:
                page.context.close()
    finally:
        api(served.url, "DELETE", f"/api/libraries/{root['id']}")
