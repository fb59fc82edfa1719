"""Maintenance routes: start a move or an orphan search, read their state, delete chosen orphans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import Field
from sqlalchemy import select

from plugin_sdk.assets import storage_dedicated
from plugin_sdk.db import get_db
from plugin_sdk.errors import ConflictError
from plugin_sdk.http import ApiModel, api_route, model_from, ok
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.models import JobRunRow
from plugin_sdk.sfw import entity_model, is_sfw
from plugins_builtin.maintenance import queues
from plugins_builtin.maintenance.orphans import delete_orphan_folders


class MigrateIn(ApiModel):
    target_dedicated: bool | None = None
    """``true``: into the cache; ``false``: next to the media; omitted: where the setting says."""


class DeleteOrphansIn(ApiModel):
    folders: list[str] = Field(min_length=1, max_length=1000)
    """Cache folders from the orphan report, e.g. ``videos/ab/ab12…``."""


class JobStartedOut(ApiModel):
    job_run_id: str


class RunOut(ApiModel):
    id: str
    status: str
    progress: int
    progress_note: str | None = None
    result: Any = None
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None


class StatusOut(ApiModel):
    dedicated: bool
    migration: RunOut | None = None
    orphans: RunOut | None = None


class DeletedOut(ApiModel):
    deleted: list[str]
    freed_bytes: int


def _run(row: JobRunRow | None) -> RunOut | None:
    return None if row is None else model_from(RunOut, row)


def _hide_nsfw_items(db: Any, run: RunOut | None) -> RunOut | None:
    """In SFW mode the sweep's list of vanished items leaves out the rows SFW mode hides."""
    if run is None or not is_sfw(db) or not isinstance(run.result, dict) or not run.result.get("vanished"):
        return run
    kept = []
    for item in run.result["vanished"]:
        model = entity_model(str(item.get("entityType")))
        if model is None or db.execute(select(model.id).where(model.id == item.get("entityId"))).first():
            kept.append(item)  # the ORM's SFW criteria answer: still visible
    return run.model_copy(update={"result": {**run.result, "vanished": kept}})


def status(db: Any) -> StatusOut:
    return StatusOut(
        dedicated=storage_dedicated(db),
        migration=_run(queues.latest_run(db, queues.MIGRATE)),
        orphans=_hide_nsfw_items(db, _run(queues.latest_run(db, queues.ORPHANS))),
    )


def make_blueprint() -> Blueprint:
    bp = Blueprint("maintenance_api", __name__)

    @api_route(
        bp, "/api/jobs/migrate-asset-storage", methods=["POST"], body=MigrateIn, response=JobStartedOut, status=202
    )
    def migrate(body: MigrateIn):
        """Move generated files (thumbnails, previews, trickplay) into the cache or next to the media."""
        db = get_db()
        if queues.pending_run(db, queues.MIGRATE):
            raise ConflictError("A move of generated files is already waiting or running.", code="job_pending")
        target = storage_dedicated(db) if body.target_dedicated is None else body.target_dedicated
        where = "the cache" if target else "next to the media"
        run_id = enqueue_job(
            db,
            queues.QUEUE,
            {"kind": "migrate", "targetDedicated": target},
            target_type=queues.TARGET_TYPE,
            target_id=queues.MIGRATE,
            target_label=f"Move generated files to {where}",
        )
        db.commit()
        return ok({"jobRunId": run_id}, status=202)

    @api_route(bp, "/api/maintenance/orphans/scan", methods=["POST"], response=JobStartedOut, status=202)
    def scan_orphans():
        """Look for cache folders without a row and rows whose media file vanished (a report only)."""
        db = get_db()
        if queues.pending_run(db, queues.ORPHANS):
            raise ConflictError("An orphan search is already waiting or running.", code="job_pending")
        run_id = enqueue_job(
            db,
            queues.QUEUE,
            {"kind": "orphans"},
            target_type=queues.TARGET_TYPE,
            target_id=queues.ORPHANS,
            target_label="Find orphaned files",
        )
        db.commit()
        return ok({"jobRunId": run_id}, status=202)

    @api_route(bp, "/api/maintenance/status", response=StatusOut)
    def get_status():
        """The storage layout, and the latest move and orphan search with their results."""
        db = get_db()
        out = status(db)
        db.commit()
        return ok(out.dump())

    @api_route(bp, "/api/maintenance/orphans/delete", methods=["POST"], body=DeleteOrphansIn, response=DeletedOut)
    def delete_orphans(body: DeleteOrphansIn):
        """Delete cache folders the orphan report listed, each checked again (media files are never touched)."""
        return ok(delete_orphan_folders(get_db(), body.folders))

    return bp
