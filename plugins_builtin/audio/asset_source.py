"""The audio cache folders for the library-maintenance plugin's orphan sweep (``obscura_generated_assets``).

Waveforms and covers always stay in the cache (``audio/<shard>/<track id>/``,
``audio-libraries/<shard>/<library id>/``): nothing is movable, but the sweep reports folders whose
track or library is gone and tracks whose file (libraries whose folder) vanished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugin_sdk.models import LibraryRoot
from plugin_sdk.types import AssetSource, GeneratedAssets
from plugins_builtin.audio.models import AudioLibrary, AudioTrack

BATCH = 1000


def _rows(entity_type: str, model: Any, path_column: Any) -> Callable[[Session], Iterator[GeneratedAssets]]:
    def rows(db: Session) -> Iterator[GeneratedAssets]:
        roots = {r.id: r.path for r in db.execute(select(LibraryRoot)).scalars()}
        after = ""
        while True:
            batch = db.execute(
                select(model.id, model.title, path_column, model.library_root_id)
                .where(model.id > after)
                .order_by(model.id)
                .limit(BATCH)
            ).all()
            if not batch:
                return
            for row_id, title, path, root_id in batch:
                root = roots.get(root_id) if root_id else None
                yield GeneratedAssets(entity_type, row_id, title, Path(path), Path(root) if root else None)
            after = batch[-1][0]

    return rows


def _count(model: Any) -> Callable[[Session], int]:
    return lambda db: int(db.execute(select(func.count()).select_from(model)).scalar_one())


def sources() -> list[AssetSource]:
    return [
        AssetSource(
            "audio-track", ("audio",), _count(AudioTrack), _rows("audio-track", AudioTrack, AudioTrack.file_path)
        ),
        AssetSource(
            "audio-library",
            ("audio-libraries",),
            _count(AudioLibrary),
            _rows("audio-library", AudioLibrary, AudioLibrary.folder_path),
        ),
    ]
