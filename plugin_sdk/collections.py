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

from plugin_sdk.types import CollectionSource


def collection_sources() -> dict[str, CollectionSource]:
    """``{entity type: CollectionSource}`` from every loaded plugin, by ``order`` then kind.

    When two plugins describe the same entity type, the one registered last (a third party
    overriding a built-in) wins.
    """
    from obscura_core.runtime import get_runtime

    found: dict[str, CollectionSource] = {}
    for _, source in reversed(get_runtime().registry.collection_sources):  # last registered first
        found.setdefault(source.kind, source)
    ordered = sorted(found.values(), key=lambda s: (s.order, s.kind))
    return {s.kind: s for s in ordered}
