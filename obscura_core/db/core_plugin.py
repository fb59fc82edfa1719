"""Essential plugin: the core tables and their migration lineage (``migrations/versions/core``)."""

from __future__ import annotations

from obscura_core.db.consents import BreakingConsent
from plugin_sdk import ModelSet, hookimpl
from plugin_sdk.models import CORE_MODELS


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="core", models=[*CORE_MODELS, BreakingConsent], versions_dir=None, requires=())]
