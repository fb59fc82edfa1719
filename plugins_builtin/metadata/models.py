"""Tables of the metadata plugin: scrape results awaiting review, and links to StashBox ids.

Both point at their entity polymorphically (``entity_type``, ``entity_id``) without a foreign key,
because the entity's plugin (videos, taxonomy…) is optional; deletions reach this plugin through
``obscura_entities_deleted``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin, new_id

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
STATUSES = (PENDING, ACCEPTED, REJECTED)


class ScrapeResultRow(TimestampMixin, Base):
    """One result a source proposed for one entity, and what the user did with it."""

    __tablename__ = "scrape_results"
    __table_args__ = (
        Index("ix_scrape_results_entity", "entity_type", "entity_id", "created_at"),
        Index("ix_scrape_results_status", "status", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    entity_type: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # scene | performer | group…
    source_kind: Mapped[str] = mapped_column(String(32), nullable=False)  # scrapers | stashbox…
    source_id: Mapped[str] = mapped_column(Text, nullable=False)
    source_name: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, nullable=False)
    match_type: Mapped[str | None] = mapped_column(String(16))
    remote_id: Mapped[str | None] = mapped_column(Text)
    match_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # e.g. the fingerprints that matched
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=PENDING, server_default=text("'pending'"))
    raw_result: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    proposed: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    applied: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # the fields and warnings of the accept
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StashIdRow(TimestampMixin, Base):
    """An entity's id at a StashBox server (``endpoint`` is the server's GraphQL URL, as in Stash)."""

    __tablename__ = "stash_ids"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "endpoint", name="uq_stash_ids_entity_endpoint"),
        Index("ix_stash_ids_remote", "endpoint", "stash_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    entity_type: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    endpoint: Mapped[str] = mapped_column(Text, nullable=False)
    stash_id: Mapped[str] = mapped_column(Text, nullable=False)


MODELS = (ScrapeResultRow, StashIdRow)
