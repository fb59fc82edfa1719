"""Core pages through the real app on real PostgreSQL/Redis: Operations, Settings, their htmx fragments
and the dashboard's Activity and System panels, for empty and non-empty states."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint

from plugin_sdk import Panel, SettingsSection, hookimpl
from plugin_sdk.jobs import enqueue_job, enqueue_jobs
from tests.integration import jobplugin

pytestmark = pytest.mark.integration

SECTION_TEMPLATE = '<p class="pagestest-section">Greeting style: {{ section.title }}</p>'
BROKEN_TEMPLATE = "<p>{{ no_such_variable.attribute }}</p>"


def make_pages_plugin(template_dir: Path) -> types.ModuleType:
    """A throwaway plugin with a settings section, a broken section and a root problem report."""
    (template_dir / "pagestest").mkdir(parents=True, exist_ok=True)
    (template_dir / "pagestest" / "section.html").write_text(SECTION_TEMPLATE)
    (template_dir / "pagestest" / "broken.html").write_text(BROKEN_TEMPLATE)
    mod = types.ModuleType("pagestest_plugin")

    @hookimpl
    def obscura_blueprints() -> list[Blueprint]:
        return [Blueprint("pagestest", "pagestest_plugin", template_folder=str(template_dir))]

    @hookimpl
    def obscura_settings_sections() -> list[SettingsSection]:
        return [
            SettingsSection("pagestest-broken", "Broken section", "pagestest/broken.html", order=20),
            SettingsSection("pagestest", "Greetings", "pagestest/section.html", order=10),
        ]

    @hookimpl
    def obscura_system_status(db: Any) -> dict[str, Any]:
        from sqlalchemy import select

        from plugin_sdk.models import LibraryRoot

        ids = db.execute(select(LibraryRoot.id)).scalars().all()
        return {"rootProblems": [{"rootId": i, "problem": "the folder is empty", "at": None} for i in ids]}

    @hookimpl
    def obscura_panels(entity_type: str) -> list[Panel]:
        return []

    for fn in (obscura_blueprints, obscura_settings_sections, obscura_system_status, obscura_panels):
        setattr(mod, fn.__name__, fn)
    return mod


@pytest.fixture
def obscura_plugins(tmp_path: Path) -> dict:
    return {
        "plugins": [("jobtest", jobplugin), ("pagestest", make_pages_plugin(tmp_path / "templates"))],
        "builtins": (),
        "load_entrypoints": False,
    }


def _html(resp, status: int = 200) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)[:2000]
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def _since(html: str, input_id: str) -> str:
    match = re.search(rf'id="{input_id}" value="([0-9a-f]+)"', html)
    assert match, f"no #{input_id} digest in the fragment"
    return match.group(1)


def _enqueue(runtime: Any, queue: str, payload: dict, target: str, label: str | None = None) -> str:
    with runtime.session() as db:
        run_id = enqueue_job(db, queue, payload, target_type="item", target_id=target, target_label=label)
        db.commit()
    return run_id


# --- navigation and dashboard ---------------------------------------------------------------


def test_nav_and_dashboard_panels(client) -> None:
    html = _html(client.get("/"))
    system_nav = html.split('aria-label="System"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/operations"' in system_nav and 'href="/settings"' in system_nav
    assert system_nav.index("/operations") < system_nav.index("/settings"), "Operations (90) before Settings (95)"
    assert 'hx-get="/fragments/panels/activity"' in html and 'hx-get="/fragments/panels/system"' in html
    assert html.index("/fragments/panels/activity") < html.index("/fragments/panels/system"), "Activity (30) first"
    # the active nav entry
    assert 'href="/operations" data-nav-command="Operations" aria-current="page"' in _html(client.get("/operations"))


def test_stylesheet_bundle_includes_the_core_pages_css(client) -> None:
    html = _html(client.get("/settings"))
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    css = client.get(href).get_data(as_text=True)
    assert ".queue-table" in css and ".folder-browser" in css


# --- operations -----------------------------------------------------------------------------


def test_operations_page_empty(client) -> None:
    html = _html(client.get("/operations"))
    assert "<h1>Operations</h1>" in html
    assert 'data-page-module="/static/pages/operations.js"' in html
    for label in ("Echo", "Always fails", "Fails for good", "Sleeps", "Chains", "Scans a root"):
        assert re.search(rf'data-filter-link\s+title="Show the runs of this queue">{label}</a>', html)
    assert "No background work yet" in html
    # the runnable queue has a live Run button, the others are disabled with an explanation
    run_ok = re.search(r'<button[^>]*id="run-test-ok"[^>]*>', html, re.S).group(0)
    assert "aria-disabled" not in run_ok
    run_flaky = re.search(r'<button[^>]*id="run-test-flaky"[^>]*>', html, re.S).group(0)
    assert 'aria-disabled="true"' in run_flaky and "Nothing to run on demand" in run_flaky
    cancel = re.search(r'<button[^>]*id="cancel-test-ok"[^>]*>', html, re.S).group(0)
    assert 'aria-disabled="true"' in cancel
    # live regions poll their fragment routes with their digest
    assert 'hx-get="/fragments/operations/queues" hx-trigger="every 2s, refresh"' in html
    assert 'hx-include="#runs-filter, #runs-since"' in html
    assert 'id="ops-status" class="sr-only" role="status" aria-live="polite"' in html


def test_runs_list_filters_and_unknown_filters_are_ignored(client, runtime, run_jobs) -> None:
    assert client.post("/api/jobs/queues/test-ok/run", json={}).get_json()["data"]["count"] == 3
    html = _html(client.get("/fragments/operations/runs"))
    assert "Showing 1–3 of 3 runs" in html
    for i in range(3):
        assert f"item {i}" in html
    assert html.count('data-status="waiting"') == 3 and html.count('data-action="cancel-run"') == 3
    assert "0 / 15" in html and 'role="progressbar"' in html

    assert "No runs match these filters" in _html(client.get("/fragments/operations/runs?queue=test-flaky"))
    assert "No completed runs" in _html(client.get("/fragments/operations/runs?status=completed"))
    # a fragment never answers 4xx: bad filters are ignored
    assert "Showing 1–3 of 3" in _html(client.get("/fragments/operations/runs?queue=nope&status=exploded&page=abc"))
    page = _html(client.get("/operations?queue=nope&status=waiting"))
    assert "Showing 1–3 of 3" in page and '<option value="waiting" selected>' in page

    run_jobs()
    done = _html(client.get("/fragments/operations/runs?queue=test-ok&status=completed"))
    assert done.count('data-status="completed"') == 3 and "Completed" in done and "1 / 15" in done
    assert 'data-action="cancel-run"' not in done and 'data-action="retry-run"' not in done
    queues = _html(client.get("/fragments/operations/queues"))
    row = queues.split('data-queue="test-ok"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num count count-completed" data-label="done">3</td>' in row and "Idle" in row


def test_failed_and_waiting_runs_show_errors_and_actions(client, runtime, run_jobs) -> None:
    failed_id = _enqueue(runtime, "test-permanent", {}, "p", "Broken file")
    run_jobs()
    waiting_id = _enqueue(runtime, "test-ok", {"value": 1}, "w", "Waiting item")
    html = _html(client.get("/operations"))
    failed = html.split(f'id="run-{failed_id}"', 1)[1].split("</tbody>", 1)[0]
    assert "badge-danger" in failed and "Failed" in failed
    assert f'<details class="run-error" id="err-{failed_id}-1" hx-preserve>' in failed
    assert "PermanentJobError: this file is not a video" in failed
    assert 'data-action="retry-run"' in failed and 'data-action="cancel-run"' not in failed
    waiting = html.split(f'id="run-{waiting_id}"', 1)[1].split("</tbody>", 1)[0]
    assert 'data-action="cancel-run"' in waiting and "Waiting item" in waiting
    # failures surface on the queue card and globally
    assert 'id="ack-all"' in html and 'id="ack-test-permanent"' in html and ">Failures</span>" in html
    assert 'data-summary="0 running, 1 waiting, 1 failed"' in html

    assert client.post("/api/jobs/acknowledge-failed", json={}).get_json()["data"]["count"] == 1
    after = _html(client.get("/fragments/operations/queues"))
    assert 'id="ack-all"' not in after and ">Failures</span>" not in after
    dismissed = _html(client.get("/fragments/operations/runs?status=dismissed"))
    assert "Dismissed" in dismissed and 'data-action="retry-run"' in dismissed


def test_runs_are_paged_by_fifty_newest_first(client, runtime) -> None:
    with runtime.session() as db:
        items = [({"value": i}, "item", f"bulk-{i:03d}", f"Bulk {i:03d}") for i in range(120)]
        assert enqueue_jobs(db, "test-ok", items) == 120
        db.commit()
    first = _html(client.get("/fragments/operations/runs"))
    assert "Showing 1–50 of 120 runs" in first and "Page 1 of 3" in first
    assert first.count('class="run"') == 50
    assert 'href="/operations?page=2"' in first and 'id="pager-prev"' not in first
    last = _html(client.get("/fragments/operations/runs?page=3&queue=test-ok"))
    assert "Showing 101–120 of 120" in last and 'href="/operations?queue=test-ok&amp;page=2"' in last
    assert "Page 3 of 3" in _html(client.get("/fragments/operations/runs?page=99")), "clamped to the last page"


def test_fragments_answer_204_while_nothing_changed(client, runtime) -> None:
    for path, input_id in (
        ("/fragments/operations/queues", "queues-since"),
        ("/fragments/operations/runs", "runs-since"),
    ):
        digest = _since(_html(client.get(path)), input_id)
        unchanged = client.get(f"{path}?since={digest}")
        assert unchanged.status_code == 204 and unchanged.data == b""
    runs_digest = _since(_html(client.get("/fragments/operations/runs")), "runs-since")
    _enqueue(runtime, "test-ok", {"value": 2}, "fresh", "Fresh item")
    changed = _html(client.get(f"/fragments/operations/runs?since={runs_digest}"))
    assert "Fresh item" in changed


# --- dashboard panels -----------------------------------------------------------------------


def test_activity_panel_empty_busy_and_unchanged(client, runtime) -> None:
    html = _html(client.get("/fragments/panels/activity"))
    assert "All 6 queues are idle." in html
    assert 'hx-trigger="every 3s [!document.hidden]"' in html and 'hx-swap="outerHTML"' in html
    assert 'id="activity-status" class="sr-only" role="status" aria-live="polite"' in html
    assert 'href="/operations"' in html
    digest = re.search(r'"since": "([0-9a-f]+)"', html).group(1)
    assert client.get(f"/fragments/panels/activity?since={digest}&said=x").status_code == 204

    _enqueue(runtime, "test-ok", {"value": 1}, "a", "Activity item")
    busy = _html(client.get(f"/fragments/panels/activity?since={digest}&said=0 running, 0 waiting"))
    assert "Echo" in busy and "1 waiting" in busy and "<dt>Waiting</dt><dd>1</dd>" in busy
    # a poll replaces only the panel, and tells the persistent status line when the totals changed
    assert 'id="activity-status" class="sr-only"' not in busy
    assert '<span id="activity-status" hx-swap-oob="innerHTML">0 running, 1 waiting</span>' in busy
    same = _html(client.get("/fragments/panels/activity?since=old&said=0 running, 1 waiting"))
    assert "hx-swap-oob" not in same


def test_system_panel(client, tmp_path: Path) -> None:
    html = _html(client.get("/fragments/panels/system"))
    facts = html.split("</dl>", 1)[0]
    assert facts.count('badge-ok">Reachable') == 2, "database and Redis"
    assert "ffmpeg" in facts and "Workers" in facts and "None running" in facts
    assert "Library folders with problems" not in html
    root = client.post("/api/libraries", json={"path": str(tmp_path), "label": "Empty shelf"}).get_json()["data"]
    html = _html(client.get("/fragments/panels/system"))
    assert "Library folders with problems" in html and "Empty shelf" in html and "the folder is empty" in html
    assert root["path"] in html


# --- settings -------------------------------------------------------------------------------


def test_settings_page_empty(client) -> None:
    html = _html(client.get("/settings"))
    assert 'data-page-module="/static/pages/settings.js"' in html
    assert "Add a library folder to get started" in html
    # inputs carry the API model's ranges
    scan = re.search(r'<input[^>]*id="set-scanIntervalMinutes"[^>]*>', html, re.S).group(0)
    assert 'min="5"' in scan and 'max="10080"' in scan and 'value="60"' in scan and 'data-kind="int"' in scan
    workers = re.search(r'<input[^>]*id="set-backgroundWorkerConcurrency"[^>]*>', html, re.S).group(0)
    assert 'min="1"' in workers and 'max="16"' in workers
    # a plugin's settings group: kinds, ranges, units and choice labels come from its model
    ratio = re.search(r'<input[^>]*id="set-testRatio"[^>]*>', html, re.S).group(0)
    assert 'min="0.1"' in ratio and 'max="1"' in ratio and 'data-kind="float"' in ratio and 'step="0.1"' in ratio
    mode = re.search(r'<select[^>]*id="set-testMode".*?</select>', html, re.S).group(0)
    assert '<option value="quick" selected>Quick</option>' in mode and ">Thorough (slow)</option>" in mode
    label = re.search(r'<input[^>]*id="set-testLabel"[^>]*>', html, re.S).group(0)
    assert 'maxlength="40"' in label and 'value="tests"' in label
    group = html.split('id="jobtest"', 1)[1].split("</section>", 1)[0]
    assert ">Job tests</h2>" in group and "Added by the plugin jobtest" in group and ">runs</span>" in group
    assert 'id="jobtest-refill" data-action="post" data-url="/api/jobs/queues/test-ok/run"' in group
    assert 'id="set-autoScanEnabled"' in html and 'id="set-generatePhash"' not in html
    for title in ("Scanning", "Generation", "Workers", "Job tests", "Content", "Maintenance", "Plugins"):
        assert f">{title}</h2>" in html
    assert html.index(">Workers</h2>") < html.index(">Job tests</h2>") < html.index(">Content</h2>"), "by order"
    assert html.count('data-setting="') == 8 + 3 + 5, "every library setting has an input"
    # plugin sections in order; a broken one shows a notice instead of breaking the page
    assert html.index("Greeting style: Greetings") < html.index("This section could not be shown")
    assert "UndefinedError" in html
    # plugins card and maintenance (no videos plugin → no pHash backfill)
    plugins = html.split('id="plugins"', 1)[1].split("</section>", 1)[0]
    assert "jobtest" in plugins and "pagestest" in plugins and "Core components" in plugins
    assert 'id="scan-all"' in html and "pHash backfill" not in html


def test_settings_page_and_fragment_with_roots(client, tmp_path: Path) -> None:
    movies = tmp_path / "Movies"
    movies.mkdir()
    root = client.post("/api/libraries", json={"path": str(movies), "isNsfw": True, "scanTests": False}).get_json()[
        "data"
    ]
    client.patch(f"/api/libraries/{root['id']}", json={"enabled": False})
    html = _html(client.get("/settings"))
    assert "Add a library folder to get started" not in html
    item = html.split(f'id="root-{root["id"]}"', 1)[1].split("</li>", 1)[0]
    assert str(movies) in item and "Never scanned" in item and "NSFW" in item and "Disabled" in item
    assert "the folder is empty" in item, "plugins' root problems are shown on the folder"
    fields = re.findall(r'data-root-field="([a-z_]+)"', item)
    assert fields == ["enabled", "recursive", "scan_tests", "is_nsfw"], "the core's switches and the plugins'"
    assert re.search(r'data-root-field="is_nsfw"\s+data-field-label="NSFW" checked', item)
    assert re.search(r'data-root-field="scan_tests"\s+data-field-label="Tests" >', item)
    scan = re.search(r'<button[^>]*id="scan-[^"]+"[^>]*>', item, re.S).group(0)
    assert 'aria-disabled="true"' in scan, "a disabled folder cannot be scanned"
    fragment = _html(client.get("/fragments/settings/libraries"))
    assert f'id="root-{root["id"]}"' in fragment and "<html" not in fragment


def test_saved_settings_render_in_the_form(client) -> None:
    body = {"scanIntervalMinutes": 120, "testMode": "thorough", "autoScanEnabled": True}
    assert client.put("/api/settings/library", json=body).status_code == 200
    html = _html(client.get("/settings"))
    assert re.search(r'id="set-scanIntervalMinutes"[^>]*data-initial="120" value="120"', html, re.S)
    assert '<option value="thorough" selected>' in html
    assert re.search(r'id="set-autoScanEnabled"[^>]*checked', html, re.S)


@pytest.mark.parametrize(
    "obscura_plugins", [{"plugins": [("jobtest", jobplugin)], "builtins": ("videos",), "load_entrypoints": False}]
)
def test_phash_backfill_button_appears_with_the_videos_plugin(client) -> None:
    html = _html(client.get("/settings"))
    assert 'id="phash-backfill"' in html and "pHash backfill" in html
    group = html.split('id="videos-generation"', 1)[1].split("</section>", 1)[0]
    assert 'id="set-generatePhash"' in group and 'id="phash-backfill"' in group, "the videos plugin's own group"
    assert 'id="set-subtitleStyle"' in html.split('id="videos-playback"', 1)[1].split("</section>", 1)[0]
    plugins = html.split('id="plugins"', 1)[1].split("</section>", 1)[0]
    assert "videos" in plugins and "built-in" in plugins
    ops = _html(client.get("/operations"))
    assert "Scan video folders" in ops and "Walk library roots" in ops


def test_the_media_formatters_are_jinja_filters_for_every_template(app) -> None:
    from datetime import date

    with app.test_request_context():
        env = app.jinja_env
        out = env.from_string(
            "{{ 1536|filesize }} · {{ 3723|clock }} · {{ d|day }} · {{ 2|count('image') }} · {{ 80|stars }}"
        ).render(d=date(2026, 12, 7))
    assert out == "1.5 KB · 1:02:03 · Dec 7, 2026 · 2 images · 4"
