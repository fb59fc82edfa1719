"""Search: one global search over every kind of row (videos, series, performers, studios, tags,
galleries, images, albums, tracks…) — ``GET /api/search`` and the ``/search`` page.

Every plugin answers for its own rows through ``obscura_search`` (matching and ranking with
``plugin_sdk.search``); this plugin fans the query out, groups the hits by kind and pages through
one kind. It works with any subset of media plugins, and the Ctrl/⌘-K palette works without it.
Hook implementations only.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk import ShellPart, Stylesheet, hookimpl


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.search.page import make_page_blueprint
    from plugins_builtin.search.routes import make_api_blueprint

    return [make_api_blueprint(), make_page_blueprint()]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    from plugins_builtin.search.page import STATIC

    return [Stylesheet(path, order=70) for path in sorted(STATIC.glob("*.css"))]


@hookimpl
def obscura_shell_parts() -> list[ShellPart]:
    """A hidden link naming the search page, for the palette's "See all results for …" entry."""
    return [ShellPart("search-page", "search/shell_link.html", order=900)]
