"""The kinds of media rows collections can hold, gathered from every plugin.

Media plugins describe their rows with ``obscura_collection_sources`` (a ``CollectionSource`` per
entity type: table, rule fields, display rows, thumbnail files); the collections plugin — or any
other plugin listing media of several kinds — reads them here without knowing which plugins are
loaded::

    from plugin_sdk.collections import collection_sources

    for kind, source in collection_sources().items():
        views = source.views(db, ids_of[kind])
"""

from __future__ import annotations

from typing import Any

from plugin_sdk.types import CollectionSource


def _pm() -> Any:
    from obscura_core.runtime import get_runtime

    return get_runtime().pm


def collection_sources() -> dict[str, CollectionSource]:
    """``{entity type: CollectionSource}`` from every loaded plugin, in plugin load order.

    When two plugins describe the same entity type, the one registered last (a third party
    overriding a built-in) wins.
    """
    found: dict[str, CollectionSource] = {}
    for result in _pm().hook.obscura_collection_sources():  # last registered first
        for source in result or ():
            found.setdefault(source.kind, source)
    ordered = sorted(found.values(), key=lambda s: _ORDER.get(s.kind, len(_ORDER)))
    return {s.kind: s for s in ordered}


_ORDER = {"video": 0, "gallery": 1, "image": 2, "audio-track": 3}
