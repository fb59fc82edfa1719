"""Tables of the collections plugin: collections and their members.

Members are polymorphic (``entity_type``, ``entity_id``) without foreign keys to media tables,
because every media plugin is optional; media plugins announce deletions through
``obscura_entities_deleted`` and the members go with them. A member is ``manual`` (added by the
user) or ``dynamic`` (matched by the rule tree); a row exists once per collection, kind and id, so
manual membership wins over the rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin, new_id

ENTITY_TYPE_MAX = 32
ENTITY_ID_MAX = 64
MODES = ("manual", "dynamic", "hybrid")
COVER_MODES = ("mosaic", "item")


class Collection(TimestampMixin, Base):
    __tablename__ = "collections"
    __table_args__ = (Index("ix_collections_name", "name", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(8), nullable=False, default="manual", server_default="manual")
    rule_tree: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    cover_mode: Mapped[str] = mapped_column(String(8), nullable=False, default="mosaic", server_default="mosaic")
    cover_item_type: Mapped[str | None] = mapped_column(String(ENTITY_TYPE_MAX))
    cover_item_id: Mapped[str | None] = mapped_column(String(ENTITY_ID_MAX))
    slideshow_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=5, server_default=text("5"))
    slideshow_auto_advance: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    item_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    last_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refresh_error: Mapped[str | None] = mapped_column(Text)


class CollectionItem(Base):
    __tablename__ = "collection_items"
    __table_args__ = (
        Index("ix_collection_items_order", "collection_id", "sort_order"),
        Index("ix_collection_items_entity", "entity_type", "entity_id"),
    )

    collection_id: Mapped[str] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True, nullable=False
    )
    entity_type: Mapped[str] = mapped_column(String(ENTITY_TYPE_MAX), primary_key=True, nullable=False)
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_MAX), primary_key=True, nullable=False)
    source: Mapped[str] = mapped_column(String(8), nullable=False)  # manual | dynamic
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


MODELS = (Collection, CollectionItem)
