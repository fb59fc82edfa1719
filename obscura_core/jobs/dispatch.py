"""Essential plugin: the default ``obscura_run_job`` calls the queue's registered processor."""

from __future__ import annotations

from typing import Any

from plugin_sdk import hookimpl
from plugin_sdk.types import JobRun


class UnknownQueueError(LookupError):
    """No loaded plugin has a processor for the run's queue."""


@hookimpl(trylast=True)
def obscura_run_job(run: JobRun, ctx: Any) -> Any:
    processor = ctx.runtime.registry.processors.get(run.queue)
    if processor is None:
        raise UnknownQueueError(f"no processor for queue '{run.queue}' in this worker")
    return processor(run.payload, ctx)
