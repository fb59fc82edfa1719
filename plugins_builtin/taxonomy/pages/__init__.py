"""The taxonomy plugin's pages: the grids (``/performers``, ``/studios``, ``/tags``), the detail
pages with the media plugins' panels, the edit forms, the "People & tags" panel of media pages and
the link filters of ``/videos``.

One blueprint (``taxonomy_pages``) with the plugin's templates (``templates/taxonomy/``) and static
files (served under ``/static/taxonomy/``); each page module registers its routes on it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static" / "taxonomy"
ELEMENTS_MODULE = "/static/taxonomy/elements.js"


def make_blueprint() -> Blueprint:
    """A fresh blueprint holding every taxonomy page and fragment route."""
    from plugins_builtin.taxonomy.pages import detail, edit, grid, links_panel

    bp = Blueprint(
        "taxonomy_pages",
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        static_url_path="/static/taxonomy",
    )
    grid.register(bp)
    detail.register(bp)
    edit.register(bp)
    links_panel.register(bp)
    return bp


def stylesheets() -> list[Path]:
    """The plugin's CSS files (merged into the app's single stylesheet)."""
    return sorted(STATIC.glob("*.css"))
