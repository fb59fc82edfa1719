"""The videos plugin's five queues, the processors running them and what "run queue" enqueues for each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from plugin_sdk.jobs import enqueue_jobs, enqueue_where
from plugin_sdk.library import enqueue_root_scans, roots_to_scan
from plugin_sdk.models import JOB_ACTIVE_STATUSES, JobRunRow, LibraryRoot, LibrarySettings
from plugin_sdk.queues import QueueTable
from plugin_sdk.settings import read_settings
from plugins_builtin.videos.models import Video
from plugins_builtin.videos.settings import GENERATION, SCAN_MOVIES, SCAN_SERIES

LIBRARY_SCAN = "library-scan"
MEDIA_PROBE = "media-probe"
FINGERPRINT = "fingerprint"
PREVIEW = "preview"
EXTRACT_SUBTITLES = "extract-subtitles"

QUEUES = QueueTable()

SCAN_OPTIONS = (SCAN_MOVIES, SCAN_SERIES)


def enqueue_scans(db: Session, roots: Sequence[LibraryRoot], trigger: str) -> int:
    return enqueue_root_scans(db, LIBRARY_SCAN, roots, trigger, options=SCAN_OPTIONS, label="Scan videos")


def _per_video(db: Session, queue: str, label: str, *conditions: object) -> int:
    return enqueue_where(db, queue, Video, *conditions, target_type="video", payload_key="videoId", label=label)


PROBE_BATCH = 100
"""Videos per ``media-probe`` run of a scan: one job row per hundred new files, not per file."""


def probe_batches(
    videos: list[tuple[str, str]], *, explicit: bool = False
) -> list[tuple[dict[str, Any], str, str, str]]:
    """``media-probe`` job items for new videos (``(id, title)`` pairs), ``PROBE_BATCH`` per run.

    A batch's target is its first video (so SFW mode hides it with that video); only pass videos no
    waiting or running probe covers yet, since a run waiting on the first video skips the batch.
    ``explicit`` marks a person's request (Run missing, an upload): it runs even when "Read media
    details" is off, where the scan's automatic runs are skipped (``process_media_probe``).
    """
    items = []
    for start in range(0, len(videos), PROBE_BATCH):
        batch = videos[start : start + PROBE_BATCH]
        first_id, first_title = batch[0]
        more = f" and {len(batch) - 1} more" if len(batch) > 1 else ""
        payload: dict[str, Any] = {"videoIds": [vid for vid, _ in batch]}
        if explicit:
            payload["explicit"] = True
        items.append((payload, "video", first_id, f"Probe · {first_title}{more}"))
    return items


def probed_soon(db: Session) -> set[str]:
    """Videos a waiting or running ``media-probe`` run covers."""
    covered: set[str] = set()
    for target_id, payload in db.execute(
        select(JobRunRow.target_id, JobRunRow.payload).where(
            JobRunRow.queue_name == MEDIA_PROBE, JobRunRow.status.in_(JOB_ACTIVE_STATUSES)
        )
    ):
        covered.add(target_id)
        covered.update(payload.get("videoIds") or ())
    return covered


def enqueue_probes(db: Session, videos: list[tuple[str, str]], *, explicit: bool = False) -> int:
    """Probe runs (batches) for ``(id, title)`` videos that no waiting or running probe covers;
    none unless ``explicit`` or "Read media details" (``auto_generate_metadata``) is on."""
    if not videos or not (explicit or LibrarySettings.get(db).auto_generate_metadata):
        return 0
    covered = probed_soon(db)
    return enqueue_jobs(db, MEDIA_PROBE, probe_batches([v for v in videos if v[0] not in covered], explicit=explicit))


@QUEUES.add(LIBRARY_SCAN, "Scan video folders", "Walk library roots and index movies and episodes.")
def missing_scans(db: Session) -> int:
    return enqueue_scans(db, roots_to_scan(db, SCAN_OPTIONS), "manual")


@QUEUES.add(MEDIA_PROBE, "Read video details", "ffprobe: duration, resolution, codecs.", concurrency=2)
def missing_probes(db: Session) -> int:
    """Unprobed videos no waiting or running probe covers, ``PROBE_BATCH`` per run."""
    rows = db.execute(select(Video.id, Video.title).where(Video.probed_at.is_(None)).order_by(Video.created_at))
    return enqueue_probes(db, [(vid, title) for vid, title in rows], explicit=True)


@QUEUES.add(FINGERPRINT, "Fingerprint videos", "MD5, oshash and (when enabled) Stash-compatible pHash.")
def missing_fingerprints(db: Session) -> int:
    return _per_video(db, FINGERPRINT, "Fingerprint", or_(Video.md5.is_(None), Video.oshash.is_(None)))


@QUEUES.add(
    PREVIEW, "Generate previews", "Thumbnail, hover preview clip, and (when enabled) trickplay sprite and WebVTT."
)
def missing_previews(db: Session) -> int:
    """Videos lacking a thumbnail or preview clip, or trickplay while the Trickplay switch is on
    (the run builds what that switch allows: a video without trickplay is not missing anything
    while it is off)."""
    lacking = [Video.preview_at.is_(None), Video.thumbnail_at.is_(None)]
    if read_settings(db, GENERATION).generate_trickplay:
        lacking.append(Video.trickplay_at.is_(None))
    return _per_video(db, PREVIEW, "Previews", Video.duration.is_not(None), or_(*lacking))


@QUEUES.add(EXTRACT_SUBTITLES, "Extract subtitles", "Sidecar and embedded text subtitles to WebVTT.")
def missing_subtitles(db: Session) -> int:
    """A request by hand: marked ``explicit``, it runs even when the Subtitles switch is off."""
    rows = db.execute(
        select(Video.id, Video.title)
        .where(Video.duration.is_not(None), Video.subtitles_at.is_(None))
        .order_by(Video.created_at)
    ).all()
    return enqueue_jobs(
        db,
        EXTRACT_SUBTITLES,
        (({"videoId": vid, "explicit": True}, "video", vid, f"Subtitles · {title}") for vid, title in rows),
    )


PROCESSORS = {
    LIBRARY_SCAN: "plugins_builtin.videos.scan:process_library_scan",
    MEDIA_PROBE: "plugins_builtin.videos.processors:process_media_probe",
    FINGERPRINT: "plugins_builtin.videos.processors:process_fingerprint",
    PREVIEW: "plugins_builtin.videos.preview_processor:process_preview",
    EXTRACT_SUBTITLES: "plugins_builtin.videos.subtitles:process_extract_subtitles",
}
"""The function running each queue, imported when ``obscura_processors`` is asked (at start-up)."""
