"""The ``stashbox`` queue: contributions too long for a request (fingerprints of more than 50 videos).

A run is ``{"op": "submit-fingerprints", "endpointId", "videoIds"}``; it reports progress per
request and answers what the route would (``submissions.Outcome.answer``). A refused key or an
endpoint that is gone fails it for good; an unreachable server is retried (what went through is
recorded, so a retry sends only the rest).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugin_sdk import JobContext, PermanentJobError, QueueDefinition
from plugins_builtin.stashbox import endpoints, submissions
from plugins_builtin.stashbox.client import BadApiKey

QUEUE = "stashbox"
SUBMIT = "submit-fingerprints"

QUEUES = (
    QueueDefinition(
        QUEUE, "StashBox", concurrency=1, timeout_s=6 * 3600, max_attempts=5,
        description="Submits fingerprints of linked videos to StashBox servers.",
    ),
)  # fmt: skip


def enqueue_submission(db: Any, row: Any, video_ids: list[str]) -> str:
    """Enqueue the submission of ``video_ids``' fingerprints to ``row`` (the caller commits). No
    target: two submissions to one endpoint are two runs (a target would fold the second into
    the first and drop its videos)."""
    from plugin_sdk.jobs import enqueue_job

    return enqueue_job(
        db, QUEUE, {"op": SUBMIT, "endpointId": row.id, "videoIds": video_ids},
        target_label=f"Submit fingerprints · {row.name} · {len(video_ids)} videos",
    )  # fmt: skip


def process_submit(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    endpoint_id = payload.get("endpointId")
    ids = payload.get("videoIds")
    if not isinstance(endpoint_id, str) or not isinstance(ids, list):
        raise PermanentJobError("stashbox submit-fingerprints: endpointId and videoIds are required.")
    row = endpoints.enabled(ctx.db, endpoint_id)
    if row is None:
        raise PermanentJobError(f"StashBox endpoint {endpoint_id[:64]} is gone or disabled.")

    def progress(done: int, total: int) -> None:
        ctx.progress(100 * done / max(total, 1), f"{done} of {total} fingerprints")

    try:
        outcome = submissions.submit(ctx.db, row, [i for i in ids if isinstance(i, str)], endpoints.client(row),
                                     progress)  # fmt: skip
    except BadApiKey as exc:
        raise PermanentJobError(exc.message) from exc
    return outcome.answer()


def process_stashbox(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """The queue's processor: one op per run."""
    if payload.get("op") != SUBMIT:
        raise PermanentJobError(f"Unknown stashbox op {payload.get('op')!r} (expected {SUBMIT!r}).")
    return process_submit(payload, ctx)
