"""Where the audio plugin keeps generated files: ``<cache>/audio/<shard>/<id>/`` per track
(``waveform.json``, ``cover.jpg``) and ``<cache>/audio-libraries/<shard>/<id>/cover.jpg``."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image

from plugin_sdk.storage import atomic_write, cache_path

WAVEFORM = "waveform.json"
COVER = "cover.jpg"
COVER_MAX = 800


def track_file(track_id: str, name: str) -> Path:
    return cache_path("audio", track_id, name)


def library_file(library_id: str, name: str) -> Path:
    return cache_path("audio-libraries", library_id, name)


def save_cover(data: bytes, target: Path) -> None:
    """Re-encode an embedded or uploaded picture as a JPEG of at most 800 px (no metadata)."""
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (COVER_MAX, COVER_MAX))
        rgb = img.convert("RGB")
        rgb.thumbnail((COVER_MAX, COVER_MAX))
        with atomic_write(target) as tmp:
            rgb.save(tmp, "JPEG", quality=88)


def delete_track_files(track_id: str) -> None:
    shutil.rmtree(cache_path("audio", track_id), ignore_errors=True)


def delete_library_files(library_id: str) -> None:
    shutil.rmtree(cache_path("audio-libraries", library_id), ignore_errors=True)
