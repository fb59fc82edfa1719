"""One misbehaving plugin per hook: it raises, or answers with the wrong type, and the app and
every other plugin keep working. The fault is logged and recorded with the plugin's name and shown
in ``/api/plugins`` and the system status."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from obscura_core.app import create_app
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.models import JobRunRow, LibraryRoot
from plugin_sdk.testing import drain_jobs
from tests.integration import jobplugin, rogueplugin
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

BUILTINS = ("videos", "taxonomy", "search", "collections", "maintenance", "metadata")
MODES = ("raise", "wrong")


@pytest.fixture
def rogue(make_runtime) -> Iterator[Callable[..., tuple[Any, Any]]]:
    """``rogue(hook, mode)`` → ``(runtime, client)`` with the rogue plugin broken in that hook."""

    def build(hook: str, mode: str) -> tuple[Any, Any]:
        rogueplugin.BROKEN.clear()
        rogueplugin.CHANGED.clear()
        rogueplugin.BROKEN[hook] = mode
        rt = make_runtime(plugins=[("jobtest", jobplugin), ("rogue", rogueplugin)], builtins=BUILTINS)
        app = create_app(runtime=rt)
        app.config["TESTING"] = True
        return rt, app.test_client()

    yield build
    rogueplugin.BROKEN.clear()


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    return resp.get_json()["data"] if resp.is_json else resp.get_data(as_text=True)


def _assert_fault(client: Any, hook: str, mode: str) -> None:
    faults = _ok(client.get("/api/plugins"))["faults"]
    mine = [f for f in faults if f["plugin"] == "rogue" and f["hook"] == hook]
    assert mine, faults
    assert mine[0]["kind"] == ("raised" if mode == "raise" else "returned")
    raised = "exploded" in mine[0]["error"] or "no_such_table" in mine[0]["error"]
    assert raised if mode == "raise" else ("not " in mine[0]["error"]), mine[0]
    rogue = next(p for p in _ok(client.get("/api/plugins"))["plugins"] if p["name"] == "rogue")
    assert rogue["faults"] >= 1
    status = _ok(client.get("/api/system/status"))
    assert any(f["plugin"] == "rogue" and f["hook"] == hook for f in status["pluginFaults"])


def _app_still_works(client: Any) -> None:
    home = _ok(client.get("/"))
    assert "Your library" in home and 'href="/videos"' in home
    _ok(client.get("/settings"))
    css_url = home.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert "/* ---- plugin videos" in _ok(client.get(css_url))
    assert _ok(client.get("/api/videos"))["total"] == 0
    assert _ok(client.get("/api/system/status"))["database"]["reachable"] is True


STARTUP_HOOKS = [
    "obscura_nav_items", "obscura_shell_parts", "obscura_stylesheets", "obscura_settings_sections",
    "obscura_blueprints", "obscura_queues", "obscura_models", "obscura_cli_commands",
    "obscura_generated_assets", "obscura_collection_sources", "obscura_panels", "obscura_link_kinds",
    "obscura_settings_groups", "obscura_root_options", "obscura_metadata_sources", "obscura_metadata_targets",
    "obscura_metadata_store", "obscura_importers",
]  # fmt: skip


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("hook", STARTUP_HOOKS)
def test_a_collect_hook_that_fails_is_left_out_and_the_app_starts(rogue, hook: str, mode: str) -> None:
    rt, client = rogue(hook, mode)
    _app_still_works(client)
    if hook == "obscura_panels":
        _ok(client.get("/videos"))
    if hook == "obscura_collection_sources":
        assert [k["kind"] for k in _ok(client.get("/api/collections/rule-fields"))["kinds"]] == ["video"]
    if hook == "obscura_link_kinds":  # the taxonomy's link fields are still there
        spec = client.get("/api/openapi.json").get_json()
        assert "performerNames" in spec["components"]["schemas"]["videos.VideoPatch"]["properties"]
    if hook == "obscura_root_options":
        assert "scanMovies" in _ok(client.post("/api/libraries", json={"path": str(rt.settings.data_dir)}), 201)
    if hook == "obscura_metadata_targets":  # the videos' accept route is still there
        missing = client.post("/api/videos/v1/accept-scrape", json={"resultId": "nope"})
        assert missing.status_code == 404 and "Scrape result nope" in missing.get_json()["error"]["message"]
    if hook == "obscura_settings_groups":
        assert "autoGeneratePreview" in _ok(client.get("/api/settings/library"))
    _assert_fault(client, hook, mode)
    assert [q for q in rt.registry.queues if q.startswith("rogue")] == []


def test_a_startup_hook_that_raises_does_not_stop_the_app(rogue) -> None:
    _, client = rogue("obscura_startup", "raise")
    _app_still_works(client)
    _assert_fault(client, "obscura_startup", "raise")


@pytest.mark.parametrize("mode", MODES)
def test_search_answers_with_the_other_plugins_hits(rogue, mode: str) -> None:
    rt, client = rogue("obscura_search", mode)
    rows.videos(rt, rows.root(rt), ["Mandelbrot Zoom"])
    groups = _ok(client.get("/api/search?q=mandelbrot"))["groups"]
    assert [(g["kind"], [i["title"] for i in g["items"]]) for g in groups] == [("video", ["Mandelbrot Zoom"])]
    palette = _ok(client.get("/api/palette?q=mandelbrot"))
    assert palette["groups"][0]["items"][0]["title"] == "Mandelbrot Zoom"
    _assert_fault(client, "obscura_search", mode)


@pytest.mark.parametrize("mode", MODES)
def test_system_status_keeps_the_database_reachable_and_other_plugins_extras(rogue, mode: str) -> None:
    _, client = rogue("obscura_system_status", mode)
    status = _ok(client.get("/api/system/status"))
    assert status["database"]["reachable"] is True and status["ok"] is True, status["database"]
    assert "rogue" not in status["plugins"]
    assert _ok(client.get("/settings"))
    panel = _ok(client.get("/fragments/panels/system"))
    assert "Unreachable" not in panel and "Plugin errors" in panel and "obscura_system_status" in panel
    _assert_fault(client, "obscura_system_status", mode)


def test_job_finished_that_raises_leaves_the_job_completed_and_the_chain_going(rogue) -> None:
    rt, client = rogue("obscura_job_finished", "raise")
    with rt.session() as db:
        run_id = enqueue_job(db, "test-chain", {"next": "second"}, target_type="chain", target_id="c1")
        db.commit()
    drain_jobs(rt)
    run = _ok(client.get(f"/api/jobs/{run_id}"))
    assert run["status"] == "completed" and run["attempts"] == 1, run
    chained = _ok(client.get("/api/jobs?queue=test-ok"))["items"]
    assert [r["status"] for r in chained] == ["completed"], "the other plugin's follow-up still ran"
    with rt.session() as db:
        assert db.execute(select(LibraryRoot).where(LibraryRoot.path == "/rogue/half-written")).first() is None
    _assert_fault(client, "obscura_job_finished", "raise")
    errors = [f["error"] for f in _ok(client.get("/api/plugins"))["faults"] if f["hook"] == "obscura_job_finished"]
    assert any(f"after run {run_id} of test-chain" in e for e in errors), errors


@pytest.mark.parametrize("mode", MODES)
def test_scanning_a_root_enqueues_the_other_plugins_scans(rogue, mode: str) -> None:
    rt, client = rogue("obscura_scan_roots", mode)
    root_id = rows.root(rt, "/media/films")
    _ok(client.post(f"/api/libraries/{root_id}/scan", json={}))
    with rt.session() as db:
        queues = set(db.execute(select(JobRunRow.queue_name)).scalars())
    assert "library-scan" in queues
    _assert_fault(client, "obscura_scan_roots", mode)


@pytest.mark.parametrize(
    ("hook", "mode"),
    [(h, m) for h in ("obscura_entity_patch", "obscura_entity_links", "obscura_entity_filter") for m in MODES],
)
def test_links_are_applied_shown_and_filtered_by_the_plugin_that_keeps_them(rogue, hook: str, mode: str) -> None:
    rt, client = rogue(hook, mode)
    root = rows.root(rt)
    movie, other = rows.videos(rt, root, ["Movie", "Other"])
    patched = _ok(client.patch(f"/api/videos/{movie}", json={"tagNames": ["Comedy"], "rating": 80}))
    assert [t["name"] for t in patched["tags"]] == ["Comedy"] and patched["rating"] == 80
    assert [t["name"] for t in _ok(client.get(f"/api/videos/{movie}"))["tags"]] == ["Comedy"]
    assert [v["id"] for v in _ok(client.get("/api/videos?tags=Comedy"))["items"]] == [movie]
    assert other != movie
    _assert_fault(client, hook, mode)


def test_a_deletion_hook_that_raises_does_not_stop_the_deletion(rogue) -> None:
    rt, client = rogue("obscura_entities_deleted", "raise")
    root = rows.root(rt)
    (movie,) = rows.videos(rt, root, ["Movie"])
    _ok(client.patch(f"/api/videos/{movie}", json={"performerNames": ["Ann"]}))
    _ok(client.delete(f"/api/videos/{movie}", json={}))
    assert _ok(client.get("/api/videos"))["total"] == 0
    ann = _ok(client.get("/api/performers"))["items"][0]
    assert ann["counts"].get("video", 0) == 0, "the taxonomy still dropped the deleted video's links"
    _assert_fault(client, "obscura_entities_deleted", "raise")


def test_removing_a_root_goes_on_when_a_plugin_fails_to_hear_it(rogue) -> None:
    rt, client = rogue("obscura_entity_deleted", "raise")
    root = rows.root(rt)
    _ok(client.delete(f"/api/libraries/{root}", json={}))
    assert _ok(client.get("/api/libraries")) == []
    _assert_fault(client, "obscura_entity_deleted", "raise")


@pytest.mark.parametrize("mode", MODES)
def test_a_failing_sfw_rule_hides_rather_than_shows(rogue, mode: str) -> None:
    rt, client = rogue("obscura_sfw_clause", mode)
    rows.videos(rt, rows.root(rt), ["Movie"])
    assert _ok(client.get("/api/videos"))["total"] == 1
    sfw = _ok(client.get("/api/videos", headers={"X-Obscura-Nsfw-Mode": "off"}))
    assert sfw["total"] == 0 and sfw["items"] == [], "fails closed in SFW mode"
    _assert_fault(client, "obscura_sfw_clause", mode)


@pytest.mark.parametrize("mode", ["raise", None])
def test_every_media_edit_is_announced_and_a_failing_listener_changes_nothing(rogue, mode) -> None:
    rt, client = rogue("obscura_entity_changed", mode)
    (movie,) = rows.videos(rt, rows.root(rt), ["Movie"])
    patched = _ok(client.patch(f"/api/videos/{movie}", json={"rating": 90, "tagNames": ["Noir"]}))
    assert patched["rating"] == 90 and [t["name"] for t in patched["tags"]] == ["Noir"]
    _ok(client.post(f"/api/videos/{movie}/play", json={}))
    assert [
        ("video", [movie], ["rating", "tag_names"]),
        ("video", [movie], ["last_played_at", "play_count"]),
    ] == rogueplugin.CHANGED
    if mode:
        _assert_fault(client, "obscura_entity_changed", mode)
    else:
        assert _ok(client.get("/api/plugins"))["faults"] == []
