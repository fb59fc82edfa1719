"""Community scrapers: Stash CommunityScrapers packages and the metadata source that runs them.

The index (``OBSCURA_SCRAPER_INDEX_URL``), installing, updating and removing packages under
``<data dir>/scrapers/<id>/``, enabling and disabling them, the ``/scrapers`` page, and a
``MetadataSource`` (``kind="scrapers"``) through which the ``metadata`` plugin runs them. The
scraper engine itself is the pure library in ``engine/``. Hook implementations only.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk import MetadataSource, ModelSet, NavItem, Stylesheet, hookimpl
from plugins_builtin.scrapers.models import MODELS


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="scrapers", models=list(MODELS))]


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.scrapers.page import make_blueprint as make_page_blueprint
    from plugins_builtin.scrapers.routes import make_blueprint

    return [make_blueprint(), make_page_blueprint()]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Scrapers", "/scrapers", icon="puzzle", order=92, section="system")]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    from plugin_sdk.blueprint import plugin_stylesheets

    return plugin_stylesheets("scrapers", __file__, order=70)


@hookimpl
def obscura_metadata_sources() -> list[MetadataSource]:
    from plugins_builtin.scrapers.source import SOURCE

    return [SOURCE]
