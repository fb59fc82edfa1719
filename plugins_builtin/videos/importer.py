"""The videos plugin's importers (``obscura_importers``): ``video`` and ``video_marker`` records
from an import source (Stash's scenes and markers) into its own tables. The work is in
:mod:`plugins_builtin.videos.importing`; this module names the importers and documents the
record shapes they take."""

from __future__ import annotations

from sqlalchemy.orm import Session

from plugin_sdk.imports import ImportBatch, Importer, ImportOutcome

VIDEO_FIELDS = """\
A video file with its catalogue values, probe facts, hashes and play history. Every key is
present; values may be None.

  path: str                 the file's absolute path here (source paths already mapped)
  missing: bool             the file is not on disk now: imported anyway, marked missing
  size: int | None          bytes; mtime: float | None (epoch seconds)
  title, code, details, director: str | None
  date: str | None          "YYYY", "YYYY-MM" or "YYYY-MM-DD" (partial dates are kept)
  rating: int | None        0-100
  organized: bool
  urls: list[str]
  created_at, updated_at: datetime | None   (timezone-aware; kept on created rows)
  duration: float | None; width, height: int | None; frame_rate: float | None;
  bit_rate: int | None; video_codec, audio_codec, container: str | None
  md5, oshash: str | None   lower hex; phash: str | None (16 lower hex)
  play_count: int; play_duration: float; resume_time: float | None
  play_history: list[datetime]
  o_counter: int; o_history: list[datetime]
  cover: bytes | None       an image: the video's custom thumbnail
  interactive: bool; interactive_speed: int | None   (no home here: listed as unmapped)

Matching: target_id, else the same path, else (for a file missing at its path) the same
oshash. A match is merged (updated for target_id): the record's values win except fields the
user edited here; counters keep the larger value; hashes and probe facts fill what is empty.
Otherwise the video is created in the library root holding the path (none: skipped), placed by
the folder rules a scan uses. A second import of the same records changes nothing."""

MARKER_FIELDS = """\
A marker on a video.

  video_id: str             the video's id here
  title: str
  seconds: float; end_seconds: float | None
  primary_tag_id: str | None   a tag id here; tag_ids: list[str]
  created_at, updated_at: datetime | None   (kept on created markers)

Matching: target_id, else the same video, seconds and title; else created. An unknown video,
or an end before the start, is skipped."""


def import_videos(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    from plugins_builtin.videos.importing.videos import import_videos as run

    return run(db, batch)


def import_markers(db: Session, batch: ImportBatch) -> list[ImportOutcome]:
    from plugins_builtin.videos.importing.markers import import_markers as run

    return run(db, batch)


def importers() -> list[Importer]:
    """The importers of ``video`` and ``video_marker`` records."""
    return [
        Importer("videos", "video", apply=import_videos, label="Videos", fields=VIDEO_FIELDS),
        Importer("videos", "video_marker", apply=import_markers, label="Video markers", fields=MARKER_FIELDS),
    ]
