"""Collections in headless Chromium on a scanned folder of pictures: create a collection, build its
rules in the rule builder (live preview counts through preview-rules), save, open it, reorder, run
the slideshow with ←/→ and space, and see its mosaic cover on the grid — at phone and desktop size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.ui import api, opened_page, screenshot, wait_for_jobs
from tests.integration.images.media import picture, write_jpeg

pytestmark = pytest.mark.e2e

PHONE = (360, 740)
DESKTOP = (1440, 900)
PICTURES = ["Beach morning", "Beach noon", "Beach night", "Forest", "City lights"]


@pytest.fixture(scope="module")
def library(served: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("collections-e2e") / "Pictures"
    for n, name in enumerate(PICTURES):
        write_jpeg(Path(root, "Trip", f"{name}.jpg"), picture(640, 480, seed=n))
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Pictures"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan", {})
    wait_for_jobs(served.url, timeout=90)
    images = {i["title"]: i for i in api(served.url, "GET", "/api/images?perPage=100")["data"]["items"]}
    assert set(images) == set(PICTURES) and all(i["thumbnailUrl"] for i in images.values())
    api(served.url, "PATCH", f"/api/images/{images['Beach morning']['id']}", {"tagNames": ["Sunny"]})
    return images


def _preview_total(page: Any, expected: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('[data-preview-total]').dataset.total === String(n)", arg=expected
    )


def test_build_rules_preview_save_open_and_slideshow(served: Any, browser: Any, library: dict[str, Any]) -> None:
    with opened_page(browser, DESKTOP) as (page, watch):
        page.goto(served.url + "/collections")
        page.get_by_role("heading", name="No collections yet").wait_for()
        page.get_by_role("button", name="New collection").first.click()
        dialog = page.get_by_role("dialog", name="New collection")
        dialog.get_by_label("Name").fill("Beach days")
        dialog.get_by_label("Dynamic — what rules match").check()
        dialog.get_by_role("button", name="Create").click()
        page.wait_for_url("**/collections/*#rules")
        page.get_by_role("tab", name="Rules", selected=True).wait_for()

        # title contains "beach": three pictures
        builder = page.locator("[data-rule-builder]")
        builder.get_by_role("button", name="Condition").click()
        cond = builder.locator(".co-cond").first
        cond.locator("[data-role=field]").select_option("title")
        cond.locator("[data-role=operator]").select_option("contains")
        cond.locator("[data-role=value]").fill("beach")
        _preview_total(page, 3)
        assert "3 images" in page.locator("[data-preview-counts]").inner_text()
        assert page.locator("[data-preview-items] li").count() == 3

        # and none of: title contains "night" → two
        builder.locator(".co-group-actions").last.get_by_role("button", name="Group").click()
        nested = builder.locator(".co-group.is-nested")
        nested.locator("[data-role=group-op]").select_option("not")
        inner = nested.locator(".co-cond")
        inner.locator("[data-role=field]").select_option("title")
        inner.locator("[data-role=operator]").select_option("contains")
        inner.locator("[data-role=value]").fill("night")
        _preview_total(page, 2)
        titles = page.locator("[data-preview-items] li").all_inner_texts()
        assert [t.strip() for t in titles] == ["Beach morning", "Beach noon"]
        screenshot(page, "collections-rules")

        page.get_by_role("button", name="Save rules").click()
        page.locator(".toast", has_text="Rules saved.").wait_for()
        page.get_by_role("tab", name="Items", selected=True).wait_for()
        items = page.locator("[data-items] [data-item]")
        items.first.wait_for()
        assert [i.get_attribute("data-title") for i in items.all()] == ["Beach morning", "Beach noon"]
        assert "2 items" in page.locator("[data-item-count]").inner_text()

        # reorder with the arrows: kept after a reload
        items.first.get_by_role("button", name="Move Beach morning later").click()
        page.wait_for_timeout(300)
        page.reload()
        assert [i.get_attribute("data-title") for i in page.locator("[data-item]").all()] == [
            "Beach noon", "Beach morning",
        ]  # fmt: skip
        screenshot(page, "collections-detail")

        # edit: name and slideshow settings
        page.get_by_role("button", name="Edit").click()
        edit = page.get_by_role("dialog", name="Edit collection")
        edit.get_by_label("Name").fill("Beach days")
        edit.get_by_label("Seconds per slide").fill("8")
        edit.get_by_role("button", name="Save").click()
        page.locator("[data-show-interval]").wait_for(state="attached")
        page.wait_for_function("() => document.querySelector('[data-show-interval]').value === '8'")

        # drag and drop: the second item dragged onto the first goes back in front
        items = page.locator("[data-item]")
        items.nth(1).drag_to(items.nth(0), target_position={"x": 10, "y": 40})
        page.wait_for_timeout(300)
        page.reload()
        assert [i.get_attribute("data-title") for i in page.locator("[data-item]").all()] == [
            "Beach morning",
            "Beach noon",
        ]

        # slideshow: full screen, ←/→, space pauses
        page.get_by_role("button", name="Slideshow").click()
        show = page.get_by_role("dialog", name="Slideshow")
        show.wait_for()
        position = show.locator("[data-show-position]")
        page.wait_for_function("() => document.querySelector('[data-show-position]').textContent === '1 / 2'")
        assert show.locator("[data-show-title]").inner_text() == "Beach morning"
        page.wait_for_function("() => { const i = document.querySelector('[data-show-image]'); "
                               "return i.complete && i.naturalWidth > 0 }")  # fmt: skip
        box = show.bounding_box()
        assert (box["width"], box["height"]) == (DESKTOP[0], DESKTOP[1]), "fills the viewport"
        page.keyboard.press("ArrowRight")
        assert position.inner_text() == "2 / 2" and show.locator("[data-show-title]").inner_text() == "Beach noon"
        page.keyboard.press("ArrowRight")
        assert position.inner_text() == "1 / 2", "wraps around"
        page.keyboard.press("ArrowLeft")
        assert position.inner_text() == "2 / 2"
        page.keyboard.press(" ")
        assert show.get_attribute("data-playing") == "false"
        screenshot(page, "collections-slideshow", full_page=False)
        page.keyboard.press("Escape")
        assert show.is_hidden()

        # the grid: count and a mosaic cover of the two pictures
        page.locator(".breadcrumbs a", has_text="Collections").click()
        page.wait_for_url("**/collections")
        card = page.locator(".co-card", has_text="Beach days")
        assert "2 items" in card.inner_text() and "Dynamic" in card.inner_text()
        cover = card.locator("img[data-cover]")
        page.wait_for_function("img => img.complete && img.naturalWidth === 640", arg=cover.element_handle())
        screenshot(page, "collections-grid")
        watch.assert_clean()


def test_phone_layout_of_the_grid_rules_and_slideshow(served: Any, browser: Any, library: dict[str, Any]) -> None:
    listed = api(served.url, "GET", "/api/collections")["data"]["items"]
    beach = next(c for c in listed if c["name"] == "Beach days")
    with opened_page(browser, PHONE, mobile=True) as (page, watch):
        page.goto(served.url + "/collections")
        page.locator(".co-card", has_text="Beach days").wait_for()
        screenshot(page, "collections-grid")
        page.goto(f"{served.url}/collections/{beach['id']}#rules")
        page.locator("[data-rule-builder] .co-cond").first.wait_for()
        _preview_total(page, 2)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE[0], f"the rule builder fits a phone ({width}px wide)"
        screenshot(page, "collections-rules")
        # a tag rule: names are suggested while typing; the preview follows (nothing saved)
        builder = page.locator("[data-rule-builder]")
        builder.locator(".co-group-actions").last.get_by_role("button", name="Condition").click()
        tag_rule = builder.locator(":scope > .co-group > .co-children > li").last.locator(".co-cond")
        tag_rule.locator("[data-role=field]").select_option("tags")
        value = tag_rule.locator("[data-role=value]")
        value.press_sequentially("sun")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#co-suggest-tags option')].some(o => o.value === 'Sunny')"
        )
        value.fill("Sunny")
        _preview_total(page, 1)
        page.get_by_role("tab", name="Items").click()
        page.get_by_role("button", name="Slideshow").click()
        page.wait_for_function("() => document.querySelector('[data-show-position]').textContent === '1 / 2'")
        page.get_by_role("button", name="Next (→)").click()
        assert page.locator("[data-show-position]").inner_text() == "2 / 2"
        screenshot(page, "collections-slideshow", full_page=False)
        # playing: it advances by itself at the chosen interval
        page.locator("[data-show-interval]").select_option("2")
        assert page.locator("[data-slideshow]").get_attribute("data-playing") == "true"
        page.wait_for_function(
            "() => document.querySelector('[data-show-position]').textContent === '1 / 2'", timeout=4_000
        )
        watch.assert_clean()


def test_add_to_a_collection_from_a_media_page(served: Any, browser: Any, library: dict[str, Any]) -> None:
    favourites = api(served.url, "POST", "/api/collections", {"name": "Favourites"})["data"]
    forest = library["Forest"]
    with opened_page(browser, DESKTOP) as (page, watch):
        page.goto(f"{served.url}/images/{forest['id']}")
        panel = page.locator("[data-collections-panel]")
        panel.wait_for()
        row = panel.locator("li", has_text="Favourites")
        assert "rules only" in panel.locator("li", has_text="Beach days").inner_text(), "dynamic: no hand-picking"
        row.get_by_role("button", name="Add").click()
        page.locator(".toast", has_text="Added to “Favourites”.").wait_for()
        panel.locator("li", has_text="Favourites").locator(".badge", has_text="in it").wait_for()
        items = api(served.url, "GET", f"/api/collections/{favourites['id']}/items")["data"]["items"]
        assert [(i["entityType"], i["entityId"]) for i in items] == [("image", forest["id"])]
        page.locator("[data-collections-panel] li", has_text="Favourites").get_by_role("button", name="Remove").click()
        page.locator(".toast", has_text="Removed from “Favourites”.").wait_for()
        assert api(served.url, "GET", f"/api/collections/{favourites['id']}")["data"]["itemCount"] == 0
        watch.assert_clean()
