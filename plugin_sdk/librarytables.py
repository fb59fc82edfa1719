"""Column mixins of the tables whose rows a scan finds under a library root, beside those of
:mod:`plugin_sdk.columns`: the same names, types and defaults in every plugin::

    class Album(FolderMixin, LibraryRowMixin, CatalogMixin, EditableMixin, TimestampMixin, Base):
        __tablename__ = "clips_albums"
        __table_args__ = (*folder_indexes("clips_albums"), Index("ix_clips_albums_recent", "created_at", "id"))

        folder_path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)

Like those of :mod:`plugin_sdk.columns`, a mixin only declares columns (and changes nothing in the
database): the migrations write them as usual, and the indexes stay in ``__table_args__``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from plugin_sdk.db import new_id

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["CatalogMixin", "DimensionsMixin", "FolderMixin", "LibraryRowMixin", "folder_indexes", "root_file_rows"]


class LibraryRowMixin:
    """A row a scan found under a library root: its ``id`` (a UUID, ``new_id``) and
    ``library_root_id``, the root it goes with when the root is removed (``ON DELETE CASCADE``)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    library_root_id: Mapped[str | None] = mapped_column(ForeignKey("library_roots.id", ondelete="CASCADE"))


class CatalogMixin:
    """What lists show and sort a media row by beside its title: ``sort_title`` (the lower-cased
    title), ``details`` (free text) and ``date`` (``YYYY-MM-DD``, or a part of it)."""

    sort_title: Mapped[str] = mapped_column(Text, nullable=False)
    details: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(10))


class DimensionsMixin:
    """A picture's ``width`` and ``height`` in pixels, ``NULL`` until the file has been read."""

    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)


class FolderMixin:
    """A folder row nested in another of its table (an album in an album): ``parent_id``, which
    becomes ``NULL`` when the parent is deleted. See :mod:`plugin_sdk.nesting` for the queries."""

    @declared_attr
    def parent_id(cls) -> Mapped[str | None]:
        return mapped_column(ForeignKey(f"{cls.__tablename__}.id", ondelete="SET NULL"))  # type: ignore[attr-defined]


def folder_indexes(table: str) -> tuple[Index, Index, Index]:
    """The indexes every folder table (:class:`FolderMixin`, :class:`LibraryRowMixin`,
    :class:`CatalogMixin`) has: ``ix_<table>_parent`` (children of a folder), ``ix_<table>_root``
    (the rows of a root) and ``ix_<table>_title`` (``sort_title, id``: lists by title)."""
    return (
        Index(f"ix_{table}_parent", "parent_id"),
        Index(f"ix_{table}_root", "library_root_id"),
        Index(f"ix_{table}_title", "sort_title", "id"),
    )


def root_file_rows(db: Session, model: Any, root_id: str, *extra: Any) -> Sequence[Any]:
    """What a scan compares the disk with: every ``model`` row of the library root ``root_id``
    (``LibraryRowMixin``-like, with ``plugin_sdk.columns.SourceFileMixin`` and ``FingerprintMixin``),
    as rows of ``id``, ``file_path``, ``file_size``, ``file_mtime``, ``oshash`` and the ``extra``
    columns, read by name (``row.file_path``)."""
    columns = (model.id, model.file_path, model.file_size, model.file_mtime, model.oshash, *extra)
    return db.execute(select(*columns).where(model.library_root_id == root_id)).all()
