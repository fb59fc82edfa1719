"""Typed metadata in headless Chromium against ``obscura serve``: a series scanned from disk (season 1
with two episodes, season 2 with one), the ``py-series`` script plugin registered from its folder,
and on the series page "Identify with…" Py Series: the typed card with the remote values beside the
current ones, the image candidates (served on loopback), another candidate chosen with "Use this
one", the cascade drawer where season 3 and the remote-only episodes are "not in your library",
season 2 unticked, Accept — and once the ``metadata-import`` job has run, the page shows the remote
titles of season 1's episodes only, with no console errors."""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Served, serve_fresh
from tests.e2e.ui import SCREENSHOTS, VIEWPORTS, api, colour_clip, opened_page, wait_for_jobs

pytestmark = pytest.mark.e2e

PLUGINS = ("videos", "taxonomy", "metadata", "packages")
PY_SERIES = Path(__file__).resolve().parents[1] / "fixtures" / "plugin_packages" / "plugins" / "py-series"
PANEL = "md-scrape-panel[data-ready]"
EPISODES = {(1, 1): "navy", (1, 2): "maroon", (2, 1): "olive"}


@pytest.fixture(scope="module")
def served(obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``obscura serve`` with the videos, taxonomy, metadata and packages plugins only."""
    from obscura_core.plugins import BUILTIN_PLUGINS

    data = tmp_path_factory.mktemp("e2e-typed-data")
    others = ",".join(n for n, _ in BUILTIN_PLUGINS if n not in PLUGINS)
    env = {"OBSCURA_WORKERS": "1", "OBSCURA_DISABLE_PLUGINS": others or None, "OBSCURA_STRICT_PLUGINS": "1"}
    with serve_fresh(obscura_service_urls, f"obscura_e2e_typed_{os.getpid()}", 13, data, env) as server:
        yield server


@pytest.fixture(scope="module")
def images() -> Iterator[str]:
    """A loopback server answering a JPEG for any ``/<name>.jpg`` (the plugin's image candidates)."""
    from PIL import Image

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            out = io.BytesIO()
            Image.new("RGB", (68, 100), "teal").save(out, "JPEG")
            body = out.getvalue()
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()



def get(served: Served, path: str) -> Any:
    return api(served.url, "GET", path)["data"]


@pytest.fixture(scope="module")
def show(served: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The series "My Show" scanned from disk, and the ``py-series`` plugin registered in place."""
    root = tmp_path_factory.mktemp("e2e-typed-library")
    for (season, episode), colour in EPISODES.items():
        colour_clip(root / "My Show" / f"Season 0{season}" / f"My Show S0{season}E0{episode}.mp4", colour)
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Shows"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan")
    wait_for_jobs(served.url, timeout=180)
    [series] = get(served, "/api/series")["items"]
    api(served.url, "POST", "/api/plugins/packages", {"localPath": str(PY_SERIES)})
    return get(served, f"/api/series/{series['id']}")


def _titles(series: dict[str, Any]) -> dict[tuple[int, int], str]:
    return {(s["seasonNumber"], e["episodeNumber"]): e["title"] for s in series["seasons"] for e in s["episodes"]}


def shoot(page: Any, name: str) -> Path:
    """A screenshot of just the panel (its card on the page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.locator("section", has=page.locator(PANEL)).last.screenshot(path=str(path))
    return path


def test_identify_a_series_and_accept_season_one_only(
    served: Served, browser: Any, show: dict[str, Any], images: str
) -> None:
    before = _titles(show)
    assert set(before) == set(EPISODES), before
    sent: list[dict[str, Any]] = []

    def with_image_base(route: Any) -> None:
        """The browser's scrape, with the loopback image server as the plugin's image base."""
        body = json.loads(route.request.post_data or "{}")
        body["input"] = {**(body.get("input") or {}), "imageBase": images}
        sent.append(body)
        route.continue_(post_data=json.dumps(body))

    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.route("**/api/plugins/py-series/scrape", with_image_base)
        page.goto(f"{served.url}/series/{show['id']}")
        panel = page.locator(PANEL)
        panel.wait_for()
        source = panel.get_by_label("Identify with…")
        assert source.locator("option").all_inner_texts() == ["Py Series"]
        source.select_option(label="Py Series")
        method = panel.get_by_label("Method")
        assert method.locator("option").all_inner_texts() == [
            "Automatic", "Search series by name", "Search by folder name", "Series, with seasons and episodes",
            "Folder, with seasons and episodes",
        ]  # fmt: skip
        panel.get_by_role("button", name="Identify", exact=True).click()

        card = panel.locator("md-typed-result[data-ready] .md-result.is-new")
        card.wait_for()
        assert sent and sent[0]["entityType"] == "series" and sent[0]["entityId"] == show["id"]
        assert "Py Series" in card.inner_text() and "seriesByName" in card.inner_text()
        title = card.locator('tr[data-field="title"]')
        assert title.locator(".md-col-current").inner_text().strip() == show["title"]
        assert title.get_by_role("checkbox", name="Title").is_checked()
        cast = card.locator('tr[data-field="cast"] .md-col-proposed').inner_text()
        assert "Ada Remote as Lead" in " ".join(cast.split())
        posters = card.locator('.md-image-pickers [data-image-slot="poster"]')
        assert posters.get_by_role("radio", name="Poster 1, 680×1000").is_checked()

        # not the right series: the other candidate, which replaces this result
        first_id = card.get_attribute("data-result")
        card.get_by_role("button", name="Use My Show (2005) (2005)").click()
        card = panel.locator("md-typed-result[data-ready] .md-result.is-new")
        page.wait_for_function(
            "id => { const c = document.querySelector('md-scrape-panel .md-result.is-new');"
            " return c && c.dataset.result !== id; }", arg=first_id,
        )  # fmt: skip
        assert sent[-1]["input"]["externalIds"] == {"tmdb": "456"}
        assert "456" in card.locator('tr[data-field="externalIds"]').inner_text()
        assert card.locator(".md-candidates").count() == 0
        assert get(served, f"/api/scrape-results/{first_id}")["status"] == "rejected"

        # a poster other than the first, no backdrop
        card.locator('.md-image-pickers [data-image-slot="poster"]').get_by_role("radio", name="Poster 2").check()
        card.locator('[data-image-slot="backdrop"]').get_by_role("radio", name="None").check()
        card.locator('tr[data-field="tagline"]').get_by_role("checkbox", name="Tagline").uncheck()

        drawer = card.locator("details[data-cascade]")
        assert "2 of 3 seasons and 3 of 7 episodes in your library" in drawer.locator("summary").inner_text()
        drawer.locator("summary").click()
        one, two, three = (card.locator(f'[data-season="{n}"]') for n in (1, 2, 3))
        assert one.get_by_role("checkbox", name="Accept S01E02").is_checked()
        assert "Not in your library" in one.locator('[data-episode="3"]').inner_text()
        assert one.locator('[data-episode="3"] input').count() == 0, "a remote-only episode cannot be accepted"
        assert "Not in your library" in three.inner_text() and three.locator("input").count() == 0
        two.get_by_role("checkbox", name="Accept Season 2").uncheck()
        assert two.get_by_role("checkbox", name="Accept S02E01").is_disabled()
        shoot(page, "metadata-typed-series")
        width, height = VIEWPORTS["phone"]
        page.set_viewport_size({"width": width, "height": height})
        shoot(page, "metadata-typed-series")
        width, height = VIEWPORTS["desktop"]
        page.set_viewport_size({"width": width, "height": height})

        card.get_by_role("button", name="Accept").click()
        # the metadata-import job runs, then the page comes back in place with the new titles
        page.locator("#sx-title", has_text="My Show").wait_for()
        page.locator(".sx-ep-title", has_text="Remote S01E01 title").wait_for(timeout=60_000)
        page.wait_for_selector("body[data-page-ready]")
        page.locator(".toast", has_text="Applied").first.wait_for()
        shown = page.locator(".sx-ep-title").all_text_contents()
        assert sorted(t.strip() for t in shown) == sorted(
            ["Remote S01E01 title", "Remote S01E02 title", before[(2, 1)]]
        ), shown
        assert "Remote overview of My Show." in page.locator(".sx-overview").first.inner_text()
        page.locator(PANEL).wait_for()
        assert page.locator(f"{PANEL} .md-result").count() == 0, "nothing pending any more"
        watch.assert_clean()

    after = get(served, f"/api/series/{show['id']}")
    assert _titles(after) == {(1, 1): "Remote S01E01 title", (1, 2): "Remote S01E02 title", (2, 1): before[(2, 1)]}
    assert after["externalIds"] == {"tmdb": "456"}
    assert after["tagline"] is None, "the tagline was unticked"
    assert "poster" in after["artwork"] and "backdrop" not in after["artwork"]
    season2 = next(s for s in after["seasons"] if s["seasonNumber"] == 2)
    assert season2["posterUrl"] is None and season2["overview"] is None
    [accepted] = get(served, "/api/scrape-results?status=accepted")["items"]
    assert accepted["applied"]["fields"]
