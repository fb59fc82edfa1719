"""What a video still needs from the queues, for rows that did not come from a scan's new files:
imported rows (their probe facts and hashes came with them) and rows whose file is back on disk.

A scan's new files go to ``media-probe``, whose finished runs chain the rest
(``obscura_job_finished``); a row that is already probed starts further down that chain instead:
its fingerprint (only the pHash when md5 and oshash are known), previews and subtitles, each
when its switch is on, exactly as the chain would have queued them, and nothing that is done.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.db import in_array
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.models import LibrarySettings
from plugin_sdk.settings import read_settings
from plugins_builtin.videos import queues
from plugins_builtin.videos.models import Video
from plugins_builtin.videos.settings import GENERATION, GenerationSettings

Item = tuple[dict[str, Any], str, str, str]
"""A job item: ``(payload, target type, target id, label)``."""


def fingerprint_payload(
    video_id: str, md5: str | None, oshash: str | None, phash: str | None, generate_phash: bool
) -> dict[str, Any] | None:
    """The ``fingerprint`` run a video needs: ``None`` when its hashes are all there (the pHash
    only counts while the pHash switch is on), the pHash alone when md5 and oshash are known."""
    if md5 is None or oshash is None:
        return {"videoId": video_id}
    if generate_phash and phash is None:
        return {"videoId": video_id, "phashOnly": True}
    return None


def needs_previews(row: Any, generation: GenerationSettings) -> bool:
    """Whether a probed, decodable video lacks its thumbnail, preview clip or (while the Trickplay
    switch is on) trickplay: what "Run missing" on Previews would queue it for."""
    if not row.duration or not row.width:
        return False
    lacking = row.thumbnail_at is None or row.preview_at is None
    return lacking or (generation.generate_trickplay and row.trickplay_at is None)


def enqueue_generation(db: Session, video_ids: Collection[str]) -> int:
    """Queue what the given videos still need, following the Generation switches as a scan's
    chain does; videos whose file is missing get nothing. Targets already waiting or running are
    skipped. Returns how many runs were created (they reach Redis when ``db`` commits)."""
    if not video_ids:
        return 0
    rows = db.execute(
        select(
            Video.id, Video.title, Video.probed_at, Video.duration, Video.width, Video.md5, Video.oshash,
            Video.phash, Video.thumbnail_at, Video.preview_at, Video.trickplay_at, Video.subtitles_at,
        ).where(in_array(Video.id, video_ids), Video.missing_at.is_(None))
        .order_by(Video.created_at, Video.id)
    ).all()  # fmt: skip
    if not rows:
        return 0
    library = LibrarySettings.get(db)
    generation = read_settings(db, GENERATION)
    unprobed = [(r.id, r.title) for r in rows if r.probed_at is None]
    created = queues.enqueue_probes(db, unprobed) if unprobed else 0  # the chain follows the probe
    follow: dict[str, list[Item]] = {queues.FINGERPRINT: [], queues.PREVIEW: [], queues.EXTRACT_SUBTITLES: []}
    for r in rows:
        if r.probed_at is None:
            continue
        if library.auto_generate_fingerprints:
            payload = fingerprint_payload(r.id, r.md5, r.oshash, r.phash, generation.generate_phash)
            if payload is not None:
                follow[queues.FINGERPRINT].append((payload, "video", r.id, f"Fingerprint · {r.title}"))
        if library.auto_generate_preview and needs_previews(r, generation):
            follow[queues.PREVIEW].append(({"videoId": r.id}, "video", r.id, f"Previews · {r.title}"))
        if generation.generate_subtitles and r.duration and r.subtitles_at is None:
            follow[queues.EXTRACT_SUBTITLES].append(({"videoId": r.id}, "video", r.id, f"Subtitles · {r.title}"))
    for queue, items in follow.items():
        if items:
            created += enqueue_jobs(db, queue, items)
    return created


def fingerprint_follow_ups(db: Session, video_ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """The ``fingerprint`` payload each probed video of ``video_ids`` needs after its probe
    (``None``: its hashes came with it, an import's), for ``obscura_job_finished``."""
    generate_phash = read_settings(db, GENERATION).generate_phash
    rows = db.execute(select(Video.id, Video.md5, Video.oshash, Video.phash).where(in_array(Video.id, video_ids))).all()
    return {r.id: fingerprint_payload(r.id, r.md5, r.oshash, r.phash, generate_phash) for r in rows}
