"""Where an image's generated files live: ``<cache>/images/<shard>/<id>/{grid,preview}.webp``."""

from __future__ import annotations

import shutil
from pathlib import Path

from plugin_sdk.storage import cache_path

GRID = "grid.webp"
PREVIEW = "preview.webp"


def asset(image_id: str, name: str) -> Path:
    return cache_path("images", image_id, name)


def delete_image_files(image_id: str) -> None:
    shutil.rmtree(cache_path("images", image_id), ignore_errors=True)
