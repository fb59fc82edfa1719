"""The taxonomy plugin's pages: the grids (``/performers``, ``/studios``, ``/tags``), the detail
pages with the media plugins' panels, the edit forms, the "People & tags" panel of media pages and
the link filters of ``/videos``.

One blueprint (``taxonomy_pages``) with the plugin's templates (``templates/taxonomy/``) and static
files (served under ``/static/taxonomy/``); each page module registers its routes on it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from plugin_sdk.blueprint import plugin_blueprint, plugin_static

ELEMENTS_MODULE = "/static/taxonomy/elements.js"


def make_blueprint() -> Blueprint:
    """A fresh blueprint holding every taxonomy page and fragment route."""
    from plugins_builtin.taxonomy.pages import detail, edit, grid, links_panel

    return plugin_blueprint(
        "taxonomy", __file__, routes=(grid.register, detail.register, edit.register, links_panel.register)
    )


def stylesheets() -> list[Path]:
    """The plugin's CSS files (merged into the app's single stylesheet)."""
    return sorted(plugin_static("taxonomy", __file__).glob("*.css"))
