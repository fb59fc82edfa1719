"""Audio tracks and libraries as metadata targets (the original's ``audioByURL`` /
``audioByFragment`` and ``audioLibraryByName`` plugin results).

A track is described with its tags, file and fingerprints; a library (an album folder) with its
name and folder. Accepted fields go through the same PATCH rule as an edit, so later tag reads
keep them; tags reach the plugin keeping links; an image becomes the library's cover (a track's
goes to its library when the library has none).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PIL import UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk import AcceptedMetadata, MetadataTarget
from plugin_sdk.edits import apply_patch
from plugin_sdk.metadata import accepted_changes
from plugins_builtin.audio import assets
from plugins_builtin.audio.models import AudioLibrary, AudioTrack
from plugins_builtin.audio.routes.libraries import get_library
from plugins_builtin.audio.routes.tracks import EDITABLE as TRACK_EDITABLE
from plugins_builtin.audio.routes.tracks import get_track

TRACK_COLUMNS = {"title": "title", "artist": "artist", "album": "album", "trackNumber": "track_number",
                 "details": "details"}  # fmt: skip
LIBRARY_COLUMNS = {"title": "title", "details": "details", "date": "date"}


def _year(value: Any) -> int | None:
    return int(value[:4]) if isinstance(value, str) and value[:4].isdigit() else None


def _track(t: AudioTrack) -> dict[str, Any]:
    return {
        "id": t.id, "title": t.title, "name": t.title, "artist": t.artist, "album": t.album,
        "trackNumber": t.track_number, "date": str(t.year) if t.year else None, "details": t.details,
        "filePath": t.file_path, "duration": t.duration, "oshash": t.oshash, "checksumMd5": t.md5,
    }  # fmt: skip


def describe_tracks(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = db.scalars(select(AudioTrack).where(AudioTrack.id.in_(list(ids)))).all() if ids else []
    return {t.id: _track(t) for t in rows}


def describe_libraries(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = db.scalars(select(AudioLibrary).where(AudioLibrary.id.in_(list(ids)))).all() if ids else []
    return {
        a.id: {"id": a.id, "title": a.title, "name": a.title, "details": a.details,
               "date": a.date, "folderPath": a.folder_path}
        for a in rows
    }  # fmt: skip


def _cover(library: AudioLibrary, data: bytes) -> str | None:
    try:
        assets.save_cover(data, assets.library_file(library.id, assets.COVER))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return f"image not applied: {exc}"
    library.cover = "custom"
    return None


def apply_track(db: Session, track_id: str, accepted: AcceptedMetadata) -> list[str]:
    track = get_track(db, track_id)
    changes, warnings = accepted_changes(accepted, TRACK_COLUMNS)
    if (year := _year(accepted.fields.get("date"))) is not None:
        changes["year"] = year
    warnings = [w for w in warnings if not w.startswith("date not applied")]  # a track keeps the year
    apply_patch(db, "audio-track", [track], changes, editable=TRACK_EDITABLE)
    if accepted.image:
        library = db.get(AudioLibrary, track.library_id) if track.library_id else None
        if library is None:
            warnings.append("image not applied: the track is in no library to take a cover")
        elif library.cover == "custom":
            warnings.append("image not applied: its library already has a cover of its own")
        elif problem := _cover(library, accepted.image):
            warnings.append(problem)
    return warnings


def apply_library(db: Session, library_id: str, accepted: AcceptedMetadata) -> list[str]:
    library = get_library(db, library_id)
    changes, warnings = accepted_changes(accepted, LIBRARY_COLUMNS)
    if "artist" in accepted.fields:
        warnings.append("artist not applied: a library keeps its tracks' artists")
    apply_patch(db, "audio-library", [library], changes, editable=("title", "details", "date", "organized"))
    if accepted.image and (problem := _cover(library, accepted.image)):
        warnings.append(problem)
    return warnings


def _typed(describe: Any, kind: str) -> Any:
    def typed(db: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        return {i: {"kind": kind, **fields} for i, fields in describe(db, ids).items()}

    return typed


TARGETS = (
    MetadataTarget(
        "audio-track", "audio", "trackId", ("audio-tracks",), describe=describe_tracks, apply=apply_track,
        label="track", describe_typed=_typed(describe_tracks, "audio_track"),
    ),
    MetadataTarget(
        "audio-library", "audio-library", "audioLibraryId", ("audio-libraries",), describe=describe_libraries,
        apply=apply_library, label="audio library", describe_typed=_typed(describe_libraries, "audio_library"),
    ),
)  # fmt: skip


def targets() -> list[MetadataTarget]:
    """``obscura_metadata_targets``: audio tracks and libraries."""
    return list(TARGETS)
