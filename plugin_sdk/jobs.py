"""Enqueueing background work from a route, a processor or a hook."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def enqueue_job(
    db: Session,
    queue: str,
    payload: Mapping[str, Any],
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    target_label: str | None = None,
) -> str:
    """Record a run in ``job_runs`` and hand it to RQ once ``db`` commits.

    At most one waiting/active run exists per (queue, target): enqueueing the same target again
    returns the existing run's id. An unknown queue raises ``ValidationError``. Nothing reaches
    Redis unless the session commits. Returns the ``job_runs`` id.
    """
    from obscura_core.jobs.enqueue import enqueue_job as _enqueue

    return _enqueue(
        db,
        queue,
        payload,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
    )


def enqueue_jobs(
    db: Session,
    queue: str,
    items: Iterable[tuple[Mapping[str, Any], str | None, str | None, str | None]],
) -> int:
    """Enqueue many runs of one queue at once (a scan's follow-up work).

    ``items`` yields ``(payload, target_type, target_id, target_label)``. Targets that already
    have a waiting or active run are skipped. Rows are written in multi-row inserts and reach
    Redis in pipelines once ``db`` commits. Returns how many runs were created.
    """
    from obscura_core.jobs.enqueue import enqueue_jobs as _enqueue_jobs

    return _enqueue_jobs(db, queue, items)


def queue_names() -> list[str]:
    """Names of every queue defined by the loaded plugins."""
    from obscura_core.runtime import get_runtime

    return sorted(get_runtime().registry.queues)
