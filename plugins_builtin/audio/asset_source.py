"""The audio cache folders for the library-maintenance plugin's orphan sweep (``obscura_generated_assets``).

Waveforms and covers always stay in the cache (``audio/<shard>/<track id>/``,
``audio-libraries/<shard>/<library id>/``): nothing is movable, but the sweep reports folders whose
track or library is gone and tracks whose file (libraries whose folder) vanished.
"""

from __future__ import annotations

from plugin_sdk.assetrows import count_rows, file_asset_rows
from plugin_sdk.types import AssetSource
from plugins_builtin.audio.models import AudioLibrary, AudioTrack


def sources() -> list[AssetSource]:
    tracks = file_asset_rows("audio-track", AudioTrack, AudioTrack.file_path)
    libraries = file_asset_rows("audio-library", AudioLibrary, AudioLibrary.folder_path)
    return [
        AssetSource("audio-track", ("audio",), count_rows(AudioTrack), tracks),
        AssetSource("audio-library", ("audio-libraries",), count_rows(AudioLibrary), libraries),
    ]
