"""The audio plugin's four queues and what "run queue" enqueues for each."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from plugin_sdk import QueueDefinition
from plugin_sdk.jobs import enqueue_jobs, enqueue_where
from plugin_sdk.library import enqueue_root_scans, roots_to_scan
from plugin_sdk.models import LibraryRoot
from plugins_builtin.audio.models import AudioTrack

AUDIO_SCAN = "audio-scan"
AUDIO_PROBE = "audio-probe"
AUDIO_FINGERPRINT = "audio-fingerprint"
AUDIO_WAVEFORM = "audio-waveform"
BATCH = 100


def enqueue_scans(db: Session, roots: list[LibraryRoot], trigger: str) -> int:
    return enqueue_root_scans(db, AUDIO_SCAN, roots, trigger, options=("scan_audio",), label="Scan audio")


def enqueue_batches(db: Session, queue: str, ids: list[str], label: str) -> int:
    items = []
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        items.append(({"trackIds": batch}, "audio-batch", batch[0], f"{label} · {len(batch)} track(s)"))
    return enqueue_jobs(db, queue, items)


def missing_scans(db: Session) -> int:
    return enqueue_scans(db, roots_to_scan(db, ("scan_audio",)), "manual")


def missing_probes(db: Session) -> int:
    ids = list(db.execute(select(AudioTrack.id).where(AudioTrack.probed_at.is_(None))).scalars())
    return enqueue_batches(db, AUDIO_PROBE, ids, "Read tags")


def missing_fingerprints(db: Session) -> int:
    ids = list(
        db.execute(select(AudioTrack.id).where(or_(AudioTrack.md5.is_(None), AudioTrack.oshash.is_(None)))).scalars()
    )
    return enqueue_batches(db, AUDIO_FINGERPRINT, ids, "Fingerprint")


def missing_waveforms(db: Session) -> int:
    return enqueue_where(
        db, AUDIO_WAVEFORM, AudioTrack,
        AudioTrack.waveform_at.is_(None), AudioTrack.duration.is_not(None), AudioTrack.probe_error.is_(None),
        target_type="audio-track", payload_key="trackId", label="Waveform",
    )  # fmt: skip


QUEUES = [
    QueueDefinition(AUDIO_SCAN, "Scan audio folders", concurrency=1, enqueue_missing=missing_scans,
                    description="Find folders of audio files and index their tracks."),
    QueueDefinition(AUDIO_PROBE, "Read audio tags", concurrency=1, enqueue_missing=missing_probes,
                    description="Tags, covers and stream facts, in batches of up to 100 tracks."),
    QueueDefinition(AUDIO_FINGERPRINT, "Fingerprint audio", concurrency=1, enqueue_missing=missing_fingerprints,
                    description="MD5 and oshash of each track."),
    QueueDefinition(AUDIO_WAVEFORM, "Draw waveforms", concurrency=1, enqueue_missing=missing_waveforms,
                    description="Peaks for the player's waveform seek bar (audiowaveform JSON)."),
]  # fmt: skip
