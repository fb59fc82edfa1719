"""Essential plugin: ``GET/PUT /api/settings/library``: the core's settings and every plugin's.

The core's own fields live in the single ``library_settings`` row; a plugin's live in its
``SettingsGroup`` (``plugin_sdk.settings``). On the wire they are one flat camelCase object, so a
client neither knows nor cares which plugin owns a setting; the request and response models are
built from the loaded plugins' groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app
from pydantic import Field, create_model
from pydantic.fields import FieldInfo

from plugin_sdk import SettingsGroup, hookimpl
from plugin_sdk.db import get_db
from plugin_sdk.errors import ValidationError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.limits import LIMITS
from plugin_sdk.models import LibrarySettings
from plugin_sdk.settings import read_settings, write_settings


class LibrarySettingsOut(ApiModel):
    """The core's settings (plugins add theirs to the answer)."""

    auto_scan_enabled: bool
    scan_interval_minutes: int
    auto_generate_metadata: bool
    auto_generate_fingerprints: bool
    auto_generate_preview: bool
    background_worker_concurrency: int
    nsfw_lan_auto_enable: bool
    metadata_storage_dedicated: bool


class LibrarySettingsPatch(ApiModel):
    """Every field optional; ranges as the original (values outside are refused, not clamped)."""

    auto_scan_enabled: bool | None = None
    scan_interval_minutes: int | None = Field(None, ge=5, le=10080)
    auto_generate_metadata: bool | None = None
    auto_generate_fingerprints: bool | None = None
    auto_generate_preview: bool | None = None
    background_worker_concurrency: int | None = Field(None, ge=1, le=16)
    nsfw_lan_auto_enable: bool | None = None
    metadata_storage_dedicated: bool | None = None


@dataclass(frozen=True)
class SettingsModels:
    """The wire models for the loaded plugins: the answer, and the PUT body (all optional)."""

    out: type[ApiModel]
    patch: type[ApiModel]


def _optional(info: FieldInfo) -> tuple[Any, FieldInfo]:
    patch = FieldInfo.merge_field_infos(info, default=None)
    return info.annotation | None, patch


def settings_models(registry: Any = None) -> SettingsModels:
    """The core's models extended with every settings group's fields (built once per registry)."""
    if registry is None:
        registry = current_app.extensions["obscura"].registry

    def build() -> SettingsModels:
        out_fields: dict[str, Any] = {}
        patch_fields: dict[str, Any] = {}
        for _, group in registry.settings_groups:
            for name, info in group.model.model_fields.items():
                out_fields[name] = (info.annotation, FieldInfo.merge_field_infos(info))
                patch_fields[name] = _optional(info)
        return SettingsModels(
            out=create_model("LibrarySettingsOut", __base__=LibrarySettingsOut, **out_fields),
            patch=create_model("LibrarySettingsPatch", __base__=LibrarySettingsPatch, **patch_fields),
        )

    return registry.derived("settings models", build)


def current_settings(db: Any) -> dict[str, Any]:
    """Every setting (core and plugins), snake_case."""
    registry = current_app.extensions["obscura"].registry
    values = LibrarySettingsOut.model_validate(LibrarySettings.get(db)).model_dump()
    for _, group in registry.settings_groups:
        values.update(read_settings(db, group).model_dump())
    return values


def save_settings(db: Any, changes: dict[str, Any]) -> None:
    """Store ``changes`` (snake_case): the core's in its row, each plugin's in its group."""
    for key, value in changes.items():
        if value is None:
            raise ValidationError(f"body.{key}: cannot be null")
    registry = current_app.extensions["obscura"].registry
    row = LibrarySettings.get(db)
    for key in LibrarySettingsPatch.model_fields:
        if key in changes:
            setattr(row, key, changes.pop(key))
    for _, group in registry.settings_groups:
        mine = {k: changes.pop(k) for k in list(changes) if k in group.model.model_fields}
        if mine:
            write_settings(db, group, mine)


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_settings", __name__)

    def out_model() -> type[ApiModel]:
        return settings_models().out

    def patch_model() -> type[ApiModel]:
        return settings_models().patch

    @api_route(bp, "/api/settings/library", response=out_model)
    def get_settings():
        """Every library setting: the core's and every plugin's."""
        db = get_db()
        values = current_settings(db)
        db.commit()
        return ok(out_model().model_validate(values))

    @api_route(bp, "/api/settings/library", methods=["PUT"], body=patch_model, response=out_model)
    def put_settings(body: ApiModel):
        """Change some settings; the others keep their values."""
        db = get_db()
        save_settings(db, body.model_dump(exclude_unset=True))
        db.commit()
        return ok(out_model().model_validate(current_settings(db)))

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]


@hookimpl
def obscura_settings_groups() -> list[SettingsGroup]:
    """The library's limits on what comes in (upload cap, free disk, download timeout): the SDK's
    upload, disk and download helpers read them (``plugin_sdk.limits``)."""
    return [LIMITS]
