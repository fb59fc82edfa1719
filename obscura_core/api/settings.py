"""Essential plugin: ``GET/PUT /api/settings/library`` (the single row of library settings)."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint
from pydantic import Field

from plugin_sdk import hookimpl
from plugin_sdk.db import get_db
from plugin_sdk.errors import ValidationError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.models import LibrarySettings


class LibrarySettingsOut(ApiModel):
    auto_scan_enabled: bool
    scan_interval_minutes: int
    auto_generate_metadata: bool
    auto_generate_fingerprints: bool
    generate_phash: bool
    auto_generate_preview: bool
    generate_trickplay: bool
    trickplay_interval_seconds: int
    preview_clip_duration_seconds: int
    thumbnail_quality: int
    trickplay_quality: int
    background_worker_concurrency: int
    nsfw_lan_auto_enable: bool
    metadata_storage_dedicated: bool
    subtitles_auto_enable: bool
    subtitles_preferred_languages: str
    subtitle_style: str
    subtitle_font_scale: float
    subtitle_position_percent: int
    subtitle_opacity: float
    default_playback_mode: str


class LibrarySettingsPatch(ApiModel):
    """Every field optional; ranges as the original (values outside are refused, not clamped)."""

    auto_scan_enabled: bool | None = None
    scan_interval_minutes: int | None = Field(None, ge=5, le=10080)
    auto_generate_metadata: bool | None = None
    auto_generate_fingerprints: bool | None = None
    generate_phash: bool | None = None
    auto_generate_preview: bool | None = None
    generate_trickplay: bool | None = None
    trickplay_interval_seconds: int | None = Field(None, ge=3, le=600)
    preview_clip_duration_seconds: int | None = Field(None, ge=4, le=120)
    thumbnail_quality: int | None = Field(None, ge=1, le=31)
    trickplay_quality: int | None = Field(None, ge=1, le=31)
    background_worker_concurrency: int | None = Field(None, ge=1, le=16)
    nsfw_lan_auto_enable: bool | None = None
    metadata_storage_dedicated: bool | None = None
    subtitles_auto_enable: bool | None = None
    subtitles_preferred_languages: str | None = Field(None, max_length=200)
    subtitle_style: Literal["stylized", "classic", "outline"] | None = None
    subtitle_font_scale: float | None = Field(None, ge=0.5, le=3)
    subtitle_position_percent: int | None = Field(None, ge=0, le=100)
    subtitle_opacity: float | None = Field(None, ge=0.2, le=1)
    default_playback_mode: Literal["direct", "hls"] | None = None


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_settings", __name__)

    @api_route(bp, "/api/settings/library", response=LibrarySettingsOut)
    def get_settings():
        """Every library setting."""
        db = get_db()
        row = LibrarySettings.get(db)
        db.commit()
        return ok(LibrarySettingsOut.model_validate(row))

    @api_route(bp, "/api/settings/library", methods=["PUT"], body=LibrarySettingsPatch, response=LibrarySettingsOut)
    def put_settings(body: LibrarySettingsPatch):
        """Change some settings; the others keep their values."""
        db = get_db()
        row = LibrarySettings.get(db)
        for key, value in body.model_dump(exclude_unset=True).items():
            if value is None:
                raise ValidationError(f"body.{key}: cannot be null")
            setattr(row, key, value)
        db.commit()
        return ok(LibrarySettingsOut.model_validate(row))

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]
