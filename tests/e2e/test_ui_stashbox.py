"""The stashbox plugin's UI in headless Chromium against ``obscura serve`` and a fake stash-box on
loopback (``tests/fixtures/stashbox/server.py``, started by the test): adding an endpoint in Settings
(a URL that is not one said at once, a wrong key's error from Test, the key replaced through Edit,
then Test naming the key's user), identifying a small library where the fake knows one clip by its
oshash, the single match reviewed beside the current values with "new" / "matched" marks on its
performers, studio and tags, "Accept all single matches", and the video and performer pages showing
the new title and the stash-id badges linking to the remote scene and performer — with no console
errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Served, serve_fresh
from tests.e2e.ui import SCREENSHOTS, VIEWPORTS, api, colour_clip, opened_page, screenshot, wait_for_jobs
from tests.fixtures.stashbox.server import FakeStashBox

pytestmark = pytest.mark.e2e

PLUGINS = ("videos", "taxonomy", "metadata", "stashbox")
KEY = "e2e-good-key"
SETTINGS = "[data-stashbox-settings][data-ready]"
IDENTIFY = "[data-identify][data-ready]"


@pytest.fixture(scope="module")
def box() -> Iterator[FakeStashBox]:
    with FakeStashBox(api_key=KEY, user="e2e-tester") as server:
        yield server


@pytest.fixture(scope="module")
def served(obscura_service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``obscura serve`` with the videos, taxonomy, metadata and stashbox plugins only."""
    from obscura_core.plugins import BUILTIN_PLUGINS

    data = tmp_path_factory.mktemp("e2e-stashbox-data")
    others = ",".join(n for n, _ in BUILTIN_PLUGINS if n not in PLUGINS)
    env = {
        "OBSCURA_WORKERS": "1",
        "OBSCURA_DISABLE_PLUGINS": others or None,
        "OBSCURA_STRICT_PLUGINS": "1",
        "OBSCURA_SECRET": "e2e-stashbox-secret",
    }
    with serve_fresh(obscura_service_urls, f"obscura_e2e_stashbox_{os.getpid()}", 7, data, env) as server:
        yield server



def get(served: Served, path: str) -> Any:
    return api(served.url, "GET", path)["data"]


@pytest.fixture(scope="module")
def videos(served: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("e2e-stashbox-library")
    colour_clip(root / "Evening Walk.mp4", "navy")
    colour_clip(root / "Morning Run.mp4", "maroon")
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Walks"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan")
    wait_for_jobs(served.url, timeout=180)
    found = {v["title"]: v for v in get(served, "/api/videos?perPage=10")["items"]}
    assert set(found) == {"Evening Walk", "Morning Run"}, found.keys()
    return {title: get(served, f"/api/videos/{v['id']}") for title, v in found.items()}


@pytest.fixture(scope="module")
def scene(box: FakeStashBox, videos: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The remote scene: it knows "Evening Walk" by its oshash, and nothing else of ours."""
    walk = videos["Evening Walk"]
    assert walk["oshash"], "the scan computed the oshash"
    studio = box.add_studio("Moonlight Studio")
    jane, john = box.add_performer("Jane Roe", gender="FEMALE"), box.add_performer("John Doe", gender="MALE")
    box.add_scene("Morning Run Again", studio=box.add_studio("Other Studio"))  # found by a title search only
    return box.add_scene(
        "Night and Day", code="ND-001", details="Two friends meet at dusk.", date="2021-05-04", duration=2,
        studio=studio, performers=[jane, john], tags=[box.add_tag("Outdoor"), box.add_tag("Romance")],
        fingerprints=[("OSHASH", walk["oshash"], 2)],
    )  # fmt: skip


def endpoint_of(served: Served, box: FakeStashBox) -> dict[str, Any]:
    """The endpoint for the fake (added through the API when a test runs alone)."""
    for item in get(served, "/api/stashbox-endpoints"):
        if item["endpoint"] == box.url:
            return item
    body = {"name": "Fake box", "endpoint": box.url, "apiKey": KEY, "maxRequestsPerMinute": 6000}
    return api(served.url, "POST", "/api/stashbox-endpoints", body)["data"]


def shoot(locator: Any, page: Any, name: str) -> Path:
    """A screenshot of one part of the page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    locator.screenshot(path=str(path))
    return path


def test_add_test_and_edit_an_endpoint_in_settings(served: Served, browser: Any, box: FakeStashBox) -> None:
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        watch.allow("/test", 400)  # the wrong key below, on purpose
        page.goto(f"{served.url}/settings#section-stashbox")
        section = page.locator("#section-stashbox")
        section.locator(SETTINGS).wait_for()
        assert section.get_by_role("heading", name="StashBox", exact=True).count() == 1
        assert section.get_by_text("No StashBox server yet").is_visible()

        section.get_by_role("button", name="Add a server").click()
        dialog = page.get_by_role("dialog", name="Add a StashBox server")
        dialog.wait_for()
        dialog.get_by_label("Name").fill("Fake box")
        url = dialog.get_by_label("GraphQL URL")
        url.fill("fake.example/graphql")
        dialog.get_by_label("API key").fill("wrong-key")
        dialog.get_by_role("button", name="Save").click()
        error = dialog.locator("[data-form-error]")
        error.wait_for()
        assert "starting with http:// or https://" in error.inner_text()
        assert url.get_attribute("aria-invalid") == "true"
        url.fill(box.url)
        assert dialog.get_by_label("Requests per minute").input_value() == "240"
        assert dialog.get_by_label("Send MD5 too (older servers match it)").is_checked()
        dialog.get_by_role("button", name="Save").click()
        dialog.wait_for(state="hidden")
        page.locator(".toast", has_text="Added Fake box").wait_for()

        item = section.locator("li.sb-endpoint", has_text="Fake box")
        item.wait_for()
        shown = item.inner_text()
        assert box.url in shown and "Key set" in shown and "240 requests/min" in shown, shown
        assert "wrong-key" not in page.content(), "the key is never shown"

        # the wrong key: Test says so
        item.get_by_role("button", name="Test Fake box").click()
        result = item.locator("[data-test-result].is-error")
        result.wait_for()
        assert "key" in result.inner_text().lower(), result.inner_text()

        # Edit: the key field is empty (write-only); a new key replaces the stored one
        item.get_by_role("button", name="Edit Fake box").click()
        dialog = page.get_by_role("dialog", name="Edit Fake box")
        dialog.wait_for()
        key = dialog.get_by_label("API key")
        assert key.input_value() == ""
        assert "leave empty to keep it" in (key.get_attribute("placeholder") or "")
        assert dialog.get_by_label("Remove the stored key").is_visible()
        assert dialog.get_by_label("GraphQL URL").input_value() == box.url
        key.fill(KEY)
        dialog.get_by_label("Requests per minute").fill("6000")
        shoot(dialog, page, "stashbox-endpoint-dialog")
        dialog.get_by_role("button", name="Save").click()
        dialog.wait_for(state="hidden")
        page.locator(".toast", has_text="Saved Fake box").wait_for()

        item = section.locator("li.sb-endpoint", has_text="Fake box")
        assert "6000 requests/min" in item.inner_text()
        item.get_by_role("button", name="Test Fake box").click()
        item.locator("[data-test-result].is-ok", has_text="Connected as e2e-tester.").wait_for()
        shoot(section, page, "stashbox-settings")
        watch.assert_clean()

    [made] = get(served, "/api/stashbox-endpoints")
    assert (made["name"], made["apiKeySet"], made["maxRequestsPerMinute"]) == ("Fake box", True, 6000)
    assert box.calls("Me")[-1].headers.get("apikey") == KEY


def test_identify_the_library_and_accept_the_single_match(
    served: Served, browser: Any, box: FakeStashBox, videos: dict[str, Any], scene: dict[str, Any]
) -> None:
    endpoint = endpoint_of(served, box)
    walk = videos["Evening Walk"]
    # one of the scene's performers is known here already: "matched"; the others are "new"
    jane = api(served.url, "POST", "/api/performers", {"name": "Jane Roe"})["data"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(f"{served.url}/")
        page.get_by_role("link", name="StashBox").first.click()
        page.wait_for_url("**/stashbox/identify")
        page.locator(IDENTIFY).wait_for()
        assert page.locator("h1").inner_text() == "Identify with StashBox"
        form = page.locator("[data-identify-form]")
        assert form.get_by_label("Server").input_value() == endpoint["id"]
        assert form.get_by_role("radio", name="Not organized yet").is_checked()
        assert form.get_by_role("radio", name="Fingerprints only").is_checked()
        page.locator("[data-review-empty]").wait_for()

        form.get_by_role("radio", name="All videos").check()
        form.get_by_label("Library folder").select_option(label="Walks")
        form.get_by_role("button", name="Identify").click()
        progress = page.locator('[data-progress][data-state="done"]')
        progress.wait_for(timeout=60_000)
        summary = progress.locator("[data-progress-summary]").inner_text()
        assert "checked 2 videos" in summary and "1 result found" in summary, summary

        review = page.locator("[data-review]")
        group = review.locator(f'[data-group="{walk["id"]}"]')
        group.wait_for()
        assert review.locator("[data-group]").count() == 1, "only the clip the server knows"
        assert group.get_by_role("link", name="Evening Walk").get_attribute("href") == f"/videos/{walk['id']}"
        assert walk["oshash"] in group.locator(".sb-group-meta").inner_text()
        card = group.locator(".md-result")
        card.wait_for()
        assert card.get_by_role("heading", name="Night and Day").count() == 1
        assert "By fingerprint" in card.inner_text() and "Fake box" in card.inner_text()
        title = card.locator('tr[data-field="title"]')
        assert title.locator(".md-col-current").inner_text().strip() == "Evening Walk"
        assert title.locator(".md-col-proposed").inner_text().strip() == "Night and Day"

        page.locator(f'[data-group="{walk["id"]}"][data-marked]').wait_for()
        performers = card.locator('tr[data-field="performers"]')
        assert performers.locator("label", has_text="Jane Roe").locator(".sb-mark").inner_text() == "matched"
        assert performers.locator("label", has_text="John Doe").locator(".sb-mark").inner_text() == "new"
        assert card.locator('tr[data-field="studio"] .sb-mark').inner_text() == "new"
        assert card.locator('tr[data-field="tags"] .sb-mark[data-match="new"]').count() == 2
        singles = review.get_by_role("button", name="Accept 1 single match")
        assert singles.is_enabled()
        screenshot(page, "stashbox-identify-review")

        singles.click()
        confirm = page.get_by_role("dialog", name="Accept 1 single match?")
        confirm.get_by_role("button", name="Accept all").click()
        review.locator("[data-review-status]", has_text="Accepted 1 match.").wait_for(timeout=60_000)
        page.locator("[data-review-empty]").wait_for()
        assert review.locator("[data-group]").count() == 0
        watch.assert_clean()

        # the video's page: the new title, and its stash id linking to the remote scene
        page.goto(f"{served.url}/videos/{walk['id']}")
        page.locator("h1#vp-title", has_text="Night and Day").wait_for()
        panel = page.locator("sb-stash-ids[data-ready]")
        panel.wait_for()
        badge = panel.locator("a.sb-stash-id")
        assert badge.count() == 1
        assert badge.get_attribute("href") == f"{box.base}/scenes/{scene['id']}"
        assert badge.get_attribute("target") == "_blank"
        assert badge.locator(".sb-stash-id-name").inner_text() == "Fake box"
        assert scene["id"] in badge.inner_text()
        shoot(page.locator("section", has=panel).last, page, "stashbox-video-badge")
        watch.assert_clean()

        # a performer the accept created has its stash id too
        [john] = get(served, "/api/performers?search=John%20Doe")["items"]
        page.goto(f"{served.url}/performers/{john['id']}")
        remote_john = next(p["performer"] for p in scene["performers"] if p["performer"]["name"] == "John Doe")
        badge = page.locator("sb-stash-ids[data-ready] a.sb-stash-id")
        badge.wait_for()
        assert badge.get_attribute("href") == f"{box.base}/performers/{remote_john['id']}"
        shoot(page.locator("section", has=page.locator("sb-stash-ids")).last, page, "stashbox-performer-badge")
        # the known performer was linked, not duplicated
        page.goto(f"{served.url}/performers/{jane['id']}")
        page.locator("sb-stash-ids[data-ready] a.sb-stash-id").wait_for()

        # a video the server does not know: no badge, a way to identify it
        other = videos["Morning Run"]
        page.goto(f"{served.url}/videos/{other['id']}")
        none = page.locator("sb-stash-ids[data-ready] [data-stash-none]")
        none.wait_for()
        assert "Not linked to a StashBox scene yet." in none.inner_text()
        link = none.get_by_role("link", name="Identify it with StashBox")
        assert link.get_attribute("href") == f"/stashbox/identify?ids={other['id']}"
        watch.assert_clean()

    detail = get(served, f"/api/videos/{walk['id']}")
    assert (detail["title"], detail["date"], detail["studio"]["name"]) == ("Night and Day", "2021-05-04",
                                                                          "Moonlight Studio")  # fmt: skip
    assert sorted(p["name"] for p in detail["performers"]) == ["Jane Roe", "John Doe"]
    assert len(get(served, "/api/performers?search=Jane%20Roe")["items"]) == 1
    [linked] = get(served, f"/api/stash-ids?entityType=video&entityId={walk['id']}")
    assert (linked["endpoint"], linked["stashId"]) == (box.url, scene["id"])


def test_the_identify_page_of_chosen_videos_on_a_phone(
    served: Served, browser: Any, box: FakeStashBox, videos: dict[str, Any], scene: dict[str, Any]
) -> None:
    endpoint = endpoint_of(served, box)
    run = videos["Morning Run"]
    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        page.goto(f"{served.url}/stashbox/identify?ids={run['id']}&endpoint={endpoint['id']}")
        page.locator(IDENTIFY).wait_for()
        form = page.locator("[data-identify-form]")
        chosen = form.get_by_role("radio", name="The 1 chosen video")
        assert chosen.is_checked() and "Morning Run" in form.locator("[data-scope]").inner_text()
        assert form.get_by_label("Library folder").is_disabled(), "the filters do not apply to chosen videos"
        form.get_by_role("radio", name="Full cascade").check()
        form.get_by_role("button", name="Identify").click()
        progress = page.locator('[data-progress][data-state="done"]')
        progress.wait_for(timeout=60_000)
        assert "checked 1 video, 1 result found" in progress.inner_text(), "by its title, the others having failed"

        # a title match is no single match: it waits for review, one by one
        group = page.locator(f'[data-group="{run["id"]}"][data-marked]')
        group.wait_for()
        card = group.locator(".md-result")
        assert card.get_by_role("heading", name="Morning Run Again").count() == 1
        assert "searchByTitle" in card.inner_text()
        assert card.locator('tr[data-field="studio"] .sb-mark').inner_text() == "new"
        assert page.get_by_role("button", name="Accept all single matches").is_disabled()
        screenshot(page, "stashbox-identify-phone")
        card.get_by_role("button", name="Reject").click()
        page.locator(".toast", has_text="Rejected Morning Run Again").wait_for()
        page.locator(f'[data-group="{run["id"]}"].is-done', has_text="Nothing left to review").wait_for()
        watch.assert_clean()


def test_contribute_a_linked_video_back_from_its_page(
    served: Served, browser: Any, box: FakeStashBox, videos: dict[str, Any], scene: dict[str, Any]
) -> None:
    """The video panel's "Submit fingerprints" sends the linked video's hashes to its scene (once),
    "Submit draft" sends it as a draft with its thumbnail, and the contributions page says so."""
    endpoint = endpoint_of(served, box)
    walk = videos["Evening Walk"]
    if not get(served, f"/api/stash-ids?entityType=video&entityId={walk['id']}"):  # this test alone
        body = {"entityType": "video", "entityId": walk["id"], "endpoint": box.url, "stashId": scene["id"]}
        api(served.url, "POST", "/api/stash-ids", body)
    before = len(box.fingerprint_submissions)
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(f"{served.url}/videos/{walk['id']}")
        panel = page.locator("sb-stash-ids[data-ready]")
        panel.wait_for()
        row = panel.locator(f'[data-contribute-endpoint="{endpoint["id"]}"]')
        row.wait_for()
        row.get_by_role("button", name="Submit fingerprints to Fake box").click()
        result = row.locator('[data-contribute-result][data-state="done"]')
        result.wait_for()
        assert "Submitted" in result.inner_text() and "fingerprint" in result.inner_text(), result.inner_text()
        sent = box.fingerprint_submissions[before:]
        assert sent and {s["scene_id"] for s in sent} == {scene["id"]}
        assert ("OSHASH", walk["oshash"]) in {(s["algorithm"], s["hash"]) for s in sent}
        assert all(isinstance(s["duration"], int) for s in sent)

        # again: nothing is sent twice
        row.get_by_role("button", name="Submit fingerprints to Fake box").click()
        row.locator("[data-contribute-result]", has_text="Already submitted").wait_for()
        assert len(box.fingerprint_submissions) == before + len(sent)

        # a draft, with the thumbnail as its cover when the video has one
        drafts = len(box.drafts)
        row.get_by_role("button", name="Submit a scene draft to Fake box").click()
        link = row.locator("[data-contribute-result] a[data-draft-link]")
        link.wait_for()
        [draft] = box.drafts[drafts:]
        assert link.get_attribute("href") == f"{box.base}/drafts/{draft['id']}"
        assert draft["input"]["id"] == scene["id"]
        assert (draft["image"] is not None) == bool(get(served, f"/api/videos/{walk['id']}")["thumbnailUrl"])
        shoot(page.locator("section", has=panel).last, page, "stashbox-video-contribute")
        watch.assert_clean()

        # the contributions page, linked from the Identify page
        page.goto(f"{served.url}/stashbox/identify")
        page.get_by_role("link", name="Fingerprint contributions").click()
        page.wait_for_url("**/stashbox/contributions")
        page.locator("[data-contributions][data-ready]").wait_for()
        item = page.locator(f'[data-video="{walk["id"]}"]')
        state = item.locator(f'[data-endpoint-id="{endpoint["id"]}"]')
        assert state.get_attribute("data-status") == "submitted"
        assert state.locator("[data-endpoint-state]").inner_text().strip() == "Submitted"
        assert state.get_by_role("button").count() == 0, "nothing left to submit"
        assert walk["oshash"] in item.inner_text()
        screenshot(page, "stashbox-contributions")
        watch.assert_clean()
