"""Collections: manual, dynamic and hybrid sets of videos, galleries, images and audio tracks.

Dynamic members come from a rule tree (and/or/not groups of field conditions) compiled to SQL over
the kinds media plugins describe through ``obscura_collection_sources``; tags, performers and
studio rules go through ``obscura_entity_filter`` (the taxonomy plugin). The ``collection-refresh``
queue re-evaluates a collection when its rules change and after media scans. Hook implementations
only; the work lives in the modules beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk import JobContext, JobRun, ModelSet, NavItem, Processor, QueueDefinition, hookimpl, hookimpls
from plugin_sdk.blueprint import plugin_stylesheets
from plugin_sdk.imports import Importer
from plugins_builtin.collections.models import MODELS

QUEUE = "collection-refresh"

obscura_models = hookimpls.returning([ModelSet(plugin="collections", models=list(MODELS))])


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    from plugins_builtin.collections.jobs import enqueue_all

    return [
        QueueDefinition(
            QUEUE, "Refresh collections", concurrency=1, max_attempts=3, enqueue_missing=enqueue_all,
            description="Re-evaluate the rules of dynamic and hybrid collections.",
        )
    ]  # fmt: skip


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    from plugins_builtin.collections.jobs import process_refresh

    return {QUEUE: process_refresh}


@hookimpl
def obscura_job_finished(run: JobRun, result: Any, ctx: JobContext) -> None:
    """A scan or probe of any media plugin finished: re-evaluate every dynamic and hybrid collection."""
    from plugins_builtin.collections.jobs import after_job

    after_job(run, ctx)


@hookimpl
def obscura_importers() -> list[Importer]:
    """Collections from bulk imports (Stash's groups and saved filters): ``importer.FIELDS``."""
    from plugins_builtin.collections.importer import FIELDS, import_collections

    return [Importer("collections", "collection", apply=import_collections, label="Collections", fields=FIELDS)]


@hookimpl
def obscura_entities_deleted(db: Session, entity_type: str, entity_ids: Sequence[str]) -> None:
    from plugins_builtin.collections.members import forget

    forget(db, entity_type, entity_ids)


obscura_blueprints = hookimpls.deferred_blueprints(
    "plugins_builtin.collections.routes:make_blueprint", "plugins_builtin.collections.pages:make_blueprint"
)
obscura_nav_items = hookimpls.returning([NavItem("Collections", "/collections", icon="layers", order=40)])
obscura_stylesheets = hookimpls.returning(plugin_stylesheets("collections", __file__, order=70))
obscura_panels = hookimpls.deferred_panels("plugins_builtin.collections.pages:panels")
obscura_search = hookimpls.deferred_search("plugins_builtin.collections.search:search")  # collections by name
