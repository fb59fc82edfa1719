"""The videos' generated files for the library-maintenance plugin (``obscura_generated_assets``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.assetrows import count_rows, keyset_batches, library_root_paths
from plugin_sdk.types import AssetSource, GeneratedAssets
from plugins_builtin.videos import assets
from plugins_builtin.videos.models import Video
from plugins_builtin.videos.scanning.filetypes import VIDEO_EXTENSIONS

BATCH = 500


def video_assets(db: Session) -> Iterator[GeneratedAssets]:
    """Every video's thumbnail, preview clip, sprite and trickplay track, by id, in batches (keyset)."""
    roots = library_root_paths(db)
    stmt = select(
        Video.id, Video.title, Video.file_path, Video.library_root_id, Video.thumbnail_at, Video.preview_at,
        Video.trickplay_at,
    )  # fmt: skip
    for rows in keyset_batches(db, stmt, Video.id, BATCH):
        for video_id, title, file_path, root_id, thumb_at, preview_at, trickplay_at in rows:
            root = roots.get(root_id)
            stamps = {"thumb": thumb_at, "preview": preview_at, "sprite": trickplay_at, "trickplay": trickplay_at}
            yield GeneratedAssets(
                entity_type="video",
                entity_id=video_id,
                label=title or Path(file_path).name,
                media_path=Path(file_path) if file_path else None,
                media_root=Path(root) if root else None,
                files=tuple(
                    assets.asset_file(video_id, file_path, root, key, stamps[key] is not None) for key in assets.MOVABLE
                ),
            )


def sources() -> list[AssetSource]:
    return [
        AssetSource(
            "video", ("videos", "hls"), count=count_rows(Video), rows=video_assets,
            sidecar_keys=(*assets.MOVABLE, "card"), media_extensions=VIDEO_EXTENSIONS,
        )
    ]  # fmt: skip
