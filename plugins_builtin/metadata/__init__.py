"""Metadata: scrape results and their review, the ``metadata-import`` queue, StashBox ids.

What every metadata source shares lives here, once: sources (community scrapers, StashBox
servers, script plugins) answer ``obscura_metadata_sources`` and only scrape; the media and
taxonomy plugins answer ``obscura_metadata_targets`` and apply accepted fields to their own rows.
This plugin imports none of them, and none imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask import Blueprint
from sqlalchemy import delete
from sqlalchemy.orm import Session

from plugin_sdk import MetadataStore, ModelSet, Processor, QueueDefinition, hookimpl
from plugin_sdk.imports import Importer
from plugins_builtin.metadata import queues
from plugins_builtin.metadata.models import MODELS, ScrapeResultRow, StashIdRow

if TYPE_CHECKING:  # the pages' hooks import their modules when called
    from plugin_sdk import NavItem, Panel, ShellPart, Stylesheet


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="metadata", models=list(MODELS))]


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return list(queues.QUEUES)


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    from plugins_builtin.metadata.processor import process_metadata_import

    return {queues.QUEUE: process_metadata_import}


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    """The API, and the pages (the "Scrape with…" panel and the review queue)."""
    from plugins_builtin.metadata.pages import make_blueprint as make_pages_blueprint
    from plugins_builtin.metadata.routes import make_blueprint

    return [make_blueprint(), make_pages_blueprint()]


@hookimpl
def obscura_metadata_store() -> list[MetadataStore]:
    from plugins_builtin.metadata.scraping import propose
    from plugins_builtin.metadata.stash_links import linked, stash_ids

    return [MetadataStore("metadata", propose=propose, stash_ids=stash_ids, linked=linked)]


@hookimpl
def obscura_importers() -> list[Importer]:
    """Links to StashBox ids from bulk imports (Stash's stash ids): ``importer.FIELDS``."""
    from plugins_builtin.metadata.importer import FIELDS, import_stash_ids

    return [Importer("metadata", "stash_id", apply=import_stash_ids, label="StashBox ids", fields=FIELDS)]


@hookimpl
def obscura_entities_deleted(db: Session, entity_type: str, entity_ids: Sequence[str]) -> None:
    ids = list(entity_ids)
    for model in (ScrapeResultRow, StashIdRow):
        db.execute(delete(model).where(model.entity_type == entity_type, model.entity_id.in_(ids)))


# ---- the browser UI (``pages/``): the "Scrape with…" panel and the review queue ------------------


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    from plugins_builtin.metadata.pages import nav_items

    return nav_items()


@hookimpl
def obscura_panels(entity_type: str) -> list[Panel]:
    from plugins_builtin.metadata.pages import panels

    return panels(entity_type)


@hookimpl
def obscura_shell_parts() -> list[ShellPart]:
    from plugins_builtin.metadata.pages import shell_parts

    return shell_parts()


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    from plugins_builtin.metadata.pages import stylesheets

    return stylesheets()
