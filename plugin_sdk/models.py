"""Core tables that plugins may read (and, for settings and roots, the core writes).

These classes are owned by the ``core`` migration lineage. Plugins import them to join against
``library_roots`` or to read ``library_settings``; they never alter their schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from plugin_sdk.db import Base, TimestampMixin, new_id

JOB_ACTIVE_STATUSES = ("waiting", "active")
JOB_STATUSES = ("waiting", "active", "completed", "failed", "cancelled", "dismissed")


class LibraryRoot(TimestampMixin, Base):
    """A folder the user pointed Obscura at, with what to scan in it.

    ``options`` holds the switches plugins contribute (``RootOption``: ``{key: bool}``); read them
    with ``plugin_sdk.library.root_option``, which falls back to the option's default.
    """

    __tablename__ = "library_roots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    label: Mapped[str] = mapped_column(Text, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    recursive: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default=text("'{}'"))
    is_nsfw: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    last_scanned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# The API model in obscura_core/api/settings.py mirrors these columns: change both together.
class LibrarySettings(TimestampMixin, Base):
    """The single row of the core's library-wide settings (``id`` is always 1).

    Plugins keep their own settings apart (``SettingsGroup``, ``plugin_sdk.settings``); the
    ``auto_generate_*`` switches are the library-wide policy every media plugin follows. They govern
    automatic work only (what a scan and a finished job's follow-ups queue: ``metadata`` the probe
    of new and changed files, ``fingerprints`` the hashes, ``preview`` thumbnails, previews and
    waveforms); a switch that is off queues nothing, and a request by hand (a queue's Run missing,
    a "rebuild" button) still runs.
    """

    __tablename__ = "library_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1, autoincrement=False)
    auto_scan_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    scan_interval_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default=text("60"))
    auto_generate_metadata: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    auto_generate_fingerprints: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    auto_generate_preview: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    background_worker_concurrency: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    nsfw_lan_auto_enable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    metadata_storage_dedicated: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))

    @classmethod
    def get(cls, db: Session) -> LibrarySettings:
        """The settings row, created with defaults the first time it is asked for."""
        row = db.get(cls, 1)
        if row is None:
            from sqlalchemy.dialects.postgresql import insert

            db.execute(insert(cls).values(id=1).on_conflict_do_nothing(index_elements=["id"]))
            db.flush()
            row = db.get(cls, 1)
            assert row is not None
        return row


class PluginSettingsRow(Base):
    """The stored values of one plugin settings group (``SettingsGroup.key``); read and written
    through ``plugin_sdk.settings``, which fills in the model's defaults."""

    __tablename__ = "plugin_settings"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"), nullable=False)


class JobRunRow(Base):
    """The durable record of one background job (PostgreSQL is the source of truth, not Redis)."""

    __tablename__ = "job_runs"
    __table_args__ = (
        Index(
            "uq_job_runs_active_target",
            "queue_name",
            "target_type",
            "target_id",
            unique=True,
            postgresql_where=text("status IN ('waiting', 'active')"),
        ),
        Index("ix_job_runs_queue_status", "queue_name", "status"),
        Index(
            "ix_job_runs_unpushed",
            "queue_name",
            "created_at",
            postgresql_where=text("status = 'waiting' AND rq_job_id IS NULL"),
        ),
        Index("ix_job_runs_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    queue_name: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="waiting")
    target_type: Mapped[str | None] = mapped_column(Text)
    target_id: Mapped[str | None] = mapped_column(Text)
    target_label: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    result: Mapped[Any | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    progress_note: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=15)
    rq_job_id: Mapped[str | None] = mapped_column(Text)
    worker_name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"), nullable=False)


class UiPref(Base):
    """Opaque per-key UI preferences (view settings, saved filters) shared across devices."""

    __tablename__ = "ui_prefs"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"), nullable=False)


CORE_MODELS: tuple[type[Base], ...] = (
    LibraryRoot,
    LibrarySettings,
    PluginSettingsRow,
    JobRunRow,
    UiPref,
)
