"""The Plugins page in headless Chromium against ``obscura serve`` with a community plugin index
served over loopback: search the index, show NSFW entries, install a package, give it its API key,
disable it, update another when the index publishes a new version, register a local folder, see an
install error, remove a package; the Python plugins with the restart banner after an install behind
the server's back (a ``dist-info`` on its ``PYTHONPATH``); SFW mode; the phone layout — checking the
page, the API and the disk, with no console errors."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import serve_fresh
from tests.e2e.ui import VIEWPORTS, api, opened_page, screenshot
from tests.fixtures.pip_plugins.dists import remove_dist, write_dist
from tests.fixtures.plugin_packages.index_server import NEXT, PLUGINS, PluginIndexFixture

pytestmark = pytest.mark.e2e

ROOT = "[data-plugins]"
NSFW_ID = "py-echo"
"""A test package listed in the index as NSFW (shown only with "Show NSFW")."""


@pytest.fixture(scope="module")
def index() -> Iterator[Any]:
    """The community index (six packages, no checksums) plus one NSFW package with a checksum,
    over loopback HTTP; the test changes it as the community would."""
    fixture = PluginIndexFixture.community()
    fixture.add(PLUGINS / NSFW_ID, isNsfw=True, name="Echo After Dark")
    with fixture.serve() as base:
        fixture.base = base  # type: ignore[attr-defined]
        yield fixture


@pytest.fixture(scope="module")
def served(
    obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory, index: Any
) -> Iterator[Any]:
    """``obscura serve`` with only the packages plugin, its index on loopback, and a ``site`` folder
    on its ``PYTHONPATH`` where a test "pip installs" a plugin while it runs."""
    from obscura_core.plugins import BUILTIN_PLUGINS

    data = tmp_path_factory.mktemp("e2e-plugins-data")
    site = tmp_path_factory.mktemp("e2e-plugins-site")
    others = ",".join(n for n, _ in BUILTIN_PLUGINS if n != "packages")
    env = {
        "OBSCURA_WORKERS": "1",
        "OBSCURA_DISABLE_PLUGINS": others or None,
        "OBSCURA_PLUGIN_INDEX_URL": index.base,
        "PYTHONPATH": os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p),
    }
    with serve_fresh(obscura_service_urls, f"obscura_e2e_plugins_{os.getpid()}", 9, data, env) as server:
        server.data_dir = data  # type: ignore[attr-defined]
        server.site = site  # type: ignore[attr-defined]
        yield server


def _package(served: Any, plugin_id: str) -> dict[str, Any] | None:
    return next((p for p in api(served.url, "GET", "/api/plugins/packages")["data"] if p["id"] == plugin_id), None)


def _open(page: Any, served: Any) -> Any:
    page.goto(served.url + "/plugins")
    page.wait_for_selector(ROOT + "[data-loaded]")
    return page.locator(ROOT)


def _index_count(page: Any, n: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('[data-index] [data-entry]').length === {n}")


def test_install_configure_update_and_remove_packages(served: Any, browser: Any, index: Any, tmp_path: Path) -> None:
    plugins_dir = Path(served.data_dir) / "plugins"
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        box = _open(page, served)
        assert page.locator('nav a[href="/plugins"]').first.get_attribute("aria-current") == "page"
        packages = box.locator("[data-packages]")
        assert "No script packages installed yet" in packages.inner_text()
        assert box.locator("[data-restart-banner]").is_hidden()
        assert index.base in box.locator("[data-index-url]").inner_text()

        # the index: six community packages; the NSFW one only when asked for
        _index_count(page, 6)
        assert box.locator(f'[data-entry="{NSFW_ID}"]').count() == 0
        box.get_by_role("switch", name="Show NSFW").check()
        _index_count(page, 7)
        nsfw_entry = box.locator(f'[data-entry="{NSFW_ID}"]')
        assert "NSFW" in nsfw_entry.inner_text() and "Unverified" not in nsfw_entry.inner_text()
        assert "Unverified" in box.locator('[data-entry="tmdb"]').inner_text()  # the index gives no sha256
        box.get_by_role("switch", name="Show NSFW").uncheck()
        _index_count(page, 6)

        box.get_by_role("searchbox", name="Search plugins by name, id, author or description").fill("tmdb")
        _index_count(page, 1)
        entry = box.locator('[data-entry="tmdb"]')
        assert "videoByName" in entry.locator(".pkg-caps").inner_text()

        # install: the package appears, unverified, asking for its key
        entry.get_by_role("button", name="Install The Movie Database").click()
        page.locator(".toast", has_text="Installed The Movie Database 0.1.0.").wait_for()
        item = packages.locator('[data-package="tmdb"]')
        item.wait_for()
        entry.locator("[data-installed-badge]").wait_for()
        assert (plugins_dir / "tmdb" / "manifest.yml").is_file()
        assert item.locator("[data-unverified]").is_visible()
        assert "typescript" in item.locator("[data-runtime]").inner_text()
        status = _package(served, "tmdb")["runtimeStatus"]
        if status:  # e.g. "needs Node.js" where node is missing: shown as a warning
            assert status in item.locator("[data-runtime-status]").inner_text()
        assert "A required key is missing: TMDB API Key (v3 auth)" in item.locator("[data-auth-missing]").inner_text()
        screenshot(page, "plugins-installed", full_page=False)

        # credentials: a password field, a link to get a key, only "set"/"missing" shown
        form = item.locator('[data-auth-form][data-key="TMDB_API_KEY"]')
        assert form.locator("[data-auth-status]").inner_text() == "Missing"
        link = form.get_by_role("link", name="Get a key")
        assert link.get_attribute("href") == "https://www.themoviedb.org/settings/api"
        assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
        key_input = form.get_by_label("TMDB API Key (v3 auth) for The Movie Database")
        assert key_input.get_attribute("type") == "password"
        key_input.fill("tmdb-secret-0123")
        form.get_by_role("button", name="Save TMDB API Key (v3 auth)").click()
        page.locator(".toast", has_text="Saved TMDB API Key (v3 auth).").wait_for()
        item.locator('[data-auth-status="set"]').wait_for()
        assert item.locator("[data-auth-missing]").count() == 0
        assert item.locator("input[type=password]").input_value() == ""
        assert "tmdb-secret-0123" not in page.content()
        saved = _package(served, "tmdb")
        assert saved["authStatus"] == "ok"
        assert saved["authFields"] == [
            {
                "key": "TMDB_API_KEY",
                "label": "TMDB API Key (v3 auth)",
                "required": True,
                "url": "https://www.themoviedb.org/settings/api",
                "status": "set",
            }
        ]

        # disable
        toggle = item.get_by_role("switch", name="Enable The Movie Database")
        assert toggle.is_checked()
        toggle.uncheck()
        page.locator(".toast", has_text="The Movie Database disabled.").wait_for()
        packages.locator('[data-package="tmdb"].is-disabled').wait_for()
        assert _package(served, "tmdb")["enabled"] is False

        # update: install tvdb 0.1.0, the index publishes 0.2.0, check, update
        box.get_by_role("searchbox", name="Search plugins by name, id, author or description").fill("")
        _index_count(page, 6)
        box.locator('[data-entry="tvdb"]').get_by_role("button", name="Install The TVDB").click()
        page.locator(".toast", has_text="Installed The TVDB 0.1.0.").wait_for()
        packages.locator('[data-package="tvdb"]').wait_for()
        updates = box.locator("[data-updates]")
        updates.locator("[data-up-to-date]").wait_for()
        assert "2 packages checked" in updates.inner_text()

        index.folders["tvdb"] = NEXT / "tvdb"
        index.entries["tvdb"] = yaml.safe_load((NEXT / "index-entry.yml").read_text(encoding="utf-8"))
        box.get_by_role("button", name="Check for updates").click()
        row = updates.locator('[data-update="tvdb"]')
        row.wait_for()
        assert "0.1.0 → 0.2.0" in row.inner_text()
        packages.locator('[data-package="tvdb"] [data-update-badge]').wait_for()
        box.locator('[data-entry="tvdb"]').get_by_role("button", name="Update The TVDB").wait_for()
        row.get_by_role("button", name="Update The TVDB").click()
        page.locator(".toast", has_text="Updated The TVDB 0.2.0.").wait_for()
        updates.locator("[data-up-to-date]").wait_for()
        assert _package(served, "tvdb")["version"] == "0.2.0"
        assert packages.locator('[data-package="tvdb"] [data-update-badge]').count() == 0
        assert "seriesCascade" in packages.locator('[data-package="tvdb"] .pkg-caps').inner_text()

        # a local folder, registered in place
        local = tmp_path / "my-echo"
        shutil.copytree(PLUGINS / NSFW_ID, local)
        box.locator("[data-install-from] summary").click()
        box.get_by_role("textbox", name="Local folder", exact=True).fill(str(local))
        box.get_by_role("button", name="Install from folder").click()
        page.locator(".toast", has_text="Installed Py Echo 1.0.0 from the folder.").wait_for()
        echo = packages.locator(f'[data-package="{NSFW_ID}"]')
        echo.wait_for()
        assert "Local folder" in echo.inner_text()
        assert echo.locator("[data-unverified]").count() == 0  # nothing was downloaded to verify
        assert _package(served, NSFW_ID)["installPath"] == str(local.resolve())
        # its only key is optional: no warning, the form stays folded
        assert echo.locator("[data-auth-missing]").count() == 0
        assert echo.locator("[data-auth]").get_attribute("open") is None

        # an install that fails says why, from the error envelope
        watch.allow("/api/plugins/packages", 400)
        box.get_by_role("textbox", name="Zip URL", exact=True).fill(index.base + "/plugins/nope/nope.zip")
        box.get_by_role("button", name="Install from URL").click()
        error = page.locator(".toast.is-error", has_text="The plugin zip could not be downloaded")
        error.wait_for()
        assert "404" in error.inner_text()
        assert box.get_by_role("button", name="Install from URL").is_enabled()

        # remove
        item.get_by_role("button", name="Remove The Movie Database").click()
        dialog = page.locator("dialog[open]")
        dialog.get_by_text("Remove The Movie Database?").wait_for()
        dialog.get_by_role("button", name="Remove").click()
        packages.locator('[data-package="tmdb"]').wait_for(state="detached")
        page.locator(".toast", has_text="Removed The Movie Database.").wait_for()
        box.locator('[data-entry="tmdb"]').get_by_role("button", name="Install The Movie Database").wait_for()
        watch.assert_clean()
    assert _package(served, "tmdb") is None and not (plugins_dir / "tmdb").exists()
    assert local.is_dir()  # removing is the user's business for a local folder


def test_python_plugins_and_the_restart_banner(served: Any, browser: Any) -> None:
    loaded = api(served.url, "GET", "/api/plugins")["data"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        box = _open(page, served)
        python = box.locator("[data-python]")
        assert box.locator("[data-restart-banner]").is_hidden()
        for p in loaded["plugins"]:  # entry-point plugins in the list, the built-ins folded away
            row = python.locator(f'[data-python-plugin="{p["name"]}"]')
            assert row.count() == 1, p["name"]
            if p["kind"] == "external":
                assert row.is_visible() and f"{len(p['hooks'])} hook" in row.inner_text()
        builtins = python.locator("[data-builtins]")
        assert python.locator('[data-python-plugin="packages"]').is_hidden()
        builtins.locator("summary").click()
        assert python.locator('[data-python-plugin="packages"]').is_visible()
        assert "Built-in" in python.locator('[data-python-plugin="packages"]').inner_text()

        # `obscura install` while the server runs: its environment now has a plugin it did not load
        write_dist(Path(served.site), "obscura-fresh", "1.2.0", {"fresh": "obscura_fresh.plugin"})
        try:
            box = _open(page, served)
            banner = box.locator("[data-restart-banner]")
            assert banner.is_visible()
            assert "Restart obscura serve to load 1 newly installed plugin." in banner.inner_text()
            assert "installed fresh obscura-fresh 1.2.0" in " ".join(banner.locator("li").first.inner_text().split())
            assert box.locator('[data-python-plugin="fresh"]').count() == 0  # not loaded until then
            screenshot(page, "plugins-restart", full_page=False)
        finally:
            remove_dist(Path(served.site), "obscura-fresh")
        box = _open(page, served)
        assert box.locator("[data-restart-banner]").is_hidden()
        watch.assert_clean()


def test_sfw_mode_hides_nsfw_plugins(served: Any, browser: Any) -> None:
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.context.add_cookies([{"name": "obscura_sfw", "value": "1", "url": served.url}])
        box = _open(page, served)
        assert box.get_by_role("switch", name="Show NSFW").count() == 0
        _index_count(page, 6)
        assert box.locator(f'[data-entry="{NSFW_ID}"]').count() == 0
        watch.assert_clean()


def test_phone_layout(served: Any, browser: Any) -> None:
    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        _open(page, served)
        page.locator('[data-index] [data-entry="tmdb"]').wait_for()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"][0], f"the page scrolls sideways ({width}px)"
        screenshot(page, "plugins-phone", full_page=False)
        watch.assert_clean()
