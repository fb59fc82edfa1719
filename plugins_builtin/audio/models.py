"""Tables of the audio plugin: libraries (one per folder holding audio, nested), tracks, markers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.columns import EditableMixin, MarkerMixin, PlayableFileMixin, count_column, flag_column
from plugin_sdk.db import Base, TimestampMixin, new_id


class AudioLibrary(EditableMixin, TimestampMixin, Base):
    __tablename__ = "audio_libraries"
    __obscura_entity__ = "audio-library"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = (
        Index("ix_audio_libraries_parent", "parent_id"),
        Index("ix_audio_libraries_root", "library_root_id"),
        Index("ix_audio_libraries_title", "sort_title", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    library_root_id: Mapped[str | None] = mapped_column(ForeignKey("library_roots.id", ondelete="CASCADE"))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("audio_libraries.id", ondelete="SET NULL"))
    folder_path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    sort_title: Mapped[str] = mapped_column(Text, nullable=False)
    details: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(10))
    track_count: Mapped[int] = count_column()
    cover: Mapped[str | None] = mapped_column(String(16))  # None | embedded | custom


class AudioTrack(PlayableFileMixin, TimestampMixin, Base):
    __tablename__ = "audio_tracks"
    __obscura_entity__ = "audio-track"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = (
        Index("ix_audio_tracks_library", "library_id", "sort_order", "id"),
        Index("ix_audio_tracks_root", "library_root_id"),
        Index("ix_audio_tracks_recent", "created_at", "id"),
        Index("ix_audio_tracks_oshash", "oshash", postgresql_where=text("oshash IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    library_root_id: Mapped[str | None] = mapped_column(ForeignKey("library_roots.id", ondelete="CASCADE"))
    library_id: Mapped[str | None] = mapped_column(ForeignKey("audio_libraries.id", ondelete="SET NULL"))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    sort_title: Mapped[str] = mapped_column(Text, nullable=False)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    album_artist: Mapped[str | None] = mapped_column(Text)
    track_number: Mapped[int | None] = mapped_column(Integer)
    disc_number: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    genre: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    bit_rate: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    channels: Mapped[int | None] = mapped_column(Integer)
    codec: Mapped[str | None] = mapped_column(String(32))
    container: Mapped[str | None] = mapped_column(String(32))
    has_cover: Mapped[bool] = flag_column()
    waveform_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AudioMarker(MarkerMixin, TimestampMixin, Base):
    __tablename__ = "audio_markers"
    __table_args__ = (Index("ix_audio_markers_track", "track_id", "seconds"),)

    track_id: Mapped[str] = mapped_column(ForeignKey("audio_tracks.id", ondelete="CASCADE"), nullable=False)


MODELS = (AudioLibrary, AudioTrack, AudioMarker)
