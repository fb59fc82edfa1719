"""The metadata plugin's pages: the "Scrape with…" panel of every page whose entity a loaded plugin
takes metadata for (a video, a performer, a series…), and the review queue ``/metadata/review``.

One blueprint (``metadata_pages``) with the plugin's templates (``templates/metadata/``) and
static files (served under ``/static/metadata/``). Both pages talk to the JSON API of
``routes.py`` from the browser; the HTML of a result card lives in one Jinja macro, served as
fragments the browser reloads after each scrape, accept or reject.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk import NavItem, Panel, ShellPart, Stylesheet
from plugin_sdk.blueprint import plugin_blueprint, plugin_stylesheets

NAME = "metadata"
PANEL_MODULE = "/static/metadata/panel.js"
"""Defines ``<md-scrape-panel>`` once per visit (the shell part loads it), so the panel fragment,
loaded by htmx after the page, finds it defined."""


def make_blueprint() -> Blueprint:
    """A fresh blueprint holding the panel's fragment routes and the review page."""
    from plugins_builtin.metadata.pages import panel, review

    return plugin_blueprint(NAME, __file__, routes=(panel.register, review.register))


def stylesheets() -> list[Stylesheet]:
    """The plugin's CSS (merged into the app's single stylesheet)."""
    return plugin_stylesheets(NAME, __file__, order=72)


def nav_items() -> list[NavItem]:
    """The review queue, beside the other metadata pages of the System section."""
    from plugins_builtin.metadata.pages.review import REVIEW_URL

    return [NavItem("Metadata review", REVIEW_URL, icon="check", order=91, section="system")]


def panels(entity_type: str) -> list[Panel]:
    """The "Scrape with…" panel, on the pages of every entity type a loaded plugin takes metadata for."""
    from plugins_builtin.metadata.pages.panel import panels as scrape_panels

    return scrape_panels(entity_type)


def shell_parts() -> list[ShellPart]:
    """No visible part: its module defines the panel's custom element once per visit."""
    return [ShellPart("metadata-elements", "metadata/shell_part.html", module=PANEL_MODULE, order=92)]
