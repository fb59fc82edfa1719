"""Fixtures of the plugin package tests: the app with the ``packages`` plugin, a known
``OBSCURA_SECRET``, and the community index (real entries and manifests, stand-in code) served on
loopback, written to a folder, or named by a path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from plugins_builtin.packages.index import ENV, clear_cache
from tests.fixtures.plugin_packages.index_server import PluginIndexFixture

SECRET = "packages-test-secret"


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("packages",), "load_entrypoints": False, "secret": SECRET}


@pytest.fixture(autouse=True)
def _no_cached_index(request: pytest.FixtureRequest) -> None:
    """Each test reads the index it configures."""
    clear_cache()
    request.addfinalizer(clear_cache)


@pytest.fixture
def community() -> PluginIndexFixture:
    """The community index (every sha256 empty, as published), each package zipped from its folder."""
    return PluginIndexFixture.community()


@pytest.fixture
def served(community: PluginIndexFixture, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``community`` over loopback HTTP; ``OBSCURA_PLUGIN_INDEX_URL`` is its base URL."""
    with community.serve() as base:
        monkeypatch.setenv(ENV, base)
        yield base


@pytest.fixture
def plugins_dir(runtime: Any) -> Path:
    return Path(runtime.settings.data_dir) / "plugins"


def _envelope(res: Any, status: int, success: bool) -> dict[str, Any]:
    assert res.status_code == status, res.get_json()
    body = res.get_json()
    assert body["ok"] is success, body
    return body


def ok(res: Any, status: int = 200) -> Any:
    """The ``data`` of a successful answer with ``status``."""
    return _envelope(res, status, True)["data"]


def error(res: Any, status: int) -> dict[str, Any]:
    """The ``error`` (``message``, ``code``) of a failed answer with ``status``."""
    return _envelope(res, status, False)["error"]


@pytest.fixture
def installed(client: Any) -> Callable[[], dict[str, dict[str, Any]]]:
    """``installed()``: the installed packages by id, from ``GET /api/plugins/packages``."""

    def read() -> dict[str, dict[str, Any]]:
        return {p["id"]: p for p in ok(client.get("/api/plugins/packages"))}

    return read


@pytest.fixture
def nothing_installed(installed: Callable[[], dict[str, dict[str, Any]]], plugins_dir: Path) -> Callable[[str], None]:
    """``nothing_installed(id)``: no row, no folder, and no staging folder left behind."""

    def check(plugin_id: str) -> None:
        assert plugin_id not in installed()
        assert not (plugins_dir / plugin_id).exists()
        leftovers = [p.name for p in plugins_dir.iterdir()] if plugins_dir.is_dir() else []
        assert not [n for n in leftovers if n.startswith(".")], leftovers

    return check
