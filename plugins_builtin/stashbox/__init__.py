"""StashBox: stash-box servers (StashDB, FansDB…) as a metadata source.

The endpoints (``stashbox_endpoints``, their routes and the "test" button), a rate-limited
GraphQL client (``client``, ``ratelimit``, ``queries``), the conversion of stash-box objects to
Stash's scraped shapes (``convert``) and a ``MetadataSource`` (``kind="stashbox"``, served by the
``metadata`` plugin under ``/api/stashbox-endpoints/<id>/scrape…``) that identifies videos by
stash id, fingerprints (40 videos per request) and title. Hook implementations only.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk import MetadataSource, ModelSet, hookimpl
from plugins_builtin.stashbox.models import MODELS


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="stashbox", models=list(MODELS))]


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.stashbox.routes import make_blueprint

    return [make_blueprint()]


@hookimpl
def obscura_metadata_sources() -> list[MetadataSource]:
    from plugins_builtin.stashbox.source import SOURCE

    return [SOURCE]
