"""The audio plugin's four queues, the processors running them and what "run queue" enqueues for each."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from plugin_sdk.jobs import enqueue_jobs, enqueue_where
from plugin_sdk.library import enqueue_root_scans, roots_to_scan
from plugin_sdk.models import LibraryRoot
from plugin_sdk.queues import QueueTable
from plugins_builtin.audio.models import AudioTrack

AUDIO_SCAN = "audio-scan"
AUDIO_PROBE = "audio-probe"
AUDIO_FINGERPRINT = "audio-fingerprint"
AUDIO_WAVEFORM = "audio-waveform"
BATCH = 100

QUEUES = QueueTable()


def enqueue_scans(db: Session, roots: Sequence[LibraryRoot], trigger: str) -> int:
    return enqueue_root_scans(db, AUDIO_SCAN, roots, trigger, options=("scan_audio",), label="Scan audio")


def enqueue_batches(db: Session, queue: str, ids: list[str], label: str) -> int:
    items = []
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        items.append(({"trackIds": batch}, "audio-batch", batch[0], f"{label} · {len(batch)} track(s)"))
    return enqueue_jobs(db, queue, items)


@QUEUES.add(AUDIO_SCAN, "Scan audio folders", "Find folders of audio files and index their tracks.")
def missing_scans(db: Session) -> int:
    return enqueue_scans(db, roots_to_scan(db, ("scan_audio",)), "manual")


@QUEUES.add(AUDIO_PROBE, "Read audio tags", "Tags, covers and stream facts, in batches of up to 100 tracks.")
def missing_probes(db: Session) -> int:
    ids = list(db.execute(select(AudioTrack.id).where(AudioTrack.probed_at.is_(None))).scalars())
    return enqueue_batches(db, AUDIO_PROBE, ids, "Read tags")


@QUEUES.add(AUDIO_FINGERPRINT, "Fingerprint audio", "MD5 and oshash of each track.")
def missing_fingerprints(db: Session) -> int:
    ids = list(
        db.execute(select(AudioTrack.id).where(or_(AudioTrack.md5.is_(None), AudioTrack.oshash.is_(None)))).scalars()
    )
    return enqueue_batches(db, AUDIO_FINGERPRINT, ids, "Fingerprint")


@QUEUES.add(AUDIO_WAVEFORM, "Draw waveforms", "Peaks for the player's waveform seek bar (audiowaveform JSON).")
def missing_waveforms(db: Session) -> int:
    return enqueue_where(
        db, AUDIO_WAVEFORM, AudioTrack,
        AudioTrack.waveform_at.is_(None), AudioTrack.duration.is_not(None), AudioTrack.probe_error.is_(None),
        target_type="audio-track", payload_key="trackId", label="Waveform",
    )  # fmt: skip


PROCESSORS = {
    AUDIO_SCAN: "plugins_builtin.audio.scan:process_audio_scan",
    AUDIO_PROBE: "plugins_builtin.audio.processors:process_audio_probe",
    AUDIO_FINGERPRINT: "plugins_builtin.audio.processors:process_audio_fingerprint",
    AUDIO_WAVEFORM: "plugins_builtin.audio.processors:process_audio_waveform",
}
"""The function running each queue, imported when ``obscura_processors`` is asked (at start-up)."""
