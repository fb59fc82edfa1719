"""What can go wrong with a backup or a restore, as the API and the shell report it."""

from __future__ import annotations

from plugin_sdk.errors import ConflictError, ObscuraError


class BackupToolError(ObscuraError):
    """503: no usable ``pg_dump``/``pg_restore`` (missing, or older than the server); the message
    says what to install."""

    status = 503
    code = "backup_tool_missing"


class BackupFailed(ObscuraError):
    """503: ``pg_dump`` or ``pg_restore`` failed, or the archive could not be written (a full
    disk); the message carries the error output, for the operator to act on."""

    status = 503
    code = "backup_failed"


class BackupBusy(ConflictError):
    """409: another backup is being written."""

    code = "backup_running"


class RestoreRefused(ConflictError):
    """409: the target database is not empty (or the archive is not a backup of ours)."""

    code = "restore_refused"


class RestoreMismatch(ObscuraError):
    """500: the restored tables do not hold the rows the manifest lists."""

    status = 500
    code = "restore_mismatch"
