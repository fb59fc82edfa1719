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

from plugin_sdk.types import CollectionSource, RuleField


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


def editable_rule_fields(model: Any, *, date: bool = True) -> list[RuleField]:
    """The rule fields of the columns every media row has (``plugin_sdk.columns.EditableMixin``):
    ``title``, ``rating``, ``date`` (unless ``date`` is false: the table has no ``date`` column),
    ``organized``, ``isNsfw`` and ``createdAt``, in that order, on ``model``'s columns."""
    from sqlalchemy import Date, cast

    return [
        RuleField("title", "Title", "text", model.title),
        RuleField("rating", "Rating (0–100)", "number", model.rating),
        *([RuleField("date", "Date", "date", model.date)] if date else []),
        RuleField("organized", "Organized", "boolean", model.organized),
        RuleField("isNsfw", "NSFW", "boolean", model.is_nsfw),
        RuleField("createdAt", "Added", "date", cast(model.created_at, Date)),
    ]


def link_rule_fields() -> list[RuleField]:
    """The ``link`` rule fields of any linkable media row: ``tags``, ``performers`` and ``studio``
    (answered by the plugin keeping links, through ``obscura_entity_filter``)."""
    return [
        RuleField("tags", "Tags", "link", link_key="tags"),
        RuleField("performers", "Performers", "link", link_key="performers"),
        RuleField("studio", "Studio", "link", link_key="studio"),
    ]
