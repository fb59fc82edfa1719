"""The ``stash-import`` processor: one import run, its report as the job's result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugin_sdk import JobContext, PermanentJobError
from plugin_sdk.errors import ValidationError
from plugins_builtin.stash_import.run import ImportCancelled, import_stash, options_from


def process_stash_import(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    options = options_from(payload)

    def progress(percent: int, note: str) -> None:
        ctx.progress(percent, note)
        if ctx.cancelled():
            raise ImportCancelled

    try:
        return import_stash(ctx.db, options, progress)
    except ValidationError as exc:  # the file, its version or a mapping: the same on a retry
        raise PermanentJobError(exc.message) from None
