"""Tables of the images plugin: galleries (folder, zip, virtual; nested), images, chapters.

An image is a file, or a member of a zip/cbz archive (``member`` names it; ``''`` for files).
``phash`` is the 64-bit perceptual hash as a signed BIGINT, so duplicate search can work on
integers; ``phash_hex`` is its 16-digit text form for the API.

``missing_at`` marks a row whose file (or folder/archive) is known to be gone (an imported Stash
image whose file was missing, say): scans keep such rows instead of pruning them, and clear the
mark when the file is found again. ``code``, ``photographer`` and ``urls`` come from imports and
edits (Stash keeps them on images and galleries).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.columns import EditableMixin, FingerprintMixin, SourceFileMixin, count_column, flag_column
from plugin_sdk.db import Base, TimestampMixin, new_id
from plugin_sdk.librarytables import CatalogMixin, DimensionsMixin, FolderMixin, LibraryRowMixin, folder_indexes


class Gallery(FolderMixin, LibraryRowMixin, CatalogMixin, EditableMixin, TimestampMixin, Base):
    __tablename__ = "galleries"
    __obscura_entity__ = "gallery"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = (
        *folder_indexes("galleries"),
        Index("ix_galleries_recent", "created_at", "id"),
        UniqueConstraint("path"),
    )

    # id, library_root_id, parent_id, sort_title, details, date: the mixins
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # folder | zip | virtual
    path: Mapped[str | None] = mapped_column(Text)  # folder or archive path; NULL for virtual galleries
    cover_image_id: Mapped[str | None] = mapped_column(String(36))
    image_count: Mapped[int] = count_column()
    scan_error: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(Text)
    photographer: Mapped[str | None] = mapped_column(Text)
    urls: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    missing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # folder/archive gone; kept


class Image(LibraryRowMixin, EditableMixin, SourceFileMixin, FingerprintMixin, DimensionsMixin, TimestampMixin, Base):
    __tablename__ = "images"
    __obscura_entity__ = "image"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = (
        UniqueConstraint("file_path", "member"),
        Index("ix_images_gallery", "gallery_id", "sort_order", "id"),
        Index("ix_images_recent", "created_at", "id"),
        Index("ix_images_root", "library_root_id"),
        Index("ix_images_oshash", "oshash", postgresql_where=text("oshash IS NOT NULL")),
        Index("ix_images_phash", "phash", postgresql_where=text("phash IS NOT NULL")),
        Index("ix_images_rating", "rating", "id", postgresql_where=text("rating IS NOT NULL")),
    )

    # id, library_root_id: LibraryRowMixin; width, height: DimensionsMixin
    gallery_id: Mapped[str | None] = mapped_column(ForeignKey("galleries.id", ondelete="SET NULL"))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    file_path: Mapped[str] = mapped_column(Text, nullable=False)  # unique with ``member``, not alone
    member: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    details: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(10))
    format: Mapped[str | None] = mapped_column(String(16))
    animated: Mapped[bool] = flag_column()
    phash: Mapped[int | None] = mapped_column(BigInteger)
    thumbnail_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    thumbnail_error: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(Text)
    photographer: Mapped[str | None] = mapped_column(Text)
    urls: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    missing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # file gone; scans keep the row


class GalleryChapter(TimestampMixin, Base):
    __tablename__ = "gallery_chapters"
    __table_args__ = (Index("ix_gallery_chapters_gallery", "gallery_id", "image_index"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    gallery_id: Mapped[str] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    image_index: Mapped[int] = mapped_column(Integer, nullable=False)


class GalleryItem(Base):
    """Membership of an image in a virtual gallery (folder and zip galleries own their images)."""

    __tablename__ = "gallery_items"
    __table_args__ = (
        UniqueConstraint("gallery_id", "image_id"),
        Index("ix_gallery_items_pos", "gallery_id", "position"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    gallery_id: Mapped[str] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"), nullable=False)
    image_id: Mapped[str] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


MODELS = (Gallery, Image, GalleryChapter, GalleryItem)
