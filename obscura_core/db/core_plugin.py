"""Essential plugin: the core tables and their migration lineage (``migrations/versions/core``)."""

from __future__ import annotations

from plugin_sdk import ModelSet, hookimpl
from plugin_sdk.models import CORE_MODELS


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="core", models=list(CORE_MODELS), versions_dir=None, requires=())]
