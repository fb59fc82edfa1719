"""The videos plugin's pages: browsing (grid, list, series) and the player page.

One blueprint (``videos_pages``) with the plugin's templates (``templates/videos/``) and static
files (served under ``/static/videos/``); each page module registers its routes on it.
"""

from __future__ import annotations

from flask import Blueprint

from plugin_sdk.blueprint import plugin_blueprint


def make_blueprint() -> Blueprint:
    """A fresh blueprint holding every videos page and fragment route."""
    from plugins_builtin.videos.pages import browse, player

    return plugin_blueprint("videos", __file__, routes=(browse.register, player.register))
