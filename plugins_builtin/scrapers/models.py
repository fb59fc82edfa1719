"""The ``scraper_packages`` table: Stash CommunityScrapers packages installed under the data dir.

A package is one folder ``<data dir>/scrapers/<id>/`` unpacked from the index's zip. Scraper
packages hold one scraper YAML (``scraper_file``); dependency-only packages such as ``py_common``
hold none and are recorded as libraries (``scraper_file`` is ``NULL``, no capabilities).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin

PACKAGE_ID_MAX = 128
LOCAL_SOURCE = "local"


class ScraperPackage(TimestampMixin, Base):
    """One installed CommunityScrapers package (a scraper or a library like ``py_common``)."""

    __tablename__ = "scraper_packages"

    id: Mapped[str] = mapped_column(String(PACKAGE_ID_MAX), primary_key=True)
    """The package id of the index (``IAFD``, ``py_common``): also its folder name."""
    name: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(Text)
    """The index's ``date`` of this version (``2024-01-04 19:34:16``), compared to find updates."""
    install_path: Mapped[str] = mapped_column(Text, nullable=False)
    """The package folder relative to the data dir (``scrapers/IAFD``)."""
    scraper_file: Mapped[str | None] = mapped_column(Text)
    """The scraper YAML inside the folder (``IAFD.yml``); ``NULL`` for a library package."""
    sha256: Mapped[str | None] = mapped_column(Text)
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    """Stash action → supported (``{"sceneByURL": true, "performerByName": false, …}``)."""
    requires: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    is_nsfw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    source_index: Mapped[str] = mapped_column(Text, nullable=False, default=LOCAL_SOURCE, server_default=LOCAL_SOURCE)
    """The index URL the package came from, or ``local``."""

    @property
    def is_library(self) -> bool:
        """A dependency-only package (no scraper YAML): never run as a scraper."""
        return self.scraper_file is None


MODELS: tuple[type[Base], ...] = (ScraperPackage,)
