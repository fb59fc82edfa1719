"""A plugin's own settings, stored by the core and shown on the Settings page.

Declare them as a pydantic model whose every field has a default, in a ``SettingsGroup``
returned from ``obscura_settings_groups``; read them anywhere with a session::

    class ClipSettings(BaseModel):
        clip_seconds: int = Field(8, ge=2, le=60, title="Clip length",
                                  description="Length of each clip.", json_schema_extra={"unit": "seconds"})

    CLIP_SETTINGS = SettingsGroup("clips", "Clips", ClipSettings, intro="How clips are cut.")

    @hookimpl
    def obscura_settings_groups():
        return [CLIP_SETTINGS]

    seconds = read_settings(db, CLIP_SETTINGS).clip_seconds

The values are served (camelCase, flat) and changed through ``GET/PUT /api/settings/library``
together with the core's, and a value the model no longer accepts (after an upgrade) falls back
to the field's default instead of failing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from plugin_sdk.types import SettingsGroup

M = TypeVar("M", bound=BaseModel)


def stored_values(db: Session, key: str) -> dict[str, Any]:
    """The raw stored values of one settings group (``{}`` before anything was saved)."""
    from plugin_sdk.models import PluginSettingsRow

    row = db.get(PluginSettingsRow, key)
    return dict(row.values or {}) if row is not None else {}


def read_settings(db: Session, group: SettingsGroup) -> Any:
    """The group's settings: stored values over the model's defaults (an instance of ``group.model``)."""
    return _validated(group.model, stored_values(db, group.key))


def _validated(model: type[M], values: dict[str, Any]) -> M:
    known = {k: v for k, v in values.items() if k in model.model_fields}
    try:
        return model.model_validate(known)
    except PydanticValidationError as exc:
        bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        return model.model_validate({k: v for k, v in known.items() if k not in bad})


def write_settings(db: Session, group: SettingsGroup, changes: dict[str, Any]) -> Any:
    """Validate ``changes`` (snake_case) against the model, store them, return the new settings.

    The caller commits.

    :raises plugin_sdk.errors.ValidationError: a value the model refuses.
    """
    from sqlalchemy import func
    from sqlalchemy.dialects.postgresql import insert

    from plugin_sdk.errors import ValidationError
    from plugin_sdk.http import format_validation_error
    from plugin_sdk.models import PluginSettingsRow

    merged = {**stored_values(db, group.key), **changes}
    try:
        settings = group.model.model_validate({k: v for k, v in merged.items() if k in group.model.model_fields})
    except PydanticValidationError as exc:
        raise ValidationError(format_validation_error(exc, "body")) from None
    values = settings.model_dump(mode="json")
    db.execute(
        insert(PluginSettingsRow)
        .values(key=group.key, values=values)
        .on_conflict_do_update(index_elements=["key"], set_={"values": values, "updated_at": func.now()})
    )
    return settings
