"""The Scrapers page in headless Chromium against ``obscura serve`` with a local CommunityScrapers
index: search the index, install a scraper (its py_common dependency comes along), disable it, and
uninstall it, as a user would — checking the page, the API and the disk, with no console errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import serve_fresh
from tests.e2e.ui import VIEWPORTS, api, opened_page, screenshot
from tests.integration.scrapers.packs import IndexDir, standard_index

pytestmark = pytest.mark.e2e

ROOT = "[data-scrapers]"


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> IndexDir:
    """A local index folder, as a CommunityScrapers build (``_site``) on disk would be."""
    return standard_index(tmp_path_factory.mktemp("e2e-scrapers-index"))


@pytest.fixture(scope="module")
def served(
    obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory, community: IndexDir
) -> Iterator[Any]:
    """``obscura serve`` with only the scrapers plugin, its index pointing at ``community``."""
    from obscura_core.plugins import BUILTIN_PLUGINS

    data = tmp_path_factory.mktemp("e2e-scrapers-data")
    others = ",".join(n for n, _ in BUILTIN_PLUGINS if n != "scrapers")
    env = {
        "OBSCURA_WORKERS": "1",
        "OBSCURA_DISABLE_PLUGINS": others or None,
        "OBSCURA_SCRAPER_INDEX_URL": str(community.root),
    }
    with serve_fresh(obscura_service_urls, f"obscura_e2e_scrapers_{os.getpid()}", 11, data, env) as server:
        server.data_dir = data  # type: ignore[attr-defined]
        yield server


def _package(served: Any, package_id: str) -> dict[str, Any] | None:
    return next((p for p in api(served.url, "GET", "/api/scrapers/packages")["data"] if p["id"] == package_id), None)


def test_install_disable_and_uninstall_a_scraper(served: Any, browser: Any) -> None:
    scrapers = Path(served.data_dir) / "scrapers"
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(served.url + "/scrapers")
        page.wait_for_selector(ROOT + "[data-ready]")
        box = page.locator(ROOT)
        assert "No scrapers installed yet" in box.locator("[data-installed]").inner_text()
        box.locator('[data-entry="ExampleSite"]').wait_for()
        assert box.locator("[data-entry]").count() == 3
        assert page.locator('nav a[href="/scrapers"]').first.get_attribute("aria-current") == "page"

        box.get_by_role("searchbox", name="Search scrapers by name or id").fill("script")
        page.wait_for_function("() => document.querySelectorAll('[data-available] [data-entry]').length === 1")
        entry = box.locator('[data-entry="ScriptSite"]')
        assert "Requires py_common" in entry.inner_text()
        entry.get_by_role("button", name="Install Script Site").click()

        installed = box.locator("[data-installed]")
        installed.locator('[data-package="ScriptSite"]').wait_for()
        installed.locator('[data-package="py_common"]').wait_for()
        page.locator(".toast", has_text="Installed Script Site (with py_common).").wait_for()
        assert "Library" in installed.locator('[data-package="py_common"]').inner_text()
        entry.locator("[data-installed-badge]").wait_for()
        assert (scrapers / "ScriptSite" / "ScriptSite.yml").is_file() and (scrapers / "py_common").is_dir()
        screenshot(page, "scrapers-installed", full_page=False)

        toggle = installed.get_by_role("switch", name="Enable Script Site")
        assert toggle.is_checked()
        toggle.uncheck()
        page.locator(".toast", has_text="Script Site disabled.").wait_for()
        installed.locator('[data-package="ScriptSite"].is-disabled').wait_for()
        assert not installed.get_by_role("switch", name="Enable Script Site").is_checked()
        assert _package(served, "ScriptSite")["enabled"] is False

        installed.get_by_role("button", name="Uninstall Script Site").click()
        dialog = page.locator("dialog[open]")
        dialog.get_by_text("Uninstall Script Site?").wait_for()
        dialog.get_by_role("button", name="Uninstall").click()
        installed.locator('[data-package="ScriptSite"]').wait_for(state="detached")
        page.locator(".toast", has_text="Uninstalled Script Site.").wait_for()
        box.locator('[data-entry="ScriptSite"]').get_by_role("button", name="Install Script Site").wait_for()
        watch.assert_clean()
    assert _package(served, "ScriptSite") is None and not (scrapers / "ScriptSite").exists()
    assert _package(served, "py_common") is not None  # the library stays until removed on its own


def test_phone_layout(served: Any, browser: Any) -> None:
    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        page.goto(served.url + "/scrapers")
        page.wait_for_selector(ROOT + "[data-ready]")
        page.locator('[data-available] [data-entry="ExampleSite"]').wait_for()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"][0], f"the page scrolls sideways ({width}px)"
        screenshot(page, "scrapers-phone", full_page=False)
        watch.assert_clean()
