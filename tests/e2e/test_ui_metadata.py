"""The metadata plugin's UI in headless Chromium against ``obscura serve`` with a fake metadata source
(``metadata_fake_source.py``, loaded as an ``obscura`` entry point): "Scrape with…" on a video page
(an unknown URL's error inline, a result beside the current values, a tag left out, Accept, and the
page showing the new title, studio, performers and tags once the job has run), the same on a
performer page, and rejecting a result from the review queue — with no console errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Served, serve_fresh
from tests.e2e.metadata_fake_source import BASE
from tests.e2e.ui import SCREENSHOTS, VIEWPORTS, api, colour_clip, opened_page, screenshot, wait_for_jobs

pytestmark = pytest.mark.e2e

# Only the plugins these pages meet, plus the fake source (an entry point of a throwaway distribution).
PLUGINS = ("videos", "taxonomy", "metadata")
ENTRY_POINT = "metadata-e2e-fake"
NIGHT = f"{BASE}/scenes/night-and-day"
SECOND = f"{BASE}/scenes/second-opinion"
PANEL = "md-scrape-panel[data-ready]"


def _distribution(site: Path) -> Path:
    """A folder holding an installed-looking distribution whose ``obscura`` entry point is the fake
    source, for ``PYTHONPATH``: ``obscura serve`` loads plugins from entry points only."""
    info = site / "obscura_metadata_e2e_fake-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: obscura-metadata-e2e-fake\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[obscura]\n{ENTRY_POINT} = tests.e2e.metadata_fake_source\n")
    return site


@pytest.fixture(scope="module")
def served(obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``obscura serve`` with the videos, taxonomy and metadata plugins and the fake source."""
    from obscura_core.plugins import BUILTIN_PLUGINS

    data = tmp_path_factory.mktemp("e2e-metadata-data")
    site = _distribution(tmp_path_factory.mktemp("e2e-metadata-site"))
    repo = Path(__file__).resolve().parents[2]
    others = ",".join(n for n, _ in BUILTIN_PLUGINS if n not in PLUGINS)
    env = {
        "OBSCURA_WORKERS": "1",
        "OBSCURA_DISABLE_PLUGINS": others or None,
        "OBSCURA_LOAD_PLUGINS": ENTRY_POINT,
        "OBSCURA_STRICT_PLUGINS": "1",
        "PYTHONPATH": os.pathsep.join([str(site), str(repo)]),
    }
    with serve_fresh(obscura_service_urls, f"obscura_e2e_meta_{os.getpid()}", 14, data, env) as server:
        yield server



@pytest.fixture(scope="module")
def videos(served: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("e2e-metadata-library")
    colour_clip(root / "Evening Walk.mp4", "navy")
    colour_clip(root / "Morning Run.mp4", "maroon")
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Walks"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan")
    wait_for_jobs(served.url, timeout=180)
    found = {v["title"]: v for v in api(served.url, "GET", "/api/videos?perPage=10")["data"]["items"]}
    assert set(found) == {"Evening Walk", "Morning Run"}, found.keys()
    return found


def get(served: Served, path: str) -> Any:
    return api(served.url, "GET", path)["data"]


def shoot(page: Any, name: str) -> Path:
    """A screenshot of just the "Scrape with…" panel (its card on the page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.locator("section", has=page.locator(PANEL)).last.screenshot(path=str(path))
    return path


def test_scrape_a_video_leave_a_tag_out_and_accept(served: Served, browser: Any, videos: dict[str, Any]) -> None:
    video = videos["Evening Walk"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        watch.allow("/api/fake-sources/site/scrape", 400)  # the unknown URL below, on purpose
        page.goto(f"{served.url}/videos/{video['id']}")
        panel = page.locator(PANEL)
        panel.wait_for()
        assert page.locator(".vp-panel h2", has_text="Scrape with…").count() == 1
        source = panel.get_by_label("Source")
        assert source.input_value() == "/api/fake-sources/site/scrape"
        assert source.locator("option").all_inner_texts() == ["Fake site"]
        method = panel.get_by_label("Method")
        assert method.locator("option").all_inner_texts() == ["Automatic", "From the URL", "From this video's data"]
        scrape = panel.get_by_role("button", name="Scrape", exact=True)

        # not a web address: said at once; an address the site does not know: the API's message, inline
        url = panel.get_by_label("Page URL")
        url.fill("fake.example/scenes")
        scrape.click()
        error = panel.locator("[data-scrape-error]")
        error.wait_for()
        assert "starting with http:// or https://" in error.inner_text()
        assert url.get_attribute("aria-invalid") == "true"
        url.fill(f"{BASE}/scenes/missing")
        scrape.click()
        panel.locator("[data-scrape-error]", has_text="http error 404").wait_for()

        url.fill(NIGHT)
        scrape.click()
        card = panel.locator(".md-result.is-new")
        card.wait_for()
        assert error.is_hidden()
        assert "1 new result." in panel.locator("[data-scrape-status]").inner_text()
        assert card.get_by_role("heading", name="Night & Day").count() == 1
        assert "Fake site" in card.inner_text() and "By URL" in card.inner_text()

        title = card.locator('tr[data-field="title"]')
        assert title.locator(".md-col-current").inner_text().strip() == "Evening Walk"
        assert title.locator(".md-col-proposed").inner_text().strip() == "Night & Day"
        assert title.get_by_role("checkbox", name="Title").is_checked()
        assert card.locator('tr[data-field="studio"] .md-col-proposed').inner_text().strip() == "Moonlight Studio"
        assert card.locator('tr[data-field="image"] img[alt="Proposed image"]').is_visible()
        card.locator('tr[data-field="image"] img[alt="Current image"]').wait_for()  # the video's thumbnail
        tags = card.locator('tr[data-field="tags"]')
        tags.get_by_role("checkbox", name="Drama").uncheck()
        assert tags.get_by_role("checkbox", name="Tags").is_checked(), "the other tags are still applied"
        assert card.locator('tr[data-field="performers"]').get_by_role("checkbox", name="John Doe").is_checked()
        shoot(page, "metadata-panel-results")

        card.get_by_role("button", name="Accept").click()
        # the metadata-import job runs, then the page comes back in place with the new values
        page.locator("h1#vp-title", has_text="Night & Day").wait_for(timeout=60_000)
        page.wait_for_selector("body[data-page-ready]")
        page.locator(".toast", has_text="Applied").first.wait_for()
        links = page.locator("tax-links-panel[data-ready]")
        links.wait_for()
        shown = links.inner_text()
        for name in ("Moonlight Studio", "Jane Roe", "John Doe", "Outdoor", "Romance"):
            assert name in shown, (name, shown)
        assert "Drama" not in shown
        page.locator(PANEL).wait_for()
        assert page.locator(f"{PANEL} .md-result").count() == 0, "nothing pending any more"
        assert "Two friends meet at dusk." in page.locator("#vp-details-text").inner_text()

        # the review queue keeps it, among the accepted results, with what was applied
        page.get_by_role("link", name="Metadata review").first.click()
        page.wait_for_selector("[data-review][data-ready]")
        page.get_by_role("link", name="Accepted").click()
        page.wait_for_url("**/metadata/review?status=accepted")
        done = page.locator(".md-result.is-accepted")
        done.wait_for()
        assert done.get_by_role("link", name="Night & Day").get_attribute("href") == f"/videos/{video['id']}"
        assert done.locator('tr[data-field="tags"] .md-col-use').text_content().strip() == "Applied"
        assert done.get_by_role("button").count() == 0, "nothing left to decide"
        screenshot(page, "metadata-review-accepted", full_page=False)
        watch.assert_clean()

    detail = get(served, f"/api/videos/{video['id']}")
    assert (detail["title"], detail["code"], detail["director"], detail["date"]) == (
        "Night & Day", "ND-001", "Ann Director", "2021-05-04")  # fmt: skip
    assert detail["studio"]["name"] == "Moonlight Studio"
    assert sorted(p["name"] for p in detail["performers"]) == ["Jane Roe", "John Doe"]
    assert sorted(t["name"] for t in detail["tags"]) == ["Outdoor", "Romance"]
    [accepted] = get(served, "/api/scrape-results?status=accepted")["items"]
    assert "image" in accepted["applied"]["fields"] and "tags" in accepted["applied"]["fields"]


def test_reject_a_result_from_the_review_queue(served: Served, browser: Any, videos: dict[str, Any]) -> None:
    video = videos["Morning Run"]
    body = {"videoId": video["id"], "url": SECOND}
    [result] = api(served.url, "POST", "/api/fake-sources/site/scrape", body)["data"]["results"]
    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        page.goto(f"{served.url}/videos/{video['id']}")
        page.locator(f'{PANEL} [data-result="{result["id"]}"]').wait_for()
        shoot(page, "metadata-panel-phone")
        page.goto(f"{served.url}/metadata/review")
        page.wait_for_selector("[data-review][data-ready]")
        assert page.locator("h1").inner_text() == "Metadata review"
        card = page.locator(f'[data-result="{result["id"]}"]')
        card.wait_for()
        assert card.get_by_role("link", name="Morning Run").get_attribute("href") == f"/videos/{video['id']}"
        assert "sceneByURL" in card.inner_text() and "Fake site" in card.inner_text()
        assert "Second Opinion" in card.locator('tr[data-field="title"]').inner_text()
        tab = page.get_by_role("link", name="Pending")
        assert tab.get_attribute("aria-current") == "page"
        pending_before = int(tab.locator(".md-count").inner_text())
        screenshot(page, "metadata-review-phone", full_page=True)

        card.get_by_role("button", name="Reject").click()
        card.wait_for(state="detached")
        page.locator(".toast", has_text="Rejected Second Opinion").wait_for()
        assert int(page.get_by_role("link", name="Pending").locator(".md-count").inner_text()) == pending_before - 1
        assert get(served, f"/api/scrape-results/{result['id']}")["status"] == "rejected"

        page.get_by_role("link", name="Rejected").click()
        page.wait_for_url("**/metadata/review?status=rejected")
        page.wait_for_selector("[data-review][data-ready]")
        rejected = page.locator(f'[data-result="{result["id"]}"]')
        rejected.wait_for()
        assert "Rejected" in rejected.locator(".md-result-meta").inner_text()
        assert rejected.get_by_role("button", name="Reject").count() == 0
        assert rejected.get_by_role("button", name="Accept").count() == 1, "a rejected result may still be accepted"
        watch.assert_clean()


def test_scrape_and_accept_on_a_performer_page(served: Served, browser: Any) -> None:
    made = api(served.url, "POST", "/api/performers", {"name": "Ada Lovelace", "country": "England"})["data"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(f"{served.url}/performers/{made['id']}")
        panel = page.locator(PANEL)
        panel.wait_for()
        assert panel.get_by_label("Source").input_value() == "/api/fake-sources/site/scrape-performer"
        assert panel.get_by_label("Search by name").get_attribute("placeholder") == "Ada Lovelace"
        panel.get_by_label("Page URL").fill(f"{BASE}/people/ada-lovelace")
        panel.get_by_role("button", name="Scrape", exact=True).click()
        card = panel.locator(".md-result.is-new")
        card.wait_for()
        name = card.locator('tr[data-field="name"]')
        assert not name.get_by_role("checkbox", name="Name").is_checked(), "the same name is left alone"
        assert "same" in name.inner_text()
        country = card.locator('tr[data-field="country"]')
        assert country.locator(".md-col-current").inner_text().strip() == "England"
        assert country.get_by_role("checkbox", name="Country").is_checked()
        card.locator('tr[data-field="birthdate"]').get_by_role("checkbox", name="Birthdate").uncheck()
        shoot(page, "metadata-performer-panel")
        card.get_by_role("button", name="Accept").click()
        page.locator(".toast", has_text="Applied").first.wait_for(timeout=60_000)
        page.wait_for_selector("body[data-page-ready]")
        page.locator(".tx-facts", has_text="United Kingdom").wait_for()
        assert "Analytical" in page.locator(".tx-aliases").inner_text()
        watch.assert_clean()

    data = get(served, f"/api/performers/{made['id']}")
    assert (data["country"], data["gender"], data["height"]) == ("United Kingdom", "FEMALE", 165)
    assert data["birthdate"] is None, "the birthdate was left out"
    assert data["aliases"] == ["Analytical Engine Lady"]
