"""Tables of the audio plugin: libraries (one per folder holding audio, nested), tracks, markers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin, new_id


class AudioLibrary(TimestampMixin, Base):
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
    title: Mapped[str] = mapped_column(Text, nullable=False)
    sort_title: Mapped[str] = mapped_column(Text, nullable=False)
    details: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(10))
    rating: Mapped[int | None] = mapped_column(Integer)
    organized: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    is_nsfw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    track_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    cover: Mapped[str | None] = mapped_column(String(16))  # None | embedded | custom
    edited_fields: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")


class AudioTrack(TimestampMixin, Base):
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
    file_path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_mtime: Mapped[float | None] = mapped_column(Float)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    sort_title: Mapped[str] = mapped_column(Text, nullable=False)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    album_artist: Mapped[str | None] = mapped_column(Text)
    track_number: Mapped[int | None] = mapped_column(Integer)
    disc_number: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    genre: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    organized: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    is_nsfw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    duration: Mapped[float | None] = mapped_column(Float)
    bit_rate: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    channels: Mapped[int | None] = mapped_column(Integer)
    codec: Mapped[str | None] = mapped_column(String(32))
    container: Mapped[str | None] = mapped_column(String(32))
    probed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    probe_error: Mapped[str | None] = mapped_column(Text)
    has_cover: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    md5: Mapped[str | None] = mapped_column(String(32))
    oshash: Mapped[str | None] = mapped_column(String(16))
    waveform_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    play_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    play_duration: Mapped[float] = mapped_column(Float, nullable=False, default=0.0, server_default=text("0"))
    resume_time: Mapped[float | None] = mapped_column(Float)
    last_played_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    edited_fields: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")


class AudioMarker(TimestampMixin, Base):
    __tablename__ = "audio_markers"
    __table_args__ = (Index("ix_audio_markers_track", "track_id", "seconds"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    track_id: Mapped[str] = mapped_column(ForeignKey("audio_tracks.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False)
    end_seconds: Mapped[float | None] = mapped_column(Float)


MODELS = (AudioLibrary, AudioTrack, AudioMarker)
