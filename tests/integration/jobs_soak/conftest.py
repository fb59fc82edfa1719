"""The soak tests load only their own throwaway plugin."""

from __future__ import annotations

import pytest

from tests.integration.jobs_soak import soakplugin


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [("soaktest", soakplugin)], "builtins": (), "load_entrypoints": False}
