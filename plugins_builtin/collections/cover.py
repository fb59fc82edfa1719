"""Collection covers: a WebP mosaic of up to four member thumbnails, or a chosen member's thumbnail.

Mosaics are built with Pillow into ``<cache>/collections/<id>/cover-<key>.webp``, where the key
hashes the members shown and their thumbnails' modification times: any change of the first
members or of their thumbnails gives a new key, so a stale mosaic is never served, and building a
new one removes the old files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.collections import collection_sources
from plugin_sdk.errors import ForbiddenError
from plugin_sdk.models import LibraryRoot
from plugin_sdk.storage import atomic_write, cache_dir, confine, data_dir
from plugins_builtin.collections.models import Collection, CollectionItem

WIDTH, HEIGHT = 640, 360
TILES = 4
BATCH = 24
MAX_SCANNED = 96


def folder(collection_id: str) -> Path:
    """``<cache>/collections/<id>/``."""
    base = cache_dir()
    return confine(base / "collections" / collection_id, [base])


def _allowed(db: Session) -> list[Path | str]:
    roots: list[Path | str] = [cache_dir(), data_dir()]
    roots.extend(db.execute(select(LibraryRoot.path)).scalars())
    return roots


def _thumbnails(db: Session, refs: list[tuple[str, str]]) -> list[tuple[str, str, Path]]:
    sources = collection_sources()
    by_kind: dict[str, list[str]] = {}
    for kind, entity_id in refs:
        by_kind.setdefault(kind, []).append(entity_id)
    files = {kind: sources[kind].thumbnail_files(db, ids) if kind in sources else {} for kind, ids in by_kind.items()}
    allowed = _allowed(db)
    out = []
    for kind, entity_id in refs:
        path = files[kind].get(entity_id)
        if path is None:
            continue
        try:
            out.append((kind, entity_id, confine(path, allowed)))
        except ForbiddenError:  # a plugin pointed outside the cache and the library: not shown
            continue
    return out


def member_thumbnails(db: Session, collection_id: str, want: int = TILES) -> list[tuple[str, str, Path]]:
    """The first ``want`` members (in order) that have a thumbnail file."""
    found: list[tuple[str, str, Path]] = []
    offset = 0
    while len(found) < want and offset < MAX_SCANNED:
        refs = [
            (k, i)
            for k, i in db.execute(
                select(CollectionItem.entity_type, CollectionItem.entity_id)
                .where(CollectionItem.collection_id == collection_id)
                .order_by(CollectionItem.sort_order, CollectionItem.entity_type, CollectionItem.entity_id)
                .offset(offset)
                .limit(BATCH)
            ).all()
        ]
        if not refs:
            break
        found.extend(_thumbnails(db, refs))
        offset += BATCH
    return found[:want]


def _boxes(n: int) -> list[tuple[int, int, int, int]]:
    """Tile rectangles ``(x, y, w, h)`` for 1–4 pictures."""
    half_w, half_h = WIDTH // 2, HEIGHT // 2
    if n == 1:
        return [(0, 0, WIDTH, HEIGHT)]
    if n == 2:
        return [(0, 0, half_w, HEIGHT), (half_w, 0, WIDTH - half_w, HEIGHT)]
    if n == 3:
        right = WIDTH - half_w
        return [(0, 0, half_w, HEIGHT), (half_w, 0, right, half_h), (half_w, half_h, right, HEIGHT - half_h)]
    return [(0, 0, half_w, half_h), (half_w, 0, WIDTH - half_w, half_h), (0, half_h, half_w, HEIGHT - half_h),
            (half_w, half_h, WIDTH - half_w, HEIGHT - half_h)]  # fmt: skip


def build_mosaic(paths: list[Path], target: Path) -> None:
    """Write a ``WIDTH``×``HEIGHT`` WebP of the pictures, each cropped to fill its tile."""
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (20, 23, 29))
    for path, (x, y, w, h) in zip(paths, _boxes(len(paths)), strict=False):
        with Image.open(path) as src:
            src.draft("RGB", (w * 2, h * 2))
            tile = ImageOps.fit(src.convert("RGB"), (w, h), Image.Resampling.BICUBIC)
        canvas.paste(tile, (x, y))
    with atomic_write(target, suffix=".webp") as tmp:
        canvas.save(tmp, "WEBP", quality=82, method=4)


def mosaic(db: Session, collection: Collection) -> Path | None:
    """The cached mosaic of the collection's first members (built when missing), or ``None`` when no
    member has a thumbnail."""
    members = member_thumbnails(db, collection.id)
    if not members:
        return None
    digest = hashlib.sha1(usedforsecurity=False)
    for kind, entity_id, path in members:
        digest.update(f"{kind}:{entity_id}:{path.stat().st_mtime_ns}\n".encode())
    target = folder(collection.id) / f"cover-{digest.hexdigest()[:16]}.webp"
    if not target.is_file():
        build_mosaic([p for _, _, p in members], target)
        for old in target.parent.glob("cover-*.webp"):
            if old != target:
                old.unlink(missing_ok=True)
    return target


def chosen(db: Session, collection: Collection) -> Path | None:
    """The chosen member's thumbnail file, or ``None`` (not chosen, no longer a member, no thumbnail:
    the mosaic is shown instead)."""
    if collection.cover_mode != "item" or not collection.cover_item_type or not collection.cover_item_id:
        return None
    member = db.get(CollectionItem, (collection.id, collection.cover_item_type, collection.cover_item_id))
    if member is None:
        return None
    found = _thumbnails(db, [(collection.cover_item_type, collection.cover_item_id)])
    return found[0][2] if found else None


def delete_folder(collection_id: str) -> None:
    """Remove a deleted collection's cached covers."""
    import shutil

    shutil.rmtree(folder(collection_id), ignore_errors=True)
