"""The core's record of breaking migrations the operator agreed to (``obscura_core.migrate``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, new_id


class BreakingConsent(Base):
    """One breaking migration applied with the operator's consent, and the backup taken before it."""

    __tablename__ = "breaking_consents"
    __table_args__ = (UniqueConstraint("lineage", "revision"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lineage: Mapped[str] = mapped_column(String(200), nullable=False)
    revision: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    """What the migration said it would do (its ``breaking`` text), as shown to the operator."""
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"), nullable=False)
    accepted_via: Mapped[str] = mapped_column(String(40), nullable=False)
    """``breaking-gate`` (the web notice) or ``migrate`` (``obscura migrate --accept-breaking``)."""
    backup_file: Mapped[str | None] = mapped_column(Text)
    """What the ``obscura_before_migrate`` plugins answered (the backup written), if anything."""
