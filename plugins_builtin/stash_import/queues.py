"""The ``stash-import`` queue: one import of a Stash database at a time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import QueueDefinition
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow

QUEUE = "stash-import"
TARGET_TYPE = "stash-import"

QUEUES = (
    QueueDefinition(
        QUEUE,
        "Stash import",
        concurrency=1,
        timeout_s=6 * 3600,
        max_attempts=1,
        description="Brings a Stash library over from its database (stash-go.sqlite).",
    ),
)


def pending_run(db: Session) -> str | None:
    """The id of a waiting or running import, if any."""
    return db.execute(
        select(JobRunRow.id).where(JobRunRow.queue_name == QUEUE, JobRunRow.status.in_(JOB_ACTIVE_STATUSES)).limit(1)
    ).scalar_one_or_none()


def recent_runs(db: Session, limit: int = 5) -> list[JobRunRow]:
    """The latest imports, newest first, whatever their status."""
    return list(
        db.execute(
            select(JobRunRow).where(JobRunRow.queue_name == QUEUE).order_by(JobRunRow.created_at.desc()).limit(limit)
        ).scalars()
    )
