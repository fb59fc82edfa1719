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


def enqueue_each(
    db: Session, queue: str, rows: Iterable[tuple[str, str]], *, target_type: str, payload_key: str, label: str
) -> int:
    """One ``queue`` run per ``(id, title)`` of ``rows``: payload ``{payload_key: id}``, target
    ``(target_type, id)``, labelled ``"<label> · <title>"`` (``Thumbnail · Beach``). Returns how
    many runs were created (:func:`enqueue_jobs`)."""
    items = (({payload_key: row_id}, target_type, row_id, f"{label} · {title}") for row_id, title in rows)
    return enqueue_jobs(db, queue, items)


def enqueue_where(
    db: Session, queue: str, model: Any, *conditions: Any, target_type: str, payload_key: str, label: str
) -> int:
    """:func:`enqueue_each` for the rows of ``model`` (with ``id``, ``title`` and ``created_at``
    columns) matching every one of ``conditions``, oldest first: what "run queue" enqueues for
    the rows a queue has not done yet::

        enqueue_where(db, "clip-thumbnail", Clip, Clip.thumbnail_at.is_(None),
                      target_type="clip", payload_key="clipId", label="Thumbnail")
    """
    from sqlalchemy import select

    rows = db.execute(select(model.id, model.title).where(*conditions).order_by(model.created_at)).all()
    return enqueue_each(db, queue, rows, target_type=target_type, payload_key=payload_key, label=label)


def queue_names() -> list[str]:
    """Names of every queue defined by the loaded plugins."""
    from obscura_core.runtime import get_runtime

    return sorted(get_runtime().registry.queues)
