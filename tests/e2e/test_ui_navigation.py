"""Soft navigation: pages swap inside the shell (no reload), page modules mount and unmount, the
back button works, and the example plugin's page module follows the contract."""

from __future__ import annotations

import pytest

from tests.e2e.ui import VIEWPORTS, opened_page

pytestmark = pytest.mark.e2e


def _same_document(page) -> bool:
    return page.evaluate("window.__stayed === 42")


def test_links_swap_pages_without_reloading(served, browser) -> None:
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(served.url + "/")
        page.evaluate("window.__stayed = 42")

        page.locator(".sidebar a", has_text="Greetings").click()
        page.wait_for_url("**/hello")
        page.get_by_role("heading", name="Greetings").wait_for()
        assert _same_document(page), "following a link kept the document (the shell was not reloaded)"
        assert page.title().startswith("Greetings")
        assert page.locator('.sidebar a[aria-current="page"]').inner_text().strip() == "Greetings"

        # the page module is mounted: its form works and its document-level shortcut is live
        page.get_by_label("Name").fill("Ada")
        page.get_by_role("button", name="Greet").click()
        page.locator(".greetings li", has_text="Hello, Ada!").wait_for(timeout=20_000)
        page.locator("h1").click()
        page.keyboard.press("g")
        assert page.evaluate("document.activeElement.name") == "name"

        page.locator(".sidebar a", has_text="Home").click()
        page.wait_for_url(served.url + "/")
        assert _same_document(page)
        page.locator("h1").first.click()
        page.keyboard.press("g")
        assert page.evaluate("document.activeElement.tagName") != "INPUT", "leaving the page removed its shortcut"

        page.go_back()
        page.wait_for_url("**/hello")
        page.locator(".greetings li", has_text="Hello, Ada!").wait_for()
        assert _same_document(page), "back swaps the page too"
        page.go_forward()
        page.wait_for_url(served.url + "/")
        assert _same_document(page)

        # the palette's results navigate the same way
        page.keyboard.press("Control+k")
        page.get_by_role("combobox", name="Search").fill("Greetings")
        page.get_by_role("option", name="Greetings").first.click()
        page.wait_for_url("**/hello")
        assert _same_document(page)
        watch.assert_clean()


def test_modified_clicks_and_api_links_are_left_to_the_browser(served, browser) -> None:
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(served.url + "/")
        page.wait_for_load_state("networkidle")  # the page's own scripts are in: leaving cuts nothing off
        page.evaluate("window.__stayed = 42")
        # a link to JSON is a real navigation (the API is not a page)
        page.evaluate(
            "document.querySelector('.page').insertAdjacentHTML('beforeend', '<a id=raw href=\"/api/health\">raw</a>')"
        )
        page.locator("#raw").click()
        page.wait_for_url("**/api/health")
        assert page.evaluate("window.__stayed") is None
        watch.allow("/favicon.ico", 404)
        watch.assert_clean()
