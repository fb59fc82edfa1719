"""Performers, studios and tags in headless Chromium against ``obscura serve``: casting and tagging
from a video's "People & tags" panel (creating new rows and linking them), their pages and the
video panel there, editing a performer, merging two tags, filtering /videos by tag with back and
forward, creating from a grid — at phone (360×740) and desktop sizes, with no console errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import serve_fresh
from tests.e2e.ui import ApiError, api, colour_clip, new_page, screenshot, wait_for_jobs

pytestmark = pytest.mark.e2e

PHONE = (360, 740)
DESKTOP = (1440, 900)
# Only the plugins these pages meet, so the test does not depend on unrelated plugins.
PLUGINS = ("videos", "images", "audio", "taxonomy")


@pytest.fixture(scope="module")
def served(obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``obscura serve`` on a fresh database with the media plugins and the taxonomy."""
    from obscura_core.plugins import BUILTIN_PLUGINS

    data = tmp_path_factory.mktemp("e2e-taxonomy-data")
    others = ",".join(n for n, _ in BUILTIN_PLUGINS if n not in PLUGINS)
    env = {"OBSCURA_WORKERS": "1", "OBSCURA_DISABLE_PLUGINS": others or None}
    with serve_fresh(obscura_service_urls, f"obscura_e2e_tax_{os.getpid()}", 12, data, env) as server:
        yield server



@pytest.fixture(scope="module")
def library(served: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("taxonomy-library")
    colour_clip(root / "Analytical Engine.mp4", "navy", 3)
    colour_clip(root / "Difference Engine.mp4", "maroon", 3)
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Engines"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan")
    wait_for_jobs(served.url, timeout=180)
    videos = {v["title"]: v for v in api(served.url, "GET", "/api/videos?perPage=10")["data"]["items"]}
    assert set(videos) == {"Analytical Engine", "Difference Engine"}, videos.keys()
    return {"videos": videos}


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 60), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def get(served: Any, path: str) -> Any:
    return api(served.url, "GET", path)["data"]


def one(served: Any, plural: str, name: str) -> dict[str, Any]:
    items = [i for i in get(served, f"/api/{plural}?search={name.replace(' ', '%20')}")["items"] if i["name"] == name]
    assert len(items) == 1, f"{plural}: {name} → {items}"
    return items[0]


def pick(panel: Any, row: str, text: str, option: str) -> None:
    """Type ``text`` into one picker of a panel and choose the suggestion that reads ``option``."""
    box = panel.locator(f'[data-part="{row}"] input[role="combobox"]') if row else panel.locator("input[role=combobox]")
    box.click()
    box.fill(text)
    panel.locator('[role="option"]', has_text=option).first.click()


def saved(page: Any, panel: Any) -> None:
    panel.locator(".tx-links-status", has_text="Saved.").wait_for()
    page.wait_for_function("() => !document.querySelector('tax-links-panel.is-busy, .tx-picker.is-busy')")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_cast_and_tag_from_the_video_page(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    video = library["videos"]["Analytical Engine"]
    person = "Ada Lovelace" if size == "phone" else "Charles Babbage"
    tag = "Mathematics" if size == "phone" else "Computing"
    studio = "Lovelace Films" if size == "phone" else "Babbage Works"
    page, watch = new_page(browser, PHONE if size == "phone" else DESKTOP, mobile=size == "phone")
    try:
        page.goto(f"{served.url}/videos/{video['id']}")
        panel = page.locator("tax-links-panel[data-ready]")
        panel.wait_for()
        pick(panel, "performers", person, f"Create “{person}”")
        saved(page, panel)
        pick(panel, "tags", tag, f"Create “{tag}”")
        saved(page, panel)
        pick(panel, "studio", studio, f"Create “{studio}”")
        saved(page, panel)
        detail = get(served, f"/api/videos/{video['id']}")
        assert person in [p["name"] for p in detail["performers"]]
        assert tag in [t["name"] for t in detail["tags"]]
        assert detail["studio"]["name"] == studio
        performer = one(served, "performers", person)
        assert performer["counts"] == {"video": 1}, "the new performer is linked to this video"
        screenshot(page, f"taxonomy-video-panel-{size}")

        # the chips link to the new pages, which list the video through the videos plugin's panel
        panel.locator(f'a:has-text("{person}")').click()
        page.wait_for_url(f"**/performers/{performer['id']}")
        page.wait_for_selector("body[data-page-ready]")
        page.locator("[data-linked-videos] .title", has_text="Analytical Engine").wait_for()
        assert "1 video" in page.locator("[data-counts]").inner_text()
        screenshot(page, f"taxonomy-performer-{size}")
        page.go_back()
        page.locator("tax-links-panel[data-ready]").wait_for()
        tag_row = one(served, "tags", tag)
        page.goto(f"{served.url}/tags/{tag_row['id']}")
        page.locator("[data-linked-videos] .title", has_text="Analytical Engine").wait_for()
        assert page.locator("[data-linked-videos] .title", has_text="Difference Engine").count() == 0
        watch.assert_clean()
    finally:
        page.context.close()


def test_removing_a_chip_and_autocompleting_an_existing_name(
    served: Any, browser: Any, library: dict[str, Any]
) -> None:
    video = library["videos"]["Difference Engine"]
    api(served.url, "POST", "/api/tags", {"name": "Victorian"})
    api(served.url, "PATCH", f"/api/videos/{video['id']}", {"tagNames": ["Steam", "Brass"]})
    page, watch = new_page(browser, DESKTOP)
    try:
        page.goto(f"{served.url}/videos/{video['id']}")
        panel = page.locator("tax-links-panel[data-ready]")
        panel.wait_for()
        panel.locator('[aria-label="Remove Steam"]').click()
        saved(page, panel)
        pick(panel, "tags", "vict", "Victorian")  # an existing tag, found by part of its name
        saved(page, panel)
        names = [t["name"] for t in get(served, f"/api/videos/{video['id']}")["tags"]]
        assert names == ["Brass", "Victorian"]
        assert len([t for t in get(served, "/api/tags?search=victorian")["items"]]) == 1, "no duplicate created"
        box = panel.locator('[data-part="tags"] input[role="combobox"]')
        box.click()
        page.keyboard.press("Backspace")  # the empty box's Backspace removes the last chip
        saved(page, panel)
        assert [t["name"] for t in get(served, f"/api/videos/{video['id']}")["tags"]] == ["Brass"]
        watch.assert_clean()
    finally:
        page.context.close()


def test_edit_a_performer(served: Any, browser: Any, library: dict[str, Any]) -> None:
    created = api(served.url, "POST", "/api/performers", {"name": "Mary Somerville"})["data"]
    page, watch = new_page(browser, DESKTOP)
    try:
        page.goto(f"{served.url}/performers/{created['id']}/edit")
        form = page.locator("[data-edit-form]")
        form.locator('[name="disambiguation"]').fill("scientist")
        form.locator('[name="aliases"]').fill("Mary Fairfax\nQueen of Science")
        form.locator('[name="gender"]').select_option("female")
        form.locator('[name="birthdate"]').fill("1780-12-26")
        form.locator('[name="country"]').fill("Scotland")
        form.locator('[name="height"]').fill("160")
        form.locator('[name="urls"]').fill("https://en.wikipedia.org/wiki/Mary_Somerville")
        form.locator('[name="details"]').fill("Wrote On the Connexion of the Physical Sciences.")
        page.locator("[data-picture-file]").set_input_files({"name": "mary.png", "mimeType": "image/png",
                                                             "buffer": _png()})  # fmt: skip
        page.locator("[data-picture] img").wait_for()
        assert get(served, f"/api/performers/{created['id']}")["imageUrl"], "the upload is saved at once"
        screenshot(page, "taxonomy-performer-edit")
        form.locator("[data-save]").click()
        page.wait_for_url(f"**/performers/{created['id']}")
        page.wait_for_selector("body[data-page-ready]")
        hero = page.locator("#tx-detail")
        for text in ("Mary Somerville", "(scientist)", "Queen of Science", "Female", "26 December 1780", "Scotland",
                     "160 cm", "Connexion"):  # fmt: skip
            assert text in hero.inner_text(), text

        # favourite and rating in one click each
        page.locator("[data-favorite]").click()
        page.locator('[data-favorite][aria-pressed="true"]').wait_for()
        page.locator('[data-star="4"]').click()
        page.locator('[data-star="4"][aria-pressed="true"]').wait_for()
        assert page.locator(".tx-picture img").evaluate("i => i.complete && i.naturalWidth") == 40
        detail = get(served, f"/api/performers/{created['id']}")
        assert detail["favorite"] is True and detail["rating"] == 80
        assert detail["aliases"] == ["Mary Fairfax", "Queen of Science"] and detail["height"] == 160

        # a bad value is refused with the server's message, nothing is lost
        page.goto(f"{served.url}/performers/{created['id']}/edit")
        page.locator('[name="urls"]').fill("not a url")
        page.locator("[data-save]").click()
        page.locator("[data-form-error]", has_text="http").wait_for()
        page.locator("[data-picture-delete]").click()
        page.locator("[data-picture] .tx-initial").wait_for()
        assert get(served, f"/api/performers/{created['id']}")["imageUrl"] is None
        watch.allow(f"/api/performers/{created['id']}", 400)
        watch.assert_clean()
    finally:
        page.context.close()


def test_merge_two_tags(served: Any, browser: Any, library: dict[str, Any]) -> None:
    a, b = library["videos"]["Analytical Engine"], library["videos"]["Difference Engine"]
    api(served.url, "PATCH", f"/api/videos/{a['id']}", {"tagNames": ["Maths"]})
    api(served.url, "PATCH", f"/api/videos/{b['id']}", {"tagNames": ["Arithmetic"]})
    maths, arithmetic = one(served, "tags", "Maths"), one(served, "tags", "Arithmetic")
    page, watch = new_page(browser, PHONE, mobile=True)
    try:
        page.goto(f"{served.url}/tags/{maths['id']}")
        page.locator("[data-merge-open]").click()
        dialog = page.locator("#tx-merge")
        pick(dialog, "", "arith", "Arithmetic")
        dialog.locator("[data-merge-summary]", has_text="Merging into “Arithmetic”").wait_for()
        assert "1 video move" in dialog.inner_text() and "Maths becomes its alias" in dialog.inner_text()
        screenshot(page, "taxonomy-merge-dialog", full_page=False)
        dialog.locator("[data-merge-go]").click()
        page.wait_for_url(f"**/tags/{arithmetic['id']}")
        page.wait_for_selector("body[data-page-ready]")
        assert "Maths" in page.locator(".tx-aliases").inner_text()
        assert "2 videos" in page.locator("[data-counts]").inner_text()
        with pytest.raises(ApiError) as gone:
            get(served, f"/api/tags/{maths['id']}")
        assert gone.value.status == 404
        assert [t["name"] for t in get(served, f"/api/videos/{a['id']}")["tags"]] == ["Arithmetic"]
        watch.assert_clean()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_filter_videos_by_tag(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    a = library["videos"]["Analytical Engine"]
    api(served.url, "PATCH", f"/api/videos/{a['id']}", {"tagNames": ["Punch cards"]})
    page, watch = new_page(browser, PHONE if size == "phone" else DESKTOP, mobile=size == "phone")
    try:
        page.goto(f"{served.url}/videos?view=grid")
        results = page.locator("#results")
        results.locator(".title", has_text="Difference Engine").wait_for()
        if size == "phone":
            page.locator("[data-filters-toggle]").click()
        picker = page.locator('tax-link-filter[data-name="tags"]')
        pick(picker, "", "punch", "Punch cards")
        page.wait_for_url("**/videos?view=grid&tags=Punch+cards")
        page.wait_for_function("() => document.getElementById('results').dataset.rendered === location.search")
        assert results.locator(".title", has_text="Analytical Engine").count() == 1
        assert results.locator(".title", has_text="Difference Engine").count() == 0
        screenshot(page, f"taxonomy-videos-filtered-{size}")
        page.go_back()
        page.wait_for_function("() => document.getElementById('results').dataset.rendered === location.search")
        results.locator(".title", has_text="Difference Engine").wait_for()
        assert picker.locator(".tx-chip").count() == 0, "back restores the control too"
        page.go_forward()
        page.wait_for_function("() => document.getElementById('results').dataset.rendered === location.search")
        picker.locator(".tx-chip", has_text="Punch cards").wait_for()
        picker.locator('[aria-label="Remove Punch cards"]').click()
        page.wait_for_url("**/videos?view=grid")
        results.locator(".title", has_text="Difference Engine").wait_for()
        watch.assert_clean()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_grids_search_create_and_screenshots(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    page, watch = new_page(browser, PHONE if size == "phone" else DESKTOP, mobile=size == "phone")
    try:
        page.goto(f"{served.url}/studios")
        name = f"Analytical Society {size}"
        page.locator("[data-create]").first.click()
        page.locator("#tx-create [name=name]").fill(name)
        page.locator("#tx-create [data-save]").click()
        page.wait_for_url("**/studios/*/edit")
        page.wait_for_selector("body[data-page-ready]")
        studio = one(served, "studios", name)
        page.goto(f"{served.url}/studios/{studio['id']}")
        page.locator("[data-delete]").click()
        page.locator("dialog[open] button[value=ok]", has_text="Delete").click()
        page.wait_for_url(f"{served.url}/studios")
        page.wait_for_selector("body[data-page-ready]")
        with pytest.raises(ApiError) as gone:
            get(served, f"/api/studios/{studio['id']}")
        assert gone.value.status == 404, "deleted after the confirmation"
        page.goto(f"{served.url}/performers")
        cards = page.locator(".tx-card")
        cards.first.wait_for()
        screenshot(page, f"taxonomy-performers-grid-{size}")
        page.locator("[data-grid-form] input[name=search]").fill("ada")
        page.wait_for_url("**/performers?search=ada")
        page.wait_for_function("() => document.querySelectorAll('.tx-card').length === 1")
        assert "Ada Lovelace" in cards.first.inner_text()
        page.goto(f"{served.url}/tags")
        page.locator(".tx-card").first.wait_for()
        screenshot(page, f"taxonomy-tags-grid-{size}")
        page.goto(f"{served.url}/performers/no-such-performer")
        assert page.locator("h1").inner_text() == "This performer does not exist"
        watch.allow("/performers/no-such-performer", 404)
        watch.assert_clean()
    finally:
        page.context.close()
