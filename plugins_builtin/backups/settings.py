"""The backups plugin's setting: how many automatic backups to keep."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError

from plugin_sdk import SettingsGroup

SETTINGS_KEY = "backups"


class BackupSettings(BaseModel):
    backup_keep_automatic: int = Field(
        5,
        ge=1,
        le=100,
        title="Automatic backups kept",
        description="Backups taken before each database upgrade; the oldest beyond this number are deleted. "
        "Backups made by hand are never deleted.",
    )


BACKUP_SETTINGS = SettingsGroup(
    SETTINGS_KEY,
    "Automatic backups",
    BackupSettings,
    intro="Obscura backs up its database before every upgrade that changes it.",
    order=90,
)


def settings_from(stored: dict[str, Any] | None) -> BackupSettings:
    """The settings from their stored values (read in a backup's snapshot); a value the model
    refuses falls back to its default."""
    known = {k: v for k, v in (stored or {}).items() if k in BackupSettings.model_fields}
    try:
        return BackupSettings.model_validate(known)
    except PydanticValidationError:
        return BackupSettings()
