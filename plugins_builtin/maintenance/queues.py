"""The ``library-maintenance`` queue: asset moves between storage layouts and the orphan sweep."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import QueueDefinition
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow

QUEUE = "library-maintenance"
TARGET_TYPE = "maintenance"
MIGRATE = "asset-storage"
ORPHANS = "orphans"

QUEUES = (
    QueueDefinition(
        QUEUE,
        "Library maintenance",
        concurrency=1,
        timeout_s=6 * 3600,
        max_attempts=3,
        description="Moves generated files between the cache and the media folders; finds orphaned files.",
    ),
)


def pending_run(db: Session, kind: str) -> str | None:
    """The id of a waiting or active run of this kind (``asset-storage`` or ``orphans``), if any."""
    return db.execute(
        select(JobRunRow.id).where(
            JobRunRow.queue_name == QUEUE,
            JobRunRow.target_type == TARGET_TYPE,
            JobRunRow.target_id == kind,
            JobRunRow.status.in_(JOB_ACTIVE_STATUSES),
        )
    ).scalar_one_or_none()


def latest_run(db: Session, kind: str) -> JobRunRow | None:
    """The most recent run of this kind, whatever its status."""
    return db.execute(
        select(JobRunRow)
        .where(JobRunRow.queue_name == QUEUE, JobRunRow.target_type == TARGET_TYPE, JobRunRow.target_id == kind)
        .order_by(JobRunRow.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()
