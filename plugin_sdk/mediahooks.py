"""What the hook implementations of every media plugin do alike: let a library root's rows go with
the root, and queue the follow-up work of a finished job.

A media plugin (rows with ``library_root_id``, like the built-in videos, images and audio) keeps
its hooks to a line or two::

    @hookimpl
    def obscura_entity_deleted(entity_type, entity_id, db):
        library_root_deleted(entity_type, entity_id, db, [("clip", Clip, delete_clip_files)])


    @hookimpl
    def obscura_job_finished(run, result, ctx):
        probe = finished_result(run, result, "clips-probe")
        if probe is not None and probe.get("clipId"):
            clip_id = str(probe["clipId"])
            item = ({"clipId": clip_id}, "clip", clip_id, f"Thumbnail · {run_subject(run, clip_id)}")
            enqueue_follow_ups(ctx.db, {"clips-thumbnail": [item]})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from plugin_sdk.types import JobRun

__all__ = ["FollowUp", "RootRows", "enqueue_follow_ups", "finished_result", "library_root_deleted", "run_subject"]

RootRows = tuple[str, Any, Callable[[str], None] | None]
"""``(entity type, model with a library_root_id column, delete_files(id) or None)``."""

FollowUp = tuple[Mapping[str, Any], str | None, str | None, str | None]
"""One run to queue: ``(payload, target_type, target_id, target_label)``, as ``enqueue_jobs`` takes."""


def library_root_deleted(entity_type: str, entity_id: str, db: Session, kinds: Sequence[RootRows]) -> None:
    """The whole ``obscura_entity_deleted`` of a media plugin: when a library root is being removed
    (``entity_type == "library_root"``), announce the plugin's rows under it and delete their cache
    files (``plugin_sdk.deletion.root_removed``; the rows go with the root); other entities, nothing.

    :param kinds: the plugin's ``(entity type, model, delete_files(id) or None)``, children first.
    """
    if entity_type == "library_root":
        from plugin_sdk.deletion import root_removed

        root_removed(db, entity_id, kinds)


def finished_result(run: JobRun, result: Any, queue: str) -> Mapping[str, Any] | None:
    """The result of ``run`` when it is a run of ``queue`` that answered a mapping (the JSON object
    its processor returned), else ``None``: the test that opens an ``obscura_job_finished``."""
    return result if run.queue == queue and isinstance(result, Mapping) else None


def run_subject(run: JobRun, default: str) -> str:
    """What ``run`` is about: its target label after the ``"<Step> · "`` prefix
    (``"Probe · Big Buck Bunny"`` → ``"Big Buck Bunny"``), else ``default`` (e.g. the row's id);
    the name a follow-up run's label carries on."""
    return (run.target_label or "").split(" · ", 1)[-1] or default


def enqueue_follow_ups(db: Session, follow: Mapping[str, Iterable[FollowUp]]) -> int:
    """Queue the follow-up runs of a finished job, queue by queue (``plugin_sdk.jobs.enqueue_jobs``
    for each queue with items; targets already waiting or running are skipped). Returns how many
    runs were created; they reach Redis when ``db`` commits."""
    from plugin_sdk.jobs import enqueue_jobs

    created = 0
    for queue, items in follow.items():
        batch = list(items)
        if batch:
            created += enqueue_jobs(db, queue, batch)
    return created
