"""Moving generated files between the cache and "next to the media" (``metadataStorageDedicated``).

Every asset announced through ``obscura_generated_assets`` is moved on its own with
:func:`plugin_sdk.assets.move_asset` (copy → verify → delete across filesystems), so the job is
resumable: a rerun after a crash or a cancel finds the files already moved at their destination and
skips them. A folder Obscura cannot write to keeps its assets in the cache and is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plugin_sdk import JobContext
from plugin_sdk.assets import AssetConflict, asset_sources, folder_writable, move_asset, storage_dedicated
from plugin_sdk.types import AssetFile, GeneratedAssets

PROGRESS_EVERY = 20
REPORT_LIMIT = 200


class Migration:
    """The running totals of one move (the job's result)."""

    def __init__(self, target_dedicated: bool) -> None:
        self.target_dedicated = target_dedicated
        self.counts = {
            "rows": 0,
            "moved": 0,
            "deduplicated": 0,
            "alreadyThere": 0,
            "notGenerated": 0,
            "keptInCache": 0,
            "notOurs": 0,
            "failed": 0,
        }
        self.bytes_moved = 0
        self.failures: list[dict[str, Any]] = []
        self.read_only: list[str] = []
        self._writable: dict[Path, bool] = {}
        self.cancelled = False

    def writable(self, folder: Path) -> bool:
        if folder not in self._writable:
            self._writable[folder] = folder_writable(folder)
            if not self._writable[folder] and len(self.read_only) < REPORT_LIMIT:
                self.read_only.append(str(folder))
        return self._writable[folder]

    def fail(self, row: GeneratedAssets, asset: AssetFile, path: Path, reason: str) -> None:
        self.counts["failed"] += 1
        if len(self.failures) < REPORT_LIMIT:
            self.failures.append(
                {
                    "entityType": row.entity_type,
                    "entityId": row.entity_id,
                    "label": row.label,
                    "key": asset.key,
                    "path": str(path),
                    "reason": reason,
                }
            )

    def move_one(self, row: GeneratedAssets, asset: AssetFile) -> None:
        side = asset.sidecar_path
        if side is None:
            return  # this asset always stays in the cache
        if self.target_dedicated:
            src, dst = side, asset.cache_path
            if src.is_file() and not asset.ours:
                self.counts["notOurs"] += 1  # a user's own file with our name: never taken
                return
        else:
            src, dst = asset.cache_path, side
            if src.is_file() and not self.writable(side.parent):
                self.counts["keptInCache"] += 1
                return
        try:
            size = src.stat().st_size if src.is_file() else 0
            outcome = move_asset(src, dst)
        except AssetConflict as exc:
            self.fail(row, asset, src, f"{exc}; both files were kept")
            return
        except OSError as exc:
            self.fail(row, asset, src, f"{exc.strerror or exc}; the file stays where it was")
            return
        if outcome == "moved":
            self.counts["moved"] += 1
            self.bytes_moved += size
        elif outcome == "deduplicated":
            self.counts["deduplicated"] += 1
        elif outcome == "already-there":
            self.counts["alreadyThere"] += 1
        else:
            self.counts["notGenerated"] += 1

    def result(self) -> dict[str, Any]:
        return {
            "kind": "migrate",
            "targetDedicated": self.target_dedicated,
            **self.counts,
            "bytesMoved": self.bytes_moved,
            "readOnlyFolders": self.read_only,
            "failures": self.failures,
            "cancelled": self.cancelled,
        }


def process_migrate(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Move every announced asset to the target layout (``targetDedicated``; default: the setting)."""
    target = payload.get("targetDedicated")
    target_dedicated = storage_dedicated(ctx.db) if target is None else bool(target)
    where = "the cache" if target_dedicated else "next to the media"
    sources = asset_sources()
    total = max(sum(source.count(ctx.db) for source in sources), 1)
    job = Migration(target_dedicated)
    ctx.progress(0, f"moving generated files to {where}")
    for source in sources:
        for row in source.rows(ctx.db):
            for asset in row.files:
                job.move_one(row, asset)
            job.counts["rows"] += 1
            if job.counts["rows"] % PROGRESS_EVERY == 0:
                ctx.progress(100 * job.counts["rows"] / total, f"{job.counts['rows']}/{total} items")
                if ctx.cancelled():
                    job.cancelled = True
                    return job.result()
    ctx.db.rollback()  # read only: end the transaction the row listing opened
    ctx.progress(100, f"{job.counts['moved']} file(s) moved to {where}")
    return job.result()
