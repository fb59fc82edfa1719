"""Taxonomy: performers, studios and tags, linked to the rows of every media plugin.

Media plugins reach it only through hooks (``plugin_sdk.links``): the link kinds it declares
(``obscura_link_kinds``), their PATCH bodies' link fields (``obscura_entity_patch``), the links in
their answers (``obscura_entity_links``), their list filters (``obscura_entity_filter``) and their
deletions (``obscura_entities_deleted``), so each media plugin works with or without this one.
Bulk imports (a Stash library) hand it their tags, studios, performers and links
(``obscura_importers``, :mod:`.importer`). Hook implementations only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from plugin_sdk import LinkKind, MetadataTarget, ModelSet, NavItem, Panel, ShellPart, Stylesheet, hookimpl
from plugin_sdk.imports import Importer
from plugins_builtin.taxonomy.models import MODELS


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="taxonomy", models=list(MODELS))]


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.taxonomy.pages import make_blueprint
    from plugins_builtin.taxonomy.routes import make_blueprints

    return [*make_blueprints(), make_blueprint()]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [
        NavItem("Performers", "/performers", icon="user", order=40),
        NavItem("Studios", "/studios", icon="building", order=42),
        NavItem("Tags", "/tags", icon="tag", order=44),
    ]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    from plugins_builtin.taxonomy.pages import stylesheets

    return [Stylesheet(path, order=70) for path in stylesheets()]


@hookimpl
def obscura_shell_parts() -> list[ShellPart]:
    """No visible part: the module defines the chip pickers' custom elements once per visit, so
    panels and filter bars loaded later (htmx fragments, soft navigation) find them defined."""
    from plugins_builtin.taxonomy.pages import ELEMENTS_MODULE

    return [ShellPart("taxonomy-elements", "taxonomy/shell_part.html", module=ELEMENTS_MODULE, order=90)]


@hookimpl
def obscura_panels(entity_type: str) -> list[Panel]:
    from plugins_builtin.taxonomy.pages.links_panel import panels

    return panels(entity_type)


@hookimpl
def obscura_link_kinds() -> list[LinkKind]:
    from plugins_builtin.taxonomy.links import LINK_KINDS

    return list(LINK_KINDS)


@hookimpl
def obscura_entity_patch(
    db: Session, entity_type: str, entity_ids: Sequence[str], changes: Mapping[str, Any]
) -> set[str] | None:
    from plugins_builtin.taxonomy.links import apply_changes

    return apply_changes(db, entity_type, entity_ids, changes) or None


@hookimpl
def obscura_entity_links(db: Session, entity_type: str, entity_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    from plugins_builtin.taxonomy.links import links_for

    return links_for(db, entity_type, entity_ids)


@hookimpl
def obscura_entity_filter(
    db: Session, entity_type: str, id_column: ColumnElement[Any], key: str, values: Sequence[str]
) -> ColumnElement[bool] | None:
    from plugins_builtin.taxonomy.links import filter_clause

    return filter_clause(db, entity_type, id_column, key, values)


@hookimpl
def obscura_entities_deleted(db: Session, entity_type: str, entity_ids: Sequence[str]) -> None:
    from plugins_builtin.taxonomy.links import forget

    forget(db, entity_type, entity_ids)


@hookimpl
def obscura_entity_deleted(entity_type: str, entity_id: str, db: Session) -> None:
    """A single media row announced through the older one-at-a-time hook."""
    if entity_type != "library_root":
        from plugins_builtin.taxonomy.links import forget

        forget(db, entity_type, [entity_id])


@hookimpl
def obscura_search(db: Session, query: str, limit: int, kinds: Sequence[str] | None, offset: int) -> list[Any]:
    """Performers, studios and tags by name or alias (``SearchHit`` records)."""
    from plugins_builtin.taxonomy.search import search

    return search(db, query, limit, kinds, offset)


@hookimpl
def obscura_sfw_clause(db: Session, entity_type: str, id_column: ColumnElement[Any]) -> ColumnElement[bool] | None:
    from plugins_builtin.taxonomy.sfw import sfw_clause

    return sfw_clause(db, entity_type, id_column)


@hookimpl
def obscura_metadata_targets() -> list[MetadataTarget]:
    from plugins_builtin.taxonomy.metadata_target import targets

    return targets()


@hookimpl
def obscura_importers() -> list[Importer]:
    """Tags, studios, performers, their hierarchies and media links from bulk imports (Stash)."""
    from plugins_builtin.taxonomy.importer import importers

    return importers()
