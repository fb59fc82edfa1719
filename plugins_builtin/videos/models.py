"""Tables of the videos plugin: series → seasons → videos (episodes), movies, markers, subtitles.

Movies and episodes share one ``videos`` table (``kind``), so the unified list sorts and pages
with one index instead of a UNION. Technical columns are filled by media-probe and fingerprint;
``edited_fields`` lists what the user changed, which rescans never overwrite. ``missing_at`` marks
a row whose file is known to be gone (an imported Stash scene whose file is not on disk): scans
keep such a row, and clear the mark when the file is back. Plays and o's are events in
``video_history`` besides the counters on the row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from plugin_sdk.columns import EditableMixin, MarkerMixin, PlayableFileMixin, count_column, flag_column
from plugin_sdk.db import Base, TimestampMixin, new_id
from plugin_sdk.librarytables import CatalogMixin, DimensionsMixin


class VideoSeries(EditableMixin, TimestampMixin, Base):
    __tablename__ = "video_series"
    __obscura_entity__ = "series"  # SFW propagation (plugin_sdk.sfw)
    __table_args__ = (Index("ix_video_series_root", "library_root_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    library_root_id: Mapped[str] = mapped_column(ForeignKey("library_roots.id", ondelete="CASCADE"), nullable=False)
    folder_path: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    relative_path: Mapped[str] = mapped_column(Text, nullable=False)
    custom_name: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    overview: Mapped[str | None] = mapped_column(Text)
    tagline: Mapped[str | None] = mapped_column(Text)
    first_air_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD, or a year and month
    content_rating: Mapped[str | None] = mapped_column(Text)
    external_ids: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    artwork: Mapped[dict[str, int]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    """Downloaded artwork: slot (``poster``, ``backdrop``, ``logo``) → when (epoch seconds, for URLs)."""


class VideoSeason(TimestampMixin, Base):
    __tablename__ = "video_seasons"
    __table_args__ = (UniqueConstraint("series_id", "season_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    series_id: Mapped[str] = mapped_column(ForeignKey("video_series.id", ondelete="CASCADE"), nullable=False)
    season_number: Mapped[int] = mapped_column(Integer, nullable=False)
    folder_path: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    overview: Mapped[str | None] = mapped_column(Text)
    air_date: Mapped[str | None] = mapped_column(String(10))
    external_ids: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    poster_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Video(PlayableFileMixin, CatalogMixin, DimensionsMixin, TimestampMixin, Base):
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
        Index("ix_videos_parent", "parent_id", postgresql_where=text("parent_id IS NOT NULL")),
        Index("ix_videos_root", "library_root_id"),
        # byte order, whatever the database's collation: a folder's files are one range of it
        Index("ix_videos_path_bytes", text('file_path COLLATE "C"')),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # movie | episode | extra
    library_root_id: Mapped[str] = mapped_column(ForeignKey("library_roots.id", ondelete="CASCADE"), nullable=False)
    series_id: Mapped[str | None] = mapped_column(ForeignKey("video_series.id", ondelete="CASCADE"))
    season_id: Mapped[str | None] = mapped_column(ForeignKey("video_seasons.id", ondelete="SET NULL"))
    season_number: Mapped[int | None] = mapped_column(Integer)
    episode_number: Mapped[int | None] = mapped_column(Integer)
    episode_end: Mapped[int | None] = mapped_column(Integer)
    absolute_episode_number: Mapped[int | None] = mapped_column(Integer)
    # one movie, several files (docs/library-layout.md): stacked parts, versions and extras share
    # group_key; every file but the group's main one points to it (parent_id) and is not listed
    group_key: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("videos.id", ondelete="SET NULL"))
    part_number: Mapped[int | None] = mapped_column(Integer)
    version_label: Mapped[str | None] = mapped_column(Text)
    extra_type: Mapped[str | None] = mapped_column(String(24))  # kind "extra": trailer, featurette…
    layout_version: Mapped[int] = mapped_column(
        SmallInteger, nullable=False, default=0, server_default=text("0")
    )  # the placement rules that placed it (scanning.layout.LAYOUT_VERSION); older rows are re-placed

    # title, rating (0-100), organized, is_nsfw, edited_fields: EditableMixin; sort_title (lower-cased
    # title, for sorting), details, date: CatalogMixin
    year: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(Text)  # the studio's code for the scene (Stash's ``code``)
    director: Mapped[str | None] = mapped_column(Text)
    urls: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    tagline: Mapped[str | None] = mapped_column(Text)
    content_rating: Mapped[str | None] = mapped_column(Text)
    external_ids: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    """Ids at metadata providers (``{"tmdb": "603", "imdb": "tt0133093"}``)."""
    cast_roles: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    """The cast as a typed result named it: ``[{name, character, order}]`` (the performers are linked)."""
    artwork: Mapped[dict[str, int]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    """A movie's downloaded artwork: slot (``poster``, ``backdrop``, ``logo``) → when (epoch seconds)."""
    sidecar: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # tags/performers/studio read from sidecars

    # file_path, file_size, file_mtime, duration, probed_at, probe_error, md5, oshash, width, height:
    # the mixins
    frame_rate: Mapped[float | None] = mapped_column(Float)
    bit_rate: Mapped[int | None] = mapped_column(BigInteger)
    video_codec: Mapped[str | None] = mapped_column(Text)
    audio_codec: Mapped[str | None] = mapped_column(Text)
    container: Mapped[str | None] = mapped_column(Text)
    phash: Mapped[str | None] = mapped_column(String(16))

    thumbnail_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    custom_thumbnail: Mapped[bool] = flag_column()
    preview_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trickplay_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    preview_error: Mapped[str | None] = mapped_column(Text)
    subtitles_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # play_count, play_duration, resume_time, last_played_at: PlaybackMixin
    o_counter: Mapped[int] = count_column()
    missing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the file was found gone (an import of a file not on disk); scans keep the row meanwhile."""


class VideoMarker(MarkerMixin, TimestampMixin, Base):
    __tablename__ = "video_markers"
    __table_args__ = (Index("ix_video_markers_video", "video_id", "seconds"),)

    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    primary_tag_id: Mapped[str | None] = mapped_column(String(36))  # a taxonomy tag (no FK: taxonomy is optional)
    tag_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")


class VideoEvent(Base):
    """One play or one o of a video, at a time: its history (the counters stay on the row).

    The key is the whole event, so an event is there once: an import adds only the ones missing."""

    __tablename__ = "video_history"
    __table_args__ = (CheckConstraint("kind IN ('play', 'o')", name="kind"),)

    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(4), primary_key=True)  # play | o
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)


PLAY_EVENT, O_EVENT = "play", "o"
"""The kinds of :class:`VideoEvent`."""


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
    is_default: Mapped[bool] = flag_column()
    forced: Mapped[bool] = flag_column()


MODELS = (VideoSeries, VideoSeason, Video, VideoMarker, VideoEvent, VideoSubtitle)


def listed() -> ColumnElement[bool]:
    """The videos lists show: movies and episodes, not a movie's other parts and versions
    (``parent_id``), not extras (shown on their movie's or series' page)."""
    return and_(Video.parent_id.is_(None), Video.kind != "extra")
