"""The ``plugin_packages`` and ``plugin_auth`` tables: installed script plugin packages and their
encrypted credentials.

A package installed from the community index or a zip is one folder ``<data dir>/plugins/<id>/``
(``install_path`` ``plugins/<id>``, relative to the data dir); one registered from a local folder
keeps its absolute path and is never moved or deleted by Obscura.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin, new_id
from plugin_sdk.storage import data_dir

PLUGIN_ID_MAX = 128
COMMUNITY_SOURCE = "obscura-community"
"""``source_index`` of a package installed from the default community index."""
ZIP_SOURCE = "zip"
"""``source_index`` of a package installed from a zip URL given by the user."""
LOCAL_SOURCE = "local"
"""``source_index`` of a folder registered in place."""
RUNTIMES = ("python", "typescript", "stash-compat")


class PluginPackage(TimestampMixin, Base):
    """One installed plugin package (its manifest, as read at install time, in ``manifest_raw``)."""

    __tablename__ = "plugin_packages"

    plugin_id: Mapped[str] = mapped_column(String(PLUGIN_ID_MAX), primary_key=True)
    """The manifest's ``id`` (``tmdb``): also the folder name under ``<data dir>/plugins``."""
    name: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[str] = mapped_column(Text, nullable=False)
    runtime: Mapped[str] = mapped_column(String(32), nullable=False)
    """``python``, ``typescript`` or ``stash-compat``."""
    install_path: Mapped[str] = mapped_column(Text, nullable=False)
    """``plugins/<id>`` (relative to the data dir), or the absolute folder of a local registration."""
    sha256: Mapped[str | None] = mapped_column(Text)
    """The installed zip's sha256; ``NULL`` for a local folder."""
    verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    """The zip matched a sha256 the index or the user gave (an empty index sha256 installs unverified)."""
    is_nsfw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    """Capability → supported, as the manifest declares them (``{"videoByURL": true, …}``)."""
    manifest_raw: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    source_index: Mapped[str] = mapped_column(Text, nullable=False, default=LOCAL_SOURCE, server_default=LOCAL_SOURCE)
    """``obscura-community``, the URL of another index, ``zip`` or ``local``."""

    @property
    def folder(self) -> Path:
        """The package's absolute folder (a relative ``install_path`` is under the data dir)."""
        path = Path(self.install_path)
        return path if path.is_absolute() else data_dir() / path

    @property
    def is_local(self) -> bool:
        """Registered in place from a folder of the user's (never deleted by an uninstall)."""
        return Path(self.install_path).is_absolute()


class PluginAuth(TimestampMixin, Base):
    """One credential of a package (an API key), encrypted with ``OBSCURA_SECRET``."""

    __tablename__ = "plugin_auth"
    __table_args__ = (UniqueConstraint("plugin_id", "auth_key", name="uq_plugin_auth_plugin_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    plugin_id: Mapped[str] = mapped_column(
        String(PLUGIN_ID_MAX), ForeignKey("plugin_packages.plugin_id", ondelete="CASCADE"), nullable=False
    )
    auth_key: Mapped[str] = mapped_column(Text, nullable=False)
    """The manifest's ``auth[].key`` (``TMDB_API_KEY``)."""
    encrypted_value: Mapped[str] = mapped_column(Text, nullable=False)
    """``salt:iv:ciphertext:tag`` (base64), see :mod:`plugin_sdk.secrets`."""


MODELS: tuple[type[Base], ...] = (PluginPackage, PluginAuth)
