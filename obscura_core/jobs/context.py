"""The ``JobContext`` a processor receives."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from obscura_core.jobs.enqueue import enqueue_job
from plugin_sdk.models import JobRunRow, LibrarySettings
from plugin_sdk.types import JobRun

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from obscura_core.runtime import Runtime

PROGRESS_MIN_INTERVAL_S = 0.5


@dataclass
class RunContext:
    """Implements ``plugin_sdk.types.JobContext`` for one run."""

    runtime: Runtime
    run: JobRun
    db: Session
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("obscura.jobs"))
    _last_progress: float = 0.0

    def progress(self, percent: float, note: str | None = None) -> None:
        """Write progress (0–100) to the run row in its own short transaction (throttled)."""
        now = time.monotonic()
        pct = int(max(0, min(100, percent)))
        if pct < 100 and now - self._last_progress < PROGRESS_MIN_INTERVAL_S:
            return
        self._last_progress = now
        with self.runtime.session() as s:
            s.execute(
                update(JobRunRow)
                .where(JobRunRow.id == self.run.id, JobRunRow.status == "active")
                .values(progress=pct, progress_note=note)
            )
            s.commit()

    def cancelled(self) -> bool:
        with self.runtime.session() as s:
            status = s.execute(select(JobRunRow.status).where(JobRunRow.id == self.run.id)).scalar()
        return status == "cancelled"

    def enqueue(
        self,
        queue: str,
        payload: Mapping[str, Any],
        *,
        target_type: str | None = None,
        target_id: str | None = None,
        target_label: str | None = None,
    ) -> str:
        return enqueue_job(
            self.db,
            queue,
            payload,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
        )

    def settings(self) -> LibrarySettings:
        return LibrarySettings.get(self.db)
