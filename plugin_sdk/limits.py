"""The library's limits on what comes in: the largest upload, the free disk space always kept, and
how long a download from a URL may take.

They are one settings group of the core (``GET/PUT /api/settings/library``: ``maxUploadMb``,
``minFreeDiskMb``, ``fetchTimeoutSeconds``; Settings → Limits), read with :func:`read_limits`. The
SDK's helpers apply them: :mod:`plugin_sdk.uploadlimit` (every multipart route),
:mod:`plugin_sdk.diskspace` (before an upload or a generated file is written) and
:mod:`plugin_sdk.fetch` (``from-url`` downloads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from plugin_sdk.settings import read_settings
from plugin_sdk.types import SettingsGroup

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["LIMITS", "MIB", "LimitSettings", "binary_size", "read_limits"]

MIB = 1024 * 1024


class LimitSettings(BaseModel):
    """What a request may bring in, and how much disk Obscura leaves free."""

    max_upload_mb: int = Field(
        20480, ge=1, le=1_048_576, title="Largest upload",
        description="The most one upload request may hold (a video, a batch of images or tracks, a picture). "
        "A larger one is refused before it is written anywhere.",
        json_schema_extra={"unit": "MiB", "step": 1},
    )  # fmt: skip
    min_free_disk_mb: int = Field(
        1024, ge=0, le=104_857_600, title="Keep free on disk",
        description="Uploads, thumbnails, previews, sprites, waveforms and HLS segments are not written when "
        "their disk would have less free space than this; the upload or job stops and says so. 0: no check.",
        json_schema_extra={"unit": "MiB", "step": 1},
    )  # fmt: skip
    fetch_timeout_seconds: int = Field(
        20, ge=1, le=300, title="Download timeout",
        description="How long a picture downloaded from a URL (thumbnail, performer image, scraped image) may "
        "take to connect and between two reads.",
        json_schema_extra={"unit": "seconds", "step": 1},
    )  # fmt: skip

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * MIB

    @property
    def min_free_bytes(self) -> int:
        return self.min_free_disk_mb * MIB


LIMITS = SettingsGroup(
    "core-limits",
    "Limits",
    LimitSettings,
    "What uploads and downloads may bring in, and the disk space Obscura always leaves free.",
    order=75,
)
"""The core registers this group (``obscura_settings_groups``); plugins read it with :func:`read_limits`."""


def read_limits(db: Session) -> LimitSettings:
    """The library's :class:`LimitSettings` (the defaults until changed)."""
    limits: LimitSettings = read_settings(db, LIMITS)
    return limits


def binary_size(n: int) -> str:
    """A size in binary units for messages about limits: ``512 B``, ``640 KiB``, ``20 MiB``, ``1.5 GiB``."""
    value, unit = float(n), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    if unit == "B" or value >= 10 or value == int(value):
        return f"{value:.0f} {unit}"
    return f"{value:.1f} {unit}"
