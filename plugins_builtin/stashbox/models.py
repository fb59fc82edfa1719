"""The ``stashbox_endpoints`` table: the stash-box servers the user configured (StashDB, FansDB…).

``endpoint`` is the server's GraphQL URL, exactly as Stash keeps it: it is also how stash ids
name their server (``stash_ids.endpoint``). The API key is stored encrypted with
``OBSCURA_SECRET`` (``plugin_sdk.secrets``) and never leaves the server.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text, text
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


MODELS: tuple[type[Base], ...] = (StashBoxEndpointRow,)
