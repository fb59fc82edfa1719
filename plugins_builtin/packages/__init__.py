"""Script plugin packages: the original Obscura's plugin format (``manifest.yml`` plus a Python
script, a compiled JavaScript entry or a Stash scraper definition) and its community index.

Installing from the index (``OBSCURA_PLUGIN_INDEX_URL``), a zip or a local folder; enabling,
disabling, updating and removing packages; their credentials (``plugin_auth``, encrypted with
``OBSCURA_SECRET``); running them (``runtime/``: a child process per call speaking the original's
stdin/stdout JSON protocol); ``POST /api/plugins/<id>/execute``; the Plugins page; and a
``MetadataSource`` (``kind="plugins"``) through which the ``metadata`` plugin proposes their
results. Hook implementations only.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk import MetadataSource, ModelSet, NavItem, Stylesheet, hookimpl
from plugins_builtin.packages.models import MODELS


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="packages", models=list(MODELS))]


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.packages.execute_routes import make_blueprint as make_execute_blueprint
    from plugins_builtin.packages.pages import make_blueprint as make_page_blueprint
    from plugins_builtin.packages.routes import make_blueprint

    return [make_blueprint(), make_execute_blueprint(), make_page_blueprint()]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Plugins", "/plugins", icon="puzzle", order=91, section="system")]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    from plugin_sdk.blueprint import plugin_stylesheets

    return plugin_stylesheets("packages", __file__, order=71)


@hookimpl
def obscura_metadata_sources() -> list[MetadataSource]:
    from plugins_builtin.packages.source import SOURCE

    return [SOURCE]
