"""``/api/backups``: list the backups, back up now, download one; and the Settings section."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, send_file
from pydantic import Field

from plugin_sdk.blueprint import plugin_blueprint
from plugin_sdk.database import database_url
from plugin_sdk.db import get_db
from plugin_sdk.errors import NotFoundError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.settings import read_settings
from plugin_sdk.storage import confine, data_dir
from plugins_builtin.backups.archive import backups_dir, create_backup, is_backup_name, list_backups
from plugins_builtin.backups.errors import BackupBusy
from plugins_builtin.backups.settings import BACKUP_SETTINGS

WEB_BACKUP_TIMEOUT_S = 30 * 60
"""The "Back up now" button waits this long for ``pg_dump``; bigger databases: ``obscura backup``."""

MODULE = "/static/backups/section.js"

_running = threading.Lock()


class BackupOut(ApiModel):
    name: str
    size_bytes: int
    created_at: str
    kind: str = Field(description="``manual`` or ``auto`` (taken before a migration; the oldest are pruned)")
    reason: str | None = None
    obscura_version: str | None = None
    tables: int
    rows: int
    database_bytes: int | None = None
    download_url: str


class BackupsOut(ApiModel):
    folder: str
    keep_automatic: int
    items: list[BackupOut]


def folder() -> Path:
    return backups_dir(data_dir())


def entry(info: Any) -> dict[str, Any]:
    return {**info.to_json(), "downloadUrl": f"/api/backups/{info.name}/download"}


def backups_state(db: Any) -> dict[str, Any]:
    """What the section and ``GET /api/backups`` show."""
    return {
        "folder": str(folder()),
        "keepAutomatic": read_settings(db, BACKUP_SETTINGS).backup_keep_automatic,
        "items": [entry(b) for b in list_backups(folder())],
    }


def backup_path(name: str) -> Path:
    """The file of the backup ``name``, which must be a backup's name inside the backups folder.

    :raises NotFoundError: anything else (a path, ``..``, another file, a missing backup).
    """
    if not is_backup_name(name):
        raise NotFoundError("No backup has that name.", code="backup_not_found")
    base = folder()
    path = confine(base / name, [base])
    if not path.is_file():
        raise NotFoundError("No backup has that name.", code="backup_not_found")
    return path


def make_blueprint() -> Blueprint:
    bp = Blueprint("backups_api", __name__)

    @api_route(bp, "/api/backups", response=BackupsOut)
    def get_backups():
        """The backups in ``<data dir>/backups``, newest first, and how many automatic ones are kept."""
        db = get_db()
        state = backups_state(db)
        db.commit()
        return ok(state)

    @api_route(bp, "/api/backups", methods=["POST"], response=BackupOut, status=201)
    def back_up_now():
        """Write a backup now (in this request, one at a time: 409 while another is written; ``pg_dump``
        gets 30 minutes, use ``obscura backup`` beyond that)."""
        if not _running.acquire(blocking=False):
            raise BackupBusy("A backup is already being written; try again when it is done.")
        try:
            info = create_backup(
                database_url(), data_dir(), kind="manual", reason="manual", timeout=WEB_BACKUP_TIMEOUT_S
            )
        finally:
            _running.release()
        return ok(entry(info), status=201)

    @bp.get("/api/backups/<name>/download")
    def download(name: str):
        """The backup archive, as a download (only files of the backups folder, by name)."""
        path = backup_path(name)
        return send_file(path, mimetype="application/x-tar", as_attachment=True, download_name=path.name,
                         conditional=True, max_age=0)  # fmt: skip

    return bp


def make_section_blueprint() -> Blueprint:
    bp = plugin_blueprint("backups", __file__, blueprint_name="backups_section")

    @bp.app_template_global("backups_state")
    def _backups_state() -> dict[str, Any]:
        """The section's first state (its module keeps it up to date)."""
        return backups_state(get_db())

    return bp
