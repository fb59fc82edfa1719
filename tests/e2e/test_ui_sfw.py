"""The SFW switch in headless Chromium: Shift+S or the shield button turns it on for this device
(a cookie), the server then leaves NSFW rows out of pages, the palette and images; the choice
survives reloads and is per browser."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.ui import VIEWPORTS, api, opened_page, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tags(served: Any) -> dict[str, str]:
    made = {}
    for name, nsfw in (("Sunny Tag", False), ("Secret Tag", True)):
        made[name] = api(served.url, "POST", "/api/tags", {"name": name, "isNsfw": nsfw})["data"]["id"]
    return made


def _palette_titles(page: Any, query: str, expect: str) -> list[str]:
    """The palette's results for ``query`` once ``expect`` is among them."""
    page.keyboard.press("Control+k")
    page.get_by_role("combobox", name="Search").fill(query)
    page.get_by_role("option", name=expect).first.wait_for()
    titles = page.locator("[role=option]").all_inner_texts()
    page.keyboard.press("Escape")
    return titles


def test_shift_s_hides_nsfw_rows_on_the_server(served: Any, browser: Any, tags: dict[str, str]) -> None:
    for name, viewport in VIEWPORTS.items():
        with opened_page(browser, viewport, mobile=name == "phone") as (page, watch):
            page.goto(served.url + "/tags")
            page.get_by_text("Secret Tag").first.wait_for()
            toggle = page.locator("[data-sfw-toggle]").first
            assert toggle.get_attribute("aria-pressed") == "false"

            with page.expect_navigation():
                page.keyboard.press("Shift+S")
            page.wait_for_selector("html[data-sfw='1']")
            assert page.locator("[data-sfw-toggle]").first.get_attribute("aria-pressed") == "true"
            body = page.locator("main").inner_text()
            assert "Sunny Tag" in body and "Secret Tag" not in body
            screenshot(page, "sfw-on")
            status = page.evaluate(
                "async (id) => (await fetch(`/api/tags/${id}`)).status", tags["Secret Tag"]
            )
            assert status == 404, "the API hides it too, not just the page"
            watch.allow(f"/api/tags/{tags['Secret Tag']}", 404)
            assert not any("Secret" in t for t in _palette_titles(page, "tag", "Sunny Tag"))

            page.reload()
            assert page.locator("html").get_attribute("data-sfw") == "1", "kept for this device"
            with page.expect_navigation():
                page.locator("[data-sfw-toggle]").first.click()
            page.get_by_text("Secret Tag").first.wait_for()
            assert page.locator("html").get_attribute("data-sfw") is None
            watch.assert_clean()
