"""Which entities are linked to which stash-box scenes, performers, studios and tags: the stash
ids kept by the ``metadata`` plugin, read through ``plugin_sdk.metadata.metadata_store()`` (a 409
``plugin_missing`` when that plugin is not loaded)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from plugin_sdk.metadata import metadata_store


def stash_ids(db: Session, entity_type: str, entity_ids: Sequence[str], endpoint: str) -> dict[str, str]:
    """``{entity id: stash id}`` of the entities linked on ``endpoint`` (a GraphQL URL)."""
    links = links_by_endpoint(db, entity_type, entity_ids, [endpoint])
    return {entity_id: by_endpoint[endpoint] for entity_id, by_endpoint in links.items() if endpoint in by_endpoint}


def links_by_endpoint(
    db: Session, entity_type: str, entity_ids: Sequence[str], endpoints: Sequence[str]
) -> dict[str, dict[str, str]]:
    """``{entity id: {endpoint: stash id}}`` of the entities' links on any of ``endpoints``."""
    if not entity_ids or not endpoints:
        return {}
    return {k: dict(v) for k, v in metadata_store().stash_ids(db, entity_type, entity_ids, endpoints).items()}


def linked_entities(
    db: Session, entity_type: str, endpoints: Sequence[str], *, offset: int = 0, limit: int = 60
) -> tuple[int, list[str]]:
    """``(total, ids)``: the entities linked on any of ``endpoints``, the most recently linked
    first (one page of ``limit`` from ``offset``)."""
    if not endpoints:
        return 0, []
    total, ids = metadata_store().linked(db, entity_type, endpoints, offset, limit)
    return total, list(ids)
