"""The stashbox tables: the servers the user configured (``stashbox_endpoints``: StashDB, FansDB…)
and the fingerprints contributed to them (``stashbox_fingerprint_submissions``).

``endpoint`` is the server's GraphQL URL, exactly as Stash keeps it: it is also how stash ids
name their server (``stash_ids.endpoint``). The API key is stored encrypted with
``OBSCURA_SECRET`` (``plugin_sdk.secrets``) and never leaves the server.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin, new_id

DEFAULT_MAX_REQUESTS_PER_MINUTE = 240
"""Stash's ``DefaultMaxRequestsPerMinute``."""


class StashBoxEndpointRow(TimestampMixin, Base):
    """One configured stash-box server."""

    __tablename__ = "stashbox_endpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    endpoint: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    """The GraphQL URL (``https://stashdb.org/graphql``)."""
    api_key: Mapped[str | None] = mapped_column(Text)
    """The API key, encrypted (``salt:iv:ciphertext:tag``); ``NULL`` when none was given."""
    max_requests_per_minute: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_MAX_REQUESTS_PER_MINUTE,
        server_default=text(str(DEFAULT_MAX_REQUESTS_PER_MINUTE)),
    )  # fmt: skip
    exclude_tag_patterns: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    """Regular expressions; scraped tags whose name matches one are dropped (Stash's
    ``scraper_exclude_tag_patterns``, per server)."""
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    submit_md5: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    """Whether MD5 fingerprints are submitted too (Stash sends them; stash-box since 2026 drops
    them silently, so turning this off only saves bytes)."""


SUBMITTED, FAILED = "submitted", "failed"
SUBMISSION_STATUSES = (SUBMITTED, FAILED)


class FingerprintSubmissionRow(Base):
    """One fingerprint of one video sent to one endpoint (``submitFingerprint(s)``), so a re-run
    sends nothing twice: a ``submitted`` row is not sent again while the video's stash id stays
    ``stash_id``; a ``failed`` one is tried again."""

    __tablename__ = "stashbox_fingerprint_submissions"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "video_id", "algorithm", "hash",
                         name="uq_stashbox_fingerprint_submissions_fingerprint"),
        Index("ix_stashbox_fingerprint_submissions_video", "video_id"),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    endpoint_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("stashbox_endpoints.id", ondelete="CASCADE"), nullable=False
    )
    video_id: Mapped[str] = mapped_column(String(64), nullable=False)
    """The video (no foreign key: the videos plugin is optional; deletions arrive through
    ``obscura_entities_deleted``)."""
    stash_id: Mapped[str] = mapped_column(Text, nullable=False)
    """The remote scene it was submitted to."""
    algorithm: Mapped[str] = mapped_column(String(8), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    """As sent (``OSHASH`` 16 hex digits, ``PHASH`` unpadded hex, ``MD5`` 32 hex digits)."""
    duration: Mapped[int] = mapped_column(Integer, nullable=False)
    """Whole seconds, as sent."""
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    """``submitted`` or ``failed``."""
    error: Mapped[str | None] = mapped_column(Text)
    """What the server said of a failed submission."""
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                   server_default=text("now()"))  # fmt: skip
    """When it was last sent."""


MODELS: tuple[type[Base], ...] = (StashBoxEndpointRow, FingerprintSubmissionRow)
