"""The ``stash_import_keys`` table: which row here each imported Stash row became.

One row per (Stash database, entity, Stash id): the id the owning plugin answered and a digest of
the record it was given. A re-run hands a plugin only the records whose digest changed (or whose
row is gone), so re-importing an unchanged database writes nothing; a failed run resumes where it
stopped, because every batch commits its keys with its rows.
"""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin


class StashImportKey(TimestampMixin, Base):
    __tablename__ = "stash_import_keys"

    source: Mapped[str] = mapped_column(Text, primary_key=True)
    """The Stash database, as the absolute path it was imported from."""
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    """The importer's entity (``video``, ``tag``…, ``entity_links``)."""
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The Stash row's id (``scene:12`` for link records)."""
    target_id: Mapped[str] = mapped_column(String(64), nullable=False)
    """The row's id here."""
    digest: Mapped[str] = mapped_column(String(32), nullable=False)
    """A hash of the record last handed over (an unchanged record is not handed over again)."""


MODELS = (StashImportKey,)
