"""Where a video's generated files live.

Thumbnail, preview clip, trickplay sprite and VTT follow the library setting
``metadataStorageDedicated``: ``<cache>/videos/<shard>/<id>/`` (dedicated) or beside the video as
``<stem>-thumb.jpg``, ``<stem>-preview.mp4``, ``<stem>-sprite.jpg``, ``<stem>-trickplay.vtt``.
The custom thumbnail, subtitles and the HLS cache always stay in the cache.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PIL import Image
from sqlalchemy.orm import Session

from plugin_sdk.assets import AssetConflict, delete_asset, existing_path, move_asset, sidecar_path, storage_dedicated
from plugin_sdk.models import LibraryRoot
from plugin_sdk.storage import atomic_write, cache_dir, cache_path, is_within, shard
from plugin_sdk.types import AssetFile
from plugins_builtin.videos.models import Video

log = logging.getLogger("obscura.videos")

THUMB = "thumb.jpg"
CUSTOM_THUMB = "thumb-custom.jpg"
PREVIEW = "preview.mp4"
SPRITE = "sprite.jpg"
TRICKPLAY = "trickplay.vtt"
SUBTITLES = "subtitles"

MOVABLE: dict[str, tuple[str, str]] = {
    "thumb": (THUMB, ".jpg"),
    "preview": (PREVIEW, ".mp4"),
    "sprite": (SPRITE, ".jpg"),
    "trickplay": (TRICKPLAY, ".vtt"),
}
"""Asset key → (cache file name, sidecar extension)."""

STAMPS: dict[str, str] = {
    "thumb": "thumbnail_at",
    "preview": "preview_at",
    "sprite": "trickplay_at",
    "trickplay": "trickplay_at",
}
"""Asset key → the ``Video`` column recording that Obscura generated it."""


def video_dir(video_id: str) -> Path:
    return cache_path("videos", video_id)


def asset(video_id: str, name: str) -> Path:
    return cache_path("videos", video_id, name)


def subtitle_file(video_id: str, name: str) -> Path:
    return cache_path("videos", video_id, SUBTITLES, name)


def hls_dir(video_id: str) -> Path:
    return cache_dir() / "hls" / shard(video_id) / video_id


def asset_file(
    video_id: str, file_path: str | None, root_path: str | None, key: str, generated: bool = True
) -> AssetFile:
    """One movable asset in both layouts; no sidecar place when the file is not inside its root.

    The file beside the video counts as Obscura's (``ours``: moved, replaced, deleted) only when the
    row records having generated the asset (``generated``) and no copy is in the cache: Obscura
    never keeps both, so a cache copy means the file beside the video was there before (a user's).
    """
    name, ext = MOVABLE[key]
    cached = asset(video_id, name)
    side = None
    if file_path and root_path:
        candidate = sidecar_path(Path(file_path).resolve(), key, ext)
        if is_within(candidate, Path(root_path)):
            side = candidate
    return AssetFile(key, cached, side, generated and (side is None or not cached.exists()))


def root_path(db: Session, video: Video) -> str | None:
    root = db.get(LibraryRoot, video.library_root_id)
    return root.path if root is not None else None


def files_of(db: Session, video: Video) -> dict[str, AssetFile]:
    """The video's movable assets by key."""
    root = root_path(db, video)
    return {key: asset_file(video.id, video.file_path, root, key, is_ours(video, key)) for key in MOVABLE}


def is_ours(video: Video, key: str) -> bool:
    """Whether the row records Obscura having generated this asset (see :func:`asset_file`)."""
    return getattr(video, STAMPS[key]) is not None


def locate(db: Session, video: Video, key: str) -> Path | None:
    """The asset's file under the current setting, falling back to the other layout."""
    dedicated = storage_dedicated(db)
    if dedicated:
        cached = asset(video.id, MOVABLE[key][0])
        if cached.is_file():
            return cached  # the common case: no library-root lookup
    root = root_path(db, video)
    return existing_path(asset_file(video.id, video.file_path, root, key, is_ours(video, key)), dedicated)


def store_custom_thumbnail(video_id: str, image: Image.Image) -> None:
    """Re-encode ``image`` as JPEG (no metadata) into the video's custom thumbnail slot."""
    with atomic_write(asset(video_id, CUSTOM_THUMB)) as tmp:
        image.convert("RGB").save(tmp, "JPEG", quality=90)


def write_custom_thumbnail(video_id: str, jpeg: bytes) -> Path:
    """Put JPEG bytes as they are into the video's custom thumbnail slot (an imported cover).

    Written in place, not through a temporary file (half the cost, for a hundred thousand
    covers): the slot is read only once ``custom_thumbnail`` is set, which the importer commits
    after the file is whole. Returns the file."""
    target = asset(video_id, CUSTOM_THUMB)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(jpeg)
    return target


def delete_generated(db: Session, video: Video, keep_custom_thumb: bool = True) -> None:
    """Remove previews, sprite, VTT and generated thumbnail from both layouts (a rebuild starts clean).

    A file beside the video is removed only when Obscura generated it.
    """
    for af in files_of(db, video).values():
        delete_asset(af, sidecar_is_ours=af.ours)
    if not keep_custom_thumb:
        asset(video.id, CUSTOM_THUMB).unlink(missing_ok=True)


def delete_video_files(video_id: str) -> None:
    """Everything generated for a video in the cache (called when its row is deleted)."""
    shutil.rmtree(video_dir(video_id), ignore_errors=True)
    shutil.rmtree(hls_dir(video_id), ignore_errors=True)


def delete_series_files(series_id: str) -> None:
    """A series' downloaded artwork, its seasons' posters included (called when its row goes)."""
    shutil.rmtree(cache_path("series", series_id), ignore_errors=True)


def follow_move(db: Session, video_id: str, old_path: str, new_path: str) -> None:
    """A renamed or moved video takes the files Obscura wrote beside it along.

    Each goes to the new name beside the video, or into the cache when that folder refuses it;
    a file that cannot be moved stays where it is (logged).
    """
    video = db.get(Video, video_id)
    if video is None:
        return
    root = root_path(db, video)
    for key in MOVABLE:
        old = asset_file(video_id, old_path, root, key, is_ours(video, key))
        before = old.sidecar_path
        if not old.ours or before is None or not before.is_file():
            continue
        after = asset_file(video_id, new_path, root, key)
        for target in (after.sidecar_path, after.cache_path):
            if target is None:
                continue
            try:
                move_asset(before, target)
                break
            except (AssetConflict, OSError) as exc:
                log.warning("could not move %s to %s: %s", before, target, exc)
