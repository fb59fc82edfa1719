"""Global search in headless Chromium against ``obscura serve``: a typo in the Ctrl/⌘-K palette
finds the video, opens it, and "See all results" leads to the /search page; the page's groups,
thumbnails, kind filter and keyboard moves, at phone (360×740) and desktop sizes."""

from __future__ import annotations

import re
import shutil
from typing import Any

import pytest

from tests.e2e.ui import VIEWPORTS, api, make_video_library, new_page, screenshot, wait_for_jobs

pytestmark = pytest.mark.e2e

PHONE = (360, 740)
THUMBS_LOADED = """() => {
  const imgs = [...document.querySelectorAll('.sr-thumb img')];
  return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
}"""


@pytest.fixture(scope="module")
def library(served: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("search-library")
    files = make_video_library(root)
    shutil.copyfile(files["movie"], root / "Mandelbrot Zoom (2022).mp4")
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Fractals"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan")
    wait_for_jobs(served.url, timeout=300)
    videos = {v["title"]: v for v in api(served.url, "GET", "/api/videos?perPage=100")["data"]["items"]}
    assert "Mandelbrot Zoom" in videos, list(videos)
    people = {}
    for name, aliases in (("Benoit Mandelbrot", ["B. Mandelbrot"]), ("Ada Lovelace", ["Augusta King"])):
        people[name] = api(served.url, "POST", "/api/performers", {"name": name, "aliases": aliases})["data"]
    api(served.url, "POST", "/api/tags", {"name": "Fractals"})
    return {"videos": videos, "performers": people}


def test_palette_typo_search_opens_the_video_and_the_search_page(served: Any, browser: Any, library: Any) -> None:
    page, watch = new_page(browser, VIEWPORTS["desktop"])
    try:
        page.goto(served.url + "/")
        page.keyboard.press("Control+k")
        page.get_by_role("combobox", name="Search").fill("mandlebrot")
        hit = page.get_by_role("option", name=re.compile(r"^Mandelbrot Zoom"))
        hit.wait_for()
        assert hit.locator("img").get_attribute("src").startswith("/api/videos/")
        page.get_by_role("option", name=re.compile("Benoit Mandelbrot")).wait_for()
        see_all = page.get_by_role("option", name="See all results for “mandlebrot”")
        see_all.wait_for()
        screenshot(page, "search-palette", full_page=False)
        hit.click()
        page.wait_for_url(f"**/videos/{library['videos']['Mandelbrot Zoom']['id']}")
        page.locator("h1", has_text="Mandelbrot Zoom").wait_for()

        # the last entry of the palette opens the full results, by keyboard
        page.keyboard.press("Control+k")
        page.get_by_role("combobox", name="Search").fill("mandlebrot")
        see_all.wait_for()
        page.keyboard.press("ArrowUp")  # from the first entry, up wraps to the last: "See all results"
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=mandlebrot")
        page.wait_for_function("document.body.dataset.pageReady === 'true' && document.body.dataset.page === 'search'")
        groups = page.locator(".sr-group h2").all_inner_texts()
        assert groups[:1] == ["Performers"] or "Videos" in groups, groups
        assert {"Videos", "Performers"} <= set(groups)
        assert page.locator(".sr-hit", has_text="Mandelbrot Zoom").count() == 1

        # nothing found: the palette says so and still offers the search page
        page.keyboard.press("Control+k")
        page.get_by_role("combobox", name="Search").fill("qwxzv")
        page.get_by_role("option", name="See all results for “qwxzv”").wait_for()
        assert page.locator(".palette-empty").inner_text() == "Nothing matches “qwxzv”."
        page.keyboard.press("Escape")
        watch.assert_clean()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_search_page(served: Any, browser: Any, library: Any, size: str) -> None:
    viewport = PHONE if size == "phone" else VIEWPORTS["desktop"]
    page, watch = new_page(browser, viewport, mobile=size == "phone")
    try:
        page.goto(served.url + "/search")
        assert page.get_by_role("heading", name="Search your library").is_visible()
        assert page.evaluate("document.activeElement.name") == "q", "the empty page puts the cursor in the box"
        screenshot(page, f"search-empty-{size}")

        box = page.get_by_role("searchbox", name=re.compile("Search videos"))
        box.fill("mandel")
        box.press("Enter")
        page.wait_for_url("**/search?q=mandel")
        page.wait_for_function("document.body.dataset.pageReady === 'true'")
        page.locator(".sr-hit", has_text="Mandelbrot Zoom").wait_for()
        page.wait_for_function(THUMBS_LOADED, timeout=15_000)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
        chips = page.locator(".sr-kinds .chip").all_inner_texts()
        assert chips[0] == "All" and {"Videos", "Performers"} <= {c.strip() for c in chips}
        screenshot(page, f"search-results-{size}")

        # keyboard: down from the box walks the results, Enter opens one
        box = page.get_by_role("searchbox", name=re.compile("Search videos"))
        box.focus()
        page.keyboard.press("ArrowDown")
        first = page.evaluate("document.activeElement.classList.contains('sr-hit')")
        assert first, "ArrowDown moves from the box to the first result"
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowUp")
        assert page.evaluate("document.activeElement.name") == "q", "Up from the first result goes back to the box"

        # the kind filter
        page.locator(".sr-kinds .chip", has_text="Performers").click()
        page.wait_for_url("**/search?q=mandel&kind=performer")
        page.wait_for_function("document.body.dataset.pageReady === 'true'")
        assert page.locator(".sr-group h2").all_inner_texts() == ["Performers"]
        assert page.locator(".sr-hit .sr-title").all_inner_texts() == ["Benoit Mandelbrot"]
        page.locator(".sr-hit", has_text="Benoit Mandelbrot").focus()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent").strip().startswith("Benoit Mandelbrot")

        # an alias, with a typo, and nothing found
        page.goto(served.url + "/search?q=agusta")
        assert page.locator(".sr-hit .sr-title").first.inner_text() == "Ada Lovelace"
        page.goto(served.url + "/search?q=qwxzv")
        page.get_by_role("heading", name="Nothing matches “qwxzv”").wait_for()
        screenshot(page, f"search-nothing-{size}")
        watch.assert_clean()
    finally:
        page.context.close()
