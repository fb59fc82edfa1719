"""Column sets media tables share, as declarative mixins: the same names, types and defaults in
every plugin, so the SDK's helpers (``apply_patch``, ``delete_media``, SFW mode, the scans'
:class:`~plugin_sdk.library.MovedFiles`…) work on any kind of media row::

    class Clip(PlayableFileMixin, TimestampMixin, Base):
        __tablename__ = "clips"
        id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
        library_root_id: Mapped[str | None] = mapped_column(ForeignKey("library_roots.id", ondelete="CASCADE"))
        sort_title: Mapped[str] = mapped_column(Text, nullable=False)
        details: Mapped[str | None] = mapped_column(Text)

A mixin only declares columns: indexes and constraints stay in the table's ``__table_args__``, and
a table may redeclare one of the columns to change it (``images.file_path`` is not unique on its
own, say). Mixing one in changes nothing in the database for the columns it declares, so your
migrations write them as usual.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import new_id


def flag_column() -> Mapped[bool]:
    """A ``NOT NULL`` boolean column, ``false`` unless set (in Python and in the database)."""
    return mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))


def count_column() -> Mapped[int]:
    """A ``NOT NULL`` integer column starting at ``0`` (in Python and in the database)."""
    return mapped_column(Integer, nullable=False, default=0, server_default=text("0"))


class EditableMixin:
    """What the user edits on every kind of media row: ``title``, a 0–100 ``rating``,
    ``organized``, ``is_nsfw`` (SFW mode), and ``edited_fields``, the fields scans must no longer
    overwrite (kept by :func:`~plugin_sdk.edits.apply_patch`)."""

    title: Mapped[str] = mapped_column(Text, nullable=False)
    rating: Mapped[int | None] = mapped_column(Integer)
    organized: Mapped[bool] = flag_column()
    is_nsfw: Mapped[bool] = flag_column()
    edited_fields: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")


class SourceFileMixin:
    """The media file a row stands for: its ``file_path`` (unique), ``file_size`` (bytes) and
    ``file_mtime`` (seconds), which scans compare with the disk."""

    file_path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_mtime: Mapped[float | None] = mapped_column(Float)


class FingerprintMixin:
    """The file's ``md5`` and ``oshash`` (hex), ``NULL`` until the fingerprint job has run."""

    md5: Mapped[str | None] = mapped_column(String(32))
    oshash: Mapped[str | None] = mapped_column(String(16))


class ProbeMixin:
    """What reading a playable file tells: its ``duration`` (seconds), when it was read
    (``probed_at``, ``NULL`` until then) and why it could not be (``probe_error``)."""

    duration: Mapped[float | None] = mapped_column(Float)
    probed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    probe_error: Mapped[str | None] = mapped_column(Text)


class PlaybackMixin:
    """Playback history of a playable row: ``play_count``, ``play_duration`` (seconds played in
    all), ``resume_time`` (where to go on) and ``last_played_at``."""

    play_count: Mapped[int] = count_column()
    play_duration: Mapped[float] = mapped_column(Float, nullable=False, default=0.0, server_default=text("0"))
    resume_time: Mapped[float | None] = mapped_column(Float)
    last_played_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PlayableFileMixin(EditableMixin, SourceFileMixin, ProbeMixin, FingerprintMixin, PlaybackMixin):
    """All of a playable media file's shared columns (a video, an audio track): the mixins
    :class:`EditableMixin`, :class:`SourceFileMixin`, :class:`ProbeMixin`,
    :class:`FingerprintMixin` and :class:`PlaybackMixin` together."""


class MarkerMixin:
    """A marker table's own columns (:mod:`plugin_sdk.markers`): ``id``, ``title``, ``seconds`` and
    an optional ``end_seconds``; the table adds the foreign key to its parent row."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False)
    end_seconds: Mapped[float | None] = mapped_column(Float)
