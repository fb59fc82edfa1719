"""Stash import routes: check a database and its mappings, start an import, read the runs."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint
from pydantic import Field

from plugin_sdk.db import get_db
from plugin_sdk.errors import ConflictError, ValidationError
from plugin_sdk.http import ApiModel, api_route, model_from, ok
from plugin_sdk.jobs import enqueue_job
from plugins_builtin.stash_import import queues
from plugins_builtin.stash_import.paths import PathMap
from plugins_builtin.stash_import.reader import open_stash_db
from plugins_builtin.stash_import.run import options_from

TOP_FOLDERS_SHOWN = 50


class ImportIn(ApiModel):
    path: str = Field(min_length=1, max_length=4096)
    """The ``stash-go.sqlite`` file on the server."""
    path_map: dict[str, str] | list[str] = Field(default_factory=dict)
    """Stash path prefix → prefix here (``{"/data": "/mnt/media"}`` or ``["/data=/mnt/media"]``)."""
    dry_run: bool = False
    create_roots: bool = True
    """Add a library root for each Stash top folder found here that no root covers."""
    blobs_path: str | None = Field(default=None, max_length=4096)
    """Stash's blobs folder, when it kept images on disk (default: ``blobs`` beside the database)."""


class TopFolder(ApiModel):
    stash: str
    here: str
    exists: bool


class CheckOut(ApiModel):
    path: str
    schema_version: int
    counts: dict[str, int]
    top_folders: list[TopFolder]
    unused_mappings: list[str]


class JobStartedOut(ApiModel):
    job_run_id: str


class RunOut(ApiModel):
    id: str
    status: str
    progress: int
    progress_note: str | None = None
    payload: Any = None
    result: Any = None
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None


class RunsOut(ApiModel):
    runs: list[RunOut]


def check(body: ImportIn) -> CheckOut:
    """Open the database (400/409 when it is not one we can read) and try the mappings on its folders."""
    options = options_from(body.dump())
    paths = PathMap(dict(options.path_map))
    with open_stash_db(Path(options.path).expanduser()) as reader:
        folders = list(reader.folders())
        tops = sorted({f["path"] for f in folders if f["parent_folder_id"] is None and f["zip_file_id"] is None})
        return CheckOut(
            path=options.path,
            schema_version=reader.version,
            counts=reader.counts(),
            top_folders=[
                TopFolder(stash=t, here=paths.apply(t), exists=os.path.isdir(paths.apply(t)))
                for t in tops[:TOP_FOLDERS_SHOWN]
            ],
            unused_mappings=paths.unused(f["path"] for f in folders) if paths.mappings else [],
        )


def runs(db: Any) -> RunsOut:
    return RunsOut(runs=[model_from(RunOut, r) for r in queues.recent_runs(db)])


def make_blueprint() -> Blueprint:
    bp = Blueprint("stash_import_api", __name__)

    @api_route(bp, "/api/imports/stash/check", methods=["POST"], body=ImportIn, response=CheckOut)
    def check_import(body: ImportIn):
        """What an import of this Stash database would read: its version, counts and top folders."""
        return ok(check(body))

    @api_route(bp, "/api/imports/stash", methods=["POST"], body=ImportIn, response=JobStartedOut, status=202)
    def start_import(body: ImportIn):
        """Import a Stash database (a job: progress in Operations; its result is the report)."""
        db = get_db()
        found = check(body)
        if found.unused_mappings:
            names = ", ".join(repr(u) for u in found.unused_mappings)
            raise ValidationError(
                f"The mapping of {names} maps nothing: no path in the Stash database starts with it.",
                code="mapping_unused",
            )
        if queues.pending_run(db):
            raise ConflictError("A Stash import is already waiting or running.", code="job_pending")
        payload = {
            "path": found.path,
            "pathMap": dict(options_from(body.dump()).path_map),
            "dryRun": body.dry_run,
            "createRoots": body.create_roots,
            "blobsPath": body.blobs_path,
        }
        name = Path(found.path).name
        run_id = enqueue_job(
            db,
            queues.QUEUE,
            payload,
            target_type=queues.TARGET_TYPE,
            target_id=None,
            target_label=f"{'Dry run: ' if body.dry_run else ''}Import Stash database {name}",
        )
        db.commit()
        return ok({"jobRunId": run_id}, status=202)

    @api_route(bp, "/api/imports/stash", response=RunsOut)
    def list_imports():
        """The latest Stash imports with their status, progress and report."""
        return ok(runs(get_db()))

    return bp
