"""Tables of the taxonomy plugin: performers, studios, tags and their links to media rows.

Names are unique case-insensitively through ``name_key`` (see :mod:`.names`), so find-or-create
is an ``INSERT … ON CONFLICT (name_key)``. Links are polymorphic (``entity_type``, ``entity_id``)
without foreign keys to media tables, because every media plugin is optional; media plugins
announce deletions through ``obscura_entities_deleted`` and the links go with them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin, new_id

ENTITY_TYPE_MAX = 32
ENTITY_ID_MAX = 64


class NamedMixin(TimestampMixin):
    """Columns every performer, studio and tag has."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    name_key: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, server_default="{}")
    alias_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, server_default="{}")
    favorite: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    rating: Mapped[int | None] = mapped_column(Integer)  # 0-100
    is_nsfw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    image_format: Mapped[str | None] = mapped_column(String(8))  # None | jpeg | png
    image_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    image_source: Mapped[str | None] = mapped_column(Text)  # "<source>:<key>:<sha256>" of an imported picture
    ignore_auto_tag: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )  # Stash's "ignore auto tag": kept for auto-tagging by name


class Performer(NamedMixin, Base):
    __tablename__ = "performers"
    __table_args__ = (
        Index("ix_performers_alias_keys", "alias_keys", postgresql_using="gin"),
        Index("ix_performers_recent", "created_at", "id"),
        Index("ix_performers_nsfw", "id", postgresql_where=text("is_nsfw IS TRUE")),
    )

    disambiguation: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[str | None] = mapped_column(String(32))
    birthdate: Mapped[str | None] = mapped_column(String(10))
    death_date: Mapped[str | None] = mapped_column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD
    country: Mapped[str | None] = mapped_column(Text)
    ethnicity: Mapped[str | None] = mapped_column(Text)
    eye_color: Mapped[str | None] = mapped_column(Text)
    hair_color: Mapped[str | None] = mapped_column(Text)
    height: Mapped[int | None] = mapped_column(Integer)  # cm
    weight: Mapped[int | None] = mapped_column(Integer)  # kg
    measurements: Mapped[str | None] = mapped_column(Text)
    fake_tits: Mapped[str | None] = mapped_column(Text)
    penis_length: Mapped[float | None] = mapped_column(Float)  # cm
    circumcised: Mapped[str | None] = mapped_column(Text)
    tattoos: Mapped[str | None] = mapped_column(Text)
    piercings: Mapped[str | None] = mapped_column(Text)
    career_start: Mapped[int | None] = mapped_column(Integer)  # year
    career_end: Mapped[int | None] = mapped_column(Integer)  # year
    details: Mapped[str | None] = mapped_column(Text)
    urls: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")


class Studio(NamedMixin, Base):
    __tablename__ = "studios"
    __table_args__ = (
        Index("ix_studios_alias_keys", "alias_keys", postgresql_using="gin"),
        Index("ix_studios_parent", "parent_id"),
        Index("ix_studios_nsfw", "id", postgresql_where=text("is_nsfw IS TRUE")),
    )

    parent_id: Mapped[str | None] = mapped_column(ForeignKey("studios.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(Text)  # the first of ``urls``, for what reads one URL
    urls: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    details: Mapped[str | None] = mapped_column(Text)


class Tag(NamedMixin, Base):
    __tablename__ = "tags"
    __table_args__ = (
        Index("ix_tags_alias_keys", "alias_keys", postgresql_using="gin"),
        Index("ix_tags_nsfw", "id", postgresql_where=text("is_nsfw IS TRUE")),
    )

    description: Mapped[str | None] = mapped_column(Text)


class TagParent(Base):
    """``tag_id`` is a child of ``parent_id`` (a tag may have many parents; cycles are refused)."""

    __tablename__ = "tag_parents"
    __table_args__ = (Index("ix_tag_parents_parent", "parent_id", "tag_id"),)

    tag_id: Mapped[str] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    parent_id: Mapped[str] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class EntityPerformer(Base):
    """A media row (``entity_type``, ``entity_id``) features a performer."""

    __tablename__ = "entity_performers"
    __table_args__ = (
        Index("ix_entity_performers_performer", "performer_id", "entity_type", "entity_id"),
        Index("ix_entity_performers_type", "entity_type", "performer_id"),  # counts of one media type, sorted
    )

    entity_type: Mapped[str] = mapped_column(String(ENTITY_TYPE_MAX), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_MAX), primary_key=True)
    performer_id: Mapped[str] = mapped_column(ForeignKey("performers.id", ondelete="CASCADE"), primary_key=True)


class EntityTag(Base):
    """A media row carries a tag."""

    __tablename__ = "entity_tags"
    __table_args__ = (
        Index("ix_entity_tags_tag", "tag_id", "entity_type", "entity_id"),
        Index("ix_entity_tags_type", "entity_type", "tag_id"),
    )

    entity_type: Mapped[str] = mapped_column(String(ENTITY_TYPE_MAX), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_MAX), primary_key=True)
    tag_id: Mapped[str] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class EntityStudio(Base):
    """A media row's studio (at most one)."""

    __tablename__ = "entity_studios"
    __table_args__ = (
        Index("ix_entity_studios_studio", "studio_id", "entity_type", "entity_id"),
        Index("ix_entity_studios_type", "entity_type", "studio_id"),
    )

    entity_type: Mapped[str] = mapped_column(String(ENTITY_TYPE_MAX), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_MAX), primary_key=True)
    studio_id: Mapped[str] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"), nullable=False)


MODELS = (Performer, Studio, Tag, TagParent, EntityPerformer, EntityTag, EntityStudio)
