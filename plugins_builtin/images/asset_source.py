"""The images' cache folders for the library-maintenance plugin's orphan sweep (``obscura_generated_assets``).

Image thumbnails always stay in the cache (``images/<shard>/<id>/``): nothing here is movable, but
the sweep reports folders whose image is gone and images whose file (or archive) vanished.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugin_sdk.models import LibraryRoot
from plugin_sdk.types import AssetSource, GeneratedAssets
from plugins_builtin.images.models import Image

BATCH = 1000


def count_images(db: Session) -> int:
    return int(db.execute(select(func.count()).select_from(Image)).scalar_one())


def image_rows(db: Session) -> Iterator[GeneratedAssets]:
    """Every image with its file (the archive for a member), by id, in batches (keyset)."""
    roots = {r.id: r.path for r in db.execute(select(LibraryRoot)).scalars()}
    after = ""
    while True:
        rows = db.execute(
            select(Image.id, Image.title, Image.file_path, Image.library_root_id)
            .where(Image.id > after)
            .order_by(Image.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for image_id, title, file_path, root_id in rows:
            root = roots.get(root_id) if root_id else None
            yield GeneratedAssets("image", image_id, title, Path(file_path), Path(root) if root else None)
        after = rows[-1][0]


def sources() -> list[AssetSource]:
    return [AssetSource("image", ("images",), count=count_images, rows=image_rows)]
