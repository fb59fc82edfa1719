"""Operations, Settings and the dashboard panels in headless Chromium, against a real ``obscura serve``
(built-in ``videos`` plugin, the example ``hello`` plugin, two workers).

The tests of this module share one server and run in order: the Settings test adds the first library
folder through the folder browser; the Operations test scans it (and a generated library) live.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.ui import VIEWPORTS, api, make_video_library, new_page, screenshot, wait_for_jobs

pytestmark = pytest.mark.e2e

LIVE_TIMEOUT_MS = 60_000


def _clip(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-t", "2"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
        timeout=60,
    )
    return path


def _roots(base: str) -> list[dict[str, Any]]:
    return api(base, "GET", "/api/libraries")["data"]


def _shot(page: Any, name: str) -> Path:
    """A full-page screenshot taken from the top (sticky bars then sit where they belong)."""
    page.evaluate("window.scrollTo(0, 0)")
    return screenshot(page, name)


def _pause_live(page: Any) -> None:
    """Stop the page's polling before it closes, so no request is cut off mid-flight."""
    button = page.locator("#toggle-live")
    if button.get_attribute("aria-pressed") != "true":
        button.click()
    page.wait_for_timeout(400)


# --- settings -------------------------------------------------------------------------------


def test_settings_add_a_folder_with_the_browser_and_change_settings(served, browser, tmp_path: Path) -> None:
    base = served.url
    library = tmp_path / "library"
    clips = library / "Clips"
    _clip(clips / "Test clip (2024).mp4")
    (clips / "Extras").mkdir()

    page, watch = new_page(browser, VIEWPORTS["desktop"])
    try:
        page.goto(base + "/settings")
        expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
        expect(page.get_by_text("Add a library folder to get started")).to_be_visible()
        expect(page.locator("#settings-status")).to_have_text("All changes saved.")

        # --- the add-folder dialog and its server-side folder browser
        page.locator("#add-root-button").click()
        dialog = page.get_by_role("dialog", name="Add a library folder")
        expect(dialog).to_be_visible()
        path_field = dialog.get_by_label("Folder", exact=True)
        expect(path_field).to_be_focused()
        expect(path_field).to_have_value("/")  # the browser starts at the server's root folder
        expect(dialog.get_by_role("button", name="tmp", exact=True)).to_be_visible()

        path_field.fill(str(tmp_path))
        path_field.press("Enter")  # opens the typed folder, focus moves into its list
        library_item = dialog.get_by_role("button", name="library", exact=True)
        expect(library_item).to_be_focused()
        expect(dialog.locator("[aria-current=location]")).to_have_text(tmp_path.name)
        library_item.click()
        expect(path_field).to_have_value(str(library))
        expect(dialog.locator("[data-folder-status]")).to_have_text(f"1 sub-folder in {library}")

        clips_item = dialog.get_by_role("button", name="Clips", exact=True)
        clips_item.focus()
        page.keyboard.press("ArrowRight")  # keyboard: open the focused folder
        expect(path_field).to_have_value(str(clips))
        expect(dialog.get_by_role("button", name="Extras", exact=True)).to_be_focused()
        page.keyboard.press("Backspace")  # keyboard: back up, focus returns to where we came from
        expect(path_field).to_have_value(str(library))
        expect(clips_item).to_be_focused()
        dialog.get_by_role("button", name=tmp_path.name).click()  # breadcrumb
        expect(path_field).to_have_value(str(tmp_path))
        dialog.get_by_role("button", name="Up to the parent folder").click()
        expect(path_field).to_have_value(str(tmp_path.parent))
        path_field.fill(str(library))
        path_field.press("Enter")
        clips_item.click()
        expect(path_field).to_have_value(str(clips))

        dialog.get_by_label("Label").fill("Test clips")
        dialog.get_by_role("switch", name="Images").uncheck()
        dialog.get_by_role("button", name="Add folder").click()
        expect(dialog).to_be_hidden()
        expect(page.locator(".toast", has_text="Added “Test clips”")).to_be_visible()
        root_item = page.locator(".root", has_text="Test clips")
        expect(root_item).to_be_visible()
        expect(root_item.locator(".root-path")).to_have_text(str(clips))
        root = next(r for r in _roots(base) if r["label"] == "Test clips")
        assert root["path"] == str(clips) and root["scanImages"] is False and root["scanMovies"] is True

        # --- the server's validation message shows inline: a folder inside an existing root
        watch.allow("/api/libraries", 400)
        page.locator("#add-root-button").click()
        path_field.fill(str(clips / "Extras"))  # typed while the dialog's folder list still loads
        expect(dialog.locator("[data-folder-status]")).not_to_have_text("")
        expect(path_field).to_have_value(str(clips / "Extras"))  # the loaded list does not overwrite it
        dialog.get_by_role("button", name="Add folder").click()
        error = dialog.locator("#add-root-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("is inside the library root")
        expect(path_field).to_have_attribute("aria-invalid", "true")
        _shot(page, "core-settings-add-folder")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()

        # --- a folder switch PATCHes at once
        nsfw = root_item.get_by_role("switch", name="NSFW")
        nsfw.check()
        expect(page.locator(".toast", has_text="“Test clips”: NSFW on.")).to_be_visible()
        expect(page.locator(".root", has_text="Test clips").locator(".badge", has_text="NSFW")).to_be_visible()
        assert next(r for r in _roots(base) if r["id"] == root["id"])["isNsfw"] is True
        page.locator(".root", has_text="Test clips").get_by_role("switch", name="NSFW").uncheck()
        expect(page.locator(".toast", has_text="“Test clips”: NSFW off.")).to_be_visible()

        # --- library settings: only changed fields are sent, errors come back next to the form
        interval = page.get_by_label("Scan interval")
        expect(interval).to_have_attribute("min", "5")
        expect(interval).to_have_attribute("max", "10080")
        interval.fill("90")
        expect(page.locator("#settings-status")).to_have_text("1 unsaved change.")
        with page.expect_request("**/api/settings/library") as sent:
            page.get_by_role("button", name="Save changes").click()
        assert sent.value.method == "PUT" and sent.value.post_data_json == {"scanIntervalMinutes": 90}
        expect(page.locator(".toast", has_text="Saved 1 setting.")).to_be_visible()
        expect(page.locator("#settings-status")).to_have_text("All changes saved.")

        watch.allow("/api/settings/library", 400)
        workers = page.get_by_label("Parallel jobs per queue")
        workers.fill("40")
        page.get_by_role("button", name="Save changes").click()
        save_error = page.locator("#settings-error")
        expect(save_error).to_be_visible()
        expect(save_error).to_contain_text("backgroundWorkerConcurrency")
        expect(save_error).to_contain_text("less than or equal to 16")
        expect(workers).to_have_attribute("aria-invalid", "true")
        expect(workers).to_be_focused()
        page.get_by_role("button", name="Discard").click()
        expect(workers).to_have_value("1")
        expect(save_error).to_be_hidden()

        page.reload()
        expect(page.get_by_label("Scan interval")).to_have_value("90")
        assert api(base, "GET", "/api/settings/library")["data"]["scanIntervalMinutes"] == 90
        expect(page.locator("#phash-backfill")).to_be_visible()  # the videos plugin is loaded
        expect(page.locator("#plugins")).to_contain_text("videos")
        expect(page.locator("#plugins")).to_contain_text("hello")
        _shot(page, "core-settings")
        watch.assert_clean()
    finally:
        page.context.close()

    page, watch = new_page(browser, VIEWPORTS["phone"], mobile=True)
    try:
        page.goto(base + "/settings")
        expect(page.locator(".root", has_text="Test clips")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no horizontal overflow"
        _shot(page, "core-settings")
        page.locator("#add-root-button").click()
        expect(page.get_by_role("dialog", name="Add a library folder").locator(".folder-item").first).to_be_visible()
        shot = _shot(page, "core-settings-add-folder")
        page.screenshot(path=str(shot))  # the dialog as the phone shows it (viewport, not full page)
        page.keyboard.press("Escape")
        watch.assert_clean()
    finally:
        page.context.close()


# --- operations -----------------------------------------------------------------------------


def test_operations_run_a_queue_live_cancel_a_waiting_run_and_see_a_failure(served, browser, tmp_path: Path) -> None:
    base = served.url
    wait_for_jobs(base)  # the previous test's scan
    make_video_library(tmp_path / "Generated")
    api(base, "POST", "/api/libraries", {"path": str(tmp_path / "Generated"), "label": "Generated"})

    page, watch = new_page(browser, VIEWPORTS["desktop"])
    try:
        page.goto(base + "/operations")
        expect(page.get_by_role("heading", name="Operations", level=1)).to_be_visible()
        page.evaluate("window.__sameDocument = true")
        filters = page.get_by_role("search", name="Filter runs")

        # every queue of the loaded plugins, with its plugin and counts
        scan_row = page.locator("#queue-library-scan")
        expect(scan_row).to_contain_text("Scan video folders")
        expect(scan_row).to_contain_text("videos")
        greet_run = page.locator("#run-hello-greet")
        expect(greet_run).to_have_attribute("aria-disabled", "true")
        assert "Nothing to run on demand" in (greet_run.get_attribute("title") or "")

        # --- run a queue: a run appears and completes without a reload
        page.get_by_role("button", name="Run Scan video folders").click()
        expect(page.locator(".toast", has_text="Queued 2 runs of “Scan video folders”.")).to_be_visible()
        scan_run = page.locator("#ops-runs tbody.run", has_text="Scan videos · Generated")
        expect(scan_run).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(scan_run).to_have_attribute("data-status", "completed", timeout=LIVE_TIMEOUT_MS)
        expect(scan_run.locator(".run-status")).to_have_text("Completed")
        expect(page.locator("#ops-runs tbody.run", has_text="Probe · Big Buck Test").first).to_be_visible(
            timeout=LIVE_TIMEOUT_MS
        )
        assert page.evaluate("window.__sameDocument") is True, "the page was not reloaded"

        # --- cancel a waiting run (the preview queue works one video at a time)
        waiting: dict[str, Any] | None = None
        deadline = time.monotonic() + 60
        while waiting is None and time.monotonic() < deadline:
            items = api(base, "GET", "/api/jobs?queue=preview&status=waiting&perPage=10")["data"]["items"]
            if len(items) >= 2:
                waiting = items[0]  # the newest: two runs are ahead of it
            else:
                time.sleep(0.05)
        assert waiting is not None, "the preview queue never had two waiting runs"
        filters.get_by_label("Queue").select_option("preview")
        expect(page).to_have_url(re.compile(r"/operations\?queue=preview$"))
        row = page.locator(f"#run-{waiting['id']}")
        row.get_by_role("button", name=f"Cancel {waiting['targetLabel']}").click()
        expect(page.locator(".toast", has_text=f"Cancelled “{waiting['targetLabel']}”.")).to_be_visible()
        expect(row).to_have_attribute("data-status", "cancelled")
        expect(row.get_by_role("button", name=f"Retry {waiting['targetLabel']}")).to_be_visible()
        assert api(base, "GET", f"/api/jobs/{waiting['id']}")["data"]["status"] == "cancelled"

        wait_for_jobs(base, timeout=180)
        expect(page.locator("#queue-preview .queue-state")).to_have_text("Idle", timeout=LIVE_TIMEOUT_MS)

        # --- a failed run shows its error; the details stay open across refreshes
        failed_id = api(base, "POST", "/api/plugins/hello/greetings", {"name": "   "})["data"]["jobRunId"]
        filters.get_by_label("Queue").select_option("")
        filters.get_by_label("Status").select_option("failed")
        expect(page).to_have_url(re.compile(r"/operations\?status=failed$"))
        failed = page.locator(f"#run-{failed_id}")
        expect(failed).to_have_attribute("data-status", "failed", timeout=LIVE_TIMEOUT_MS)
        details = failed.locator("details.run-error")
        details.locator("summary").click()
        expect(details.locator("pre")).to_contain_text("PermanentJobError: a greeting needs a name")
        expect(page.locator("#queue-hello-greet .queue-state")).to_have_text("Failures")
        # a second failure re-renders the list live: the open error stays open
        api(base, "POST", "/api/plugins/hello/greetings", {"name": "    "})
        expect(page.locator("#ops-runs tbody.run[data-status=failed]")).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
        expect(details).to_have_attribute("open", "")
        _shot(page, "core-operations")

        # back and forward restore the filters (the queue was reset, then the status chosen)
        page.go_back()
        expect(page).to_have_url(re.compile(r"/operations$"))
        expect(filters.get_by_label("Status")).to_have_value("")
        expect(page.locator("#ops-runs tbody.run[data-status=completed]").first).to_be_visible()
        page.go_back()
        expect(page).to_have_url(re.compile(r"/operations\?queue=preview$"))
        expect(filters.get_by_label("Queue")).to_have_value("preview")
        page.go_forward()
        expect(page).to_have_url(re.compile(r"/operations$"))
        expect(filters.get_by_label("Queue")).to_have_value("")
        page.go_forward()
        expect(page).to_have_url(re.compile(r"/operations\?status=failed$"))
        expect(filters.get_by_label("Status")).to_have_value("failed")
        expect(page.locator("#ops-runs tbody.run[data-status=failed]")).to_have_count(2)

        page.get_by_role("button", name="Acknowledge all failed").click()
        expect(page.locator(".toast", has_text="Acknowledged 2 failed runs.")).to_be_visible()
        expect(page.get_by_text("No runs match these filters")).to_be_visible()
        expect(page.locator("#queue-hello-greet .queue-state")).to_have_text("Idle")
        assert page.evaluate("window.__sameDocument") is True
        _pause_live(page)
        watch.assert_clean()
    finally:
        page.context.close()

    page, watch = new_page(browser, VIEWPORTS["phone"], mobile=True)
    try:
        page.goto(base + "/operations")
        expect(page.locator("#ops-runs tbody.run").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no horizontal overflow"
        _shot(page, "core-operations")
        _pause_live(page)
        watch.assert_clean()
    finally:
        page.context.close()


# --- dashboard ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_dashboard_activity_and_system_panels(served, browser, viewport: str) -> None:
    page, watch = new_page(browser, VIEWPORTS[viewport], mobile=viewport == "phone")
    try:
        page.goto(served.url + "/")
        activity = page.locator("section.card", has=page.get_by_role("heading", name="Activity"))
        expect(activity.locator(".activity-stats")).to_be_visible()
        expect(activity.get_by_role("link", name="Open Operations")).to_have_attribute("href", "/operations")
        system = page.locator("section.card", has=page.get_by_role("heading", name="System"))
        facts = system.locator(".system-facts")
        expect(facts).to_be_visible()
        expect(facts.locator("div", has_text="Database")).to_contain_text("Reachable")
        expect(facts.locator("div", has_text="Redis")).to_contain_text("Reachable")
        expect(facts.locator("div", has_text="Workers")).to_contain_text("2 alive")
        expect(facts.locator("div", has_text="ffmpeg")).not_to_contain_text("Not found")

        # the activity panel follows new work without a reload
        completed = activity.locator(".activity-stat", has_text="Completed").locator("dd")
        before = int(completed.inner_text())
        api(served.url, "POST", "/api/plugins/hello/greetings", {"name": f"Panel {viewport}"})
        expect(completed).to_have_text(str(before + 1), timeout=LIVE_TIMEOUT_MS)
        _shot(page, "core-dashboard")
        watch.assert_clean()
    finally:
        page.context.close()
