"""Tables of the audio plugin: libraries (one per folder holding audio, nested), tracks, markers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.columns import EditableMixin, MarkerMixin, PlayableFileMixin, count_column, flag_column
from plugin_sdk.db import Base, TimestampMixin
from plugin_sdk.librarytables import CatalogMixin, FolderMixin, LibraryRowMixin, folder_indexes


class AudioLibrary(FolderMixin, LibraryRowMixin, CatalogMixin, EditableMixin, TimestampMixin, Base):
    __tablename__ = "audio_libraries"
    __obscura_entity__ = "audio-library"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = folder_indexes("audio_libraries")

    # id, library_root_id, parent_id, sort_title, details, date: the mixins
    folder_path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    track_count: Mapped[int] = count_column()
    cover: Mapped[str | None] = mapped_column(String(16))  # None | embedded | custom


class AudioTrack(LibraryRowMixin, PlayableFileMixin, TimestampMixin, Base):
    __tablename__ = "audio_tracks"
    __obscura_entity__ = "audio-track"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = (
        Index("ix_audio_tracks_library", "library_id", "sort_order", "id"),
        Index("ix_audio_tracks_root", "library_root_id"),
        Index("ix_audio_tracks_recent", "created_at", "id"),
        Index("ix_audio_tracks_oshash", "oshash", postgresql_where=text("oshash IS NOT NULL")),
    )

    # id, library_root_id: LibraryRowMixin
    library_id: Mapped[str | None] = mapped_column(ForeignKey("audio_libraries.id", ondelete="SET NULL"))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    sort_title: Mapped[str] = mapped_column(Text, nullable=False)
    details: Mapped[str | None] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    album_artist: Mapped[str | None] = mapped_column(Text)
    track_number: Mapped[int | None] = mapped_column(Integer)
    disc_number: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    genre: Mapped[str | None] = mapped_column(Text)
    has_cover: Mapped[bool] = flag_column()  # its embedded cover is in the cache (assets.COVER)
    waveform_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    codec: Mapped[str | None] = mapped_column(String(32))
    container: Mapped[str | None] = mapped_column(String(32))
    bit_rate: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    channels: Mapped[int | None] = mapped_column(Integer)


class AudioMarker(MarkerMixin, TimestampMixin, Base):
    __tablename__ = "audio_markers"
    __table_args__ = (Index("ix_audio_markers_track", "track_id", "seconds"),)

    track_id: Mapped[str] = mapped_column(ForeignKey("audio_tracks.id", ondelete="CASCADE"), nullable=False)


MODELS = (AudioLibrary, AudioTrack, AudioMarker)
