"""The audio plugin's four queues and what "run queue" enqueues for each."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from plugin_sdk import QueueDefinition
from plugin_sdk.jobs import enqueue_jobs
from plugin_sdk.library import root_option, root_option_clause
from plugin_sdk.models import LibraryRoot
from plugins_builtin.audio.models import AudioTrack

AUDIO_SCAN = "audio-scan"
AUDIO_PROBE = "audio-probe"
AUDIO_FINGERPRINT = "audio-fingerprint"
AUDIO_WAVEFORM = "audio-waveform"
BATCH = 100


def enqueue_scans(db: Session, roots: list[LibraryRoot], trigger: str) -> int:
    wanted = [r for r in roots if r.enabled and root_option(r, "scan_audio")]
    return enqueue_jobs(
        db,
        AUDIO_SCAN,
        (({"rootId": r.id, "trigger": trigger}, "library-root", r.id, f"Scan audio · {r.label}") for r in wanted),
    )


def enqueue_batches(db: Session, queue: str, ids: list[str], label: str) -> int:
    items = []
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        items.append(({"trackIds": batch}, "audio-batch", batch[0], f"{label} · {len(batch)} track(s)"))
    return enqueue_jobs(db, queue, items)


def missing_scans(db: Session) -> int:
    wanted = select(LibraryRoot).where(LibraryRoot.enabled.is_(True), root_option_clause("scan_audio"))
    roots = db.execute(wanted).scalars()
    return enqueue_scans(db, list(roots), "manual")


def missing_probes(db: Session) -> int:
    ids = list(db.execute(select(AudioTrack.id).where(AudioTrack.probed_at.is_(None))).scalars())
    return enqueue_batches(db, AUDIO_PROBE, ids, "Read tags")


def missing_fingerprints(db: Session) -> int:
    ids = list(
        db.execute(select(AudioTrack.id).where(or_(AudioTrack.md5.is_(None), AudioTrack.oshash.is_(None)))).scalars()
    )
    return enqueue_batches(db, AUDIO_FINGERPRINT, ids, "Fingerprint")


def missing_waveforms(db: Session) -> int:
    rows = db.execute(
        select(AudioTrack.id, AudioTrack.title).where(
            AudioTrack.waveform_at.is_(None), AudioTrack.duration.is_not(None), AudioTrack.probe_error.is_(None)
        )
    ).all()
    return enqueue_jobs(
        db, AUDIO_WAVEFORM, (({"trackId": tid}, "audio-track", tid, f"Waveform · {t}") for tid, t in rows)
    )


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
