"""The orphan sweep: cache folders with no row, rows whose media file vanished — reported, not deleted.

Only the cache folders a plugin announces (``AssetSource.cache_folders``, laid out
``<cache>/<folder>/<shard>/<id>``) are looked at. Deleting is a separate, explicit request
(:func:`delete_orphan_folders`) that checks each folder again: inside the cache, named as the layout
names it, and still without a row. Media files and rows are never deleted here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk import JobContext
from plugin_sdk.assets import asset_sources
from plugin_sdk.errors import ConflictError, ForbiddenError, ValidationError
from plugin_sdk.storage import cache_dir, shard
from plugin_sdk.types import AssetSource

REPORT_LIMIT = 1000
PROGRESS_EVERY = 200


def folder_size(path: Path) -> tuple[int, int]:
    """``(bytes, files)`` under ``path`` (symlinks not followed)."""
    total = files = 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
                files += 1
            except OSError:
                pass
    return total, files


def _file_size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None and path.is_file() else 0
    except OSError:
        return 0


def cache_entity_folders(folder: str) -> Iterable[tuple[str, Path]]:
    """``(id, path)`` of every ``<cache>/<folder>/<shard>/<id>`` directory whose shard matches its id."""
    base = cache_dir() / folder
    try:
        shards = sorted((e for e in os.scandir(base) if e.is_dir(follow_symlinks=False)), key=lambda e: e.name)
    except OSError:
        return
    for shard_entry in shards:
        try:
            entries = sorted(os.scandir(shard_entry.path), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and shard(entry.name) == shard_entry.name:
                yield entry.name, Path(entry.path)


def live_ids(db: Session, source: AssetSource) -> set[str]:
    return {row.entity_id for row in source.rows(db)}


def sweep(db: Session, ctx: JobContext | None = None) -> dict[str, Any]:
    """Find orphaned cache folders and rows whose media file is gone; sizes included."""
    sources = asset_sources()
    folders: list[dict[str, Any]] = []
    vanished: list[dict[str, Any]] = []
    offline: dict[str, int] = {}
    totals = {"orphanFolders": 0, "orphanBytes": 0, "vanishedRows": 0, "vanishedBytes": 0, "rows": 0}
    expected = max(sum(source.count(db) for source in sources), 1) if ctx is not None else 1
    for source in sources:
        ids: set[str] = set()
        for row in source.rows(db):
            ids.add(row.entity_id)
            totals["rows"] += 1
            if ctx is not None and totals["rows"] % PROGRESS_EVERY == 0:
                ctx.progress(80 * totals["rows"] / expected, f"{totals['rows']}/{expected} items checked")
            media = row.media_path
            if media is None or media.exists():
                continue
            if row.media_root is not None and not row.media_root.is_dir():
                offline[str(row.media_root)] = offline.get(str(row.media_root), 0) + 1
                continue  # the whole library folder is missing (unmounted disk): not a vanished file
            size = sum(_file_size(f.cache_path) + (_file_size(f.sidecar_path) if f.ours else 0) for f in row.files)
            totals["vanishedRows"] += 1
            totals["vanishedBytes"] += size
            if len(vanished) < REPORT_LIMIT:
                vanished.append(
                    {
                        "entityType": row.entity_type,
                        "entityId": row.entity_id,
                        "label": row.label,
                        "path": str(media),
                        "bytes": size,
                    }
                )
        for folder in source.cache_folders:
            for entity_id, path in cache_entity_folders(folder):
                if entity_id in ids:
                    continue
                size, count = folder_size(path)
                totals["orphanFolders"] += 1
                totals["orphanBytes"] += size
                if len(folders) < REPORT_LIMIT:
                    folders.append(
                        {
                            "folder": f"{folder}/{shard(entity_id)}/{entity_id}",
                            "entityType": source.entity_type,
                            "entityId": entity_id,
                            "bytes": size,
                            "files": count,
                        }
                    )
    db.rollback()  # read only
    return {
        "kind": "orphans",
        **totals,
        "folders": folders,
        "vanished": vanished,
        "offlineRoots": [{"path": p, "rows": n} for p, n in sorted(offline.items())],
        "truncated": totals["orphanFolders"] > len(folders) or totals["vanishedRows"] > len(vanished),
    }


def process_sweep(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    ctx.progress(0, "looking for orphaned files")
    result = sweep(ctx.db, ctx)
    ctx.progress(100, f"{result['orphanFolders']} orphaned folder(s), {result['vanishedRows']} missing file(s)")
    return result


def _parse(relative: str, sources: list[AssetSource]) -> tuple[AssetSource, str, str]:
    """``<folder>/<shard>/<id>`` → (its source, folder, id); anything else is refused."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        raise ValidationError("Each folder must be a cache folder such as 'videos/ab/<id>'.", code="bad_folder")
    parts = relative.split("/")
    if len(parts) != 3 or any(p in ("", ".", "..") for p in parts):
        raise ForbiddenError(f"'{relative}' is not an orphan folder of the cache.", code="path_outside")
    folder, shard_name, entity_id = parts
    for source in sources:
        if folder in source.cache_folders:
            if shard(entity_id) != shard_name:
                raise ForbiddenError(f"'{relative}' is not laid out as a cache folder.", code="path_outside")
            return source, folder, entity_id
    raise ForbiddenError(f"'{relative}' is not in a cache folder Obscura manages.", code="path_outside")


def delete_orphan_folders(db: Session, relatives: list[str]) -> dict[str, Any]:
    """Delete the listed cache folders after checking each is inside the cache and still orphaned.

    Nothing is deleted unless every listed folder passes (one bad entry refuses the whole request).
    """
    if not relatives:
        raise ValidationError("List at least one folder to delete.", code="nothing_selected")
    sources = asset_sources()
    base = cache_dir().resolve()
    checked: list[tuple[str, Path]] = []
    live: dict[str, set[str]] = {}
    for relative in dict.fromkeys(relatives):
        source, folder, entity_id = _parse(relative, sources)
        path = base / folder / shard(entity_id) / entity_id
        if path.is_symlink() or not path.resolve().is_relative_to(base) or path.resolve() != path:
            raise ForbiddenError(f"'{relative}' is not inside the cache folder.", code="path_outside")
        if not path.is_dir():
            raise ConflictError(f"'{relative}' no longer exists; run the orphan search again.", code="orphan_gone")
        ids = live.get(source.entity_type)
        if ids is None:
            ids = live[source.entity_type] = live_ids(db, source)
        if entity_id in ids:
            raise ConflictError(f"'{relative}' belongs to an existing {source.entity_type}; it is not deleted.")
        checked.append((relative, path))
    db.rollback()
    deleted: list[str] = []
    freed = 0
    for relative, path in checked:
        size, _ = folder_size(path)
        shutil.rmtree(path)
        deleted.append(relative)
        freed += size
    return {"deleted": deleted, "freedBytes": freed}
