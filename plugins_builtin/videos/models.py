"""Tables of the videos plugin: series → seasons → videos (episodes), movies, markers, subtitles.

Movies and episodes share one ``videos`` table (``kind``), so the unified list sorts and pages
with one index instead of a UNION. Technical columns are filled by media-probe and fingerprint;
``edited_fields`` lists what the user changed, which rescans never overwrite.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.db import Base, TimestampMixin, new_id


class VideoSeries(TimestampMixin, Base):
    __tablename__ = "video_series"
    __obscura_entity__ = "series"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = (Index("ix_video_series_root", "library_root_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    library_root_id: Mapped[str] = mapped_column(ForeignKey("library_roots.id", ondelete="CASCADE"), nullable=False)
    folder_path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    relative_path: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    custom_name: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    overview: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    is_nsfw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    organized: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    edited_fields: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")


class VideoSeason(TimestampMixin, Base):
    __tablename__ = "video_seasons"
    __table_args__ = (UniqueConstraint("series_id", "season_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    series_id: Mapped[str] = mapped_column(ForeignKey("video_series.id", ondelete="CASCADE"), nullable=False)
    season_number: Mapped[int] = mapped_column(Integer, nullable=False)
    folder_path: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    overview: Mapped[str | None] = mapped_column(Text)


class Video(TimestampMixin, Base):
    __tablename__ = "videos"
    __obscura_entity__ = "video"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = (
        Index("ix_videos_recent", "created_at", "id"),
        Index("ix_videos_title", "sort_title", "id"),
        # columns empty right after a scan get partial indexes: 20k new rows skip them entirely
        Index("ix_videos_duration", "duration", "id", postgresql_where=text("duration IS NOT NULL")),
        Index("ix_videos_size", "file_size", "id"),
        Index("ix_videos_rating", "rating", "id", postgresql_where=text("rating IS NOT NULL")),
        Index("ix_videos_date", "date", "id", postgresql_where=text("date IS NOT NULL")),
        Index("ix_videos_plays", "play_count", "id", postgresql_where=text("play_count > 0")),
        Index("ix_videos_episode", "series_id", "season_number", "episode_number", "id"),
        Index("ix_videos_oshash", "oshash", postgresql_where=text("oshash IS NOT NULL")),
        Index("ix_videos_phash", "phash", postgresql_where=text("phash IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # movie | episode
    library_root_id: Mapped[str] = mapped_column(ForeignKey("library_roots.id", ondelete="CASCADE"), nullable=False)
    series_id: Mapped[str | None] = mapped_column(ForeignKey("video_series.id", ondelete="CASCADE"))
    season_id: Mapped[str | None] = mapped_column(ForeignKey("video_seasons.id", ondelete="SET NULL"))
    season_number: Mapped[int | None] = mapped_column(Integer)
    episode_number: Mapped[int | None] = mapped_column(Integer)
    episode_end: Mapped[int | None] = mapped_column(Integer)
    absolute_episode_number: Mapped[int | None] = mapped_column(Integer)

    title: Mapped[str] = mapped_column(Text, nullable=False)
    sort_title: Mapped[str] = mapped_column(Text, nullable=False)  # lower-cased title, for sorting
    details: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(10))
    year: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[int | None] = mapped_column(Integer)  # 0-100
    organized: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    is_nsfw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    urls: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    sidecar: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # tags/performers/studio read from sidecars
    edited_fields: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")

    file_path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_mtime: Mapped[float | None] = mapped_column(Float)
    duration: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    frame_rate: Mapped[float | None] = mapped_column(Float)
    bit_rate: Mapped[int | None] = mapped_column(BigInteger)
    video_codec: Mapped[str | None] = mapped_column(Text)
    audio_codec: Mapped[str | None] = mapped_column(Text)
    container: Mapped[str | None] = mapped_column(Text)
    probed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    probe_error: Mapped[str | None] = mapped_column(Text)
    md5: Mapped[str | None] = mapped_column(String(32))
    oshash: Mapped[str | None] = mapped_column(String(16))
    phash: Mapped[str | None] = mapped_column(String(16))

    thumbnail_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    custom_thumbnail: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    preview_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trickplay_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    preview_error: Mapped[str | None] = mapped_column(Text)
    subtitles_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    play_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    play_duration: Mapped[float] = mapped_column(Float, nullable=False, default=0.0, server_default=text("0"))
    resume_time: Mapped[float | None] = mapped_column(Float)
    last_played_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VideoMarker(TimestampMixin, Base):
    __tablename__ = "video_markers"
    __table_args__ = (Index("ix_video_markers_video", "video_id", "seconds"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False)
    end_seconds: Mapped[float | None] = mapped_column(Float)


class VideoSubtitle(TimestampMixin, Base):
    __tablename__ = "video_subtitles"
    __table_args__ = (UniqueConstraint("video_id", "source", "source_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    language: Mapped[str] = mapped_column(String(35), nullable=False, default="und")
    label: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # sidecar | upload | embedded
    source_key: Mapped[str] = mapped_column(Text, nullable=False)  # sidecar path, stream index, upload name
    source_format: Mapped[str] = mapped_column(String(8), nullable=False, default="vtt")
    file_name: Mapped[str] = mapped_column(Text, nullable=False)  # the WebVTT in the video's cache folder
    raw_file_name: Mapped[str | None] = mapped_column(Text)  # raw .ass/.ssa kept for styled rendering
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    forced: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))


MODELS = (VideoSeries, VideoSeason, Video, VideoMarker, VideoSubtitle)
