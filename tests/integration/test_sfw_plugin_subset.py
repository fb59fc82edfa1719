"""SFW mode with only some plugins loaded, in a database of its own: the models of plugins that
are imported in the process but not loaded have no tables, and SFW mode must leave them alone."""

from __future__ import annotations

import importlib

import pytest

from plugin_sdk.sfw import SFW_HEADER

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos",), "load_entrypoints": False}


def test_sfw_requests_work_when_other_plugins_are_imported_but_not_loaded(client) -> None:
    for module in ("plugins_builtin.audio.models", "plugins_builtin.images.models"):
        importlib.import_module(module)  # mapped in this process, no table in this database

    for url in ("/api/jobs", "/api/videos", "/", "/videos", "/operations"):
        assert client.get(url, headers={SFW_HEADER: "off"}).status_code == 200, url
