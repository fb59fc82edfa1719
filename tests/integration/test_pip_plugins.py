"""``GET /api/plugins`` on the real app: entry-point plugins beside built-ins, and
``restartNeeded``/``pending`` when the environment's ``obscura`` entry points change after start-up
(``obscura install`` while the server runs). The "install" is a real ``*.dist-info`` on a
throwaway ``sys.path`` folder, which ``importlib.metadata`` reads like ``site-packages``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.pip_plugins.dists import remove_dist, write_dist
from tests.integration import jobplugin

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("jobtest", jobplugin)], "builtins": (), "load_entrypoints": False}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def _plugins(client) -> dict[str, Any]:
    resp = client.get("/api/plugins")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["data"]


def test_nothing_pending_right_after_start(client) -> None:
    data = _plugins(client)
    assert data["restartNeeded"] is False
    assert data["pending"] == []
    mine = next(p for p in data["plugins"] if p["name"] == "jobtest")
    assert mine["kind"] == "external" and "test-ok" in mine["queues"]
    assert {p["kind"] for p in data["plugins"]} >= {"essential", "external"}


def test_a_plugin_installed_after_start_needs_a_restart(client, site: Path) -> None:
    write_dist(site, "obscura-fresh", "1.2.0", {"fresh": "obscura_fresh.plugin"})
    data = _plugins(client)
    assert data["restartNeeded"] is True
    assert data["pending"] == [
        {"name": "fresh", "dist": "obscura-fresh", "version": "1.2.0", "change": "installed", "previousVersion": None}
    ]
    assert all(p["name"] != "fresh" for p in data["plugins"])  # not loaded until the restart

    remove_dist(site, "obscura-fresh")  # uninstalled again before any restart: nothing to do
    data = _plugins(client)
    assert data["restartNeeded"] is False and data["pending"] == []


def test_upgrades_and_removals_since_start_are_pending(make_runtime, site: Path) -> None:
    write_dist(site, "obscura-old", "1.0.0", {"old": "obscura_old.plugin"})
    write_dist(site, "obscura-gone", "0.3.0", {"gone": "obscura_gone.plugin"})
    # this server saw both at start-up (not loading them: load_entrypoints=False, as in every test)
    rt = make_runtime(plugins=[("jobtest", jobplugin)], builtins=(), load_entrypoints=False)
    from obscura_core.app import create_app

    client = create_app(runtime=rt).test_client()
    assert _plugins(client)["restartNeeded"] is False

    write_dist(site, "obscura-old", "1.1.0", {"old": "obscura_old.plugin"})
    remove_dist(site, "obscura-gone")
    data = _plugins(client)
    assert data["restartNeeded"] is True
    assert data["pending"] == [
        {"name": "gone", "dist": "obscura-gone", "version": "0.3.0", "change": "removed", "previousVersion": None},
        {"name": "old", "dist": "obscura-old", "version": "1.1.0", "change": "upgraded", "previousVersion": "1.0.0"},
    ]
