"""The ``library-maintenance`` processor: one queue, two kinds of run (``migrate`` and ``orphans``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugin_sdk import JobContext, PermanentJobError
from plugins_builtin.maintenance.migrate import process_migrate
from plugins_builtin.maintenance.orphans import process_sweep

KINDS = {"migrate": process_migrate, "orphans": process_sweep}


def process_maintenance(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    kind = payload.get("kind", "migrate")
    run = KINDS.get(kind) if isinstance(kind, str) else None
    if run is None:
        raise PermanentJobError(f"Unknown maintenance job kind {kind!r} (expected 'migrate' or 'orphans').")
    return run(payload, ctx)
