"""StashBox: stash-box servers (StashDB, FansDB…) as a metadata source.

The endpoints (``stashbox_endpoints``, their routes and the "test" button), a rate-limited
GraphQL client (``client``, ``ratelimit``, ``queries``), the conversion of stash-box objects to
Stash's scraped shapes (``convert``) and a ``MetadataSource`` (``kind="stashbox"``, served by the
``metadata`` plugin under ``/api/stashbox-endpoints/<id>/scrape…``) that identifies videos by
stash id, fingerprints (40 videos per request) and title. Hook implementations only.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint
from sqlalchemy.orm import Session

from plugin_sdk import MetadataSource, ModelSet, hookimpl
from plugin_sdk.hookimpls import deferred, deferred_panels
from plugin_sdk.types import Processor, QueueDefinition
from plugins_builtin.stashbox.models import MODELS


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="stashbox", models=list(MODELS))]


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.stashbox.pages import make_blueprint as make_pages_blueprint
    from plugins_builtin.stashbox.routes import make_blueprint

    return [make_blueprint(), make_pages_blueprint()]


@hookimpl
def obscura_metadata_sources() -> list[MetadataSource]:
    from plugins_builtin.stashbox.source import SOURCE

    return [SOURCE]


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    """The ``stashbox`` queue: fingerprint submissions too long for a request."""
    from plugins_builtin.stashbox.jobs import QUEUES

    return list(QUEUES)


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    from plugins_builtin.stashbox.jobs import QUEUE, process_stashbox

    return {QUEUE: process_stashbox}


@hookimpl
def obscura_entities_deleted(db: Session, entity_type: str, entity_ids: Sequence[str]) -> None:
    """Deleted videos take their fingerprint submissions with them."""
    if entity_type == "video":
        from plugins_builtin.stashbox.submissions import forget_videos

        forget_videos(db, entity_ids)


# ---- the browser UI (``pages/``): Settings → StashBox, the Identify page, the stash-id badges ------

obscura_nav_items = deferred("plugins_builtin.stashbox.pages:nav_items")
obscura_settings_sections = deferred("plugins_builtin.stashbox.pages:settings_sections")
obscura_panels = deferred_panels("plugins_builtin.stashbox.pages:panels")
obscura_shell_parts = deferred("plugins_builtin.stashbox.pages:shell_parts")
obscura_stylesheets = deferred("plugins_builtin.stashbox.pages:stylesheets")
