"""The images' cache folders for the library-maintenance plugin's orphan sweep (``obscura_generated_assets``).

Image thumbnails always stay in the cache (``images/<shard>/<id>/``): nothing here is movable, but
the sweep reports folders whose image is gone and images whose file (or archive, for a member)
vanished.
"""

from __future__ import annotations

from plugin_sdk.assetrows import count_rows, file_asset_rows
from plugin_sdk.types import AssetSource
from plugins_builtin.images.models import Image


def sources() -> list[AssetSource]:
    return [AssetSource("image", ("images",), count_rows(Image), file_asset_rows("image", Image, Image.file_path))]
